//! A user as the API and the pages send them, checked into `service::users` input.

use serde::Deserialize;

use super::{Checker, double_option};
use crate::auth::password;
use crate::domain::{Role, UserStatus, text};
use crate::error::AppError;
use crate::service::users::{NewUserInput, UserChanges};

/// A new user.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateUser {
    pub email: String,
    pub full_name: String,
    /// Optional unique member code (mã đoàn viên).
    pub member_code: Option<String>,
    pub phone: Option<String>,
    /// The union the user belongs to.
    pub union_id: i64,
    /// At least 8 characters; without one the account signs in after an invitation.
    pub password: Option<String>,
}

/// Changes to a user.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateUser {
    /// `active` or `disabled`.
    pub status: Option<UserStatus>,
    pub full_name: Option<String>,
    pub email: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub member_code: Option<Option<String>>,
    /// Move the member to another union (officers of both).
    pub union_id: Option<i64>,
}

/// A role to grant.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateGrant {
    pub role: Role,
    /// The union whose subtree the grant covers.
    pub union_id: i64,
    /// Reviewers only: the program.
    pub program_id: Option<i64>,
}

/// Filters for listing users.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UserQuery {
    /// Only users in this union's subtree.
    pub union_id: Option<i64>,
    /// Text in name, email or member code.
    pub q: Option<String>,
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// Checks a new user (the API and the page alike).
pub fn parse_create(b: CreateUser) -> Result<NewUserInput, AppError> {
    let mut c = Checker::default();
    let email = match text::parse_email(&b.email) {
        Ok(e) => e,
        Err(e) => {
            c.fail("email", e);
            String::new()
        }
    };
    let full_name = c.line("full_name", &b.full_name, text::NAME);
    let member_code = b
        .member_code
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(|m| c.code("member_code", m));
    let phone = c.opt_line("phone", b.phone.as_deref(), 20);
    if let Some(p) = &b.password
        && let Err(e) = password::check_strength(p)
    {
        c.fail("password", e);
    }
    c.finish()?;
    let input = NewUserInput {
        member_code,
        full_name,
        email,
        phone,
        union_id: b.union_id,
        password: b.password,
    };
    Ok(input)
}

/// Checks changes to a user's profile (the API and the page alike).
pub fn parse_update(b: &UpdateUser) -> Result<UserChanges, AppError> {
    let mut c = Checker::default();
    let email = b.email.as_deref().map(|e| match text::parse_email(e) {
        Ok(e) => e,
        Err(e) => {
            c.fail("email", e);
            String::new()
        }
    });
    let changes = UserChanges {
        full_name: b
            .full_name
            .as_deref()
            .map(|n| c.line("full_name", n, text::NAME)),
        email,
        phone: b
            .phone
            .as_ref()
            .map(|p| c.opt_line("phone", p.as_deref(), 20)),
        member_code: b.member_code.as_ref().map(|m| {
            m.as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(|m| c.code("member_code", m))
        }),
        union_id: b.union_id,
    };
    c.finish()?;
    Ok(changes)
}
