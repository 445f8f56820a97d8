//! Reading an uploaded spreadsheet into rows of text with their line numbers: XLSX (and the
//! other workbook formats calamine reads) or CSV in UTF-8, told apart by the content, never by
//! the file's name.

use std::io::Cursor;

use calamine::{Data, Reader};

use crate::error::{AppError, ErrorCode};

/// The largest file accepted (bytes).
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// The most data rows accepted in one file.
pub const MAX_ROWS: usize = 200_000;

/// One non-empty row of the sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The line (CSV) or row number (workbook) the reader sees, from 1.
    pub line: usize,
    /// The cells as text, untrimmed.
    pub cells: Vec<String>,
}

/// What a file's bytes look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A zip (XLSX, ODS) or an OLE compound file (XLS).
    Workbook,
    /// Anything else: tried as CSV.
    Text,
}

fn kind_of(bytes: &[u8]) -> Kind {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Kind::Workbook
    } else {
        Kind::Text
    }
}

/// The error for a file that is not a spreadsheet we read.
pub fn not_a_spreadsheet(why: impl Into<String>) -> AppError {
    let why = why.into();
    AppError::new(ErrorCode::NotASpreadsheet).with_details(serde_json::json!({ "reason": why }))
}

/// The error for a spreadsheet whose shape is wrong (empty, no header, too many rows).
pub fn bad_sheet(reason: &str, message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::SpreadsheetInvalid)
        .with_message(message)
        .with_details(serde_json::json!({ "reason": reason }))
}

/// Reads every non-empty row of the first sheet (header included).
pub fn read(bytes: &[u8]) -> Result<Vec<Row>, AppError> {
    if bytes.is_empty() {
        return Err(bad_sheet("empty_file", "Tệp rỗng, không có dữ liệu."));
    }
    if bytes.len() > MAX_BYTES {
        return Err(AppError::new(ErrorCode::PayloadTooLarge)
            .with_message(format!(
                "Tệp quá lớn: tối đa {} MB.",
                MAX_BYTES / (1024 * 1024)
            ))
            .with_details(serde_json::json!({ "max_bytes": MAX_BYTES })));
    }
    let rows = match kind_of(bytes) {
        Kind::Workbook => {
            // A malformed workbook must never take the server down.
            std::panic::catch_unwind(|| read_workbook(bytes))
                .map_err(|_| not_a_spreadsheet("the workbook could not be read"))??
        }
        Kind::Text => read_csv(bytes)?,
    };
    if rows.is_empty() {
        return Err(bad_sheet("empty_file", "Tệp không có dòng dữ liệu nào."));
    }
    if rows.len() > MAX_ROWS + 1 {
        return Err(bad_sheet(
            "too_many_rows",
            format!(
                "Tệp có {} dòng; mỗi lần nhập tối đa {MAX_ROWS} dòng. Hãy chia thành nhiều tệp.",
                rows.len() - 1
            ),
        ));
    }
    Ok(rows)
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::Error(_) => String::new(),
        other => other.to_string(),
    }
}

fn read_workbook(bytes: &[u8]) -> Result<Vec<Row>, AppError> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| not_a_spreadsheet(format!("not a readable workbook: {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| bad_sheet("empty_file", "Bảng tính không có trang tính nào."))?
        .map_err(|e| not_a_spreadsheet(format!("the first sheet could not be read: {e}")))?;
    if range.height() > MAX_ROWS + 100 {
        return Err(bad_sheet(
            "too_many_rows",
            format!("Bảng tính quá nhiều dòng; mỗi lần nhập tối đa {MAX_ROWS} dòng."),
        ));
    }
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    let mut out = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let mut cells: Vec<String> = vec![String::new(); first_col];
        cells.extend(row.iter().map(cell_text));
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        out.push(Row {
            line: first_row + i + 1,
            cells,
        });
    }
    Ok(out)
}

/// Line breaks in `text[range]`: LF, CRLF and a lone CR (which the CSV reader also ends a
/// record at) each count once.
fn line_breaks(text: &[u8], range: std::ops::Range<usize>) -> usize {
    range
        .filter(|&i| text[i] == b'\n' || (text[i] == b'\r' && text.get(i + 1) != Some(&b'\n')))
        .count()
}

/// The delimiter of a CSV: `;` (Excel in Vietnamese locales), tab or `,`, whichever the header
/// line has most of.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    let count = |c: char| header.matches(c).count();
    let (semi, tab, comma) = (count(';'), count('\t'), count(','));
    if semi > comma && semi >= tab {
        b';'
    } else if tab > comma {
        b'\t'
    } else {
        b','
    }
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Row>, AppError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(not_a_spreadsheet("binary content"));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| {
        not_a_spreadsheet("not UTF-8 text").with_message(
            "Tệp không phải bảng tính XLSX hoặc CSV mã hoá UTF-8. Trong Excel, hãy lưu dưới dạng \
             “CSV UTF-8” hoặc “Excel Workbook (.xlsx)”.",
        )
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let (mut line, mut counted_to) = (1usize, 0usize);
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            bad_sheet(
                "malformed_csv",
                format!("Tệp CSV sai định dạng ở dòng {line}."),
            )
        })?;
        // The line from the byte offset: the reader's own line count skips blank lines.
        let at = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(counted_to)
            .clamp(counted_to, text.len());
        // A record's position is where reading began: blank lines before it come first.
        let at = at
            + text.as_bytes()[at..]
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
        line += line_breaks(text.as_bytes(), counted_to..at);
        counted_to = at;
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        out.push(Row { line, cells });
        if out.len() > MAX_ROWS + 1 {
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_bom_and_semicolons() {
        let rows = read("\u{FEFF}Mã;Tên\nA;Một\n\n\"B\";\"Hai; ba\"\n".as_bytes()).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].cells, vec!["Mã", "Tên"]);
        assert_eq!(rows[2].line, 4);
        assert_eq!(rows[2].cells, vec!["B", "Hai; ba"]);
    }

    /// Found by the fuzz target `import_parse`: a lone CR ends a CSV record, but lines were
    /// counted at LF only, so two rows reported the same line.
    #[test]
    fn a_lone_cr_ends_a_line() {
        let bytes = b"member code,full name,email,phone,union code\nDV2,An,a@b.vn,0912345678,CV-D\nBCV1,,not-an\remail,12,\n";
        let rows = read(bytes).unwrap();
        let lines: Vec<usize> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [1, 2, 3, 4]);
        let rows = read(b"a;b\r1;2\r\r3;4\r\n5;6").unwrap();
        let lines: Vec<usize> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [1, 2, 4, 5]);
    }

    #[test]
    fn not_spreadsheets_are_refused() {
        assert_eq!(read(b"").unwrap_err().code, ErrorCode::SpreadsheetInvalid);
        assert_eq!(
            read(b"\x00\x01\x02binary").unwrap_err().code,
            ErrorCode::NotASpreadsheet
        );
        assert_eq!(
            read(&[0xff, 0xfe, 0x41]).unwrap_err().code,
            ErrorCode::NotASpreadsheet
        );
        assert_eq!(
            read(b"PK\x03\x04garbage").unwrap_err().code,
            ErrorCode::NotASpreadsheet
        );
    }
}
