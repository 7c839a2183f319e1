DROP TRIGGER sessions_end ON sessions;
DROP FUNCTION notify_session_end();
