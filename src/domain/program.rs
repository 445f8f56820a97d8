//! Programs (chương trình), their phases (đợt) and quota kinds (chỉ tiêu).

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// Where a program is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProgramStatus {
    /// Being prepared; members do not see it.
    Draft,
    /// Accepting initiatives in its open phases.
    Open,
    /// No longer accepting initiatives; review and counting go on.
    Closed,
    /// Finished and kept for the record.
    Archived,
}

impl ProgramStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Archived => "archived",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Draft, Self::Open, Self::Closed, Self::Archived]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    /// The Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Đang chuẩn bị",
            Self::Open => "Đang diễn ra",
            Self::Closed => "Đã kết thúc nhận",
            Self::Archived => "Đã lưu trữ",
        }
    }

    /// May the program be opened from here? (A closed program may be reopened.)
    pub fn can_open(self) -> bool {
        matches!(self, Self::Draft | Self::Closed)
    }

    /// May the program be closed from here?
    pub fn can_close(self) -> bool {
        self == Self::Open
    }
}

/// A phase's window, `[opens_at, closes_at)` in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhaseWindow {
    /// First instant of the window.
    pub opens_at: NaiveDateTime,
    /// First instant after the window.
    pub closes_at: NaiveDateTime,
}

impl PhaseWindow {
    /// A window; `None` unless it opens before it closes.
    pub fn new(opens_at: NaiveDateTime, closes_at: NaiveDateTime) -> Option<Self> {
        (opens_at < closes_at).then_some(Self {
            opens_at,
            closes_at,
        })
    }

    /// Is `at` inside the window?
    pub fn contains(&self, at: NaiveDateTime) -> bool {
        self.opens_at <= at && at < self.closes_at
    }

    /// Do two windows overlap?
    pub fn overlaps(&self, other: &PhaseWindow) -> bool {
        self.opens_at < other.closes_at && other.opens_at < self.closes_at
    }
}

/// How a quota is expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuotaKind {
    /// A number of approved initiatives.
    Absolute,
    /// Basis points of the union's members (1000 = 10%: "10 đoàn viên có 1 sáng kiến").
    PercentOfMembers,
}

impl QuotaKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Absolute => "absolute",
            Self::PercentOfMembers => "percent_of_members",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "absolute" => Some(Self::Absolute),
            "percent_of_members" => Some(Self::PercentOfMembers),
            _ => None,
        }
    }

    /// The target number of approved initiatives, rounding a share of members up.
    pub fn target(self, value: i64, members: i64) -> i64 {
        match self {
            Self::Absolute => value,
            Self::PercentOfMembers => (members.max(0) * value.max(0) + 9_999) / 10_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 7, d)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn window_is_half_open() {
        let w = PhaseWindow::new(at(1, 0), at(31, 17)).unwrap();
        assert!(w.contains(at(1, 0)));
        assert!(w.contains(at(31, 16)));
        assert!(!w.contains(at(31, 17)));
        assert!(PhaseWindow::new(at(2, 0), at(1, 0)).is_none());
        let later = PhaseWindow::new(at(31, 17), at(31, 18)).unwrap();
        assert!(!w.overlaps(&later));
    }

    #[test]
    fn status_transitions() {
        assert!(ProgramStatus::Draft.can_open());
        assert!(!ProgramStatus::Open.can_open());
        assert!(ProgramStatus::Open.can_close());
        assert!(!ProgramStatus::Archived.can_open());
    }

    #[test]
    fn quota_targets() {
        assert_eq!(QuotaKind::Absolute.target(50, 4012), 50);
        assert_eq!(QuotaKind::PercentOfMembers.target(1000, 4012), 402);
        assert_eq!(QuotaKind::PercentOfMembers.target(1000, 4010), 401);
        assert_eq!(QuotaKind::PercentOfMembers.target(1000, 0), 0);
    }
}
