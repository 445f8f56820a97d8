//! Quota allocation (phân bổ chỉ tiêu): a union's officers split its quota in a program (or
//! one phase of it) among its children, each as a number of approved initiatives or as a share
//! of the child's members resolved on the day it is set. The editor shows the union's own
//! quota beside the sum of its children's and warns when they differ; every change is audited
//! and kept in the history of allocations (lịch sử phân bổ), which the dashboards read as of a
//! past day.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::db::programs::{
    self as pq, PhaseRow, ProgramRow, QuotaCause, QuotaHistoryEntry, QuotaReason, QuotaRecord,
    QuotaSet,
};
use crate::db::unions::{self, UnionRow, Which};
use crate::db::{self, Db, DbConn, audit};
use crate::domain::{Action, Actor, QuotaKind, Resource, UnionPath, can};
use crate::error::{AppError, ErrorCode, FieldErrors};
use crate::service::shared::quota::{Quota, quotas_for};

/// The largest absolute quota one union can be given.
pub const MAX_ABSOLUTE: i64 = 100_000_000;
/// The largest share of members, in basis points (1000%).
pub const MAX_SHARE_BP: i64 = 100_000;

/// A quota as set for one union at exactly the asked scope (program-wide or one phase).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuotaView {
    pub kind: QuotaKind,
    /// A number of approved initiatives, or basis points of members (1000 = 10%).
    pub value: i64,
    /// The number of approved initiatives it asks for.
    pub target: i64,
    /// For a share: the day the members were counted and how many there were.
    pub members_as_of: Option<NaiveDate>,
    pub member_basis: Option<i64>,
}

/// One union in the editor.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AllocationLine {
    pub union_id: i64,
    pub code: String,
    pub name: String,
    pub level: i32,
    /// Members of its whole subtree today.
    pub members: i64,
    /// The quota set at exactly this scope, if any.
    pub quota: Option<QuotaView>,
    /// The target that applies (for a phase without its own quota: the program-wide one).
    pub effective_target: Option<i64>,
}

/// One recorded change of a child's quota.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AllocationChange {
    pub union_id: i64,
    pub union_name: String,
    pub actor_name: Option<String>,
    pub at: chrono::DateTime<chrono::Utc>,
    /// What it was and what it became, in Vietnamese ("—" for none).
    pub before: String,
    pub after: String,
}

/// The allocation editor's content.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AllocationView {
    pub program_id: i64,
    pub program_name: String,
    pub phase_id: Option<i64>,
    pub phase_name: Option<String>,
    pub union: AllocationLine,
    pub children: Vec<AllocationLine>,
    /// The sum of the children's effective targets.
    pub children_sum: i64,
    /// Children without any quota.
    pub unallocated: usize,
    /// Children's sum minus the union's own target (when it has one).
    pub difference: Option<i64>,
    /// In Vietnamese, when the children's sum differs from the union's quota or some child
    /// has none.
    pub warning: Option<String>,
    /// The latest changes to the children's quotas at this scope, newest first.
    pub history: Vec<AllocationChange>,
    /// The history of allocations at this scope: the union's own, then each child's.
    pub allocation_history: Vec<QuotaHistory>,
}

/// One recorded change of a quota, from the history of allocations.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuotaChange {
    /// The day (Vietnam calendar) it holds from: a dashboard read as of that day or later
    /// uses it, until a change recorded after it.
    pub holds_from: NaiveDate,
    /// When it was recorded.
    pub changed_at: chrono::DateTime<chrono::Utc>,
    /// What the quota became (`None`: it was removed).
    pub kind: Option<QuotaKind>,
    pub value: Option<i64>,
    pub members_as_of: Option<NaiveDate>,
    pub member_basis: Option<i64>,
    /// The number of approved initiatives it asked for, when known.
    pub target: Option<i64>,
    /// What it became, in Vietnamese: "20 sáng kiến", "Bỏ chỉ tiêu".
    pub description: String,
    /// Who changed it (`None`: the system).
    pub changed_by: Option<i64>,
    /// Their name, or "Hệ thống".
    pub changed_by_name: String,
    /// `editor`, `import`, `reorganisation`, `system` or `initial` (a quota that stood before
    /// its history was kept).
    pub reason: String,
    /// The reorganisation that carried it, for `reorganisation`.
    pub reorganisation_id: Option<i64>,
    /// Why, in Vietnamese.
    pub why: String,
}

