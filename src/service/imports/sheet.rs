//! Reading an uploaded spreadsheet into rows of text with their line numbers: XLSX or CSV in
//! UTF-8, told apart by the content, never by the file's name. Every size an attacker can
//! choose is bounded before anything of that size is allocated: the file, the zip's entries
//! and what they unpack to (counted, not declared), the shared strings, rows, columns, cells
//! and the text they hold. XLS (OLE) and ODS are refused: calamine reads them into a dense
//! range whose size we cannot bound first.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use calamine::{Data, DataRef, Reader, Xlsx};

use crate::error::{AppError, ErrorCode};

/// The largest file accepted (bytes).
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// The most data rows accepted in one file.
pub const MAX_ROWS: usize = 200_000;
/// The most columns a row may reach (the widest template has 6; room for notes and
/// spreadsheets with spare columns, far below Excel's 16,384).
pub const MAX_COLUMNS: usize = 200;
/// The most cells kept over the whole sheet, counting the empty ones a row is padded with up
/// to its last cell: 15 columns of `MAX_ROWS` rows (about 70 MB of cells at worst).
pub const MAX_CELLS: usize = 3_000_000;
/// The most text kept over all cells (bytes): a shared string is copied into every cell that
/// refers to it, so this bounds what a small file can make us copy.
pub const MAX_TEXT_BYTES: usize = 128 * 1024 * 1024;
/// The most entries in an XLSX's zip (Excel writes about a dozen; images and printer
/// settings add a few).
pub const MAX_ZIP_ENTRIES: usize = 1_000;
/// The most bytes an XLSX's entries may unpack to, all together, counted while inflating
/// (200,000 rows of a member list unpack to about 60 MB).
pub const MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;
/// The most an entry may inflate per compressed byte once past [`RATIO_GRACE`] (Apache
/// POI's zip-bomb rule: real sheets deflate 5 to 30 times).
pub const MAX_INFLATE_RATIO: u64 = 100;
/// What an entry may unpack to before [`MAX_INFLATE_RATIO`] applies (small, very regular
/// parts such as styles compress well).
pub const RATIO_GRACE: u64 = 1024 * 1024;
/// The most `styles.xml` may unpack to (Excel writes a few hundred KB at most).
pub const MAX_STYLES_BYTES: u64 = 16 * 1024 * 1024;
/// The most cell formats (`<xf>`) in `styles.xml`: Excel's own ceiling is 64,000. Calamine
/// copies a format's font, fill, border and number format into each of them.
pub const MAX_STYLES: usize = 65_536;
/// The longest attribute value or text in `styles.xml` (bytes): font names have at most 31
/// characters and number formats 255, so what each copied format costs stays small.
pub const MAX_STYLE_VALUE: usize = 1_024;
/// The most shared strings (`<si>`, and what `uniqueCount` announces, which calamine
/// reserves when it opens the file): there cannot be more useful distinct strings than cells.
pub const MAX_SHARED_STRINGS: usize = MAX_CELLS;

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
    /// A zip: read as XLSX (ODS and XLSB are refused after a look inside).
    Zip,
    /// An OLE compound file: an old XLS, refused.
    Ole,
    /// Anything else: tried as CSV.
    Text,
}

fn kind_of(bytes: &[u8]) -> Kind {
    if bytes.starts_with(b"PK\x03\x04") {
        Kind::Zip
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Kind::Ole
    } else {
        Kind::Text
    }
}

/// The error for a file that is not a spreadsheet we read.
pub fn not_a_spreadsheet(why: impl Into<String>) -> AppError {
    let why = why.into();
    AppError::new(ErrorCode::NotASpreadsheet).with_details(serde_json::json!({ "reason": why }))
}

/// The error for a workbook in a format we do not read (XLS, ODS, XLSB): what to save it as.
fn unsupported_workbook(format: &str) -> AppError {
    AppError::new(ErrorCode::NotASpreadsheet)
        .with_message(format!(
            "Không đọc được tệp {format}. Chỉ nhận tệp “Excel Workbook (.xlsx)” hoặc “CSV UTF-8”: \
             trong Excel, chọn Lưu thành (Save As) và chọn một trong hai định dạng đó."
        ))
        .with_details(serde_json::json!({ "reason": "unsupported_workbook", "format": format }))
}

/// The error for a spreadsheet whose shape is wrong (empty, no header, too many rows).
pub fn bad_sheet(reason: &str, message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::SpreadsheetInvalid)
        .with_message(message)
        .with_details(serde_json::json!({ "reason": reason }))
}

/// The error for a file larger than we read, in bytes or once unpacked.
fn too_large(reason: &str, message: impl Into<String>, max_bytes: u64) -> AppError {
    AppError::new(ErrorCode::PayloadTooLarge)
        .with_message(message)
        .with_details(serde_json::json!({ "reason": reason, "max_bytes": max_bytes }))
}

