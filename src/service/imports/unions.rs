//! Importing the union tree: rows matched by code; a new union goes under a parent that
//! exists or comes earlier in the tree of the file; an existing one may change its name,
//! cluster and member count, never its parent (moving needs paths and counts rewritten).

use std::collections::{HashMap, HashSet};

use super::columns::{self, UNION_COLUMNS};
use super::{ImportKind, ImportReport, Importer, Progress, Row, RowChange};
use crate::db::imports::{self as q, NewImportedUnion};
use crate::db::unions::UnionRow;
use crate::db::{self, DbConn, audit};
use crate::domain::{Action, Actor, Resource, UnionKind, UnionPath, can, text};
use crate::error::AppError;

/// A well-formed row.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    line: usize,
    code: String,
    parent: Option<String>,
    name: String,
    level: i32,
    /// `None`: keep (the file has no cluster column); `Some(None)`: no cluster.
    cluster: Option<Option<String>>,
    /// `None`: keep (blank or no column).
    member_count: Option<i32>,
}

/// Where a new union goes.
#[derive(Debug, Clone)]
enum Parent {
    /// Nowhere: a new root.
    Root,
    /// Under a stored union.
    Stored(i64),
    /// Under a union created by the same file.
    File(String),
}

#[derive(Debug, Clone)]
struct Create {
    code: String,
    parent: Parent,
    name: String,
    level: i32,
    cluster: Option<String>,
    member_count: i32,
}

#[derive(Debug, Clone)]
struct Update {
    id: i64,
    name: String,
    cluster: Option<String>,
    member_count: i32,
    what: String,
}

/// A validated union import, ready to apply when its report has no error.
#[derive(Debug, Clone)]
pub struct Plan {
    /// What was found.
    pub report: ImportReport,
    creates: Vec<Create>,
    updates: Vec<Update>,
}

/// A whole number as officers type it: `12`, `12.0`, `1.234` or `1,234` (thousands).
pub fn parse_count(raw: &str) -> Option<i64> {
    let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if s.is_empty() {
        return None;
    }
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    let groups: Vec<&str> = s.split(['.', ',']).collect();
    let thousands = groups.len() > 1
        && groups[0].len() <= 3
        && !groups[0].is_empty()
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()));
    if thousands {
        return groups.concat().parse().ok();
    }
    match s.replace(',', ".").parse::<f64>() {
        Ok(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(f as i64),
        _ => None,
    }
}

