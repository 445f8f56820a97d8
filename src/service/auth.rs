//! Signing in and out, sessions, sign-in throttling, and loading the acting user with their
//! grants.

use serde::Serialize;

use crate::auth::token::TokenSubject;
use crate::auth::{TokenKeys, password};
use crate::config::AuthSettings;
use crate::db::users::{self, UserRow};
use crate::db::{self, Db, audit, sessions, unions};
use crate::domain::{Action, Actor, Grant, Resource, Role, UnionPath, UserStatus, can};
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

/// Who is asking, as far as the network tells: their address and browser.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// The client's IP address (the peer, or the last proxy hop when trusted).
    pub address: String,
    /// The `User-Agent` header, cut to 200 characters.
    pub user_agent: String,
}

/// The throttle key of a login: a digest of the login as typed (trimmed, lower case), so
/// that unknown and known accounts are limited alike and nothing typed is stored.
fn login_key(login: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(login.trim().to_lowercase().as_bytes());
    format!("login:{}", hex::encode(&digest[..16]))
}

/// The throttle key of an address: IPv4 as is, IPv6 by its /64 (one household or phone
/// network holds a whole /64).
pub fn address_key(address: &str) -> String {
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("addr:{v4}"),
            None => {
                let s = v6.segments();
                format!("addr:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(ip) => format!("addr:{ip}"),
        Err(_) => format!("addr:{}", address.chars().take(64).collect::<String>()),
    }
}

/// `too_many_attempts`, telling when to try again.
fn too_many(retry_after: i64) -> AppError {
    let minutes = (retry_after + 59) / 60;
    AppError::new(ErrorCode::TooManyAttempts)
        .with_message(format!(
            "Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
        ))
        .with_details(serde_json::json!({ "retry_after_seconds": retry_after }))
}

/// Signs in with an email or member code and a password, opening a session. Unknown accounts
/// and wrong passwords get the same answer, after the same work. Failures are counted per
/// login and per client address; over the limits of `[auth.lockout]` and
/// `[auth.address_limit]`, attempts are refused with `too_many_attempts` (429) without
/// checking the password.
#[tracing::instrument(skip_all)]
pub async fn login(
    db: &Db,
    keys: &TokenKeys,
    settings: &AuthSettings,
    login: String,
    password_given: String,
    client: &Client,
) -> Result<TokenResponse, AppError> {
    let keys_of = vec![login_key(&login), address_key(&client.address)];
    let (user, states) = {
        let keys_of = keys_of.clone();
        db.read(move |conn| {
            let user = users::find_by_login(conn, login.trim())?;
            let states = sessions::throttle_states(conn, &keys_of)?;
            Ok((user, states))
        })
        .await?
    };
    let now = db::now();
    if let Some(wait) = states.iter().filter_map(|s| s.retry_after(now)).max() {
        tracing::info!(retry_after = wait, "sign-in refused: locked");
        return Err(too_many(wait));
    }
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
    let Some(user) = verified else {
        let (lockout, address_limit) = (settings.lockout, settings.address_limit);
        let locked = db
            .write(move |conn| {
                let now = db::now();
                let a = sessions::record_failure(conn, &keys_of[0], &lockout, now)?;
                let b = sessions::record_failure(conn, &keys_of[1], &address_limit, now)?;
                Ok(a.locked_until.is_some() || b.locked_until.is_some())
            })
            .await?;
        tracing::info!(locked, "sign-in failed");
        return Err(AppError::new(ErrorCode::InvalidCredentials));
    };
    if UserStatus::parse(&user.status) != UserStatus::Active {
        return Err(AppError::new(ErrorCode::AccountDisabled));
    }
    let session_id = new_session_id();
    let (access_token, expires_in) = keys.issue(user.id, &session_id)?;
    let client = client.clone();
    let user_id = user.id;
    db.write(move |conn| {
        let now = db::now();
        sessions::clear(conn, &keys_of[0])?;
        sessions::insert(
            conn,
            &sessions::NewSession {
                id: &session_id,
                user_id,
                created_at: now,
                expires_at: now + chrono::TimeDelta::seconds(expires_in),
                client_address: &client.address,
                user_agent: &client.user_agent,
            },
        )?;
        // Forget throttle rows quiet for a day (now and then, not on every sign-in).
        if rand::random::<u8>() < 4 {
            sessions::prune_throttle(conn, now - chrono::TimeDelta::days(1))?;
        }
        Ok(())
    })
    .await?;
    tracing::info!(user_id, "signed in");
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in,
    })
}

/// A signed-in session as its owner sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    /// The session's id.
    pub id: String,
    /// When it was opened.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When it ends by itself.
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// The address it was opened from.
    pub client_address: String,
    /// The browser it was opened with.
    pub user_agent: String,
    /// Whether it is the session asking.
    pub current: bool,
}

/// The actor's live sessions, newest first.
pub async fn sessions_of(
    db: &Db,
    user_id: i64,
    current: &str,
) -> Result<Vec<SessionInfo>, AppError> {
    let current = current.to_owned();
    let rows = db
        .read(move |conn| Ok(sessions::live_of(conn, user_id, db::now())?))
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| SessionInfo {
            current: r.id == current,
            id: r.id,
            created_at: r.created_at.and_utc(),
            expires_at: r.expires_at.and_utc(),
            client_address: r.client_address,
            user_agent: r.user_agent,
        })
        .collect())
}

