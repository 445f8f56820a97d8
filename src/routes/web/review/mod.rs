//! The reviewers' pages: the queue, the review page (content, duplicate candidates, the
//! rubric form, others' scores when allowed, the decision), the side-by-side comparison, the
//! changes between submissions, the printable score sheet; and the chair's board with bulk
//! assignment and publication, and the printable minutes (biên bản).

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde::Deserialize;

use super::form::{Done, NoFields, SignedInForm, notice};
use super::member::Pager;
use super::{Chrome, FieldProblems, PageError, Visitor, format, render, see_other};
use crate::domain::permissions::{Area, may_enter};
use crate::domain::review::{Decision, REJECT_REASONS};
use crate::error::{AppError, ErrorCode};
use crate::routes::identity::Identity;
use crate::service::review::{
    BoardRequest, BoardView, Comparison, DecisionInput, MinutesView, QueueQuery, ReviewView,
    ScoreInput, Segment, VersionDiff,
};
use crate::service::{self, PageRequest};
use crate::state::AppState;

mod chair;
mod conclusion;
mod documents;
mod queue_page;
mod reviewing;

pub use chair::*;
pub use conclusion::*;
pub use documents::*;
pub use queue_page::*;
pub use reviewing::*;

fn vn() -> chrono_tz::Tz {
    chrono_tz::Asia::Ho_Chi_Minh
}

fn score_text(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}").replace('.', ",")
    }
}

fn id_param(v: &Option<String>) -> Option<i64> {
    v.as_deref().and_then(|s| s.trim().parse().ok())
}

fn flag(v: &Option<String>) -> bool {
    matches!(v.as_deref(), Some("1" | "on" | "true"))
}

/// A choice in a filter.
#[derive(Debug, Clone)]
pub struct Choice {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}