/// The history of one union's quota at one scope, the latest recorded first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuotaHistory {
    pub union_id: i64,
    pub code: String,
    pub name: String,
    pub program_id: i64,
    pub phase_id: Option<i64>,
    pub changes: Vec<QuotaChange>,
}

/// One child's quota to set; no kind removes it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ChildQuota {
    pub union_id: i64,
    /// `absolute` or `percent_of_members`; absent or null removes the child's quota.
    pub kind: Option<QuotaKind>,
    /// A number of approved initiatives, or basis points of the child's members.
    #[serde(default)]
    pub value: i64,
}

/// An allocation among a union's children.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct AllocationInput {
    pub program_id: i64,
    /// One phase (absent: the whole program).
    pub phase_id: Option<i64>,
    pub allocations: Vec<ChildQuota>,
}

/// What the editor is asked for.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct AllocationQuery {
    pub program_id: i64,
    pub phase_id: Option<i64>,
}

/// The audit entity type of quotas at one scope: `quota/{program}/{phase or 0}`, per union.
fn audit_type(program_id: i64, phase_id: Option<i64>) -> String {
    format!("quota/{program_id}/{}", phase_id.unwrap_or(0))
}

/// The allocation of a union's quota among its children.
pub async fn allocation(
    db: &Db,
    actor: &Actor,
    union_id: i64,
    query: AllocationQuery,
) -> Result<AllocationView, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let (union, program, phase) =
            scope(conn, &actor, union_id, query.program_id, query.phase_id)?;
        view(conn, &union, &program, phase.as_ref())
    })
    .await
}

/// How many changes of each union's quota the editor shows.
const EDITOR_HISTORY: i64 = 10;
/// How many changes the history of one quota answers with at most.
const HISTORY_LIMIT: i64 = 500;

/// The history of allocations of a union's own quota in a program (or one phase), the latest
/// recorded first: for whoever may read the union's quota (its officers and the program
/// administrators over it).
pub async fn history(
    db: &Db,
    actor: &Actor,
    union_id: i64,
    query: AllocationQuery,
) -> Result<QuotaHistory, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let (union, program, _) = scope(conn, &actor, union_id, query.program_id, query.phase_id)?;
        let rows = pq::quota_history(conn, program.id, query.phase_id, &[union.id], HISTORY_LIMIT)?;
        Ok(QuotaHistory {
            union_id: union.id,
            code: union.code,
            name: union.name,
            program_id: program.id,
            phase_id: query.phase_id,
            changes: rows.into_iter().map(change).collect(),
        })
    })
    .await
}

/// A history row as the API and the editor show it.
fn change((row, by_name, decision_no): QuotaHistoryEntry) -> QuotaChange {
    use crate::format::{number, percent};
    let kind = row.kind.as_deref().and_then(QuotaKind::parse);
    let target = match (kind, row.value) {
        (Some(QuotaKind::Absolute), Some(v)) => Some(v),
        (Some(k), Some(v)) => row.member_basis.map(|b| k.target(v, b)),
        _ => None,
    };
    let description = match (kind, row.value) {
        (Some(QuotaKind::Absolute), Some(v)) => format!("{} sáng kiến", number(v)),
        (Some(QuotaKind::PercentOfMembers), Some(v)) => {
            #[expect(clippy::cast_precision_loss, reason = "basis points are small")]
            let pct = percent(v as f64 / 100.0);
            match (row.member_basis, target) {
                (Some(b), Some(t)) => format!(
                    "{pct} của {} đoàn viên = {} sáng kiến",
                    number(b),
                    number(t)
                ),
                _ => format!("{pct} số đoàn viên"),
            }
        }
        _ if row.kind.is_none() => "Bỏ chỉ tiêu".to_owned(),
        _ => "—".to_owned(),
    };
    let why = match row.reason.as_str() {
        "editor" => "Phân bổ trên trang chỉ tiêu".to_owned(),
        "import" => "Nhập từ tệp".to_owned(),
        "reorganisation" => match &decision_no {
            Some(no) => format!(
                "Sắp xếp tổ chức theo quyết định {no}: cộng dồn chỉ tiêu của các đơn vị hợp nhất"
            ),
            None => "Sắp xếp tổ chức: cộng dồn chỉ tiêu của các đơn vị hợp nhất".to_owned(),
        },
        "initial" => "Chỉ tiêu đã có trước khi ghi lịch sử phân bổ".to_owned(),
        _ => "Hệ thống".to_owned(),
    };
    QuotaChange {
        holds_from: row.holds_from,
        changed_at: row.changed_at.and_utc(),
        kind,
        value: row.value,
        members_as_of: row.members_as_of,
        member_basis: row.member_basis,
        target,
        description,
        changed_by: row.changed_by,
        changed_by_name: by_name.unwrap_or_else(|| "Hệ thống".to_owned()),
        reason: row.reason,
        reorganisation_id: row.reorganisation_id,
        why,
    }
}

