//! Finding the columns of an import by their header, in Vietnamese or English, whatever the
//! case, diacritics or spacing ("Mã đơn vị", "MA DON VI", "unit code" …).

use std::collections::BTreeMap;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::sheet::{Row, bad_sheet};
use crate::error::AppError;

/// A header folded for matching: no diacritics (đ → d), lower case, letters and digits only.
pub fn fold(header: &str) -> String {
    header
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// A column an import reads.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Its key in the code.
    pub key: &'static str,
    /// Its header in the template, in Vietnamese.
    pub label: &'static str,
    /// Folded headers that name it.
    pub names: &'static [&'static str],
    /// Whether a file must have it.
    pub required: bool,
}

/// Where each column is in the sheet.
#[derive(Debug, Clone, Default)]
pub struct Layout(BTreeMap<&'static str, usize>);

impl Layout {
    /// The cell of `key` in `row`, trimmed (empty when the column or cell is missing).
    pub fn get<'r>(&self, row: &'r Row, key: &str) -> &'r str {
        self.0
            .get(key)
            .and_then(|i| row.cells.get(*i))
            .map_or("", |s| s.trim())
    }

    /// Whether the sheet has the column.
    pub fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }
}

/// Finds `columns` in the header row; a missing required column or a column named twice is
/// `spreadsheet_invalid` listing what the template expects.
pub fn layout(header: &Row, columns: &[Column]) -> Result<Layout, AppError> {
    let mut found = BTreeMap::new();
    let mut twice = Vec::new();
    for (i, cell) in header.cells.iter().enumerate() {
        let f = fold(cell);
        if f.is_empty() {
            continue;
        }
        if let Some(col) = columns.iter().find(|c| c.names.contains(&f.as_str()))
            && found.insert(col.key, i).is_some()
        {
            twice.push(col.label);
        }
    }
    let missing: Vec<&str> = columns
        .iter()
        .filter(|c| c.required && !found.contains_key(c.key))
        .map(|c| c.label)
        .collect();
    let expected: Vec<&str> = columns.iter().map(|c| c.label).collect();
    if !missing.is_empty() {
        return Err(bad_sheet(
            "missing_columns",
            format!(
                "Dòng tiêu đề (dòng {}) thiếu cột: {}. Các cột cần có: {}.",
                header.line,
                missing.join(", "),
                expected.join(", ")
            ),
        )
        .with_details(serde_json::json!({
            "reason": "missing_columns",
            "missing": missing,
            "expected": expected,
        })));
    }
    if !twice.is_empty() {
        return Err(bad_sheet(
            "duplicate_columns",
            format!("Dòng tiêu đề có cột lặp lại: {}.", twice.join(", ")),
        ));
    }
    Ok(Layout(found))
}

/// The union tree's columns.
pub const UNION_COLUMNS: &[Column] = &[
    Column {
        key: "code",
        label: "Mã đơn vị",
        names: &["madonvi", "madv", "ma", "code", "unioncode", "unitcode"],
        required: true,
    },
    Column {
        key: "parent",
        label: "Mã đơn vị cấp trên",
        names: &[
            "madonvicaptren",
            "macaptren",
            "madvcaptren",
            "parentcode",
            "parent",
            "parentunioncode",
        ],
        required: true,
    },
    Column {
        key: "name",
        label: "Tên đơn vị",
        names: &["tendonvi", "ten", "name", "unionname", "unitname"],
        required: true,
    },
    Column {
        key: "level",
        label: "Cấp",
        names: &["cap", "capdonvi", "level"],
        required: true,
    },
    Column {
        key: "cluster",
        label: "Cụm thi đua",
        names: &["cumthidua", "cum", "cluster", "emulationcluster"],
        required: false,
    },
    Column {
        key: "member_count",
        label: "Số đoàn viên",
        names: &["sodoanvien", "membercount", "members", "soluongdoanvien"],
        required: false,
    },
];

/// The member list's columns.
pub const MEMBER_COLUMNS: &[Column] = &[
    Column {
        key: "code",
        label: "Mã đoàn viên",
        names: &["madoanvien", "membercode", "code", "ma"],
        required: true,
    },
    Column {
        key: "name",
        label: "Họ và tên",
        names: &["hovaten", "hoten", "ten", "fullname", "name"],
        required: true,
    },
    Column {
        key: "email",
        label: "Email",
        names: &["email", "thudientu", "diachiemail"],
        required: true,
    },
    Column {
        key: "phone",
        label: "Số điện thoại",
        names: &["sodienthoai", "dienthoai", "sdt", "phone", "phonenumber"],
        required: false,
    },
    Column {
        key: "union",
        label: "Mã đơn vị",
        names: &["madonvi", "unioncode", "union", "donvi", "unitcode"],
        required: true,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cells: &[&str]) -> Row {
        Row {
            line: 1,
            cells: cells.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn headers_match_without_case_or_diacritics() {
        assert_eq!(fold(" Mã đơn vị cấp trên "), "madonvicaptren");
        assert_eq!(fold("MA DON VI"), "madonvi");
        assert_eq!(fold("Số điện thoại"), "sodienthoai");
        let nfd: String = "Họ và tên".nfd().collect();
        assert_eq!(fold(&nfd), "hovaten");
        let l = layout(
            &header(&["Mã đơn vị", "MÃ ĐƠN VỊ CẤP TRÊN", "Tên đơn vị", "cấp", "x"]),
            UNION_COLUMNS,
        )
        .unwrap();
        let row = header(&[" A ", "B", "Tên", "2", ""]);
        assert_eq!(l.get(&row, "code"), "A");
        assert_eq!(l.get(&row, "parent"), "B");
        assert_eq!(l.get(&row, "cluster"), "");
        let english = layout(
            &header(&["member code", "Full name", "E-mail", "Phone", "Union code"]),
            MEMBER_COLUMNS,
        )
        .unwrap();
        assert!(english.has("phone"));
    }

    #[test]
    fn missing_columns_are_named() {
        let e = layout(&header(&["Mã đơn vị", "Tên đơn vị"]), UNION_COLUMNS).unwrap_err();
        assert!(e.message.contains("Mã đơn vị cấp trên"), "{}", e.message);
        assert!(e.message.contains("Cấp"), "{}", e.message);
    }
}
