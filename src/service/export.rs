//! Tables exported for officers' reports (báo cáo): one typed [`Table`] — title lines, typed
//! columns, rows of typed cells — written as a real Excel workbook ([`to_xlsx`]) or as CSV for
//! further processing ([`to_csv`]). Any table of the service (the dashboard's, an initiative
//! list, rankings) is built as a `Table` and exported through [`render`]; the routes turn the
//! resulting [`Download`] into an attachment.
//!
//! What each format holds:
//! - **XLSX**: the title lines in bold on top (union, program, period, counting rule), then the
//!   Vietnamese headers in bold with the header row frozen and an autofilter, column widths
//!   fitted to the content, integers as numbers with a thousands format (`#,##0`, shown
//!   `1.234` by a Vietnamese Excel), percentages as Excel percentages (`0.0%`), dates as Excel
//!   dates (`dd/mm/yyyy`).
//! - **CSV**: UTF-8 with a byte-order mark, comma-separated (RFC 4180), **the header row first
//!   and no title lines**. Who asks for CSV rather than the formatted workbook wants the data
//!   itself: to load it into another system, a pivot table or Power Query, which all take the
//!   first row as the column names — lines above the header would become bogus rows and
//!   shift every column, and Excel's own "Format as Table" and filter would start at the
//!   title. What the title says (union, program, period) is in the file name instead, and the
//!   XLSX carries the full title with the counting rule. Integers are plain digits (no
//!   separators: `1234567`), percentages plain numbers with a decimal point (`130.5`, the
//!   header says `(%)`), dates ISO 8601 (`2026-09-05`) because Excel reads those the same in
//!   every locale, where `05/09/2026` becomes 9 May under US settings.
//!   **Text never starts like a formula**: a text cell or header that begins with `=`, `+`,
//!   `-`, `@`, a tab or a carriage return gets a leading `'` ([`neutralise`], as OWASP
//!   recommends against CSV injection), since a title such as `=HYPERLINK(…)` would otherwise
//!   run when the file is opened. Numbers, percentages and dates are written by the server from
//!   typed values, not from text anyone typed, so `-5` in a number column stays a number; a
//!   *text* cell `-5` becomes `'-5`. Every CSV of the service goes through [`to_csv`].
//!   (XLSX needs nothing: text is always written as a string cell, never as a formula.)

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use serde::Deserialize;

use crate::error::AppError;

/// What a column holds, which decides how its cells are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text.
    Text,
    /// A whole number (counts, quotas, money in đồng): a number with a thousands format.
    Integer,
    /// A percentage given in percent (`130.5` for 130,5%): an Excel percentage.
    Percent,
    /// A calendar date.
    Date,
    /// A moment, shown in Vietnam time to the minute.
    DateTime,
}

/// A column: its Vietnamese header and what it holds.
#[derive(Debug, Clone)]
pub struct Column {
    /// The header, in Vietnamese ("Mã đơn vị", "Đã thông qua").
    pub header: String,
    /// What the column holds.
    pub kind: Kind,
}

impl Column {
    /// A column named `header` holding `kind`.
    pub fn new(header: impl Into<String>, kind: Kind) -> Self {
        Self {
            header: header.into(),
            kind,
        }
    }
}

/// One cell. `Empty` fits any column; the other variants should match their column's kind
/// (a mismatch is written as it is, never refused).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing (an unset quota, a date not yet reached).
    Empty,
    /// Text.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A percentage in percent (`130.5`).
    Percent(f64),
    /// A date.
    Date(NaiveDate),
    /// A moment (shown in Vietnam time).
    DateTime(DateTime<Utc>),
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Self::Integer(n)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Empty, Into::into)
    }
}

/// A table to export.
#[derive(Debug, Clone)]
pub struct Table {
    /// The worksheet's name (cut to Excel's 31 characters, forbidden characters replaced).
    pub sheet_name: String,
    /// Lines above the table in the workbook: what it is (union, program, period) and the
    /// counting rule. The first one is the heading.
    pub title_lines: Vec<String>,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, each with one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// An Excel workbook (the default).
    #[default]
    Xlsx,
    /// CSV, UTF-8 with a byte-order mark.
    Csv,
}

