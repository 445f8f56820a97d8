//! A union as the API and the pages send it, checked into `service::unions` input.

use serde::Deserialize;

use super::{Checker, double_option};
use crate::domain::text;
use crate::error::AppError;
use crate::service::unions::{NewUnionInput, UnionChanges};

/// A new child union.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateUnion {
    /// The parent union.
    pub parent_id: i64,
    /// `federation`, `direct_upper`, `grassroots` or `group`; by default the kind below the
    /// parent's. It must be one the parent's kind may hold (a federation holds direct
    /// upper-level and grassroots unions).
    pub kind: Option<String>,
    /// Unique code: ASCII letters, digits, `-`, `_`, `.`.
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    /// Emulation cluster (cụm thi đua).
    pub cluster: Option<String>,
    #[serde(default)]
    pub member_count: i32,
}

/// Changes to a union (absent fields stay as they are; `null` clears).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateUnion {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub short_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub cluster: Option<Option<String>>,
    pub member_count: Option<i32>,
    pub active: Option<bool>,
}

/// Checks a new union (the API and the page alike).
pub fn parse_create(b: &CreateUnion) -> Result<NewUnionInput, AppError> {
    let mut c = Checker::default();
    let kind = match b.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => {
            let parsed = crate::domain::UnionKind::parse(k);
            if parsed.is_none() {
                c.fail(
                    "kind",
                    "Loại đơn vị là một trong: federation, direct_upper, grassroots, group.",
                );
            }
            parsed
        }
    };
    let input = NewUnionInput {
        parent_id: b.parent_id,
        kind,
        code: c.code("code", &b.code),
        name: c.line("name", &b.name, text::NAME),
        short_name: c.opt_line("short_name", b.short_name.as_deref(), 100),
        cluster: c.opt_line("cluster", b.cluster.as_deref(), 200),
        member_count: b.member_count,
    };
    if !(0..=10_000_000).contains(&b.member_count) {
        c.fail("member_count", "Số đoàn viên không hợp lệ.");
    }
    c.finish()?;
    Ok(input)
}

/// Checks changes to a union (the API and the page alike).
pub fn parse_update(b: &UpdateUnion) -> Result<UnionChanges, AppError> {
    let mut c = Checker::default();
    let changes = UnionChanges {
        name: b.name.as_deref().map(|n| c.line("name", n, text::NAME)),
        short_name: b
            .short_name
            .as_ref()
            .map(|s| c.opt_line("short_name", s.as_deref(), 100)),
        cluster: b
            .cluster
            .as_ref()
            .map(|s| c.opt_line("cluster", s.as_deref(), 200)),
        member_count: b.member_count,
        active: b.active,
    };
    if b.member_count
        .is_some_and(|m| !(0..=10_000_000).contains(&m))
    {
        c.fail("member_count", "Số đoàn viên không hợp lệ.");
    }
    c.finish()?;
    Ok(changes)
}

/// Where a union moves.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MoveUnion {
    /// The new parent: same level as the current one, not inside the union's own subtree.
    pub parent_id: i64,
}

/// A search of a union's subtree.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UnionSearch {
    /// Text in the name or code (1–100 characters).
    #[param(min_length = 1, max_length = 100)]
    pub q: String,
}

/// How deep a subtree listing goes.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SubtreeQuery {
    /// Levels below the union (0–4, default all).
    pub depth: Option<i32>,
}