fn too_many_rows() -> AppError {
    bad_sheet(
        "too_many_rows",
        format!(
            "Bảng tính quá nhiều dòng; mỗi lần nhập tối đa {MAX_ROWS} dòng. Hãy chia thành nhiều tệp."
        ),
    )
}

fn too_many_columns(line: usize) -> AppError {
    bad_sheet(
        "too_many_columns",
        format!(
            "Dòng {line} có dữ liệu ở cột quá xa; bảng tính nhập dữ liệu chỉ dùng tối đa \
             {MAX_COLUMNS} cột đầu. Hãy xoá các ô thừa bên phải bảng."
        ),
    )
}

fn too_many_cells() -> AppError {
    bad_sheet(
        "too_many_cells",
        format!("Bảng tính có quá nhiều ô dữ liệu (tối đa {MAX_CELLS}). Hãy chia thành nhiều tệp."),
    )
}

fn too_much_text() -> AppError {
    too_large(
        "too_much_text",
        format!(
            "Nội dung các ô của bảng tính quá lớn (tối đa {} MB). Hãy chia thành nhiều tệp.",
            MAX_TEXT_BYTES / (1024 * 1024)
        ),
        MAX_TEXT_BYTES as u64,
    )
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
        Kind::Zip => {
            inspect_zip(bytes)?;
            // A malformed workbook must never take the server down: what calamine can still
            // panic on is caught (allocation is bounded by the checks above and below).
            std::panic::catch_unwind(|| read_xlsx(bytes))
                .map_err(|_| not_a_spreadsheet("the workbook could not be read"))??
        }
        Kind::Ole => return Err(unsupported_workbook("Excel 97-2003 (.xls)")),
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

/// Why reading an entry stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Over {
    /// Past [`MAX_UNPACKED_BYTES`] over the whole zip.
    Total,
    /// Past [`MAX_INFLATE_RATIO`].
    Ratio,
}

/// A reader that counts what it gives and fails once past the caps, whatever the entry's
/// header declares.
struct Capped<R> {
    inner: R,
    read: u64,
    /// What the entry may still unpack to under the zip's total.
    allowed: u64,
    /// The entry's compressed size (at least 1).
    compressed: u64,
    over: Option<Over>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.allowed {
            self.over = Some(Over::Total);
        } else if self.read > RATIO_GRACE
            && self.read > self.compressed.saturating_mul(MAX_INFLATE_RATIO)
        {
            self.over = Some(Over::Ratio);
        }
        if self.over.is_some() {
            return Err(std::io::Error::other("unpacked size cap"));
        }
        Ok(n)
    }
}

/// Checks an XLSX's zip before calamine opens it: the number of entries, what each unpacks
/// to (inflated into a counting sink, never trusting the declared sizes), and the shared
/// strings; refuses ODS and XLSB.
fn inspect_zip(bytes: &[u8]) -> Result<(), AppError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| not_a_spreadsheet(format!("not a readable zip: {e}")))?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(too_large(
            "too_many_entries",
            format!(
                "Tệp nén có {} phần, quá nhiều cho một bảng tính (tối đa {MAX_ZIP_ENTRIES}). \
                 Hãy lưu lại thành “Excel Workbook (.xlsx)” hoặc “CSV UTF-8”.",
                zip.len()
            ),
            MAX_UNPACKED_BYTES,
        ));
    }
    let (mut total, mut workbook, mut other_format) = (0u64, false, None);
    for i in 0..zip.len() {
        let entry = zip
            .by_index(i)
            .map_err(|e| not_a_spreadsheet(format!("an unreadable zip entry: {e}")))?;
        let name = String::from_utf8_lossy(entry.name_raw()).to_ascii_lowercase();
        workbook |= name.ends_with("workbook.xml");
        if name == "mimetype" || name == "content.xml" {
            other_format = Some("OpenDocument (.ods)");
        } else if name.ends_with("workbook.bin") {
            other_format = Some("Excel Binary (.xlsb)");
        }
        let compressed = entry.compressed_size().clamp(1, bytes.len() as u64);
        let styles = name.ends_with("styles.xml");
        let remaining = MAX_UNPACKED_BYTES - total;
        let mut capped = Capped {
            inner: entry,
            read: 0,
            allowed: if styles {
                remaining.min(MAX_STYLES_BYTES)
            } else {
                remaining
            },
            compressed,
            over: None,
        };
        let read = if name.ends_with("sharedstrings.xml") {
            count_shared_strings(&mut capped)
        } else if styles {
            check_styles(&mut capped)
        } else {
            std::io::copy(&mut capped, &mut std::io::sink())
                .map(|_| ())
                .map_err(|e| not_a_spreadsheet(format!("an unreadable zip entry: {e}")))
        };
        if capped.over.is_some() {
            return Err(too_large(
                "unpacked_too_large",
                format!(
                    "Tệp bảng tính khi giải nén quá lớn hoặc nén bất thường (tối đa {} MB sau \
                     khi giải nén). Hãy lưu lại thành “Excel Workbook (.xlsx)” hoặc “CSV UTF-8”.",
                    MAX_UNPACKED_BYTES / (1024 * 1024)
                ),
                MAX_UNPACKED_BYTES,
            ));
        }
        read?;
        total += capped.read;
    }
    if let Some(format) = other_format {
        return Err(unsupported_workbook(format));
    }
    if !workbook {
        return Err(unsupported_workbook("nén (.zip)"));
    }
    Ok(())
}

