//! How numbers, money, dates and durations are written the Vietnamese way, on pages, in
//! exports and in messages: 1.234.567 đ, 130,5%, dd/mm/yyyy, 24-hour times in Vietnam time.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;

/// An integer with dots between thousands: 1234567 → "1.234.567".
pub fn number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

/// Money in đồng: "1.234.567 đ".
pub fn vnd(n: i64) -> String {
    format!("{} đ", number(n))
}

/// A percentage with a decimal comma: 130.5 → "130,5%" (no decimals when whole).
pub fn percent(p: f64) -> String {
    let rounded = (p * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}%")
    } else {
        format!("{rounded:.1}%").replace('.', ",")
    }
}

/// A date: "05/09/2026".
pub fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A moment in Vietnam time: "05/09/2026 17:00".
pub fn datetime(t: DateTime<Utc>) -> String {
    t.with_timezone(&Ho_Chi_Minh)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// A Vietnam wall-clock time as the UTC moment it names (Vietnam keeps UTC+7 all year).
pub fn from_vietnam(local: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    use chrono::TimeZone;
    Ho_Chi_Minh
        .from_local_datetime(&local)
        .single()
        .map_or(local - chrono::TimeDelta::hours(7), |t| t.naive_utc())
}

/// A moment as the value of a `datetime-local` field in Vietnam time: "2026-09-05T17:00".
pub fn vietnam_input(t: DateTime<Utc>) -> String {
    t.with_timezone(&Ho_Chi_Minh)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A Vietnam date and time typed into a form: "2026-09-05T17:00" (what a `datetime-local`
/// field sends), "2026-09-05 17:00" or "05/09/2026 17:00"; the time may be left out (00:00).
pub fn parse_vietnam_datetime(input: &str) -> Option<chrono::NaiveDateTime> {
    let s = input.trim();
    for f in [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return Some(from_vietnam(t));
        }
    }
    parse_date(s).map(|d| from_vietnam(d.and_time(chrono::NaiveTime::MIN)))
}

/// A date typed into a form: "2026-09-05" (a `date` field) or "05/09/2026".
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let s = input.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

/// The ISO form of a moment, for `<time datetime>` and scripts.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A time left, in words: "3 ngày 4 giờ", "5 giờ 12 phút", "12 phút", or "đã kết thúc".
pub fn remaining(from: DateTime<Utc>, until: DateTime<Utc>) -> String {
    let secs = (until - from).num_seconds();
    if secs <= 0 {
        return "đã kết thúc".to_owned();
    }
    let (days, hours, minutes) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    if days > 0 {
        if hours > 0 {
            format!("{days} ngày {hours} giờ")
        } else {
            format!("{days} ngày")
        }
    } else if hours > 0 {
        format!("{hours} giờ {minutes} phút")
    } else {
        format!("{} phút", minutes.max(1))
    }
}

/// Text that is not an amount of money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAnAmount;

/// Reads an amount typed the Vietnamese way ("1.234.567", "1 234 567 đ", "1234567"): digits
/// only, separators and the currency sign ignored. `None` for an empty field; `Err` for
/// anything else.
pub fn parse_vnd(input: &str) -> Result<Option<i64>, NotAnAmount> {
    let trimmed = input
        .trim()
        .trim_end_matches(['đ', 'Đ'])
        .trim_end_matches("VND")
        .trim_end_matches("vnd")
        .trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let mut digits = String::new();
    for ch in trimmed.chars() {
        match ch {
            '0'..='9' => digits.push(ch),
            '.' | ' ' | '\u{a0}' | '_' => {}
            _ => return Err(NotAnAmount),
        }
    }
    if digits.is_empty() || digits.len() > 18 {
        return Err(NotAnAmount);
    }
    digits.parse().map(Some).map_err(|_| NotAnAmount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnam_times_in_forms() {
        let t = parse_vietnam_datetime("2026-12-01T08:30").unwrap();
        assert_eq!(t.to_string(), "2026-12-01 01:30:00");
        assert_eq!(parse_vietnam_datetime("01/12/2026 08:30"), Some(t));
        assert_eq!(vietnam_input(t.and_utc()), "2026-12-01T08:30");
        assert_eq!(
            parse_vietnam_datetime("2026-12-01").unwrap().to_string(),
            "2026-11-30 17:00:00"
        );
        assert!(parse_vietnam_datetime("31/02/2026 08:00").is_none());
        assert_eq!(
            parse_date("05/09/2026"),
            NaiveDate::from_ymd_opt(2026, 9, 5)
        );
    }
    use chrono::TimeZone;

    #[test]
    fn numbers_and_money_the_vietnamese_way() {
        assert_eq!(number(0), "0");
        assert_eq!(number(999), "999");
        assert_eq!(number(1000), "1.000");
        assert_eq!(number(1_234_567), "1.234.567");
        assert_eq!(number(-45_000), "-45.000");
        assert_eq!(vnd(1_234_567), "1.234.567 đ");
        assert_eq!(percent(130.5), "130,5%");
        assert_eq!(percent(100.0), "100%");
        assert_eq!(percent(7.04), "7%");
    }

    #[test]
    fn dates_in_vietnam_time() {
        let t = Utc.with_ymd_and_hms(2026, 9, 5, 10, 0, 0).unwrap();
        assert_eq!(datetime(t), "05/09/2026 17:00");
        let late = Utc.with_ymd_and_hms(2026, 12, 31, 20, 30, 0).unwrap();
        assert_eq!(datetime(late), "01/01/2027 03:30");
        assert_eq!(
            date(NaiveDate::from_ymd_opt(2026, 1, 2).unwrap()),
            "02/01/2026"
        );
    }

    #[test]
    fn time_left_in_words() {
        let t = Utc.with_ymd_and_hms(2026, 9, 5, 10, 0, 0).unwrap();
        let h = chrono::Duration::hours;
        assert_eq!(remaining(t, t + h(76)), "3 ngày 4 giờ");
        assert_eq!(remaining(t, t + h(48)), "2 ngày");
        assert_eq!(
            remaining(t, t + chrono::Duration::minutes(312)),
            "5 giờ 12 phút"
        );
        assert_eq!(remaining(t, t + chrono::Duration::seconds(20)), "1 phút");
        assert_eq!(remaining(t, t - h(1)), "đã kết thúc");
    }

    #[test]
    fn amounts_typed_by_people() {
        assert_eq!(parse_vnd("1.234.567"), Ok(Some(1_234_567)));
        assert_eq!(parse_vnd(" 1 234 567 đ "), Ok(Some(1_234_567)));
        assert_eq!(parse_vnd("50000000VND"), Ok(Some(50_000_000)));
        assert_eq!(parse_vnd(""), Ok(None));
        assert_eq!(parse_vnd("12,5"), Err(NotAnAmount));
        assert_eq!(parse_vnd("mười triệu"), Err(NotAnAmount));
        assert_eq!(parse_vnd("-5"), Err(NotAnAmount));
        assert_eq!(parse_vnd("9999999999999999999999"), Err(NotAnAmount));
    }
}
