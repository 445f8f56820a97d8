//! An initiative draft and its co-authors as the API and the pages send them, checked into
//! `service::initiatives` input.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Checker, double_option};
use crate::domain::{InitiativeStatus, text};
use crate::error::AppError;
use crate::service::coauthors::{CoauthorInput, CoauthorRef};
use crate::service::initiatives::DraftInput;

/// A co-author and their contribution share. Naming someone new invites them: they are an
/// author only once they accept (`POST /api/v1/me/coauthor-invitations/{id}/accept`), and
/// their name is shown only then.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CoauthorBody {
    /// Their exact member code or email (anyone may be named so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
    /// Their user id, instead of `login`: only someone already on the initiative (accepted
    /// or invited) or a member of the author's own grassroots union.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// 1–100; the shares of the author and the accepted co-authors add up to 100 at
    /// submission.
    pub share_percent: i32,
    /// Invite again someone who declined.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reinvite: bool,
}

/// The content of a draft. On update, absent fields stay as they are and `null` clears.
/// (Serialised only to fingerprint a request for `Idempotency-Key`: absent and `null` differ.)
#[derive(Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DraftBody {
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<i64>)]
    pub phase_id: Option<Option<i64>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<i64>)]
    pub field_id: Option<Option<i64>>,
    pub title: Option<String>,
    /// Hiện trạng.
    pub current_situation: Option<String>,
    /// Nội dung giải pháp.
    pub solution: Option<String>,
    /// Phạm vi áp dụng.
    pub scope: Option<String>,
    /// Hiệu quả và lợi ích.
    pub benefits: Option<String>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<NaiveDate>)]
    pub first_applied_on: Option<Option<NaiveDate>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<i64>)]
    pub estimated_benefit_vnd: Option<Option<i64>>,
    pub confidential: Option<bool>,
    /// Co-authors other than the submitting author: the whole list (those left out are
    /// removed, their invitations withdrawn).
    pub coauthors: Option<Vec<CoauthorBody>>,
    /// The submitting author's share (default: 100 minus the co-authors').
    pub author_share_percent: Option<i32>,
}

/// A new draft.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CreateInitiative {
    pub program_id: i64,
    #[serde(flatten)]
    pub content: DraftBody,
}

/// An update: the content plus the version it was based on.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateInitiative {
    /// The `version` read; a stale one gets 409 `version_conflict`.
    pub version: i32,
    #[serde(flatten)]
    pub content: DraftBody,
}

/// Optional guard for submission.
#[derive(Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitBody {
    /// When given, must be the current version.
    pub version: Option<i32>,
}

/// Filters for listing initiatives.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct InitiativeQuery {
    pub program_id: Option<i64>,
    pub phase_id: Option<i64>,
    pub field_id: Option<i64>,
    /// Only initiatives of this union's subtree.
    pub union_id: Option<i64>,
    pub status: Option<InitiativeStatus>,
    /// Only initiatives this user authored or co-authored.
    pub author_id: Option<i64>,
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// Validates a draft's content (shared by the API and the initiative form).
pub fn parse(b: DraftBody) -> Result<DraftInput, AppError> {
    let mut c = Checker::default();
    let title = b.title.map(|t| c.line("title", &t, text::TITLE));
    let mut section = |name: &str, v: Option<String>| v.map(|s| c.text(name, &s, text::SECTION));
    let current_situation = section("current_situation", b.current_situation);
    let solution = section("solution", b.solution);
    let scope = section("scope", b.scope);
    let benefits = section("benefits", b.benefits);
    if b.estimated_benefit_vnd
        .flatten()
        .is_some_and(|v| !(0..=1_000_000_000_000_000).contains(&v))
    {
        c.fail(
            "estimated_benefit_vnd",
            "Giá trị làm lợi phải là số không âm, hợp lý.",
        );
    }
    if let Some(Some(d)) = b.first_applied_on
        && (d < NaiveDate::from_ymd_opt(1975, 1, 1).unwrap_or(d)
            || d > chrono::Utc::now().date_naive() + chrono::Duration::days(1))
    {
        c.fail(
            "first_applied_on",
            "Ngày áp dụng lần đầu không hợp lệ (không được ở tương lai).",
        );
    }
    let coauthors = b.coauthors.map(|entries| {
        entries
            .into_iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let name = format!("coauthors.{i}");
                let who = match (e.login, e.user_id) {
                    (Some(login), None) => {
                        let login = c.line(&name, &login, text::NAME);
                        CoauthorRef::Login(login)
                    }
                    (None, Some(id)) => CoauthorRef::Id(id),
                    _ => {
                        c.fail(
                            &name,
                            "Cần đúng một trong hai: login (mã đoàn viên hoặc email) hoặc user_id.",
                        );
                        return None;
                    }
                };
                Some(CoauthorInput {
                    who,
                    share_percent: e.share_percent,
                    reinvite: e.reinvite,
                })
            })
            .collect::<Vec<_>>()
    });
    if b.author_share_percent
        .is_some_and(|s| !(1..=100).contains(&s))
    {
        c.fail(
            "author_share_percent",
            "Tỷ lệ đóng góp phải từ 1% đến 100%.",
        );
    }
    c.finish()?;
    Ok(DraftInput {
        phase_id: b.phase_id,
        field_id: b.field_id,
        title,
        current_situation,
        solution,
        scope,
        benefits,
        first_applied_on: b.first_applied_on,
        estimated_benefit_vnd: b.estimated_benefit_vnd,
        confidential: b.confidential,
        coauthors,
        author_share_percent: b.author_share_percent,
    })
}
