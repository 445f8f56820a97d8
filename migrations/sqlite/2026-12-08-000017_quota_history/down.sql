DROP TABLE quota_history;
