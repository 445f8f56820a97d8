//! Plan files (phương án sắp xếp): a decision's operations as officers list them in Excel or
//! CSV, one row per operation, read into a [`Plan`]. Headers in Vietnamese or English, with or
//! without diacritics, in any order (the organisation import's reader and column matcher);
//! every bad row is reported with its line and a Vietnamese reason as `plan_invalid` (the
//! shape [`refused`] gives), before anything is checked against the tree. Also the plans the
//! pages keep between the dry run and the officer's confirmation.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Plan;
use super::apply::refused;
use crate::domain::reorganisation::{OpKind, PlanRow, RowError};
use crate::domain::text;
use crate::error::AppError;
use crate::service::imports::columns::{self, Column};
use crate::service::imports::sheet::{self, Row};

/// Most operations one plan file may hold (as many as the API takes).
pub const MAX_OPERATIONS: usize = 200_000;

/// The columns of a plan file.
pub const PLAN_COLUMNS: &[Column] = &[
    Column {
        key: "action",
        label: "Thao tác",
        names: &[
            "thaotac",
            "action",
            "operation",
            "hinhthuc",
            "hinhthucsapxep",
        ],
        required: true,
    },
    Column {
        key: "code",
        label: "Mã đơn vị",
        names: &["madonvi", "madv", "ma", "code", "unioncode", "unitcode"],
        required: true,
    },
    Column {
        key: "new_parent_code",
        label: "Mã đơn vị cấp trên mới",
        names: &[
            "madonvicaptrenmoi",
            "macaptrenmoi",
            "madvcaptrenmoi",
            "newparentcode",
            "newparent",
        ],
        required: false,
    },
    Column {
        key: "successor_code",
        label: "Mã đơn vị kế thừa",
        names: &[
            "madonvikethua",
            "makethua",
            "madvkethua",
            "successorcode",
            "successor",
        ],
        required: false,
    },
    Column {
        key: "new_name",
        label: "Tên mới",
        names: &["tenmoi", "tendonvimoi", "newname"],
        required: false,
    },
    Column {
        key: "effective_on",
        label: "Ngày hiệu lực",
        names: &[
            "ngayhieuluc",
            "hieuluctungay",
            "effectiveon",
            "effectivedate",
            "effective",
        ],
        required: false,
    },
    Column {
        key: "decision",
        label: "Số quyết định",
        names: &[
            "soquyetdinh",
            "quyetdinh",
            "decision",
            "decisionno",
            "decisionnumber",
        ],
        required: false,
    },
];

/// What the caller knows besides the file (a page's fields): used where the file is blank,
/// and a file that says otherwise is refused on that row.
#[derive(Debug, Clone, Default)]
pub struct Given {
    pub decision_no: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub effective_on: Option<NaiveDate>,
    pub note: String,
}

/// A date as a decision's list writes it: `01/07/2025` (day first, `/`, `-` or `.`),
/// `2025-07-01`, or the serial number Excel stores a date cell as.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    // ISO, possibly with a time (a workbook's date-time cell).
    if let Some(d) = s
        .get(..10)
        .and_then(|head| NaiveDate::parse_from_str(head, "%Y-%m-%d").ok())
        && (s.len() == 10 || s[10..].starts_with(['T', ' ']))
    {
        return Some(d);
    }
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    if let [d, m, y] = parts.as_slice()
        && [d, m, y]
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_digit()))
        && d.len() <= 2
        && m.len() <= 2
        && y.len() == 4
    {
        let (d, m, y) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
        return NaiveDate::from_ymd_opt(y, m, d);
    }
    // Excel's serial day (1 = 1900-01-01, with its phantom 29 February 1900).
    if s.chars().all(|c| c.is_ascii_digit()) && s.len() <= 6 {
        let n: i64 = s.parse().ok()?;
        if n > 60 {
            return NaiveDate::from_ymd_opt(1899, 12, 30)?
                .checked_add_signed(chrono::Duration::days(n));
        }
    }
    None
}