impl ExportFormat {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Csv => "csv",
        }
    }

    /// The media type to answer with.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// An exported file: its name (Vietnamese, with its extension), format and bytes.
#[derive(Debug, Clone)]
pub struct Download {
    /// The file's name as the user sees it, e.g. `Thành tích - LĐLĐ tỉnh Cao Bằng.xlsx`.
    pub file_name: String,
    /// The format.
    pub format: ExportFormat,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

impl Download {
    /// The file name in ASCII (diacritics removed, đ → d, anything else but letters, digits,
    /// `.`, `-` and `_` turned into `-`), for clients that ignore `filename*`.
    pub fn ascii_file_name(&self) -> String {
        ascii_file_name(&self.file_name)
    }
}

/// Writes `table` in `format` as a file named `base_name` plus the extension.
pub fn render(table: &Table, format: ExportFormat, base_name: &str) -> Result<Download, AppError> {
    let bytes = match format {
        ExportFormat::Xlsx => to_xlsx(table)?,
        ExportFormat::Csv => to_csv(table)?,
    };
    Ok(Download {
        file_name: format!("{}.{}", clean_base_name(base_name), format.extension()),
        format,
        bytes,
    })
}

/// A file name without characters that file systems refuse (`/\:*?"<>|` and controls).
fn clean_base_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_matches('.');
    if trimmed.is_empty() {
        "bao-cao".to_owned()
    } else {
        trimmed.chars().take(150).collect()
    }
}

/// The ASCII fallback of a file name: `Thành tích - LĐLĐ.xlsx` → `Thanh-tich-LDLD.xlsx`.
pub fn ascii_file_name(name: &str) -> String {
    let mut folded = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii() {
            folded.push(c);
            continue;
        }
        let upper = c.is_uppercase();
        let mut lower = String::new();
        for l in c.to_lowercase() {
            search_index::syllable::fold_char(l, &mut lower);
        }
        if upper {
            folded.push_str(&lower.to_uppercase());
        } else {
            folded.push_str(&lower);
        }
    }
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        let keep = c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        let c = if keep { c } else { '-' };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    let out = out.replace("-.", ".").trim_matches('-').to_owned();
    if out.is_empty() || out.starts_with('.') {
        format!("export{out}")
    } else {
        out
    }
}

fn xlsx_error(e: XlsxError) -> AppError {
    AppError::failed("writing a workbook", e)
}

/// Excel's serial number of a date (days since 1899-12-30).
fn excel_date(d: NaiveDate) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    #[expect(clippy::cast_precision_loss, reason = "day counts far below 2^52")]
    let days = (d - epoch).num_days() as f64;
    days
}

/// Excel's serial number of a moment in Vietnam time.
fn excel_datetime(t: DateTime<Utc>) -> f64 {
    let local = t.with_timezone(&Ho_Chi_Minh).naive_local();
    let secs = f64::from(local.num_seconds_from_midnight());
    excel_date(local.date()) + secs / 86_400.0
}

/// The worksheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') {
                '-'
            } else {
                c
            }
        })
        .take(31)
        .collect();
    let trimmed = cleaned.trim().trim_matches('\'').to_owned();
    if trimmed.is_empty() {
        "Sheet1".to_owned()
    } else {
        trimmed
    }
}

/// How wide a cell's content is, in characters.
fn cell_width(cell: &Cell) -> usize {
    match cell {
        Cell::Empty => 0,
        Cell::Text(s) => s.chars().count(),
        // With thousands separators.
        Cell::Integer(n) => {
            let digits = n.unsigned_abs().to_string().len();
            digits + (digits - 1) / 3 + usize::from(*n < 0)
        }
        Cell::Percent(_) => 7,
        Cell::Date(_) => 10,
        Cell::DateTime(_) => 16,
    }
}

