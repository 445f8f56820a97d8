//! Integration tests: the real server over HTTP, a real database (each test its own), on
//! SQLite and on PostgreSQL alike.
#![expect(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]

mod helpers;

mod admin_browser;
mod admin_pages;
mod attachments;
mod attainment;
mod attainment_pages;
mod auth;
mod authz;
mod browser;
mod cli;
mod coauthors;
mod confidential;
mod duplicates;
mod errors;
mod exports;
mod faults;
mod faults_index;
mod idempotency;
mod initiatives;
mod load;
mod mail;
mod migrations;
mod org_import;
mod organisation;
mod outbox_gaps;
mod pages;
mod partial_copies;
mod people_search;
mod permissions;
mod probe;
mod quota_history;
mod quotas;
mod reorganisation;
mod reorganisation_pages;
mod reorganisation_revert;
mod review;
mod review_browser;
mod review_pages;
mod scaleout;
mod schemathesis;
mod security;
mod session_rules;
mod smtp;
