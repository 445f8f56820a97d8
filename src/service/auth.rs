//! Signing in, and loading the acting user with their grants.

use serde::Serialize;

use crate::auth::{TokenKeys, password};
use crate::db::users::{self, UserRow};
use crate::db::{Db, unions};
use crate::domain::{Actor, Grant, Role, UnionPath, UserStatus};
use crate::error::{AppError, ErrorCode};

/// A successful sign-in.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    /// The bearer token.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

/// Signs in with an email or member code and a password. Unknown accounts and wrong
/// passwords get the same answer, after the same work.
#[tracing::instrument(skip_all)]
pub async fn login(
    db: &Db,
    keys: &TokenKeys,
    login: String,
    password_given: String,
) -> Result<TokenResponse, AppError> {
    let user = db
        .read(move |conn| Ok(users::find_by_login(conn, login.trim())?))
        .await?;
    let verified = tokio::task::spawn_blocking(move || match &user {
        Some(u) => match &u.password_hash {
            Some(h) => password::verify(&password_given, h).then(|| u.clone()),
            None => {
                password::verify_dummy(&password_given);
                None
            }
        },
        None => {
            password::verify_dummy(&password_given);
            None
        }
    })
    .await
    .map_err(AppError::internal)?;
    let user = verified.ok_or_else(|| AppError::new(ErrorCode::InvalidCredentials))?;
    if UserStatus::parse(&user.status) != UserStatus::Active {
        return Err(AppError::new(ErrorCode::AccountDisabled));
    }
    tracing::info!(user_id = user.id, "signed in");
    let (access_token, expires_in) = keys.issue(user.id)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in,
    })
}

/// The active user `user_id` with their grants, or `None` when the account is unknown or
/// disabled.
pub async fn load_actor(db: &Db, user_id: i64) -> Result<Option<(UserRow, Actor)>, AppError> {
    db.read(move |conn| actor_in(conn, user_id)).await
}

/// As [`load_actor`], on an open connection (the command line).
pub fn actor_in(
    conn: &mut crate::db::DbConn,
    user_id: i64,
) -> Result<Option<(UserRow, Actor)>, AppError> {
    let Some(user) = users::find(conn, user_id)? else {
        return Ok(None);
    };
    if UserStatus::parse(&user.status) != UserStatus::Active {
        return Ok(None);
    }
    let union = unions::find(conn, user.union_id)?.ok_or_else(AppError::not_found)?;
    let grants = users::grants(conn, user.id)?
        .into_iter()
        .filter_map(|g| {
            Some(Grant {
                role: Role::parse(&g.role)?,
                union_path: UnionPath::from_stored(g.union_path),
                program_id: g.program_id,
            })
        })
        .collect();
    let actor = Actor {
        user_id: user.id,
        union_path: UnionPath::from_stored(union.path),
        grants,
    };
    Ok(Some((user, actor)))
}
