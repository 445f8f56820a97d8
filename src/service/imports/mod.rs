//! The organisation import (nhập dữ liệu tổ chức): a union tree or a member list from a
//! spreadsheet, validated whole first (every bad row reported with its line and a reason in
//! Vietnamese), then applied in one transaction, only within the actor's subtree. Re-importing
//! the same file changes nothing: rows are matched by code and written only when a field
//! differs.

pub mod columns;
pub mod members;
pub mod pending;
pub mod sheet;
pub mod unions;

use serde::{Deserialize, Serialize};

use crate::db::{self, Db, DbConn, audit, outbox};
use crate::domain::{Action, Actor, Resource, can};
use crate::error::{AppError, ErrorCode};

pub use sheet::Row;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// The union tree: code, parent code, name, level, cluster, member count.
    Unions,
    /// Members: member code, full name, email, phone, union code.
    Members,
}

impl ImportKind {
    /// From its name in URLs and on the command line.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "unions" | "don-vi" => Some(Self::Unions),
            "members" | "doan-vien" => Some(Self::Members),
            _ => None,
        }
    }

    /// Its name in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unions => "unions",
            Self::Members => "members",
        }
    }

    /// What it is, in Vietnamese.
    pub fn label(self) -> &'static str {
        match self {
            Self::Unions => "Cây đơn vị",
            Self::Members => "Danh sách đoàn viên",
        }
    }
}

/// A bad row: where, which code, why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowProblem {
    /// The row's line in the file (the header is line 1 unless blank lines precede it).
    pub line: usize,
    /// The row's code as written (empty when missing).
    pub code: String,
    /// The reason, in Vietnamese.
    pub message: String,
}

/// A row that creates or changes something.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowChange {
    pub line: usize,
    pub code: String,
    pub name: String,
    /// `new` or `changed`.
    pub action: &'static str,
    /// For a change: what differs, in Vietnamese ("Tên: A → B").
    pub fields: Vec<String>,
}

/// Changes listed in a report at most (the counts cover them all).
pub const MAX_LISTED_CHANGES: usize = 1_000;

/// What an import found, and whether it was applied.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub kind: ImportKind,
    /// Data rows read (the header excluded).
    pub rows: usize,
    /// Rows that create a union or a member.
    pub new: usize,
    /// Rows that change an existing one.
    pub changed: usize,
    /// Rows identical to what is stored.
    pub unchanged: usize,
    /// Every bad row (nothing is imported while there is one).
    pub errors: Vec<RowProblem>,
    /// The rows that create or change something (at most 1,000 listed).
    pub changes: Vec<RowChange>,
    /// Whether the changes were written.
    pub applied: bool,
}

impl ImportReport {
    fn new(kind: ImportKind, rows: usize) -> Self {
        Self {
            kind,
            rows,
            new: 0,
            changed: 0,
            unchanged: 0,
            errors: Vec::new(),
            changes: Vec::new(),
            applied: false,
        }
    }

    /// True when no row is bad.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// True when applying would write something.
    pub fn has_changes(&self) -> bool {
        self.new + self.changed > 0
    }

    pub(crate) fn problem(&mut self, line: usize, code: &str, message: impl Into<String>) {
        self.errors.push(RowProblem {
            line,
            code: code.to_owned(),
            message: message.into(),
        });
    }

    pub(crate) fn change(&mut self, change: RowChange) {
        if change.action == "new" {
            self.new += 1;
        } else {
            self.changed += 1;
        }
        if self.changes.len() < MAX_LISTED_CHANGES {
            self.changes.push(change);
        }
    }

    fn sort(&mut self) {
        self.errors.sort_by_key(|e| e.line);
        self.changes.sort_by_key(|c| c.line);
    }
}

