DROP TRIGGER stock_threshold_crossed ON ingredients;
DROP FUNCTION stock_threshold_crossed();
DROP TABLE stock_alerts;
DROP TABLE invitations;
DROP TABLE account_tokens;
ALTER TABLE users DROP COLUMN email_verified_at;
DROP TABLE ops.scheduled_runs;
DROP SCHEMA ops;
