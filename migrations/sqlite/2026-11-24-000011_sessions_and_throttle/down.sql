DROP TABLE sign_in_throttle;
DROP TABLE sessions;