fn vn(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn sane(d: NaiveDate) -> bool {
    NaiveDate::from_ymd_opt(1945, 1, 1).is_some_and(|lo| d >= lo)
        && NaiveDate::from_ymd_opt(2100, 12, 31).is_some_and(|hi| d <= hi)
}

/// A value every row shares (the effective date, the decision's number): the first row that
/// gives it sets it, and any other row that gives it must repeat it.
struct Shared<T> {
    value: Option<(T, usize)>,
}

impl<T: PartialEq + Clone> Shared<T> {
    fn new(given: Option<T>) -> Self {
        Self {
            value: given.map(|v| (v, 0)),
        }
    }

    /// `Err(first)`: this row says otherwise than `first` (line 0: the caller's value).
    fn see(&mut self, v: T, line: usize) -> Result<(), (T, usize)> {
        match &self.value {
            None => {
                self.value = Some((v, line));
                Ok(())
            }
            Some((first, _)) if *first == v => Ok(()),
            Some(first) => Err(first.clone()),
        }
    }
}

/// Reads a plan file (XLSX or CSV) into a plan: the file's own problems (not a spreadsheet,
/// a missing column) are their errors; bad rows are one `plan_invalid` listing every one.
pub fn parse(bytes: &[u8], given: &Given) -> Result<Plan, AppError> {
    let rows = sheet::read(bytes)?;
    parse_rows(&rows, given)
}

/// Reads a plan file's rows (header first) into a plan.
pub fn parse_rows(rows: &[Row], given: &Given) -> Result<Plan, AppError> {
    let (header, data) = rows
        .split_first()
        .ok_or_else(|| sheet::bad_sheet("empty_file", "Tệp không có dòng dữ liệu nào."))?;
    let layout = columns::layout(header, PLAN_COLUMNS)?;
    if data.is_empty() {
        return Err(sheet::bad_sheet(
            "empty_file",
            "Tệp chỉ có dòng tiêu đề, chưa có thao tác nào.",
        ));
    }
    if data.len() > MAX_OPERATIONS {
        return Err(sheet::bad_sheet(
            "too_many_rows",
            format!("Mỗi phương án tối đa {MAX_OPERATIONS} thao tác."),
        ));
    }
    let mut errors: Vec<RowError> = Vec::new();
    let mut out = Vec::with_capacity(data.len());
    let mut effective = Shared::new(given.effective_on);
    let given_decision = given
        .decision_no
        .as_deref()
        .map(text::clean_line)
        .filter(|d| !d.is_empty());
    let mut decision = Shared::new(given_decision);
    for row in data {
        let code = layout.get(row, "code").to_owned();
        let mut problems: Vec<String> = Vec::new();
        let raw_action = layout.get(row, "action");
        let action = if raw_action.is_empty() {
            problems.push("Thiếu thao tác (cột “Thao tác”).".to_owned());
            None
        } else {
            let a = OpKind::parse_folded(&columns::fold(raw_action));
            if a.is_none() {
                problems.push(format!(
                    "Thao tác “{raw_action}” không hợp lệ: dùng một trong chuyển, giải thể, \
                     kết thúc, hợp nhất, chia tách, đổi tên."
                ));
            }
            a
        };
        if let Err(e) = text::check_code(&code) {
            problems.push(format!("Mã đơn vị: {e}"));
        }
        let mut opt_code = |key: &str, label: &str| {
            let v = layout.get(row, key);
            if v.is_empty() {
                return None;
            }
            if let Err(e) = text::check_code(v) {
                problems.push(format!("{label}: {e}"));
            }
            Some(v.to_owned())
        };
        let new_parent_code = opt_code("new_parent_code", "Mã đơn vị cấp trên mới");
        let successor_code = opt_code("successor_code", "Mã đơn vị kế thừa");
        let new_name =
            Some(text::clean_line(layout.get(row, "new_name"))).filter(|n| !n.is_empty());
        if let Some(n) = &new_name
            && let Err(e) = text::NAME.check(n)
        {
            problems.push(format!("Tên mới: {e}"));
        }
        let raw_date = layout.get(row, "effective_on");
        if !raw_date.is_empty() {
            match parse_date(raw_date).filter(|d| sane(*d)) {
                None => problems.push(format!(
                    "Ngày hiệu lực “{raw_date}” không hợp lệ: ghi theo dạng ngày/tháng/năm \
                     (01/07/2025), từ năm 1945 đến năm 2100."
                )),
                Some(d) => {
                    if let Err((first, line)) = effective.see(d, row.line) {
                        problems.push(if line == 0 {
                            format!(
                                "Ngày hiệu lực {} khác với ngày hiệu lực đã nhập ({}).",
                                vn(d),
                                vn(first)
                            )
                        } else {
                            format!(
                                "Ngày hiệu lực {} khác với dòng {line} ({}): mỗi phương án chỉ \
                                 có một ngày hiệu lực.",
                                vn(d),
                                vn(first)
                            )
                        });
                    }
                }
            }
        }
        let raw_decision = text::clean_line(layout.get(row, "decision"));
        if !raw_decision.is_empty() {
            if let Err(e) = text::NAME.check(&raw_decision) {
                problems.push(format!("Số quyết định: {e}"));
            } else if let Err((first, line)) = decision.see(raw_decision.clone(), row.line) {
                problems.push(if line == 0 {
                    format!(
                        "Số quyết định “{raw_decision}” khác với số quyết định đã nhập (“{first}”)."
                    )
                } else {
                    format!(
                        "Số quyết định “{raw_decision}” khác với dòng {line} (“{first}”): mỗi \
                         phương án thuộc một quyết định."
                    )
                });
            }
        }
        match action {
            Some(action) if problems.is_empty() => out.push(PlanRow {
                line: row.line,
                action,
                code,
                new_parent_code,
                successor_code,
                new_name,
            }),
            _ => errors.extend(problems.into_iter().map(|reason| RowError {
                line: row.line,
                code: code.clone(),
                reason,
            })),
        }
    }
    let first_line = data.first().map_or(header.line + 1, |r| r.line);
    let whole = |reason: &str| RowError {
        line: first_line,
        code: String::new(),
        reason: reason.to_owned(),
    };
    if effective.value.is_none() {
        errors.push(whole(
            "Chưa có ngày hiệu lực: ghi vào cột “Ngày hiệu lực” (ngày/tháng/năm) ở dòng đầu tiên.",
        ));
    }
    if decision.value.is_none() {
        errors.push(whole(
            "Chưa có số quyết định: ghi vào cột “Số quyết định” ở dòng đầu tiên.",
        ));
    }
    let (Some((effective_on, _)), Some((decision_no, _))) = (effective.value, decision.value)
    else {
        errors.sort_by_key(|e| e.line);
        return Err(refused(errors));
    };
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(refused(errors));
    }
    Ok(Plan {
        decision_no,
        decided_on: given.decided_on,
        effective_on,
        note: text::clean_line(&given.note),
        rows: out,
        reverts_id: None,
    })
}