/// Checks each data row on its own (pure: no database); bad rows go into `report`. Returns the
/// well-formed rows and every code the file defines.
pub(crate) fn parse_rows(
    rows: &[Row],
    report: &mut ImportReport,
) -> Result<(Vec<Line>, HashSet<String>), AppError> {
    let (header, data) = rows
        .split_first()
        .ok_or_else(|| super::sheet::bad_sheet("empty_file", "Tệp không có dòng dữ liệu nào."))?;
    let layout = columns::layout(header, UNION_COLUMNS)?;
    let mut lines = Vec::with_capacity(data.len());
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut known = HashSet::new();
    for row in data {
        let code = layout.get(row, "code").to_owned();
        let mut problems: Vec<String> = Vec::new();
        if let Err(e) = text::check_code(&code) {
            problems.push(format!("Mã đơn vị: {e}"));
        } else if let Some(first) = first_line.get(&code) {
            problems.push(format!("Mã đơn vị {code} trùng với dòng {first}."));
        } else {
            first_line.insert(code.clone(), row.line);
            known.insert(code.clone());
        }
        let parent_raw = layout.get(row, "parent");
        let parent = if parent_raw.is_empty() {
            None
        } else {
            if let Err(e) = text::check_code(parent_raw) {
                problems.push(format!("Mã đơn vị cấp trên: {e}"));
            }
            Some(parent_raw.to_owned())
        };
        let name = text::clean_line(layout.get(row, "name"));
        if let Err(e) = text::NAME.check(&name) {
            problems.push(format!("Tên đơn vị: {e}"));
        }
        let level_raw = layout.get(row, "level");
        let level = match parse_count(level_raw) {
            Some(n @ 0..=4) => n as i32,
            _ => {
                problems.push(if level_raw.is_empty() {
                    "Thiếu cấp đơn vị (0 Tổng Liên đoàn … 4 Tổ công đoàn).".to_owned()
                } else {
                    format!(
                        "Cấp \"{level_raw}\" không hợp lệ: phải là số từ 0 (Tổng Liên đoàn) đến 4 (Tổ công đoàn)."
                    )
                });
                -1
            }
        };
        let cluster = if layout.has("cluster") {
            let c = text::clean_line(layout.get(row, "cluster"));
            if c.chars().count() > 200 {
                problems.push("Cụm thi đua: tối đa 200 ký tự.".to_owned());
            }
            Some((!c.is_empty()).then_some(c))
        } else {
            None
        };
        let count_raw = layout.get(row, "member_count");
        let member_count = if count_raw.is_empty() {
            None
        } else {
            match parse_count(count_raw).and_then(|n| i32::try_from(n).ok()) {
                Some(n) if n >= 0 => Some(n),
                _ => {
                    problems.push(format!(
                        "Số đoàn viên \"{count_raw}\" không hợp lệ: phải là số nguyên không âm."
                    ));
                    None
                }
            }
        };
        if problems.is_empty() {
            lines.push(Line {
                line: row.line,
                code,
                parent,
                name,
                level,
                cluster,
                member_count,
            });
        } else {
            for p in problems {
                report.problem(row.line, &code, p);
            }
        }
    }
    Ok((lines, known))
}

/// Codes of the file's new unions that lie on a cycle of parent links.
fn cycles<'a>(parent_of: &HashMap<&'a str, &'a str>) -> HashSet<&'a str> {
    let mut done: HashSet<&str> = HashSet::new();
    let mut cyclic = HashSet::new();
    for start in parent_of.keys() {
        let mut stack: Vec<&str> = Vec::new();
        let mut at: Option<&str> = Some(start);
        while let Some(code) = at {
            if done.contains(code) {
                break;
            }
            if let Some(i) = stack.iter().position(|c| *c == code) {
                cyclic.extend(stack[i..].iter().copied());
                break;
            }
            stack.push(code);
            at = parent_of.get(code).copied();
        }
        done.extend(stack);
    }
    cyclic
}

fn cycle_text<'a>(start: &'a str, parent_of: &HashMap<&'a str, &'a str>) -> String {
    let mut out = vec![start];
    let mut at = parent_of.get(start).copied();
    while let Some(code) = at {
        out.push(code);
        if code == start || out.len() > 12 {
            break;
        }
        at = parent_of.get(code).copied();
    }
    out.join(" → ")
}

/// The unions file as an [`Importer`].
pub struct Unions;

impl Importer for Unions {
    type Plan = Plan;

