//! The organisation import's parsers (`sangkien::service::imports::parse`): arbitrary bytes as
//! an XLSX workbook (XLS and ODS are refused) or a CSV, then as a union tree and as a member
//! list. A bad file is an error value with a 4xx status, never a panic nor an abort; rows come
//! in order with their lines; every bad row is reported against a line of the file. The seeds
//! include issue 22's hostile workbooks (a cell at XFD1048576, a zip bomb, a huge
//! `uniqueCount`): each must be refused with a 4xx before anything large is allocated.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sangkien::service::imports::{ImportKind, parse};

fuzz_target!(|data: &[u8]| {
    for kind in [ImportKind::Unions, ImportKind::Members] {
        match parse(kind, data) {
            Err(e) => {
                let status = e.code.status().as_u16();
                assert!((400..500).contains(&status), "{status} for {e:?}");
            }
            Ok(p) => {
                assert!(!p.rows.is_empty());
                assert_eq!(p.report.rows, p.rows.len() - 1);
                let mut last = 0;
                for row in &p.rows {
                    assert!(row.line > last, "rows out of order: {:?}", p.rows);
                    last = row.line;
                    assert!(row.cells.iter().any(|c| !c.trim().is_empty()), "{row:?}");
                }
                let lines: Vec<usize> = p.rows.iter().map(|r| r.line).collect();
                let mut bad: Vec<usize> = p.report.errors.iter().map(|e| e.line).collect();
                bad.dedup();
                for line in &bad {
                    assert!(
                        lines[1..].contains(line),
                        "problem on line {line} of {lines:?}"
                    );
                }
                assert_eq!(p.well_formed + bad.len(), p.report.rows);
            }
        }
    }
});
