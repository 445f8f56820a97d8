//! The text normaliser at the edge (`sangkien::domain::text`): NFC, control and zero-width
//! characters dropped, trimmed; one-line values with single spaces; codes and emails.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sangkien::domain::text::{CODE, check_code, clean, clean_line, parse_email};
use unicode_normalization::is_nfc;

fn dropped(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };

    let once = clean(input);
    assert!(is_nfc(&once), "clean is not NFC: {once:?}");
    assert_eq!(clean(&once), once, "clean is not idempotent");
    assert!(!once.chars().any(dropped), "clean kept a control: {once:?}");
    assert_eq!(once.trim(), once, "clean is not trimmed");

    let line = clean_line(input);
    assert!(is_nfc(&line), "clean_line is not NFC: {line:?}");
    assert_eq!(clean_line(&line), line, "clean_line is not idempotent");
    assert!(!line.contains('\n') && !line.contains("  "), "{line:?}");
    assert_eq!(
        line.split_whitespace().collect::<Vec<_>>(),
        once.split_whitespace().collect::<Vec<_>>(),
        "clean_line changed a word"
    );

    if let Ok(email) = parse_email(input) {
        assert!(email.len() <= 254 && email.contains('@'));
        assert_eq!(parse_email(&email).as_deref(), Ok(email.as_str()));
    }
    if check_code(input).is_ok() {
        assert!(input.is_ascii() && (CODE.min..=CODE.max).contains(&input.len()));
    }
});
