//! The initiative pages: the form (new and edit, saved explicitly and automatically), the live
//! similar check behind its panel, submission and its receipt, the author's view with its
//! timeline, and attachments.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::form::SignedInForm;
use super::member::ProgramBox;
use super::{Chrome, FieldProblems, PageError, Visitor, format, render, see_other};
use crate::domain::initiative::decision_due;
use crate::domain::{Actor, InitiativeStatus, InvitationStatus};
use crate::error::{AppError, ErrorCode};
use crate::routes::identity::Identity;
use crate::service;
use crate::service::initiatives::InitiativeView;
use crate::service::input::initiatives::{CoauthorBody, DraftBody, parse};
use crate::service::input::search::SimilarRequest;
use crate::service::programs::ProgramView;
use crate::state::AppState;

mod attachments;
mod editing;
mod values;
mod viewing;

pub use attachments::*;
pub use editing::*;
pub use values::*;
pub use viewing::*;