/// Reads `xl/sharedStrings.xml` (through the caps) and refuses more strings, counted or
/// announced in `uniqueCount`, than [`MAX_SHARED_STRINGS`]. A `uniqueCount` that is not plain
/// digits is refused too, so that no reading of it can differ from calamine's.
fn count_shared_strings(xml: impl Read) -> Result<(), AppError> {
    use quick_xml::events::Event;
    let too_many = || {
        bad_sheet(
            "too_many_strings",
            format!(
                "Bảng tính có quá nhiều chuỗi văn bản khác nhau (tối đa {MAX_SHARED_STRINGS}). \
                 Hãy chia thành nhiều tệp."
            ),
        )
    };
    let unreadable = |e: &dyn std::fmt::Display| {
        not_a_spreadsheet(format!("the shared strings could not be read: {e}"))
    };
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(xml));
    let (mut buf, mut strings) = (Vec::new(), 0usize);
    loop {
        buf.clear();
        match reader
            .read_event_into(&mut buf)
            .map_err(|e| unreadable(&e))?
        {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "si" => {
                    strings += 1;
                    if strings > MAX_SHARED_STRINGS {
                        return Err(too_many());
                    }
                }
                "sst" => {
                    for attr in e.attributes().with_checks(false) {
                        let attr = attr.map_err(|e| unreadable(&e))?;
                        if attr.key.local_name().as_ref() != "uniqueCount" {
                            continue;
                        }
                        let value: &str = &attr.value;
                        let digits = !value.is_empty()
                            && value.len() <= 12
                            && value.bytes().all(|b| b.is_ascii_digit());
                        if !digits
                            || !value
                                .parse::<usize>()
                                .is_ok_and(|n| n <= MAX_SHARED_STRINGS)
                        {
                            return Err(too_many());
                        }
                    }
                }
                _ => {}
            },
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// Reads `xl/styles.xml` (through the caps): calamine builds one style per `<xf>` with a copy
/// of its font, fill, border and number format, so both how many there are and how long any
/// value in them is are bounded.
fn check_styles(xml: impl Read) -> Result<(), AppError> {
    use quick_xml::events::Event;
    let odd = || {
        bad_sheet(
            "styles_too_large",
            "Phần định dạng của bảng tính quá lớn hoặc bất thường. Hãy lưu lại thành \
             “Excel Workbook (.xlsx)” hoặc “CSV UTF-8”.",
        )
    };
    let unreadable =
        |e: &dyn std::fmt::Display| not_a_spreadsheet(format!("the styles could not be read: {e}"));
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(xml));
    let (mut buf, mut formats) = (Vec::new(), 0usize);
    loop {
        buf.clear();
        match reader
            .read_event_into(&mut buf)
            .map_err(|e| unreadable(&e))?
        {
            Event::Start(e) | Event::Empty(e) => {
                if e.local_name().as_ref() == "xf" {
                    formats += 1;
                    if formats > MAX_STYLES {
                        return Err(odd());
                    }
                }
                for attr in e.attributes().with_checks(false) {
                    let attr = attr.map_err(|e| unreadable(&e))?;
                    if attr.value.len() > MAX_STYLE_VALUE {
                        return Err(odd());
                    }
                }
            }
            Event::Text(t) if t.len() > MAX_STYLE_VALUE => return Err(odd()),
            Event::CData(t) if t.len() > MAX_STYLE_VALUE => return Err(odd()),
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// The text of a cell, as the importers read it.
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

/// What a cell's text may cost before it is copied (a shared string is only borrowed until
/// then); numbers and dates are short.
fn text_cost(cell: &DataRef<'_>) -> usize {
    match cell {
        DataRef::SharedString(s) => s.len(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
        _ => 32,
    }
}

/// Reads the first sheet cell by cell (calamine's streaming reader: no dense range), checking
/// each cell's row and column against the caps before keeping it.
fn read_xlsx(bytes: &[u8]) -> Result<Vec<Row>, AppError> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| not_a_spreadsheet(format!("not a readable workbook: {e}")))?;
    let first = book
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| bad_sheet("empty_file", "Bảng tính không có trang tính nào."))?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|e| not_a_spreadsheet(format!("the first sheet could not be read: {e}")))?;
    // Rows by their number (a file may list them out of order); each row's cells by column.
    let mut rows: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let (mut kept_cells, mut kept_text) = (0usize, 0usize);
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| not_a_spreadsheet(format!("the first sheet could not be read: {e}")))?
    {
        let (r, c) = cell.get_position();
        let value = cell.get_value();
        if matches!(value, DataRef::Empty) {
            continue;
        }
        let (row_index, col) = (r as usize, c as usize);
        if col >= MAX_COLUMNS {
            return Err(too_many_columns(row_index + 1));
        }
        if row_index >= MAX_ROWS + 100 {
            return Err(too_many_rows());
        }
        kept_text += text_cost(value);
        if kept_text > MAX_TEXT_BYTES {
            return Err(too_much_text());
        }
        let text = cell_text(&Data::from(value.clone()));
        if text.is_empty() {
            continue;
        }
        let row = rows.entry(r).or_default();
        if row.len() <= col {
            kept_cells += col + 1 - row.len();
            if kept_cells > MAX_CELLS {
                return Err(too_many_cells());
            }
            row.resize(col + 1, String::new());
        }
        row[col] = text;
    }
    Ok(rows
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .map(|(r, cells)| Row {
            line: r as usize + 1,
            cells,
        })
        .collect())
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
    let delimiter = delimiter(text);
    // The CSV reader keeps a record's field bounds (8 bytes a field): more delimiters than
    // cells we keep is refused before reading, so one line of commas cannot cost 8 bytes each.
    if bytecount(bytes, delimiter) > MAX_CELLS {
        return Err(too_many_cells());
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let (mut line, mut counted_to, mut kept_cells) = (1usize, 0usize, 0usize);
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
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // Trailing empty fields are kept (as before) but count, like any cell.
        if record.len() > MAX_COLUMNS {
            return Err(too_many_columns(line));
        }
        kept_cells += record.len();
        if kept_cells > MAX_CELLS {
            return Err(too_many_cells());
        }
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        out.push(Row { line, cells });
        if out.len() > MAX_ROWS + 1 {
            break;
        }
    }
    Ok(out)
}

