//! The program administrator's pages: the programs they run, a new program with its phases
//! and fields, and one program's page (details, eligibility window, phases with exact
//! cut-offs in Vietnam time, fields, the checklist before opening, open / close / archive).
//! Every form calls the same checks and services as the API; the review set-up has its own
//! page (`/quan-tri/chuong-trinh/{id}/xet-duyet`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::admin::{Confirmation, confirm, form_problems, refusal_text};
use super::form::{Done, Gate, SignedInForm, answer, back, notice};
use super::{Chrome, FieldProblems, PageError, Visitor, render, see_other};
use crate::domain::ProgramStatus;
use crate::domain::permissions::{Area, may_enter, program_admin_home};
use crate::error::{AppError, ErrorCode};
use crate::format;
use crate::routes::identity::Identity;
use crate::service;
use crate::service::input::Checker;
use crate::service::input::programs::{CreateProgram, FieldBody, PhaseBody, parse_create};
use crate::service::programs::{ChecklistItem, ProgramChangesInput, ProgramView};
use crate::state::AppState;

mod catalogue;
mod listing;
mod program;

pub use catalogue::*;
pub use listing::*;
pub use program::*;

/// The gate of the program administration: program administrators and system administrators.
#[derive(Debug)]
pub struct ProgramAdmins;

impl Gate for ProgramAdmins {
    fn check(me: &Identity) -> Result<(), PageError> {
        if may_enter(&me.actor, Area::ProgramAdministration) {
            Ok(())
        } else {
            Err(AppError::forbidden()
                .with_message("Chỉ quản trị chương trình mới dùng được trang này.")
                .into())
        }
    }
}

fn window_text(opens: DateTime<Utc>, closes: DateTime<Utc>) -> String {
    format!("{} – {}", format::datetime(opens), format::datetime(closes))
}

/// A phase as typed on a form.
#[derive(Debug, Clone, Default)]
pub struct PhaseValues {
    pub name: String,
    pub opens: String,
    pub closes: String,
}

/// A moment typed on a form, or the problem with it.
fn moment(problems: &mut FieldProblems, name: &str, v: &str) -> Option<DateTime<Utc>> {
    if v.trim().is_empty() {
        problems.add(name, "Nhập ngày và giờ (giờ Việt Nam).");
        return None;
    }
    match format::parse_vietnam_datetime(v) {
        Some(t) => Some(t.and_utc()),
        None => {
            problems.add(name, "Ngày giờ không hợp lệ (dd/mm/yyyy hh:mm).");
            None
        }
    }
}

/// An optional date typed on a form.
fn opt_date(problems: &mut FieldProblems, name: &str, v: &str) -> Option<chrono::NaiveDate> {
    if v.trim().is_empty() {
        return None;
    }
    let d = format::parse_date(v);
    if d.is_none() {
        problems.add(name, "Ngày không hợp lệ (dd/mm/yyyy).");
    }
    d
}

/// An optional whole number typed on a form (dots between thousands allowed).
fn opt_number(problems: &mut FieldProblems, name: &str, v: &str) -> Option<i64> {
    let digits: String = v
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | ','))
        .collect();
    if digits.is_empty() {
        return None;
    }
    match digits.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            problems.add(name, "Nhập một số nguyên.");
            None
        }
    }
}

/// Fields typed one per line, "mã: tên" or just the name (the code is made from it).
fn field_lines(text: &str) -> Vec<FieldBody> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once(':') {
            Some((code, name)) if !code.trim().contains(' ') && !code.trim().is_empty() => {
                FieldBody {
                    code: code.trim().to_owned(),
                    name: name.trim().to_owned(),
                }
            }
            _ => FieldBody {
                code: slug(l),
                name: l.to_owned(),
            },
        })
        .collect()
}

/// A code from a Vietnamese name: "An toàn lao động" → "an-toan-lao-dong".
fn slug(name: &str) -> String {
    let mut out: String = search_index::normalize::folded_words(name).join("-");
    out.truncate(50);
    out
}
