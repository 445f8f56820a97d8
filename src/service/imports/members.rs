//! Importing members: rows matched by member code; a new member becomes an account without a
//! password (signing in comes with the invitation), with the member role over their union; an
//! existing one may change name, email, phone and union, all within the actor's subtree.

use std::collections::HashMap;

use super::columns::{self, MEMBER_COLUMNS};
use super::{ImportKind, ImportReport, Importer, Progress, Row, RowChange};
use crate::db::imports as q;
use crate::db::unions::UnionRow;
use crate::db::users::{NewUser, UserRow};
use crate::db::{self, DbConn};
use crate::domain::{Action, Actor, Resource, UnionPath, UserStatus, can, text};
use crate::error::AppError;

/// A well-formed row.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    line: usize,
    code: String,
    name: String,
    email: String,
    /// `None`: blank (kept for an existing member).
    phone: Option<String>,
    union_code: String,
}

#[derive(Debug, Clone)]
struct Create {
    code: String,
    name: String,
    email: String,
    phone: Option<String>,
    union_id: i64,
}

#[derive(Debug, Clone)]
struct Update {
    id: i64,
    name: String,
    email: String,
    phone: Option<String>,
    old_union_id: i64,
    union_id: i64,
}

/// A validated member import, ready to apply when its report has no error.
#[derive(Debug, Clone)]
pub struct Plan {
    /// What was found.
    pub report: ImportReport,
    creates: Vec<Create>,
    updates: Vec<Update>,
}

/// A Vietnamese phone number, digits only from `0` (`+84` and `84` become `0`; a 9-digit
/// number is a mobile number whose leading zero a spreadsheet dropped).
pub fn parse_phone(raw: &str) -> Result<Option<String>, String> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '(' | ')'))
        .collect();
    if s.is_empty() {
        return Ok(None);
    }
    let digits = if let Some(rest) = s.strip_prefix("+84") {
        format!("0{rest}")
    } else if s.len() == 11 && s.starts_with("84") {
        format!("0{}", &s[2..])
    } else if s.len() == 9 && !s.starts_with('0') {
        format!("0{s}")
    } else {
        s
    };
    if (10..=11).contains(&digits.len())
        && digits.starts_with('0')
        && digits.chars().all(|c| c.is_ascii_digit())
    {
        Ok(Some(digits))
    } else {
        Err(format!(
            "Số điện thoại \"{}\" không hợp lệ: cần 10–11 chữ số, bắt đầu bằng 0 hoặc +84.",
            raw.trim()
        ))
    }
}

/// Checks each data row on its own (pure: no database); bad rows go into `report`.
pub(crate) fn parse_rows(rows: &[Row], report: &mut ImportReport) -> Result<Vec<Line>, AppError> {
    let (header, data) = rows
        .split_first()
        .ok_or_else(|| super::sheet::bad_sheet("empty_file", "Tệp không có dòng dữ liệu nào."))?;
    let layout = columns::layout(header, MEMBER_COLUMNS)?;
    let mut lines = Vec::with_capacity(data.len());
    let mut code_line: HashMap<String, usize> = HashMap::new();
    let mut email_line: HashMap<String, usize> = HashMap::new();
    for row in data {
        let code = layout.get(row, "code").to_owned();
        let mut problems: Vec<String> = Vec::new();
        if let Err(e) = text::check_code(&code) {
            problems.push(format!("Mã đoàn viên: {e}"));
        } else if let Some(first) = code_line.get(&code) {
            problems.push(format!("Mã đoàn viên {code} trùng với dòng {first}."));
        } else {
            code_line.insert(code.clone(), row.line);
        }
        let name = text::clean_line(layout.get(row, "name"));
        if let Err(e) = text::NAME.check(&name) {
            problems.push(format!("Họ và tên: {e}"));
        }
        let email_raw = layout.get(row, "email");
        let email = match text::parse_email(email_raw) {
            Ok(e) => {
                if let Some(first) = email_line.get(&e) {
                    problems.push(format!("Email {e} trùng với dòng {first}."));
                } else {
                    email_line.insert(e.clone(), row.line);
                }
                e
            }
            Err(_) if email_raw.is_empty() => {
                problems.push("Thiếu email.".to_owned());
                String::new()
            }
            Err(_) => {
                problems.push(format!("Email \"{email_raw}\" không hợp lệ."));
                String::new()
            }
        };
        let phone = match parse_phone(layout.get(row, "phone")) {
            Ok(p) => p,
            Err(e) => {
                problems.push(e);
                None
            }
        };
        let union_code = layout.get(row, "union").to_owned();
        if union_code.is_empty() {
            problems.push("Thiếu mã đơn vị.".to_owned());
        } else if let Err(e) = text::check_code(&union_code) {
            problems.push(format!("Mã đơn vị: {e}"));
        }
        if problems.is_empty() {
            lines.push(Line {
                line: row.line,
                code,
                name,
                email,
                phone,
                union_code,
            });
        } else {
            for p in problems {
                report.problem(row.line, &code, p);
            }
        }
    }
    Ok(lines)
}