/// Ends one of the user's own sessions (signing out is ending the current one).
pub async fn sign_out(db: &Db, user_id: i64, session_id: String) -> Result<(), AppError> {
    let revoked = db
        .write(move |conn| Ok(sessions::revoke(conn, user_id, &session_id, db::now())?))
        .await?;
    if revoked {
        Ok(())
    } else {
        Err(AppError::not_found())
    }
}

/// Ends every session of the actor ("sign out everywhere"), the asking one included; returns
/// how many ended.
pub async fn sign_out_everywhere(db: &Db, user_id: i64) -> Result<usize, AppError> {
    db.write(move |conn| {
        let now = db::now();
        let n = sessions::revoke_all(conn, user_id, None, now)?;
        audit::record(
            conn,
            &audit::NewAudit {
                actor_id: Some(user_id),
                entity_type: "user",
                entity_id: user_id,
                action: "signed_out_everywhere",
                from_state: None,
                to_state: None,
                comment: None,
                created_at: now,
            },
        )?;
        tracing::info!(user_id, sessions = n, "signed out everywhere");
        Ok(n)
    })
    .await
}

/// Ends every session of another user (an officer over their union, or a system
/// administrator), e.g. after a lost phone; audited. Returns how many ended.
pub async fn revoke_sessions_of(db: &Db, actor: &Actor, user_id: i64) -> Result<usize, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (_, path) = crate::service::users::load_visible(conn, &actor, user_id)?;
        let resource = Resource::User {
            id: user_id,
            union_path: &path,
        };
        if !can(&actor, Action::ManageUser, resource) {
            return Err(AppError::forbidden());
        }
        let now = db::now();
        let n = sessions::revoke_all(conn, user_id, None, now)?;
        audit::record(
            conn,
            &audit::NewAudit {
                actor_id: Some(actor.user_id),
                entity_type: "user",
                entity_id: user_id,
                action: "sessions_revoked",
                from_state: None,
                to_state: None,
                comment: None,
                created_at: now,
            },
        )?;
        Ok(n)
    })
    .await
}

/// Changes the actor's password after checking the current one (throttled like a sign-in),
/// and ends their other sessions.
pub async fn change_password(
    db: &Db,
    settings: &AuthSettings,
    user_id: i64,
    session_id: String,
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    password::check_strength(&new_password).map_err(|e| AppError::field("new_password", e))?;
    let key = format!("password:{user_id}");
    let (user, states) = {
        let key = key.clone();
        db.read(move |conn| {
            let user = users::find(conn, user_id)?.ok_or_else(AppError::not_found)?;
            Ok((user, sessions::throttle_states(conn, &[key])?))
        })
        .await?
    };
    let now = db::now();
    if let Some(wait) = states.iter().filter_map(|s| s.retry_after(now)).max() {
        return Err(too_many(wait));
    }
    let old_hash = user.password_hash.clone();
    let checked = tokio::task::spawn_blocking(move || {
        let ok = match &old_hash {
            Some(h) => password::verify(&current_password, h),
            None => false,
        };
        ok.then(|| password::hash(&new_password)).transpose()
    })
    .await
    .map_err(AppError::internal)??;
    let Some(hash) = checked else {
        let lockout = settings.lockout;
        db.write(move |conn| {
            sessions::record_failure(conn, &key, &lockout, db::now())?;
            Ok(())
        })
        .await?;
        return Err(AppError::bad_field(
            "current_password",
            "Mật khẩu hiện tại không đúng.",
        ));
    };
    db.write(move |conn| {
        let now = db::now();
        if !users::replace_password(conn, user_id, user.password_hash.as_deref(), &hash, now)? {
            return Err(AppError::new(ErrorCode::VersionConflict));
        }
        sessions::clear(conn, &key)?;
        let ended = sessions::revoke_all(conn, user_id, Some(&session_id), now)?;
        audit::record(
            conn,
            &audit::NewAudit {
                actor_id: Some(user_id),
                entity_type: "user",
                entity_id: user_id,
                action: "password_changed",
                from_state: None,
                to_state: None,
                comment: None,
                created_at: now,
            },
        )?;
        tracing::info!(user_id, other_sessions_ended = ended, "password changed");
        Ok(())
    })
    .await
}

/// The active user of a live session, with their grants; `None` when the session has ended
/// or the account is unknown or disabled.
pub async fn load_session_actor(
    db: &Db,
    subject: TokenSubject,
) -> Result<Option<(UserRow, Actor)>, AppError> {
    db.read(move |conn| {
        // The session and the user in one query.
        match sessions::live_user(conn, &subject.session_id, subject.user_id, db::now())? {
            Some(user) => actor_of(conn, user),
            None => Ok(None),
        }
    })
    .await
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
    actor_of(conn, user)
}

/// The actor of a user row, with their grants; `None` when the account is disabled.
fn actor_of(
    conn: &mut crate::db::DbConn,
    user: UserRow,
) -> Result<Option<(UserRow, Actor)>, AppError> {
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

/// A fresh session id: 128 random bits in hex.
fn new_session_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::address_key;

    #[test]
    fn addresses_are_counted_by_host_or_by_ipv6_network() {
        assert_eq!(address_key("203.0.113.7"), "addr:203.0.113.7");
        assert_eq!(
            address_key("2001:db8:1:2:aaaa::1"),
            address_key("2001:db8:1:2:bbbb::9")
        );
        assert_ne!(
            address_key("2001:db8:1:2::1"),
            address_key("2001:db8:1:3::1")
        );
        assert_eq!(address_key("::ffff:203.0.113.7"), "addr:203.0.113.7");
    }
}
