//! A program, its phases and fields as the API and the pages send them, checked into
//! `service::programs` input.

use chrono::{DateTime, DurationRound, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use serde::Deserialize;

use super::{Checker, double_option};
use crate::domain::{PhaseWindow, text};
use crate::error::AppError;
use crate::service::programs::{FieldInput, NewProgramInput, PhaseInput};

/// A phase: its window, to the minute (any RFC 3339 offset; stored in UTC).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PhaseBody {
    pub name: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

/// A field (lĩnh vực).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct FieldBody {
    pub code: String,
    pub name: String,
}

/// A field's new name (its code stays).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct FieldRename {
    pub name: String,
}

/// A new program.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateProgram {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The union whose subtree takes part.
    pub owner_union_id: i64,
    /// Eligibility window for the date an initiative was first applied.
    pub applied_from: Option<NaiveDate>,
    pub applied_to: Option<NaiveDate>,
    pub target_count: Option<i64>,
    #[serde(default)]
    pub phases: Vec<PhaseBody>,
    #[serde(default)]
    pub fields: Vec<FieldBody>,
}

/// Changes to a program (absent: unchanged; `null` clears).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateProgram {
    pub name: Option<String>,
    /// A new owning union (only while the program is a draft).
    pub owner_union_id: Option<i64>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub applied_from: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub applied_to: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub target_count: Option<Option<i64>>,
}

fn minute(t: DateTime<Utc>) -> NaiveDateTime {
    t.duration_trunc(TimeDelta::minutes(1))
        .unwrap_or(t)
        .naive_utc()
}

/// Checks a phase (the API and the page alike).
pub fn phase(c: &mut Checker, field: &str, p: &PhaseBody) -> Option<PhaseInput> {
    let name = c.line(&format!("{field}.name"), &p.name, text::NAME);
    match PhaseWindow::new(minute(p.opens_at), minute(p.closes_at)) {
        Some(window) => Some(PhaseInput { name, window }),
        None => {
            c.fail(
                &format!("{field}.closes_at"),
                "Thời điểm kết thúc phải sau thời điểm bắt đầu.",
            );
            None
        }
    }
}

/// Checks a field (the API and the page alike).
pub fn field(c: &mut Checker, name: &str, f: &FieldBody) -> FieldInput {
    FieldInput {
        code: c.code(&format!("{name}.code"), &f.code),
        name: c.line(&format!("{name}.name"), &f.name, text::NAME),
    }
}

/// Checks a target count.
pub fn check_target(c: &mut Checker, target: Option<i64>) {
    if target.is_some_and(|t| !(0..=100_000_000).contains(&t)) {
        c.fail("target_count", "Chỉ tiêu không hợp lệ.");
    }
}

/// Checks a new program (the API and the page alike).
pub fn parse_create(b: &CreateProgram) -> Result<NewProgramInput, AppError> {
    let mut c = Checker::default();
    let code = c.code("code", &b.code);
    let name = c.line("name", &b.name, text::NAME);
    let description = c.text("description", &b.description, text::DESCRIPTION);
    if let (Some(f), Some(t)) = (b.applied_from, b.applied_to)
        && f > t
    {
        c.fail("applied_to", "Ngày kết thúc phải sau ngày bắt đầu.");
    }
    check_target(&mut c, b.target_count);
    if b.phases.len() > 24 {
        c.fail("phases", "Tối đa 24 đợt.");
    }
    if b.fields.len() > 100 {
        c.fail("fields", "Tối đa 100 lĩnh vực.");
    }
    let phases: Vec<PhaseInput> = b
        .phases
        .iter()
        .enumerate()
        .filter_map(|(i, p)| phase(&mut c, &format!("phases[{i}]"), p))
        .collect();
    let fields: Vec<FieldInput> = b
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| field(&mut c, &format!("fields[{i}]"), f))
        .collect();
    c.finish()?;
    let input = NewProgramInput {
        code,
        name,
        description,
        owner_union_id: b.owner_union_id,
        applied_from: b.applied_from,
        applied_to: b.applied_to,
        target_count: b.target_count,
        phases,
        fields,
    };
    Ok(input)
}
