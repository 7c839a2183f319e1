ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_session_fkey;
DROP TABLE sessions;
