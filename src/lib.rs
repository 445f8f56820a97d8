//! Sáng kiến: the service crate. Members submit initiatives, committees review them, unions
//! count approved ones toward their quotas.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod email;
pub mod error;
pub mod format;
pub mod routes;
pub mod search;
pub mod service;
pub mod state;
pub mod telemetry;