/// Sets the quotas of some of a union's children, in one transaction; answers with the
/// editor's new content.
#[tracing::instrument(skip_all, fields(actor = actor.user_id, union = union_id))]
pub async fn allocate(
    db: &Db,
    actor: &Actor,
    union_id: i64,
    input: AllocationInput,
) -> Result<AllocationView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (union, program, phase) =
            scope(conn, &actor, union_id, input.program_id, input.phase_id)?;
        let children = active_children(conn, union.id)?;
        let mut problems = FieldErrors::new();
        let mut seen = std::collections::BTreeSet::new();
        for (i, a) in input.allocations.iter().enumerate() {
            let field = format!("allocations.{i}");
            if !children.iter().any(|c| c.id == a.union_id) {
                problems.insert(field, "Không phải đơn vị trực thuộc.".to_owned());
            } else if !seen.insert(a.union_id) {
                problems.insert(field, "Đơn vị được phân bổ hai lần.".to_owned());
            } else if let Some(problem) = check_value(a.kind, a.value) {
                problems.insert(field, problem.to_owned());
            }
        }
        if !problems.is_empty() {
            return Err(AppError::validation(problems));
        }
        let now = db::now();
        let today = crate::db::counts::vietnam_day(now);
        let entity = audit_type(program.id, input.phase_id);
        let cause = QuotaCause {
            reason: QuotaReason::Editor,
            by: Some(actor.user_id),
            holds_from: today,
        };
        for a in &input.allocations {
            let Some(child) = children.iter().find(|c| c.id == a.union_id) else {
                continue;
            };
            let before = pq::quota(conn, program.id, input.phase_id, child.id)?;
            let after = match a.kind {
                None => {
                    pq::delete_quota(conn, program.id, input.phase_id, child.id, now, cause)?;
                    None
                }
                Some(kind) => {
                    let basis = match kind {
                        QuotaKind::Absolute => None,
                        QuotaKind::PercentOfMembers => {
                            Some(unions::subtree_members(conn, &child.path)?)
                        }
                    };
                    let unchanged = before.as_ref().is_some_and(|b| {
                        b.kind == kind.as_str() && b.value == a.value && b.member_basis == basis
                    });
                    if unchanged {
                        continue;
                    }
                    let set = QuotaSet {
                        program_id: program.id,
                        phase_id: input.phase_id,
                        union_id: child.id,
                        kind: kind.as_str(),
                        value: a.value,
                        members_as_of: basis.map(|_| today),
                        member_basis: basis,
                    };
                    pq::set_quota_because(conn, &set, now, cause)?;
                    pq::quota(conn, program.id, input.phase_id, child.id)?
                }
            };
            if before.is_none() && after.is_none() {
                continue;
            }
            audit::record(
                conn,
                &audit::NewAudit {
                    actor_id: Some(actor.user_id),
                    entity_type: &entity,
                    entity_id: child.id,
                    action: "allocate",
                    from_state: Some(&stored_state(before.as_ref())),
                    to_state: Some(&stored_state(after.as_ref())),
                    comment: None,
                    created_at: now,
                },
            )?;
        }
        view(conn, &union, &program, phase.as_ref())
    })
    .await
}

/// Why a quota's value is not acceptable, if it is not.
pub fn check_value(kind: Option<QuotaKind>, value: i64) -> Option<&'static str> {
    match kind {
        None => None,
        Some(QuotaKind::Absolute) if !(0..=MAX_ABSOLUTE).contains(&value) => {
            Some("Chỉ tiêu phải là số từ 0 đến 100.000.000.")
        }
        Some(QuotaKind::PercentOfMembers) if !(1..=MAX_SHARE_BP).contains(&value) => {
            Some("Tỷ lệ phải lớn hơn 0% và không quá 1000% số đoàn viên.")
        }
        Some(_) => None,
    }
}