/// How many times `byte` occurs in `bytes`.
fn bytecount(bytes: &[u8], byte: u8) -> usize {
    bytes.iter().filter(|b| **b == byte).count()
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
        assert_eq!(
            read(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
                .unwrap_err()
                .code,
            ErrorCode::NotASpreadsheet
        );
    }

    #[test]
    fn styles_that_calamine_would_copy_without_bound_are_refused() {
        let long = format!(
            r#"<styleSheet><fonts><font><name val="{}"/></font></fonts></styleSheet>"#,
            "x".repeat(MAX_STYLE_VALUE + 1)
        );
        let e = check_styles(long.as_bytes()).unwrap_err();
        assert_eq!(e.details.as_ref().unwrap()["reason"], "styles_too_large");
        let many = format!(
            "<styleSheet><cellXfs>{}</cellXfs></styleSheet>",
            r#"<xf fontId="0"/>"#.repeat(MAX_STYLES + 1)
        );
        assert!(check_styles(many.as_bytes()).is_err());
        let fine = r#"<styleSheet><fonts><font><name val="Calibri"/></font></fonts><cellXfs><xf fontId="0"/></cellXfs></styleSheet>"#;
        check_styles(fine.as_bytes()).unwrap();
    }

    #[test]
    fn wide_csv_is_refused_before_reading() {
        let wide = format!("a{}\n", ",".repeat(MAX_COLUMNS));
        let e = read(wide.as_bytes()).unwrap_err();
        assert_eq!(e.details.as_ref().unwrap()["reason"], "too_many_columns");
        let commas = vec![b','; MAX_CELLS + 1];
        let e = read(&commas).unwrap_err();
        assert_eq!(e.details.as_ref().unwrap()["reason"], "too_many_cells");
    }

    #[test]
    fn a_workbook_read_cell_by_cell_keeps_its_row_numbers() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(2, 1, "Mã").unwrap();
        sheet.write_string(2, 2, "Tên").unwrap();
        sheet.write_number(4, 1, 12.0).unwrap();
        sheet.write_string(4, 3, "x").unwrap();
        let rows = read(&book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].line, rows[1].line), (3, 5));
        assert_eq!(rows[0].cells, ["", "Mã", "Tên"]);
        assert_eq!(rows[1].cells, ["", "12", "", "x"]);
    }
}