/// The Excel workbook of a table: one worksheet, title lines in bold, the header row frozen
/// with an autofilter, fitted column widths, numbers as numbers.
pub fn to_xlsx(table: &Table) -> Result<Vec<u8>, AppError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .set_name(sheet_name(&table.sheet_name))
        .map_err(xlsx_error)?;

    let heading = Format::new().set_bold().set_font_size(13);
    let title = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color("#DCE6F1")
        .set_border(FormatBorder::Thin);
    let integer = Format::new().set_num_format("#,##0");
    let percent = Format::new().set_num_format("0.0%");
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let datetime = Format::new().set_num_format("dd/mm/yyyy hh:mm");

    let last_col = u16::try_from(table.columns.len().saturating_sub(1))
        .map_err(|_| AppError::unexpected("too many columns for a worksheet"))?;
    let mut row: u32 = 0;
    for (i, line) in table.title_lines.iter().enumerate() {
        let format = if i == 0 { &heading } else { &title };
        sheet
            .write_string_with_format(row, 0, line, format)
            .map_err(xlsx_error)?;
        row += 1;
    }
    if !table.title_lines.is_empty() {
        // A blank line between the title and the table.
        row += 1;
    }
    let header_row = row;
    let mut widths: Vec<usize> = table
        .columns
        .iter()
        .map(|c| c.header.chars().count().min(24))
        .collect();
    for (col, column) in table.columns.iter().enumerate() {
        let col = u16::try_from(col).map_err(|_| AppError::unexpected("too many columns"))?;
        sheet
            .write_string_with_format(header_row, col, &column.header, &header)
            .map_err(xlsx_error)?;
    }
    row += 1;
    for cells in &table.rows {
        for (col, cell) in cells.iter().enumerate() {
            if let Some(w) = widths.get_mut(col) {
                *w = (*w).max(cell_width(cell));
            }
            let col = u16::try_from(col).map_err(|_| AppError::unexpected("too many columns"))?;
            match cell {
                Cell::Empty => continue,
                Cell::Text(s) => sheet.write_string(row, col, s),
                #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
                Cell::Integer(n) => sheet.write_number_with_format(row, col, *n as f64, &integer),
                Cell::Percent(p) => sheet.write_number_with_format(row, col, p / 100.0, &percent),
                Cell::Date(d) => sheet.write_number_with_format(row, col, excel_date(*d), &date),
                Cell::DateTime(t) => {
                    sheet.write_number_with_format(row, col, excel_datetime(*t), &datetime)
                }
            }
            .map_err(xlsx_error)?;
        }
        row += 1;
    }
    for (col, width) in widths.iter().enumerate() {
        let col = u16::try_from(col).map_err(|_| AppError::unexpected("too many columns"))?;
        #[expect(clippy::cast_precision_loss, reason = "widths are small")]
        let w = (*width).clamp(6, 60) as f64 + 2.0;
        sheet.set_column_width(col, w).map_err(xlsx_error)?;
    }
    if !table.columns.is_empty() {
        sheet
            .set_freeze_panes(header_row + 1, 0)
            .map_err(xlsx_error)?;
        sheet
            .autofilter(header_row, 0, (row - 1).max(header_row), last_col)
            .map_err(xlsx_error)?;
    }
    workbook.save_to_buffer().map_err(xlsx_error)
}

/// The byte-order mark that tells Excel a CSV file is UTF-8.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The CSV of a table: UTF-8 with a byte-order mark, the header row first, no title lines
/// (see the module's documentation for why), plain numbers, ISO dates.
pub fn to_csv(table: &Table) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::with_capacity(64 + table.rows.len() * 16 * table.columns.len().max(1));
    out.extend_from_slice(UTF8_BOM);
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let fail = |e: csv::Error| AppError::failed("writing CSV", e);
    writer
        .write_record(
            table
                .columns
                .iter()
                .map(|c| neutralise(&c.header).into_owned()),
        )
        .map_err(fail)?;
    let mut record: Vec<String> = Vec::with_capacity(table.columns.len());
    for cells in &table.rows {
        record.clear();
        record.extend(cells.iter().map(csv_text));
        writer.write_record(&record).map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| AppError::failed("writing CSV", e))
}

/// Text for a CSV cell that a spreadsheet will not run as a formula: a leading `'` when it
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP's list). Excel and
/// LibreOffice show the rest as typed; the `'` is visible in a text editor, which is the price
/// of never running what someone typed.
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