/// The members file as an [`Importer`].
pub struct Members;

impl Importer for Members {
    type Plan = Plan;

    /// Validates a member file against the database and the actor's scope.
    fn plan(
        conn: &mut DbConn,
        actor: &Actor,
        rows: &[Row],
        progress: Progress<'_>,
    ) -> Result<Plan, AppError> {
        let mut report = ImportReport::new(ImportKind::Members, rows.len().saturating_sub(1));
        let lines = parse_rows(rows, &mut report)?;
        let total = lines.len() as u64;
        progress("Kiểm tra", 0, total);

        let mut union_codes: Vec<&str> = lines.iter().map(|l| l.union_code.as_str()).collect();
        union_codes.sort_unstable();
        union_codes.dedup();
        let mut unions: HashMap<String, UnionRow> = q::unions_by_codes(conn, &union_codes)?
            .into_iter()
            .map(|u| (u.code.clone(), u))
            .collect();
        let codes: Vec<&str> = lines.iter().map(|l| l.code.as_str()).collect();
        let by_code: HashMap<String, UserRow> = q::users_by_member_codes(conn, &codes)?
            .into_iter()
            .filter_map(|u| Some((u.member_code.clone()?, u)))
            .collect();
        let emails: Vec<&str> = lines.iter().map(|l| l.email.as_str()).collect();
        let by_email: HashMap<String, UserRow> = q::users_by_emails(conn, &emails)?
            .into_iter()
            .map(|u| (u.email.clone(), u))
            .collect();
        // The current unions of existing members, to check the actor may change them.
        // (And of the accounts that already hold an email, to name their member code only to an
        // officer who manages them.)
        let mut current_ids: Vec<i64> = by_code
            .values()
            .chain(by_email.values())
            .map(|u| u.union_id)
            .collect();
        current_ids.sort_unstable();
        current_ids.dedup();
        let union_of: HashMap<i64, UnionRow> = q::unions_by_ids(conn, &current_ids)?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        for u in union_of.values() {
            unions.entry(u.code.clone()).or_insert_with(|| u.clone());
        }
        let mut in_scope: HashMap<i64, bool> = HashMap::new();
        let mut manages = |u: &UnionRow| {
            *in_scope.entry(u.id).or_insert_with(|| {
                let path = UnionPath::from_stored(u.path.clone());
                can(actor, Action::ManageUser, Resource::Union { path: &path })
            })
        };

        let mut creates = Vec::new();
        let mut updates = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            if i % 5000 == 0 {
                progress("Kiểm tra", i as u64, total);
            }
            let Some(union) = unions.get(&l.union_code) else {
                report.problem(
                    l.line,
                    &l.code,
                    format!(
                        "Không tìm thấy đơn vị mã {} trong hệ thống (hãy nhập cây đơn vị trước).",
                        l.union_code
                    ),
                );
                continue;
            };
            if !manages(union) {
                report.problem(
                    l.line,
                    &l.code,
                    format!("Đơn vị {} nằm ngoài phạm vi quản lý của bạn.", l.union_code),
                );
                continue;
            }
            let email_owner = by_email.get(&l.email);
            match by_code.get(&l.code) {
                Some(user) => {
                    let current = union_of.get(&user.union_id);
                    if !current.is_some_and(&mut manages) {
                        report.problem(
                            l.line,
                            &l.code,
                            // Never the other union's code or name: only that it is outside.
                            format!(
                                "Đoàn viên {} thuộc một đơn vị ngoài phạm vi quản lý của bạn.",
                                l.code
                            ),
                        );
                        continue;
                    }
                    if email_owner.is_some_and(|o| o.id != user.id) {
                        report.problem(
                            l.line,
                            &l.code,
                            format!("Email {} đã được dùng cho tài khoản khác.", l.email),
                        );
                        continue;
                    }
                    let phone = l.phone.clone().or_else(|| user.phone.clone());
                    let mut fields = Vec::new();
                    if l.name != user.full_name {
                        fields.push(format!("Họ và tên: {} → {}", user.full_name, l.name));
                    }
                    if l.email != user.email {
                        fields.push(format!("Email: {} → {}", user.email, l.email));
                    }
                    if phone != user.phone {
                        fields.push(format!(
                            "Số điện thoại: {} → {}",
                            user.phone.as_deref().unwrap_or("(trống)"),
                            phone.as_deref().unwrap_or("(trống)")
                        ));
                    }
                    if union.id != user.union_id {
                        fields.push(format!(
                            "Đơn vị: {} → {}",
                            current.map_or("", |u| u.code.as_str()),
                            union.code
                        ));
                    }
                    if fields.is_empty() {
                        report.unchanged += 1;
                        continue;
                    }
                    updates.push(Update {
                        id: user.id,
                        name: l.name.clone(),
                        email: l.email.clone(),
                        phone,
                        old_union_id: user.union_id,
                        union_id: union.id,
                    });
                    report.change(RowChange {
                        line: l.line,
                        code: l.code.clone(),
                        name: l.name.clone(),
                        action: "changed",
                        fields,
                    });
                }
                None => {
                    if let Some(owner) = email_owner {
                        // The owner's member code only when the officer manages them.
                        let named = union_of
                            .get(&owner.union_id)
                            .is_some_and(&mut manages)
                            .then_some(owner.member_code.as_deref())
                            .flatten();
                        report.problem(
                            l.line,
                            &l.code,
                            format!(
                                "Email {} đã được dùng cho tài khoản khác{}.",
                                l.email,
                                named
                                    .map(|c| format!(" (mã đoàn viên {c})"))
                                    .unwrap_or_default()
                            ),
                        );
                        continue;
                    }
                    creates.push(Create {
                        code: l.code.clone(),
                        name: l.name.clone(),
                        email: l.email.clone(),
                        phone: l.phone.clone(),
                        union_id: union.id,
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

    /// Writes a valid plan inside the caller's transaction: new members in multi-row inserts
    /// with their member role, changed ones one by one.
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
        for chunk in plan.creates.chunks(5_000) {
            let rows: Vec<NewUser<'_>> = chunk
                .iter()
                .map(|c| NewUser {
                    member_code: Some(&c.code),
                    full_name: &c.name,
                    email: &c.email,
                    phone: c.phone.as_deref(),
                    union_id: c.union_id,
                    password_hash: None,
                    status: UserStatus::Active.as_str(),
                    created_at: now,
                    updated_at: now,
                })
                .collect();
            let created = q::insert_members(conn, &rows, Some(actor.user_id), now)?;
            // Each new account is invited to set its password, in the import's transaction.
            crate::service::shared::letters::invitations(conn, &created, now)?;
            done += chunk.len() as u64;
            progress("Ghi", done, total);
        }
        for u in &plan.updates {
            q::update_member(
                conn,
                u.id,
                &u.name,
                &u.email,
                u.phone.as_deref(),
                u.old_union_id,
                u.union_id,
                now,
            )?;
        }
        q::analyze_after_import(conn, "users, role_grants")?;
        progress("Ghi", total, total);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_as_people_write_them() {
        assert_eq!(parse_phone("0912 345 678").unwrap().unwrap(), "0912345678");
        assert_eq!(
            parse_phone("+84 912.345.678").unwrap().unwrap(),
            "0912345678"
        );
        assert_eq!(parse_phone("912345678").unwrap().unwrap(), "0912345678");
        assert_eq!(
            parse_phone("(0206) 385-2345").unwrap().unwrap(),
            "02063852345"
        );
        assert_eq!(parse_phone("").unwrap(), None);
        assert!(parse_phone("12345").is_err());
        assert!(parse_phone("09123abc78").is_err());
    }
}
