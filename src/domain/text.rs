//! Text at the edge: NFC normalisation, trimming, control-character removal and length limits.

use unicode_normalization::UnicodeNormalization;

/// Normalises user text to NFC, drops control characters other than newlines and tabs, turns
/// CRLF into LF and trims the ends. Characters are dropped before composing, so a mark that a
/// dropped character kept apart from its letter still joins it.
pub fn clean(input: &str) -> String {
    let mut kept = String::with_capacity(input.len());
    for ch in input.replace("\r\n", "\n").chars() {
        match ch {
            '\n' | '\t' => kept.push(ch),
            '\r' => kept.push('\n'),
            c if c.is_control() => {}
            // zero-width and BOM characters carry nothing a reader sees
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
            c => kept.push(c),
        }
    }
    let nfc: String = kept.nfc().collect();
    nfc.trim().to_owned()
}

/// Cleans a single-line value: as [`clean`], with runs of whitespace collapsed to one space.
pub fn clean_line(input: &str) -> String {
    clean(input)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A length rule for a text field, in characters.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Fewest characters (after cleaning).
    pub min: usize,
    /// Most characters (after cleaning).
    pub max: usize,
}

impl Limit {
    /// Checks a cleaned value, giving the Vietnamese problem if any.
    pub fn check(self, value: &str) -> Result<(), String> {
        let n = value.chars().count();
        if n < self.min {
            if self.min == 1 {
                Err("Không được để trống.".to_owned())
            } else {
                Err(format!("Cần ít nhất {} ký tự.", self.min))
            }
        } else if n > self.max {
            Err(format!("Tối đa {} ký tự (hiện có {n}).", self.max))
        } else {
            Ok(())
        }
    }
}

/// Title of an initiative.
pub const TITLE: Limit = Limit { min: 5, max: 300 };
/// Each of the four sections of the official form.
pub const SECTION: Limit = Limit {
    min: 0,
    max: 20_000,
};
/// Names of people, unions, programs, phases and fields.
pub const NAME: Limit = Limit { min: 1, max: 200 };
/// Codes of unions, programs and fields.
pub const CODE: Limit = Limit { min: 1, max: 50 };
/// Free descriptions.
pub const DESCRIPTION: Limit = Limit {
    min: 0,
    max: 10_000,
};

/// A code: ASCII letters, digits, `-`, `_` and `.`; kept as given (codes are case-sensitive
/// identifiers chosen by officers, e.g. `CB-VC-HQ`).
pub fn check_code(value: &str) -> Result<(), String> {
    CODE.check(value)?;
    if value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        Ok(())
    } else {
        Err("Chỉ dùng chữ không dấu, chữ số và các dấu - _ .".to_owned())
    }
}

/// A plausible email address, lower-cased.
pub fn parse_email(value: &str) -> Result<String, String> {
    let v = clean_line(value).to_lowercase();
    let ok = v.len() <= 254
        && !v.contains(' ')
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(v)
    } else {
        Err("Địa chỉ email không hợp lệ.".to_owned())
    }
}

/// The letters with Vietnamese marks (lower and upper case, NFC) and đ/Đ, each with the
/// letter it folds to: the table of `users.name_folded` (migration 19), which folds names in
/// the database the same way.
pub const FOLDED_FROM: &str = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ";
const FOLDED_TO: &str = "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyydaaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd";

/// A name as `users.name_folded` keeps it: Vietnamese marks removed, Đ/đ as d, ASCII letters
/// in lower case (other characters as they are). "Đoàn Bích Hiếu" → "doan bich hieu".
pub fn fold_name(name: &str) -> String {
    let name = clean_line(name);
    name.chars()
        .map(|c| match FOLDED_FROM.chars().position(|f| f == c) {
            Some(i) => FOLDED_TO.chars().nth(i).unwrap_or(c),
            None => c.to_ascii_lowercase(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_fold_without_marks_and_with_d() {
        assert_eq!(super::fold_name("Đoàn Bích Hiếu"), "doan bich hieu");
        assert_eq!(super::fold_name("ĐÀM Thị Ỷ"), "dam thi y");
        assert_eq!(super::fold_name("Nông Văn Dền"), "nong van den");
        assert_eq!(super::fold_name("nong"), "nong");
        assert_eq!(
            super::FOLDED_FROM.chars().count(),
            super::FOLDED_TO.chars().count()
        );
    }

    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn nfd_becomes_nfc() {
        let nfd: String = "Sáng kiến cải tiến".nfd().collect();
        assert_ne!(nfd, "Sáng kiến cải tiến");
        assert_eq!(clean(&nfd), "Sáng kiến cải tiến");
    }

    #[test]
    fn controls_and_zero_width_are_dropped() {
        assert_eq!(clean(" a\u{0}b\u{200B}c\r\nd \u{FEFF}"), "abc\nd");
        assert_eq!(clean_line("  Công   đoàn\n cơ sở "), "Công đoàn cơ sở");
    }

    /// Found by the fuzz target `text_clean`: a control character between a letter and its
    /// mark was dropped after composing, leaving the text decomposed (not NFC).
    #[test]
    fn dropped_characters_do_not_leave_text_decomposed() {
        let input = "ng \u{111}oa\u{0}\u{300}Cg\u{302}ng \u{111}oa\u{300}nC ";
        let out = clean(input);
        assert!(unicode_normalization::is_nfc(&out), "{out:?}");
        assert_eq!(out, "ng đoàCĝng đoànC");
        assert_eq!(clean(&out), out);
        assert_eq!(clean("e\u{200B}\u{301}"), "é");
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        assert!(TITLE.check("Đổi mới").is_ok());
        assert!(TITLE.check("Đổi").is_err());
        assert!(NAME.check("").is_err());
        let long: String = "ệ".repeat(301);
        assert!(TITLE.check(&long).is_err());
    }

    #[test]
    fn codes_and_emails() {
        assert!(check_code("CB-VC-HQ").is_ok());
        assert!(check_code("CB VC").is_err());
        assert!(check_code("Cao-Bằng").is_err());
        assert_eq!(parse_email(" An@Example.VN ").unwrap(), "an@example.vn");
        assert!(parse_email("an@example").is_err());
        assert!(parse_email("@example.vn").is_err());
    }
}