    /// Validates a union tree file against the database and the actor's scope.
    fn plan(
        conn: &mut DbConn,
        actor: &Actor,
        rows: &[Row],
        progress: Progress<'_>,
    ) -> Result<Plan, AppError> {
        let mut report = ImportReport::new(ImportKind::Unions, rows.len().saturating_sub(1));
        let (lines, known) = parse_rows(rows, &mut report)?;
        let total = lines.len() as u64;
        progress("Kiểm tra", 0, total);

        let mut wanted: Vec<&str> = known.iter().map(String::as_str).collect();
        wanted.extend(lines.iter().filter_map(|l| l.parent.as_deref()));
        wanted.sort_unstable();
        wanted.dedup();
        let stored: HashMap<String, UnionRow> = q::unions_by_codes(conn, &wanted)?
            .into_iter()
            .map(|u| (u.code.clone(), u))
            .collect();
        // The codes of stored unions' current parents, to name them in a refusal, and only those
        // the actor manages: a union outside their subtree is never named.
        let parent_ids: Vec<i64> = stored.values().filter_map(|u| u.parent_id).collect();
        let parent_code: HashMap<i64, Option<String>> = q::unions_by_ids(conn, &parent_ids)?
            .into_iter()
            .map(|u| {
                let path = UnionPath::from_stored(u.path.clone());
                let named = can(actor, Action::ManageUnion, Resource::Union { path: &path });
                (u.id, named.then_some(u.code))
            })
            .collect();

        let in_file: HashMap<&str, &Line> = lines.iter().map(|l| (l.code.as_str(), l)).collect();
        // Parent links among unions the file creates.
        let parent_of: HashMap<&str, &str> = lines
            .iter()
            .filter(|l| !stored.contains_key(&l.code))
            .filter_map(|l| {
                let p = l.parent.as_deref()?;
                (in_file.contains_key(p) && !stored.contains_key(p)).then_some((l.code.as_str(), p))
            })
            .collect();
        let cyclic = cycles(&parent_of);
        let is_admin = can(actor, Action::Administer, Resource::System);

        let mut creates = Vec::new();
        let mut updates = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            if i % 1000 == 0 {
                progress("Kiểm tra", i as u64, total);
            }
            let fail =
                |report: &mut ImportReport, msg: String| report.problem(l.line, &l.code, msg);
            if cyclic.contains(l.code.as_str()) {
                fail(
                    &mut report,
                    format!(
                        "Vòng lặp trong cây đơn vị: {}.",
                        cycle_text(&l.code, &parent_of)
                    ),
                );
                continue;
            }
            // The parent, and the level it requires.
            let (parent, parent_level) = match l.parent.as_deref() {
                None => (Parent::Root, -1),
                Some(p) if p == l.code => {
                    fail(
                        &mut report,
                        "Đơn vị không thể là cấp trên của chính nó.".to_owned(),
                    );
                    continue;
                }
                Some(p) => {
                    if let Some(row) = stored.get(p) {
                        (Parent::Stored(row.id), row.level)
                    } else if let Some(pl) = in_file.get(p) {
                        (Parent::File(p.to_owned()), pl.level)
                    } else if known.contains(p) {
                        // The parent's own row is bad and reported.
                        continue;
                    } else {
                        fail(
                            &mut report,
                            format!(
                                "Không tìm thấy đơn vị cấp trên mã {p} (không có trong tệp, cũng không có trong hệ thống)."
                            ),
                        );
                        continue;
                    }
                }
            };
            // A kind the parent's kind may hold (a grassroots union may sit directly under a
            // federation); only the national level has no parent.
            let holds = match (
                UnionKind::from_i32(parent_level),
                UnionKind::from_i32(l.level),
            ) {
                (Some(p), Some(k)) => p.may_hold(k),
                (None, _) => l.level == UnionKind::National.as_i32(),
                _ => false,
            };
            if !holds {
                let label = |n: i32| UnionKind::from_i32(n).map_or("", UnionKind::label);
                let msg = match (&l.parent, parent_level) {
                    (None, _) => format!(
                        "Cấp {} không đúng: đơn vị không có cấp trên phải là cấp 0 (Tổng Liên đoàn).",
                        l.level
                    ),
                    (Some(p), 4) => format!(
                        "Đơn vị cấp trên {p} là Tổ công đoàn (cấp 4), không thể có đơn vị cấp dưới."
                    ),
                    (Some(p), pl) => format!(
                        "Cấp {} không đúng: đơn vị cấp trên {p} là cấp {pl} ({}), không thể có đơn vị cấp dưới là {}; {} chỉ có đơn vị cấp dưới là cấp {}.",
                        l.level,
                        label(pl),
                        label(l.level),
                        label(pl),
                        (pl + 1..=4)
                            .filter(|k| {
                                UnionKind::from_i32(pl)
                                    .zip(UnionKind::from_i32(*k))
                                    .is_some_and(|(a, b)| a.may_hold(b))
                            })
                            .map(|k| k.to_string())
                            .collect::<Vec<_>>()
                            .join(" hoặc "),
                    ),
                };
                fail(&mut report, msg);
                continue;
            }
            if let Some(row) = stored.get(&l.code) {
                let path = UnionPath::from_stored(row.path.clone());
                if !can(actor, Action::ManageUnion, Resource::Union { path: &path }) {
                    fail(
                        &mut report,
                        format!(
                            "Đơn vị {} nằm ngoài phạm vi quản lý của bạn; không được thay đổi.",
                            l.code
                        ),
                    );
                    continue;
                }
                let same_parent = match &parent {
                    Parent::Root => row.parent_id.is_none(),
                    Parent::Stored(id) => row.parent_id == Some(*id),
                    Parent::File(_) => false,
                };
                if !same_parent {
                    let now_under = match row.parent_id.map(|id| parent_code.get(&id)) {
                        None => "đơn vị cấp trên (không có)".to_owned(),
                        Some(Some(Some(code))) => format!("đơn vị cấp trên {code}"),
                        Some(_) => "một đơn vị cấp trên ngoài phạm vi quản lý của bạn".to_owned(),
                    };
                    fail(
                        &mut report,
                        format!(
                            "Đơn vị {} hiện thuộc {now_under}, tệp ghi {}. Chưa hỗ trợ chuyển đơn vị sang cấp trên khác khi nhập dữ liệu.",
                            l.code,
                            l.parent.as_deref().unwrap_or("(không có)")
                        ),
                    );
                    continue;
                }
                let cluster = l.cluster.clone().unwrap_or_else(|| row.cluster.clone());
                let member_count = l.member_count.unwrap_or(row.member_count);
                let mut fields = Vec::new();
                if l.name != row.name {
                    fields.push(format!("Tên: {} → {}", row.name, l.name));
                }
                if cluster != row.cluster {
                    fields.push(format!(
                        "Cụm thi đua: {} → {}",
                        row.cluster.as_deref().unwrap_or("(trống)"),
                        cluster.as_deref().unwrap_or("(trống)")
                    ));
                }
                if member_count != row.member_count {
                    fields.push(format!(
                        "Số đoàn viên: {} → {member_count}",
                        row.member_count
                    ));
                }
                if fields.is_empty() {
                    report.unchanged += 1;
                    continue;
                }
                updates.push(Update {
                    id: row.id,
                    name: l.name.clone(),
                    cluster,
                    member_count,
                    what: fields.join("; "),
                });
                report.change(RowChange {
                    line: l.line,
                    code: l.code.clone(),
                    name: l.name.clone(),
                    action: "changed",
                    fields,
                });
            } else {
                let allowed = match &parent {
                    Parent::Root => is_admin,
                    Parent::Stored(_) => l
                        .parent
                        .as_deref()
                        .and_then(|p| stored.get(p))
                        .is_some_and(|p| {
                            let path = UnionPath::from_stored(p.path.clone());
                            can(actor, Action::ManageUnion, Resource::Union { path: &path })
                        }),
                    // Checked on the parent's own row.
                    Parent::File(_) => true,
                };
                if !allowed {
                    fail(
                        &mut report,
                        match &l.parent {
                            None => "Chỉ quản trị hệ thống được tạo đơn vị gốc.".to_owned(),
                            Some(p) => format!(
                                "Đơn vị cấp trên {p} nằm ngoài phạm vi quản lý của bạn; không được thêm đơn vị vào đó."
                            ),
                        },
                    );
                    continue;
                }
                creates.push(Create {
                    code: l.code.clone(),
                    parent,
                    name: l.name.clone(),
                    level: l.level,
                    cluster: l.cluster.clone().flatten(),
                    member_count: l.member_count.unwrap_or(0),
                });
                report.change(RowChange {
                    line: l.line,
                    code: l.code.clone(),
                    name: l.name.clone(),
                    action: "new",
                    fields: Vec::new(),
                });
            }
        }
        progress("Kiểm tra", total, total);
        Ok(Plan {
            report,
            creates,
            updates,
        })
    }

    fn report(plan: &Plan) -> &ImportReport {
        &plan.report
    }

    /// Writes a valid plan inside the caller's transaction: new unions level by level in
    /// multi-row inserts (parents first), changed ones one by one, an audit entry for each.
    fn apply(
        conn: &mut DbConn,
        actor: &Actor,
        plan: &Plan,
        progress: Progress<'_>,
    ) -> Result<(), AppError> {
        let now = db::now();
        let total = (plan.creates.len() + plan.updates.len()) as u64;
        let mut done = 0u64;
        progress("Ghi", 0, total);
        let new_codes: HashSet<&str> = plan.creates.iter().map(|c| c.code.as_str()).collect();
        let mut id_of: HashMap<&str, i64> = HashMap::new();
        for level in 0..=UnionKind::Group.as_i32() {
            let mut batch = Vec::new();
            for c in plan.creates.iter().filter(|c| c.level == level) {
                let parent_id = match &c.parent {
                    Parent::Root => None,
                    Parent::Stored(id) => Some(*id),
                    Parent::File(code) => Some(*id_of.get(code.as_str()).ok_or_else(|| {
                        AppError::unexpected(format!("import: parent {code} not inserted"))
                    })?),
                };
                batch.push(NewImportedUnion {
                    parent_id,
                    level,
                    code: &c.code,
                    name: &c.name,
                    path: q::pending_path(&c.code),
                    cluster: c.cluster.as_deref(),
                    member_count: c.member_count,
                    active: true,
                    created_at: now,
                    updated_at: now,
                });
            }
            if batch.is_empty() {
                continue;
            }
            for (id, code) in q::insert_unions(conn, &batch)? {
                if let Some(key) = new_codes.get(code.as_str()) {
                    id_of.insert(key, id);
                }
            }
            q::set_pending_paths(conn)?;
            done += batch.len() as u64;
            progress("Ghi", done, total);
        }
        for u in &plan.updates {
            q::update_union(
                conn,
                u.id,
                &u.name,
                u.cluster.as_deref(),
                u.member_count,
                now,
            )?;
        }
        let mut entries: Vec<audit::NewAudit<'_>> = plan
            .creates
            .iter()
            .filter_map(|c| id_of.get(c.code.as_str()))
            .map(|id| audit::NewAudit {
                actor_id: Some(actor.user_id),
                entity_type: "union",
                entity_id: *id,
                action: "import_create",
                from_state: None,
                to_state: Some("active"),
                comment: None,
                created_at: now,
            })
            .collect();
        entries.extend(plan.updates.iter().map(|u| audit::NewAudit {
            actor_id: Some(actor.user_id),
            entity_type: "union",
            entity_id: u.id,
            action: "import_update",
            from_state: None,
            to_state: None,
            comment: Some(&u.what),
            created_at: now,
        }));
        q::record_audits(conn, &entries)?;
        q::analyze_after_import(conn, "unions")?;
        progress("Ghi", total, total);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_as_officers_type_them() {
        assert_eq!(parse_count("12"), Some(12));
        assert_eq!(parse_count(" 4.012 "), Some(4012));
        assert_eq!(parse_count("27,621"), Some(27621));
        assert_eq!(parse_count("3.0"), Some(3));
        assert_eq!(parse_count("-5"), Some(-5));
        assert_eq!(parse_count("1.5"), None);
        assert_eq!(parse_count("mười"), None);
        assert_eq!(parse_count(""), None);
    }

    #[test]
    fn cycles_are_found_whole() {
        let links: HashMap<&str, &str> =
            [("A", "B"), ("B", "C"), ("C", "A"), ("D", "A"), ("E", "F")]
                .into_iter()
                .collect();
        let c = cycles(&links);
        assert_eq!(c.len(), 3);
        assert!(c.contains("A") && c.contains("B") && c.contains("C"));
        assert_eq!(cycle_text("A", &links), "A → B → C → A");
    }
}
