//! Initiatives (sáng kiến): the status machine and the rules a submission must meet.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::FieldErrors;

/// Where an initiative is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InitiativeStatus {
    /// Nháp: the author is still writing it.
    Draft,
    /// Đã nộp: received, waiting for review.
    Submitted,
    /// Đang xét duyệt: a committee is reviewing it.
    UnderReview,
    /// Trả lại để chỉnh sửa: the author must revise and resubmit.
    Returned,
    /// Được thông qua: approved; counts toward quotas.
    Approved,
    /// Không thông qua: rejected.
    Rejected,
    /// Trùng lặp: a duplicate of an earlier initiative; never counted.
    Duplicate,
    /// Bị thu hồi: an approval revoked (e.g. fraud); no longer counted.
    Revoked,
}

impl InitiativeStatus {
    /// Every status.
    pub const ALL: [Self; 8] = [
        Self::Draft,
        Self::Submitted,
        Self::UnderReview,
        Self::Returned,
        Self::Approved,
        Self::Rejected,
        Self::Duplicate,
        Self::Revoked,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::UnderReview => "under_review",
            Self::Returned => "returned",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Duplicate => "duplicate",
            Self::Revoked => "revoked",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The Vietnamese name shown on badges.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Nháp",
            Self::Submitted => "Đã nộp",
            Self::UnderReview => "Đang xét duyệt",
            Self::Returned => "Trả lại để chỉnh sửa",
            Self::Approved => "Được thông qua",
            Self::Rejected => "Không thông qua",
            Self::Duplicate => "Trùng lặp",
            Self::Revoked => "Bị thu hồi",
        }
    }

    /// May the author edit the content in this status?
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }

    /// May the author submit (or resubmit) from this status?
    pub fn can_submit(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }

    /// Is `to` a permitted next status?
    pub fn can_become(self, to: Self) -> bool {
        use InitiativeStatus::*;
        matches!(
            (self, to),
            (Draft, Submitted)
                | (Returned, Submitted)
                | (Submitted, UnderReview)
                | (
                    Submitted | UnderReview,
                    Approved | Rejected | Returned | Duplicate
                )
                | (Approved, Revoked)
        )
    }

    /// What happens next, in the author's words, shown beside the badge.
    pub fn next_step(self) -> &'static str {
        match self {
            Self::Draft => "Hoàn thiện nội dung và nộp trước khi đợt kết thúc.",
            Self::Submitted => "Đang chờ Ban Tổ chức tiếp nhận và phân công xét duyệt.",
            Self::UnderReview => "Hội đồng đang xét duyệt sáng kiến.",
            Self::Returned => "Cần chỉnh sửa theo góp ý rồi nộp lại.",
            Self::Approved => "Được tính vào chỉ tiêu của công đoàn.",
            Self::Rejected => "Không được thông qua; xem lý do bên dưới.",
            Self::Duplicate => "Trùng lặp với sáng kiến đã nộp trước; không được tính.",
            Self::Revoked => "Kết quả đã bị thu hồi; không còn được tính.",
        }
    }

    /// The colour family of the badge: waiting, done, problem or neutral.
    pub fn tone(self) -> &'static str {
        match self {
            Self::Draft => "neutral",
            Self::Submitted | Self::UnderReview | Self::Returned => "waiting",
            Self::Approved => "done",
            Self::Rejected | Self::Duplicate | Self::Revoked => "problem",
        }
    }

    /// Has a decision been made (the author can no longer change it)?
    pub fn is_decided(self) -> bool {
        matches!(
            self,
            Self::Approved | Self::Rejected | Self::Duplicate | Self::Revoked
        )
    }
}

/// What a confidential initiative's title reads as, for those who may not see it.
pub const HIDDEN_TITLE: &str = "(Sáng kiến bảo mật)";

