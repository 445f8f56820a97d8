//! A reorganisation as the API sends it (JSON operations), checked into a plan.

use chrono::NaiveDate;
use serde::Deserialize;

use super::Checker;
use crate::domain::reorganisation::{OpKind, PlanRow};
use crate::domain::text;
use crate::error::AppError;
use crate::service::reorganisations::Plan;

/// Most operations one reorganisation may hold (the national change of 2025 is about 75,000).
pub const MAX_OPERATIONS: usize = 200_000;

/// A reorganisation: the decision and its operations.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReorganisationBody {
    /// Số quyết định, e.g. "1234/QĐ-TLĐ".
    pub decision_no: String,
    /// The day the decision was signed.
    pub decided_on: Option<NaiveDate>,
    /// The day it takes effect (Vietnam calendar).
    pub effective_on: NaiveDate,
    #[serde(default)]
    pub note: String,
    pub operations: Vec<OperationBody>,
}

/// One operation, as a plan file's row writes it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OperationBody {
    /// `transfer`, `dissolve`, `end`, `merge`, `split`, `rename` (or the Vietnamese
    /// `chuyển`, `giải thể`, `kết thúc`, `hợp nhất`, `chia tách`, `đổi tên`).
    pub action: String,
    /// The union's code.
    pub code: String,
    /// Transfer: the new parent; a new successor: where it goes.
    pub new_parent_code: Option<String>,
    /// Merge: the union merged into; split: one successor; end: where the members go;
    /// rename: the new code.
    pub successor_code: Option<String>,
    /// Rename, or a new successor's name.
    pub new_name: Option<String>,
}

/// An action in English or Vietnamese, with or without marks.
pub fn action(s: &str) -> Option<OpKind> {
    OpKind::parse_folded(&crate::service::imports::columns::fold(s))
}

/// Checks a reorganisation body into a plan.
pub fn parse(b: &ReorganisationBody) -> Result<Plan, AppError> {
    let mut c = Checker::default();
    let decision_no = c.line("decision_no", &b.decision_no, text::NAME);
    let note = c.opt_line("note", Some(&b.note), 2_000).unwrap_or_default();
    let sane = |d: NaiveDate| {
        NaiveDate::from_ymd_opt(1945, 1, 1).is_some_and(|lo| d >= lo)
            && NaiveDate::from_ymd_opt(2100, 12, 31).is_some_and(|hi| d <= hi)
    };
    if !sane(b.effective_on) {
        c.fail("effective_on", "Ngày hiệu lực từ năm 1945 đến năm 2100.");
    }
    if b.decided_on.is_some_and(|d| !sane(d)) {
        c.fail("decided_on", "Ngày quyết định từ năm 1945 đến năm 2100.");
    }
    if b.operations.is_empty() {
        c.fail("operations", "Cần ít nhất một thao tác.");
    }
    if b.operations.len() > MAX_OPERATIONS {
        c.fail(
            "operations",
            format!("Tối đa {MAX_OPERATIONS} thao tác mỗi lần."),
        );
    }
    let mut rows = Vec::with_capacity(b.operations.len().min(MAX_OPERATIONS));
    for (i, op) in b.operations.iter().take(MAX_OPERATIONS).enumerate() {
        let field = |f: &str| format!("operations[{i}].{f}");
        let Some(kind) = action(&op.action) else {
            c.fail(
                &field("action"),
                "Thao tác là một trong: chuyển, giải thể, kết thúc, hợp nhất, chia tách, đổi tên.",
            );
            continue;
        };
        let code = c.code(&field("code"), &op.code);
        let opt_code = |c: &mut Checker, f: &str, v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| c.code(&field(f), v))
        };
        rows.push(PlanRow {
            line: i + 1,
            action: kind,
            code,
            new_parent_code: opt_code(&mut c, "new_parent_code", &op.new_parent_code),
            successor_code: opt_code(&mut c, "successor_code", &op.successor_code),
            new_name: c.opt_line(&field("new_name"), op.new_name.as_deref(), 300),
        });
    }
    c.finish()?;
    Ok(Plan {
        decision_no,
        decided_on: b.decided_on,
        effective_on: b.effective_on,
        note,
        rows,
        reverts_id: None,
    })
}
