DROP TABLE ops.login_attempts;