/// Whether an initiative's number and title may reach people who may not read it (a
/// reference in another initiative's decision and its email, the similar panel): once it is
/// submitted, unless it is confidential and not yet published (approved).
pub fn title_is_open(status: InitiativeStatus, confidential: bool) -> bool {
    status != InitiativeStatus::Draft && (!confidential || status == InitiativeStatus::Approved)
}

/// Where an invitation to co-author (lời mời đồng tác giả) stands. An accepted invitation is
/// no longer one: the co-author is then among the initiative's authors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    /// Chờ xác nhận: the invitee has not answered; the submission waits.
    Pending,
    /// Đã từ chối: the author may remove it or invite again.
    Declined,
}

impl InvitationStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Declined => "declined",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "declined" => Some(Self::Declined),
            _ => None,
        }
    }

    /// The Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Chờ xác nhận",
            Self::Declined => "Đã từ chối",
        }
    }
}

/// When a decision on an initiative received at `received` is due: three months later, as
/// the regulation on initiatives asks.
pub fn decision_due(received: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    received
        .checked_add_months(chrono::Months::new(3))
        .unwrap_or(received)
}

/// Authors and their contribution shares in percent; the first is the submitting author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shares(Vec<(i64, i32)>);

impl Shares {
    /// Checks each share is 1–100 and no author appears twice (the total is checked at
    /// submission, so that a draft may be saved half-filled).
    pub fn parse(entries: Vec<(i64, i32)>) -> Result<Self, String> {
        if entries.is_empty() {
            return Err("Cần ít nhất một tác giả.".to_owned());
        }
        if entries.len() > 50 {
            return Err("Tối đa 50 đồng tác giả.".to_owned());
        }
        let mut seen = HashSet::new();
        for (user, share) in &entries {
            if !(1..=100).contains(share) {
                return Err("Tỷ lệ đóng góp của mỗi tác giả phải từ 1% đến 100%.".to_owned());
            }
            if !seen.insert(*user) {
                return Err("Một người chỉ được ghi tên một lần.".to_owned());
            }
        }
        Ok(Self(entries))
    }

    /// The entries, submitting author first.
    pub fn entries(&self) -> &[(i64, i32)] {
        &self.0
    }

    /// The sum of shares.
    pub fn total(&self) -> i32 {
        self.0.iter().map(|(_, s)| s).sum()
    }
}

/// What a submission is checked against.
#[derive(Debug, Clone)]
pub struct SubmissionDraft<'a> {
    /// Title.
    pub title: &'a str,
    /// Field chosen?
    pub has_field: bool,
    /// Hiện trạng.
    pub current_situation: &'a str,
    /// Nội dung giải pháp.
    pub solution: &'a str,
    /// Phạm vi áp dụng.
    pub scope: &'a str,
    /// Hiệu quả, lợi ích.
    pub benefits: &'a str,
    /// Ngày áp dụng lần đầu.
    pub first_applied_on: Option<NaiveDate>,
    /// The program's eligibility window for the first application date.
    pub applied_window: (Option<NaiveDate>, Option<NaiveDate>),
    /// Sum of authors' shares.
    pub shares_total: i32,
}

/// Fewest characters a section must have to be submitted.
pub const MIN_SECTION_CHARS: usize = 20;