fn csv_text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => neutralise(s).into_owned(),
        Cell::Integer(n) => n.to_string(),
        Cell::Percent(p) => {
            let rounded = (p * 10.0).round() / 10.0;
            if rounded.fract() == 0.0 {
                format!("{rounded:.0}")
            } else {
                format!("{rounded:.1}")
            }
        }
        Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        Cell::DateTime(t) => {
            let local = t.with_timezone(&Ho_Chi_Minh);
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}",
                local.year(),
                local.month(),
                local.day(),
                local.hour(),
                local.minute()
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            sheet_name: "Thành tích: LĐLĐ tỉnh Cao Bằng và các đơn vị trực thuộc".to_owned(),
            title_lines: vec!["LĐLĐ tỉnh Cao Bằng".to_owned(), "Quy tắc đếm".to_owned()],
            columns: vec![
                Column::new("Tên đơn vị", Kind::Text),
                Column::new("Chỉ tiêu", Kind::Integer),
                Column::new("Đạt (%)", Kind::Percent),
                Column::new("Ngày nộp", Kind::Date),
            ],
            rows: vec![
                vec![
                    "Công đoàn \"Viên chức\", tỉnh".into(),
                    Cell::Integer(1_234_567),
                    Cell::Percent(130.5),
                    Cell::Date(NaiveDate::from_ymd_opt(2026, 9, 5).unwrap()),
                ],
                vec![
                    Cell::Text("CĐCS".into()),
                    Cell::Empty,
                    Cell::Percent(100.0),
                    Cell::Empty,
                ],
            ],
        }
    }

    #[test]
    fn csv_starts_with_the_bom_and_the_header() {
        let bytes = to_csv(&table()).unwrap();
        assert!(bytes.starts_with(UTF8_BOM));
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let mut lines = text.split("\r\n");
        assert_eq!(
            lines.next().unwrap(),
            "Tên đơn vị,Chỉ tiêu,Đạt (%),Ngày nộp"
        );
        assert_eq!(
            lines.next().unwrap(),
            "\"Công đoàn \"\"Viên chức\"\", tỉnh\",1234567,130.5,2026-09-05"
        );
        assert_eq!(lines.next().unwrap(), "CĐCS,,100,");
    }

    #[test]
    fn text_that_starts_like_a_formula_is_neutralised_and_numbers_are_not() {
        let mut t = table();
        t.columns[0].header = "=Tên".to_owned();
        t.rows = ["=1+2", "+1", "-5", "@SUM(A1)", "\tx", "\rx", "a=b", "'q"]
            .into_iter()
            .map(|s| {
                vec![
                    s.into(),
                    Cell::Integer(-5),
                    Cell::Percent(-1.5),
                    Cell::Empty,
                ]
            })
            .collect();
        let bytes = to_csv(&t).unwrap();
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        assert_eq!(&reader.headers().unwrap()[0], "'=Tên");
        let cells: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        let first: Vec<&str> = cells.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(
            first,
            [
                "'=1+2",
                "'+1",
                "'-5",
                "'@SUM(A1)",
                "'\tx",
                "'\rx",
                "a=b",
                "'q"
            ]
        );
        assert!(cells.iter().all(|r| r[1] == "-5" && r[2] == "-1.5"));
    }

    #[test]
    fn workbooks_are_zip_files() {
        let bytes = to_xlsx(&table()).unwrap();
        assert!(bytes.starts_with(b"PK"));
    }

    #[test]
    fn excel_dates_count_from_1899() {
        assert!((excel_date(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()) - 46_023.0).abs() < 1e-9);
    }

    #[test]
    fn names_fit_excel_and_ascii() {
        assert_eq!(sheet_name("Thành tích: a/b [c]").chars().count(), 19);
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
        assert_eq!(
            ascii_file_name("Thành tích - LĐLĐ tỉnh Cao Bằng.xlsx"),
            "Thanh-tich-LDLD-tinh-Cao-Bang.xlsx"
        );
        assert_eq!(ascii_file_name("Đợt 1 / Ưu tiên.csv"), "Dot-1-Uu-tien.csv");
        assert_eq!(clean_base_name("a/b: c"), "a-b- c");
    }
}
