//! Programs (chương trình), their phases (đợt) and quota kinds (chỉ tiêu).

use chrono::{NaiveDate, NaiveDateTime};
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

    /// May the program be archived from here? (Only once it no longer accepts initiatives.)
    pub fn can_archive(self) -> bool {
        self == Self::Closed
    }

    /// Has the program ever accepted initiatives, so that its past is fixed?
    pub fn has_run(self) -> bool {
        self != Self::Draft
    }
}

/// Why a change to a phase's window of a program that has run is refused: moving an instant
/// that is already past would change which submissions were on time (and, with them, past
/// decisions). `None`: the change is allowed. Drafts may change freely.
pub fn phase_change_refusal(
    now: NaiveDateTime,
    old: Option<&PhaseWindow>,
    new: &PhaseWindow,
) -> Option<&'static str> {
    match old {
        None => (new.opens_at < now).then_some(
            "Chương trình đã diễn ra: đợt mới phải bắt đầu từ bây giờ trở đi, không thể thêm một đợt trong quá khứ.",
        ),
        Some(old) => {
            if old.opens_at != new.opens_at && (old.opens_at <= now || new.opens_at < now) {
                Some(
                    "Đợt đã bắt đầu: không thể đổi thời điểm bắt đầu, vì các sáng kiến đã nộp trong đợt được tính theo thời điểm này.",
                )
            } else if old.closes_at != new.closes_at && (old.closes_at <= now || new.closes_at < now)
            {
                Some(
                    "Đợt đã kết thúc hoặc thời điểm kết thúc mới đã qua: không thể đổi, vì việc nhận hay từ chối các sáng kiến đã nộp dựa trên thời điểm này.",
                )
            } else {
                None
            }
        }
    }
}

/// Why narrowing the eligibility window (the first-application date) of a program that has
/// run is refused: initiatives already accepted under the wider window would become
/// ineligible. Widening is allowed. `None`: allowed.
pub fn eligibility_change_refusal(
    old: (Option<NaiveDate>, Option<NaiveDate>),
    new: (Option<NaiveDate>, Option<NaiveDate>),
) -> Option<&'static str> {
    let from_narrower = match (old.0, new.0) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(o), Some(n)) => n > o,
    };
    let to_narrower = match (old.1, new.1) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(o), Some(n)) => n < o,
    };
    (from_narrower || to_narrower).then_some(
        "Chương trình đã diễn ra: chỉ có thể mở rộng khoảng ngày áp dụng, không thể thu hẹp, vì các sáng kiến đã được nhận theo khoảng ngày cũ.",
    )
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
    fn a_running_programs_past_is_fixed() {
        let now = at(10, 0);
        let w = PhaseWindow::new(at(1, 0), at(20, 0)).unwrap();
        // Extending a running phase's end is fine; moving its start is not.
        let longer = PhaseWindow::new(at(1, 0), at(25, 0)).unwrap();
        assert_eq!(phase_change_refusal(now, Some(&w), &longer), None);
        let later_start = PhaseWindow::new(at(2, 0), at(20, 0)).unwrap();
        assert!(phase_change_refusal(now, Some(&w), &later_start).is_some());
        // Closing it in the past is refused; a phase already over cannot change.
        let ended = PhaseWindow::new(at(1, 0), at(5, 0)).unwrap();
        assert!(phase_change_refusal(now, Some(&w), &ended).is_some());
        let reopened = PhaseWindow::new(at(1, 0), at(12, 0)).unwrap();
        assert!(phase_change_refusal(now, Some(&ended), &reopened).is_some());
        // A future phase moves freely, but not into the past; new phases start from now.
        let future = PhaseWindow::new(at(21, 0), at(28, 0)).unwrap();
        let moved = PhaseWindow::new(at(22, 0), at(29, 0)).unwrap();
        assert_eq!(phase_change_refusal(now, Some(&future), &moved), None);
        assert!(phase_change_refusal(now, Some(&future), &w).is_some());
        assert_eq!(phase_change_refusal(now, None, &future), None);
        assert!(phase_change_refusal(now, None, &w).is_some());
    }

    #[test]
    fn eligibility_may_only_widen_once_running() {
        let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d);
        let old = (d(1, 1), d(12, 31));
        assert_eq!(eligibility_change_refusal(old, (d(1, 1), None)), None);
        assert_eq!(eligibility_change_refusal(old, (None, d(12, 31))), None);
        assert!(eligibility_change_refusal(old, (d(2, 1), d(12, 31))).is_some());
        assert!(eligibility_change_refusal(old, (d(1, 1), d(6, 30))).is_some());
        assert!(eligibility_change_refusal((None, None), (d(1, 1), None)).is_some());
        assert!(ProgramStatus::Closed.can_archive());
        assert!(!ProgramStatus::Open.can_archive());
    }

    #[test]
    fn quota_targets() {
        assert_eq!(QuotaKind::Absolute.target(50, 4012), 50);
        assert_eq!(QuotaKind::PercentOfMembers.target(1000, 4012), 402);
        assert_eq!(QuotaKind::PercentOfMembers.target(1000, 4010), 401);
        assert_eq!(QuotaKind::PercentOfMembers.target(1000, 0), 0);
    }
}