/// The union (which the actor may allocate), the program (which runs over it) and the phase.
fn scope(
    conn: &mut DbConn,
    actor: &Actor,
    union_id: i64,
    program_id: i64,
    phase_id: Option<i64>,
) -> Result<(UnionRow, ProgramRow, Option<PhaseRow>), AppError> {
    let union = unions::find(conn, union_id)?.ok_or_else(AppError::not_found)?;
    let path = UnionPath::from_stored(union.path.clone());
    if !can(
        actor,
        Action::AllocateQuota,
        Resource::Union { path: &path },
    ) {
        return Err(AppError::not_found());
    }
    let program = pq::find(conn, program_id)?
        .ok_or_else(|| AppError::bad_field("program_id", "Không tìm thấy chương trình."))?;
    let owner = unions::find(conn, program.owner_union_id)?.ok_or_else(AppError::not_found)?;
    if !UnionPath::from_stored(owner.path).covers(&path) {
        return Err(AppError::new(ErrorCode::InvalidState)
            .with_message("Chương trình này không áp dụng cho công đoàn này."));
    }
    let phase = match phase_id {
        Some(id) => Some(
            pq::phases(conn, program.id)?
                .into_iter()
                .find(|p| p.id == id)
                .ok_or_else(|| AppError::bad_field("phase_id", "Không tìm thấy đợt này."))?,
        ),
        None => None,
    };
    Ok((union, program, phase))
}

fn active_children(conn: &mut DbConn, union_id: i64) -> Result<Vec<UnionRow>, AppError> {
    Ok(unions::children(conn, union_id)?
        .into_iter()
        .filter(|u| u.active)
        .collect())
}

fn view(
    conn: &mut DbConn,
    union: &UnionRow,
    program: &ProgramRow,
    phase: Option<&PhaseRow>,
) -> Result<AllocationView, AppError> {
    let phase_id = phase.map(|p| p.id);
    let children = active_children(conn, union.id)?;
    let children_ids: Vec<i64> = children.iter().map(|c| c.id).collect();
    let effective = quotas_for(conn, program, phase_id, Which::Family(union.id))?;
    let exact: Vec<QuotaRecord> = pq::quotas_of(conn, program.id, Which::Family(union.id))?
        .into_iter()
        .filter(|q| q.phase_id == phase_id)
        .collect();
    let line = |conn: &mut DbConn, u: &UnionRow| -> Result<AllocationLine, AppError> {
        let members = unions::subtree_members(conn, &u.path)?;
        let quota = exact
            .iter()
            .find(|q| q.union_id == u.id)
            .and_then(|q| quota_view(q, members));
        let effective_target = match effective.get(&u.id) {
            Some(q) => Some(q.target(|| Ok::<_, AppError>(members))?),
            None => None,
        };
        Ok(AllocationLine {
            union_id: u.id,
            code: u.code.clone(),
            name: u.name.clone(),
            level: u.level,
            members,
            quota,
            effective_target,
        })
    };
    let own = line(conn, union)?;
    let mut lines = Vec::with_capacity(children.len());
    for c in &children {
        lines.push(line(conn, c)?);
    }
    let children_sum: i64 = lines.iter().filter_map(|l| l.effective_target).sum();
    let unallocated = lines
        .iter()
        .filter(|l| l.effective_target.is_none())
        .count();
    let difference = own.effective_target.map(|t| children_sum - t);
    let warning = warning(own.effective_target, children_sum, unallocated);
    let history =
        audit::latest_for_entities(conn, &audit_type(program.id, phase_id), &children_ids, 20)?
            .into_iter()
            .map(|(row, actor_name)| AllocationChange {
                union_id: row.entity_id,
                union_name: children
                    .iter()
                    .find(|c| c.id == row.entity_id)
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
                actor_name,
                at: row.created_at.and_utc(),
                before: describe_stored(row.from_state.as_deref()),
                after: describe_stored(row.to_state.as_deref()),
            })
            .collect();
    let mut allocation_history = Vec::with_capacity(children.len() + 1);
    for u in std::iter::once(union).chain(&children) {
        let rows = pq::quota_history(conn, program.id, phase_id, &[u.id], EDITOR_HISTORY)?;
        allocation_history.push(QuotaHistory {
            union_id: u.id,
            code: u.code.clone(),
            name: u.name.clone(),
            program_id: program.id,
            phase_id,
            changes: rows.into_iter().map(change).collect(),
        });
    }
    Ok(AllocationView {
        program_id: program.id,
        program_name: program.name.clone(),
        phase_id,
        phase_name: phase.map(|p| p.name.clone()),
        union: own,
        children: lines,
        children_sum,
        unallocated,
        difference,
        warning,
        history,
        allocation_history,
    })
}

