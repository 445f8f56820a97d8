DROP TABLE union_counts;