/// The fields sent beside a plan file (a form's or a multipart request's: `decision_no`,
/// `decided_on`, `effective_on`, `note`), blank ones ignored; a date that does not read is
/// `validation_failed`.
pub fn given(fields: &std::collections::HashMap<String, String>) -> Result<Given, AppError> {
    let field = |k: &str| {
        fields
            .get(k)
            .map(|v| text::clean_line(v))
            .filter(|v| !v.is_empty())
    };
    let date = |k: &str, label: &str| -> Result<Option<NaiveDate>, AppError> {
        match field(k) {
            None => Ok(None),
            Some(raw) => parse_date(&raw).filter(|d| sane(*d)).map(Some).ok_or_else(|| {
                AppError::field(
                    k,
                    format!("{label} “{raw}” không hợp lệ: ghi theo dạng ngày/tháng/năm, từ năm 1945 đến năm 2100."),
                )
            }),
        }
    };
    let decision_no = field("decision_no");
    if let Some(d) = &decision_no
        && let Err(e) = text::NAME.check(d)
    {
        return Err(AppError::field(
            "decision_no",
            format!("Số quyết định: {e}"),
        ));
    }
    let note = field("note").unwrap_or_default();
    if note.chars().count() > 2_000 {
        return Err(AppError::field("note", "Ghi chú tối đa 2.000 ký tự."));
    }
    Ok(Given {
        decision_no,
        decided_on: date("decided_on", "Ngày quyết định")?,
        effective_on: date("effective_on", "Ngày hiệu lực")?,
        note,
    })
}

/// [`parse`] off the async threads (a workbook takes a while to read).
pub async fn read(bytes: Vec<u8>, given: Given) -> Result<Plan, AppError> {
    tokio::task::spawn_blocking(move || parse(&bytes, &given))
        .await
        .map_err(AppError::internal)?
}

/// How long a plan checked on the pages waits for the officer's confirmation.
pub const KEPT_SECONDS: i64 = 3_600;