fn quota_view(q: &QuotaRecord, members: i64) -> Option<QuotaView> {
    let kind = QuotaKind::parse(&q.kind)?;
    let quota = Quota {
        kind,
        value: q.value,
        member_basis: q.member_basis,
    };
    Some(QuotaView {
        kind,
        value: q.value,
        target: quota.target(|| Ok::<_, AppError>(members)).ok()?,
        members_as_of: q.members_as_of,
        member_basis: q.member_basis,
    })
}

/// The warning the editor shows, if any.
fn warning(own: Option<i64>, children_sum: i64, unallocated: usize) -> Option<String> {
    use crate::format::number;
    let mut parts = Vec::new();
    match own {
        Some(t) if children_sum < t => parts.push(format!(
            "Tổng chỉ tiêu của các đơn vị trực thuộc ({}) thấp hơn chỉ tiêu của đơn vị ({}) {} sáng kiến.",
            number(children_sum),
            number(t),
            number(t - children_sum)
        )),
        Some(t) if children_sum > t => parts.push(format!(
            "Tổng chỉ tiêu của các đơn vị trực thuộc ({}) vượt chỉ tiêu của đơn vị ({}) {} sáng kiến.",
            number(children_sum),
            number(t),
            number(children_sum - t)
        )),
        Some(_) => {}
        None => parts.push("Đơn vị chưa được giao chỉ tiêu cho phạm vi này.".to_owned()),
    }
    if unallocated > 0 {
        parts.push(format!(
            "{} đơn vị trực thuộc chưa được phân bổ chỉ tiêu.",
            number(i64::try_from(unallocated).unwrap_or(i64::MAX))
        ));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// A quota as kept in the audit log: `absolute:50`, `percent_of_members:1000@4012`, or `none`.
fn stored_state(q: Option<&QuotaRecord>) -> String {
    match q {
        None => "none".to_owned(),
        Some(q) => match q.member_basis {
            Some(b) => format!("{}:{}@{b}", q.kind, q.value),
            None => format!("{}:{}", q.kind, q.value),
        },
    }
}

/// The audit log's form of a quota, in Vietnamese.
fn describe_stored(s: Option<&str>) -> String {
    use crate::format::{number, percent};
    let Some((kind, rest)) = s.and_then(|s| s.split_once(':')) else {
        return "—".to_owned();
    };
    let (value, basis) = match rest.split_once('@') {
        Some((v, b)) => (v.parse::<i64>().ok(), b.parse::<i64>().ok()),
        None => (rest.parse::<i64>().ok(), None),
    };
    match (QuotaKind::parse(kind), value) {
        (Some(QuotaKind::Absolute), Some(v)) => format!("{} sáng kiến", number(v)),
        (Some(QuotaKind::PercentOfMembers), Some(v)) => {
            #[expect(clippy::cast_precision_loss, reason = "basis points are small")]
            let pct = percent(v as f64 / 100.0);
            match basis {
                Some(b) => format!(
                    "{pct} của {} đoàn viên = {} sáng kiến",
                    number(b),
                    number(QuotaKind::PercentOfMembers.target(v, b))
                ),
                None => format!("{pct} số đoàn viên"),
            }
        }
        _ => "—".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_states_read_back_in_vietnamese() {
        assert_eq!(describe_stored(Some("absolute:1200")), "1.200 sáng kiến");
        assert_eq!(
            describe_stored(Some("percent_of_members:1000@4012")),
            "10% của 4.012 đoàn viên = 402 sáng kiến"
        );
        assert_eq!(describe_stored(Some("none")), "—");
    }

    #[test]
    fn the_editor_warns_when_the_sum_differs() {
        assert_eq!(warning(Some(100), 100, 0), None);
        assert!(warning(Some(100), 90, 0).unwrap().contains("thấp hơn"));
        assert!(warning(Some(100), 120, 1).unwrap().contains("vượt"));
        assert!(warning(Some(100), 100, 2).unwrap().contains("2 đơn vị"));
    }

    #[test]
    fn values_are_bounded() {
        assert!(check_value(Some(QuotaKind::Absolute), -1).is_some());
        assert!(check_value(Some(QuotaKind::PercentOfMembers), 0).is_some());
        assert!(check_value(Some(QuotaKind::PercentOfMembers), 1000).is_none());
        assert!(check_value(None, -5).is_none());
    }
}