/// Checks that a draft is complete enough to submit, giving per-field problems.
pub fn check_submission(d: &SubmissionDraft<'_>) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    if d.title.chars().count() < 5 {
        errors.insert("title".into(), "Cần nhập tên sáng kiến.".into());
    }
    if !d.has_field {
        errors.insert("field_id".into(), "Cần chọn lĩnh vực.".into());
    }
    for (name, value, label) in [
        ("current_situation", d.current_situation, "hiện trạng"),
        ("solution", d.solution, "nội dung giải pháp"),
        ("scope", d.scope, "phạm vi áp dụng"),
        ("benefits", d.benefits, "hiệu quả và lợi ích"),
    ] {
        if value.chars().count() < MIN_SECTION_CHARS {
            errors.insert(
                name.into(),
                format!("Cần mô tả {label} (ít nhất {MIN_SECTION_CHARS} ký tự)."),
            );
        }
    }
    match d.first_applied_on {
        None => {
            errors.insert(
                "first_applied_on".into(),
                "Cần nhập ngày áp dụng lần đầu.".into(),
            );
        }
        Some(date) => {
            let (from, to) = d.applied_window;
            if from.is_some_and(|f| date < f) || to.is_some_and(|t| date > t) {
                errors.insert(
                    "first_applied_on".into(),
                    "Ngày áp dụng lần đầu nằm ngoài thời gian chương trình chấp nhận.".into(),
                );
            }
        }
    }
    if d.shares_total != 100 {
        errors.insert(
            "coauthors".into(),
            format!(
                "Tổng tỷ lệ đóng góp của các tác giả phải bằng 100% (hiện là {}%).",
                d.shares_total
            ),
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use InitiativeStatus::*;

    #[test]
    fn decisions_are_due_three_months_after_receipt() {
        let at = |y, m, d| {
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(9, 30, 0)
                .unwrap()
        };
        assert_eq!(decision_due(at(2026, 11, 23)), at(2027, 2, 23));
        // The end of a shorter month is clamped, never rolled over.
        assert_eq!(decision_due(at(2026, 11, 30)), at(2027, 2, 28));
    }

    #[test]
    fn status_machine() {
        assert!(Draft.can_become(Submitted));
        assert!(Returned.can_become(Submitted));
        assert!(Submitted.can_become(Approved));
        assert!(UnderReview.can_become(Duplicate));
        assert!(Approved.can_become(Revoked));
        assert!(!Draft.can_become(Approved));
        assert!(!Approved.can_become(Submitted));
        assert!(!Rejected.can_become(Approved));
        assert!(!Revoked.can_become(Approved));
        for s in InitiativeStatus::ALL {
            assert_eq!(InitiativeStatus::parse(s.as_str()), Some(s));
            assert_eq!(s.is_editable(), s.can_submit());
        }
    }

    #[test]
    fn invitation_statuses_round_trip() {
        for s in [InvitationStatus::Pending, InvitationStatus::Declined] {
            assert_eq!(InvitationStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(InvitationStatus::parse("accepted"), None);
    }

    #[test]
    fn shares() {
        assert!(Shares::parse(vec![]).is_err());
        assert!(Shares::parse(vec![(1, 0)]).is_err());
        assert!(Shares::parse(vec![(1, 50), (1, 50)]).is_err());
        let s = Shares::parse(vec![(1, 60), (2, 30)]).unwrap();
        assert_eq!(s.total(), 90);
    }

    fn complete() -> SubmissionDraft<'static> {
        SubmissionDraft {
            title: "Số hoá hồ sơ lưu trữ",
            has_field: true,
            current_situation: "Hồ sơ giấy lưu trữ phân tán, khó tra cứu.",
            solution: "Quét và lập chỉ mục toàn bộ hồ sơ bằng phần mềm.",
            scope: "Toàn bộ các phòng nghiệp vụ của đơn vị.",
            benefits: "Tiết kiệm 30 phút cho mỗi lần tra cứu hồ sơ.",
            first_applied_on: NaiveDate::from_ymd_opt(2026, 3, 1),
            applied_window: (NaiveDate::from_ymd_opt(2026, 1, 1), None),
            shares_total: 100,
        }
    }

    #[test]
    fn submission_checks() {
        assert!(check_submission(&complete()).is_ok());
        let mut d = complete();
        d.solution = "ngắn";
        d.shares_total = 90;
        d.first_applied_on = NaiveDate::from_ymd_opt(2025, 12, 31);
        let errs = check_submission(&d).unwrap_err();
        assert!(errs.contains_key("solution"));
        assert!(errs.contains_key("coauthors"));
        assert!(errs.contains_key("first_applied_on"));
        assert_eq!(errs.len(), 3);
    }
}