/// A plan checked by a dry run on the pages and kept, server-side, until the officer who
/// checked it confirms: the confirmation carries only its token, so what is applied is
/// exactly what was reported.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeptPlan {
    pub user_id: i64,
    /// Unix seconds.
    pub created_at: i64,
    /// The file it came from (shown only), or empty for a plan built on the page.
    pub source: String,
    pub decision_no: String,
    pub decided_on: Option<NaiveDate>,
    pub effective_on: NaiveDate,
    pub note: String,
    pub rows: Vec<PlanRow>,
    /// The reorganisation a reverting plan undoes.
    #[serde(default)]
    pub reverts_id: Option<i64>,
}

impl KeptPlan {
    /// The plan to apply.
    pub fn plan(&self) -> Plan {
        Plan {
            decision_no: self.decision_no.clone(),
            decided_on: self.decided_on,
            effective_on: self.effective_on,
            note: self.note.clone(),
            rows: self.rows.clone(),
            reverts_id: self.reverts_id,
        }
    }
}

fn kept_path(dir: &Path, token: &str) -> Option<PathBuf> {
    (token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| dir.join(format!("{token}.json")))
}

fn gone() -> AppError {
    AppError::not_found().with_message(
        "Phương án đã kiểm tra không còn (quá một giờ hoặc đã được áp dụng). Vui lòng kiểm tra lại.",
    )
}

fn io(e: std::io::Error) -> AppError {
    AppError::failed("kept reorganisation plans", e)
}

/// Keeps a checked plan for `user_id` under `dir`; returns its token. Plans past their time
/// are removed first. Blocking: call off the async threads.
pub fn keep(dir: &Path, user_id: i64, source: &str, plan: &Plan) -> Result<String, AppError> {
    std::fs::create_dir_all(dir).map_err(io)?;
    sweep(dir);
    let token = uuid::Uuid::new_v4().simple().to_string();
    let path = kept_path(dir, &token).ok_or_else(|| AppError::unexpected("bad token"))?;
    let kept = KeptPlan {
        user_id,
        created_at: chrono::Utc::now().timestamp(),
        source: source.to_owned(),
        decision_no: plan.decision_no.clone(),
        decided_on: plan.decided_on,
        effective_on: plan.effective_on,
        note: plan.note.clone(),
        rows: plan.rows.clone(),
        reverts_id: plan.reverts_id,
    };
    std::fs::write(
        &path,
        serde_json::to_vec(&kept).map_err(AppError::internal)?,
    )
    .map_err(io)?;
    Ok(token)
}

/// The plan behind `token`, if it is `user_id`'s and has not expired (anyone else's is "not
/// found", as if it did not exist).
pub fn load(dir: &Path, token: &str, user_id: i64) -> Result<KeptPlan, AppError> {
    let path = kept_path(dir, token).ok_or_else(gone)?;
    let kept: KeptPlan = std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(gone)?;
    let age = chrono::Utc::now().timestamp() - kept.created_at;
    if kept.user_id != user_id || !(0..KEPT_SECONDS).contains(&age) {
        return Err(gone());
    }
    Ok(kept)
}

/// Forgets a kept plan (once applied).
pub fn forget(dir: &Path, token: &str) {
    if let Some(path) = kept_path(dir, token) {
        let _ = std::fs::remove_file(path);
    }
}