/// Reports how far a long import has come: `(stage, done, total)`.
pub type Progress<'a> = &'a dyn Fn(&'static str, u64, u64);

/// No progress reporting.
pub fn no_progress(_: &'static str, _: u64, _: u64) {}

/// May the actor import at all (an officer somewhere, or a system administrator)?
pub fn authorize(actor: &Actor) -> Result<(), AppError> {
    let anywhere = can(actor, Action::Administer, Resource::System)
        || actor.grants.iter().any(|g| {
            can(
                actor,
                Action::ManageUnion,
                Resource::Union {
                    path: &g.union_path,
                },
            )
        });
    if anywhere {
        Ok(())
    } else {
        Err(AppError::forbidden()
            .with_message("Chỉ cán bộ công đoàn mới được nhập dữ liệu tổ chức của đơn vị mình."))
    }
}

/// Validates the rows (header first) and, unless `dry_run` or a row is bad, applies them
/// inside the caller's transaction.
pub fn run_in(
    conn: &mut DbConn,
    actor: &Actor,
    kind: ImportKind,
    rows: &[Row],
    dry_run: bool,
    progress: Progress<'_>,
) -> Result<ImportReport, AppError> {
    authorize(actor)?;
    let mut report = match kind {
        ImportKind::Unions => run_with::<unions::Unions>(conn, actor, rows, dry_run, progress)?,
        ImportKind::Members => run_with::<members::Members>(conn, actor, rows, dry_run, progress)?,
    };
    report.sort();
    Ok(report)
}

/// One kind of organisation file: its rows checked against the database and the actor's
/// scope into a plan whose report says what would change, then the plan written inside the
/// caller's transaction.
pub trait Importer {
    /// What `plan` found and `apply` writes.
    type Plan;
    /// Validates the rows (header first).
    fn plan(
        conn: &mut DbConn,
        actor: &Actor,
        rows: &[Row],
        progress: Progress<'_>,
    ) -> Result<Self::Plan, AppError>;
    /// The plan's report: problems, and the rows new, changed and unchanged.
    fn report(plan: &Self::Plan) -> &ImportReport;
    /// Writes a valid plan.
    fn apply(
        conn: &mut DbConn,
        actor: &Actor,
        plan: &Self::Plan,
        progress: Progress<'_>,
    ) -> Result<(), AppError>;
}

/// Plans, and applies with its audit entry unless `dry_run`, a plan without problems.
fn run_with<I: Importer>(
    conn: &mut DbConn,
    actor: &Actor,
    rows: &[Row],
    dry_run: bool,
    progress: Progress<'_>,
) -> Result<ImportReport, AppError> {
    let plan = I::plan(conn, actor, rows, progress)?;
    let mut report = I::report(&plan).clone();
    if report.is_valid() && report.has_changes() && !dry_run {
        I::apply(conn, actor, &plan, progress)?;
        record(conn, actor, &report)?;
        report.applied = true;
    }
    Ok(report)
}

/// One audit entry and one outbox event for the whole import.
fn record(conn: &mut DbConn, actor: &Actor, report: &ImportReport) -> Result<(), AppError> {
    let now = db::now();
    let comment = format!(
        "{}: {} mới, {} thay đổi, {} không đổi",
        report.kind.label(),
        report.new,
        report.changed,
        report.unchanged
    );
    audit::record(
        conn,
        &audit::NewAudit {
            actor_id: Some(actor.user_id),
            entity_type: "organisation_import",
            entity_id: actor.user_id,
            action: match report.kind {
                ImportKind::Unions => "import_unions",
                ImportKind::Members => "import_members",
            },
            from_state: None,
            to_state: None,
            comment: Some(&comment),
            created_at: now,
        },
    )?;
    outbox::append(
        conn,
        "organisation.imported",
        "organisation_import",
        actor.user_id,
        &serde_json::json!({
            "kind": report.kind,
            "new": report.new,
            "changed": report.changed,
            "unchanged": report.unchanged,
        }),
        now,
    )?;
    Ok(())
}

/// Reads a file's bytes into rows (blocking; call off the async threads).
pub fn read_rows(bytes: &[u8]) -> Result<Vec<Row>, AppError> {
    sheet::read(bytes)
}

/// A file read and its rows checked on their own, before the database is consulted.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// Every non-empty row, the header first.
    pub rows: Vec<Row>,
    /// The rows read and every row that is bad on its own (nothing is applied).
    pub report: ImportReport,
    /// Data rows that are well-formed on their own (they may still clash with what is stored).
    pub well_formed: usize,
}

/// Reads `bytes` as `kind` and checks every row on its own: the parsing half of [`run`], pure
/// (no database, no I/O) and the same functions the import uses; the fuzz target
/// `import_parse` runs it on arbitrary bytes. A bad file is an error with a 4xx code.
pub fn parse(kind: ImportKind, bytes: &[u8]) -> Result<Parsed, AppError> {
    let rows = read_rows(bytes)?;
    let mut report = ImportReport::new(kind, rows.len().saturating_sub(1));
    let well_formed = match kind {
        ImportKind::Unions => unions::parse_rows(&rows, &mut report)?.0.len(),
        ImportKind::Members => members::parse_rows(&rows, &mut report)?.len(),
    };
    Ok(Parsed {
        rows,
        report,
        well_formed,
    })
}

/// Validates `bytes` as `kind` and, unless `dry_run` or a row is bad, applies them in one
/// transaction; the report says which.
#[tracing::instrument(skip_all, fields(actor = actor.user_id, kind = kind.as_str(), dry_run))]
pub async fn run(
    db: &Db,
    actor: &Actor,
    kind: ImportKind,
    bytes: std::sync::Arc<Vec<u8>>,
    dry_run: bool,
) -> Result<ImportReport, AppError> {
    authorize(actor)?;
    let actor = actor.clone();
    let rows = tokio::task::spawn_blocking(move || read_rows(&bytes))
        .await
        .map_err(AppError::internal)??;
    if dry_run {
        db.read(move |conn| run_in(conn, &actor, kind, &rows, true, &no_progress))
            .await
    } else {
        db.write(move |conn| run_in(conn, &actor, kind, &rows, false, &no_progress))
            .await
    }
}

/// Validates `bytes` as `kind` without writing anything.
pub async fn preview(
    db: &Db,
    actor: &Actor,
    kind: ImportKind,
    bytes: std::sync::Arc<Vec<u8>>,
) -> Result<ImportReport, AppError> {
    run(db, actor, kind, bytes, true).await
}

/// Validates `bytes` as `kind` and applies them if every row is valid; a bad row is
/// `import_rows_invalid` with the report in the details.
pub async fn import(
    db: &Db,
    actor: &Actor,
    kind: ImportKind,
    bytes: std::sync::Arc<Vec<u8>>,
) -> Result<ImportReport, AppError> {
    let report = run(db, actor, kind, bytes, false).await?;
    if report.is_valid() {
        Ok(report)
    } else {
        Err(rows_invalid(&report))
    }
}

/// The error for a report with bad rows.
pub fn rows_invalid(report: &ImportReport) -> AppError {
    AppError::new(ErrorCode::ImportRowsInvalid)
        .with_message(format!(
            "{} dòng dữ liệu không hợp lệ; chưa nhập dòng nào. Hãy sửa tệp rồi tải lên lại.",
            report
                .errors
                .iter()
                .map(|e| e.line)
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        ))
        .with_details(serde_json::to_value(report).unwrap_or_default())
}
