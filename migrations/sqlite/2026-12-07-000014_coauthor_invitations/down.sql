DROP TABLE coauthor_invitations;