/// Removes kept plans past their time.
fn sweep(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = std::time::SystemTime::now();
    for e in entries.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age.as_secs() > u64::try_from(KEPT_SECONDS).unwrap_or(3_600));
        if old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn rows(lines: &[&[&str]]) -> Vec<Row> {
        lines
            .iter()
            .enumerate()
            .map(|(i, cells)| Row {
                line: i + 1,
                cells: cells.iter().map(|c| (*c).to_owned()).collect(),
            })
            .collect()
    }

    fn bad_rows(e: &AppError) -> Vec<(usize, String)> {
        assert_eq!(e.code, ErrorCode::PlanInvalid, "{e:?}");
        e.details.as_ref().unwrap()["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["line"].as_u64().unwrap() as usize,
                    r["reason"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_decision_s_list_in_vietnamese_reads_into_a_plan() {
        let plan = parse_rows(
            &rows(&[
                &[
                    "STT",
                    "Thao tác",
                    "Mã đơn vị",
                    "Mã đơn vị cấp trên mới",
                    "Mã đơn vị kế thừa",
                    "Tên mới",
                    "Ngày hiệu lực",
                    "Số quyết định",
                ],
                &[
                    "1",
                    "Giải thể",
                    "CB-VC",
                    "",
                    "",
                    "",
                    "01/07/2025",
                    "68/QĐ-LĐLĐ",
                ],
                &["2", "chuyển", "CB-VC-HQ", "CB", "", "", "", ""],
                &[
                    "3",
                    "Kết thúc hoạt động",
                    "CB-VC-KB",
                    "",
                    "",
                    "",
                    "1/7/2025",
                    "68/QĐ-LĐLĐ",
                ],
                &[
                    "4",
                    "doi ten",
                    "LS-VC",
                    "",
                    "",
                    "  Công đoàn  Viên chức ",
                    "",
                    "",
                ],
            ]),
            &Given::default(),
        )
        .unwrap();
        assert_eq!(plan.decision_no, "68/QĐ-LĐLĐ");
        assert_eq!(plan.effective_on, d(2025, 7, 1));
        assert_eq!(plan.rows.len(), 4);
        assert_eq!(plan.rows[0].line, 2);
        assert_eq!(plan.rows[0].action, OpKind::Dissolve);
        assert_eq!(plan.rows[1].action, OpKind::Transfer);
        assert_eq!(plan.rows[1].new_parent_code.as_deref(), Some("CB"));
        assert_eq!(plan.rows[1].successor_code, None);
        assert_eq!(plan.rows[2].action, OpKind::End);
        assert_eq!(plan.rows[3].action, OpKind::Rename);
        assert_eq!(
            plan.rows[3].new_name.as_deref(),
            Some("Công đoàn Viên chức")
        );
    }

    #[test]
    fn english_headers_without_marks_in_any_order() {
        let plan = parse_rows(
            &rows(&[
                &[
                    "Decision",
                    "CODE",
                    "successor_code",
                    "Action",
                    "effective_on",
                ],
                &["12/QD", "A-1", "B-1", "merge", "2025-07-01"],
                &["", "A-2", "B-1", "sap nhap", "45839"],
            ]),
            &Given::default(),
        )
        .unwrap();
        assert_eq!(plan.effective_on, d(2025, 7, 1));
        assert!(plan.rows.iter().all(|r| r.action == OpKind::Merge));
        assert_eq!(plan.rows[1].successor_code.as_deref(), Some("B-1"));
        let nfd: String = {
            use unicode_normalization::UnicodeNormalization;
            "THAO TÁC".nfd().collect()
        };
        let plan = parse_rows(
            &rows(&[
                &["ma don vi", &nfd, "ngay hieu luc", "so quyet dinh"],
                &["A-1", "CHIA TÁCH", "01-07-2025", "5/QĐ"],
            ]),
            &Given::default(),
        )
        .unwrap();
        assert_eq!(plan.rows[0].action, OpKind::Split);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let e = parse_rows(
            &rows(&[
                &[
                    "Thao tác",
                    "Mã đơn vị",
                    "Mã đơn vị cấp trên mới",
                    "Ngày hiệu lực",
                    "Số quyết định",
                ],
                &["chuyển", "A-1", "B", "01/07/2025", "1/QĐ"],
                &["bay đi", "A-2", "", "", ""],
                &["chuyển", "mã có dấu", "B C", "", ""],
                &["chuyển", "A-4", "B", "02/07/2025", "2/QĐ"],
                &["", "A-5", "", "31/02/2025", ""],
            ]),
            &Given::default(),
        )
        .unwrap_err();
        let bad = bad_rows(&e);
        let lines: Vec<usize> = bad.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![3, 4, 4, 5, 5, 6, 6], "{bad:?}");
        assert!(bad[0].1.contains("“bay đi” không hợp lệ"), "{bad:?}");
        assert!(bad[1].1.starts_with("Mã đơn vị:"), "{bad:?}");
        assert!(bad[2].1.starts_with("Mã đơn vị cấp trên mới:"), "{bad:?}");
        assert!(bad[3].1.contains("khác với dòng 2 (01/07/2025)"), "{bad:?}");
        assert!(bad[4].1.contains("khác với dòng 2"), "{bad:?}");
        assert!(
            bad.iter()
                .any(|(l, r)| *l == 6 && r.contains("Thiếu thao tác"))
        );
        assert!(
            bad.iter()
                .any(|(l, r)| *l == 6 && r.contains("“31/02/2025”"))
        );
    }

    #[test]
    fn the_date_and_decision_come_from_the_file_or_the_caller() {
        let header: &[&str] = &["Thao tác", "Mã đơn vị"];
        let e = parse_rows(&rows(&[header, &["giải thể", "A"]]), &Given::default()).unwrap_err();
        let bad = bad_rows(&e);
        assert_eq!(bad.len(), 2, "{bad:?}");
        assert!(bad.iter().all(|(l, _)| *l == 2));
        let given = Given {
            decision_no: Some("9/QĐ".into()),
            effective_on: Some(d(2026, 1, 1)),
            note: "Ghi chú".into(),
            ..Given::default()
        };
        let plan = parse_rows(&rows(&[header, &["giải thể", "A"]]), &given).unwrap();
        assert_eq!(plan.effective_on, d(2026, 1, 1));
        assert_eq!(plan.note, "Ghi chú");
        let e = parse_rows(
            &rows(&[
                &["Thao tác", "Mã đơn vị", "Ngày hiệu lực"],
                &["giải thể", "A", "02/01/2026"],
            ]),
            &given,
        )
        .unwrap_err();
        assert!(bad_rows(&e)[0].1.contains("đã nhập (01/01/2026)"));
    }

    #[test]
    fn files_without_the_columns_or_rows_are_refused_as_files() {
        let e = parse_rows(&rows(&[&["Mã đơn vị", "Tên"]]), &Given::default()).unwrap_err();
        assert_eq!(e.code, ErrorCode::SpreadsheetInvalid);
        assert!(e.message.contains("Thao tác"), "{}", e.message);
        let e = parse_rows(&rows(&[&["Thao tác", "Mã đơn vị"]]), &Given::default()).unwrap_err();
        assert_eq!(e.code, ErrorCode::SpreadsheetInvalid);
        let e = parse(b"Thao tac;Ma don vi\n", &Given::default()).unwrap_err();
        assert_eq!(e.code, ErrorCode::SpreadsheetInvalid);
        let plan = parse(
            "\u{feff}Thao tác;Mã đơn vị;Ngày hiệu lực;Số quyết định\r\nđổi tên;A;01/07/2025;3/QĐ\r\n"
                .as_bytes(),
            &Given::default(),
        );
        assert_eq!(plan.unwrap().rows[0].line, 2);
    }

    #[test]
    fn dates_as_decisions_and_workbooks_write_them() {
        assert_eq!(parse_date("01/07/2025"), Some(d(2025, 7, 1)));
        assert_eq!(parse_date("1.7.2025"), Some(d(2025, 7, 1)));
        assert_eq!(parse_date("2025-07-01"), Some(d(2025, 7, 1)));
        assert_eq!(parse_date("2025-07-01T00:00:00"), Some(d(2025, 7, 1)));
        assert_eq!(parse_date("45839"), Some(d(2025, 7, 1)));
        assert_eq!(parse_date("07/2025"), None);
        assert_eq!(parse_date("31/02/2025"), None);
        assert_eq!(parse_date("2025-07-01x"), None);
        assert_eq!(parse_date("ngày 1"), None);
    }

    #[test]
    fn a_kept_plan_is_its_owner_s_only() {
        let dir = tempfile::tempdir().unwrap();
        let plan = Plan {
            decision_no: "1/QĐ".into(),
            decided_on: None,
            effective_on: d(2026, 1, 1),
            note: String::new(),
            rows: vec![PlanRow {
                line: 2,
                action: OpKind::Dissolve,
                code: "A".into(),
                new_parent_code: None,
                successor_code: None,
                new_name: None,
            }],
            reverts_id: None,
        };
        let token = keep(dir.path(), 7, "a.xlsx", &plan).unwrap();
        assert_eq!(load(dir.path(), &token, 7).unwrap().plan().rows, plan.rows);
        assert_eq!(
            load(dir.path(), &token, 8).unwrap_err().code,
            ErrorCode::NotFound
        );
        assert_eq!(
            load(dir.path(), "../x", 7).unwrap_err().code,
            ErrorCode::NotFound
        );
        forget(dir.path(), &token);
        assert!(load(dir.path(), &token, 7).is_err());
    }
}
