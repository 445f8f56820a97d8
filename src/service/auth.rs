//! Signing in and out, sessions, sign-in throttling, and loading the acting user with their
//! grants.
//!
//! Calls `users::load_visible` one way (whose sessions an officer may end).

use serde::Serialize;

use crate::auth::token::TokenSubject;
use crate::auth::{TokenKeys, password};
use crate::config::AuthSettings;
use crate::db::users::{self, UserRow};
use crate::db::{self, Db, audit, sessions, unions};
use crate::domain::throttle::sign_in_keys;
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
/// account (or, for a login that names none, per login as typed) and per client address
/// (`domain::throttle`); over the limits of `[auth.lockout]` and `[auth.address_limit]`,
/// attempts are refused with `too_many_attempts` (429) without checking the password.
///
/// Whether the account may sign in at all (`can(actor, SignIn)`: not disabled, its union in
/// operation) is said only after the right password, and that refusal counts as a failure
/// too: both answers do the same work, and guessing the password of an account that may not
/// sign in is bounded like any other.
#[tracing::instrument(skip_all)]
pub async fn login(
    db: &Db,
    keys: &TokenKeys,
    settings: &AuthSettings,
    login: String,
    password_given: String,
    client: &Client,
) -> Result<TokenResponse, AppError> {
    let address = client.address.clone();
    let (user, refusal, keys_of, states) = db
        .read(move |conn| {
            let user = users::find_by_login(conn, login.trim())?;
            let refusal = match &user {
                Some(u) => refusal_in(conn, u)?,
                None => None,
            };
            let keys_of = sign_in_keys(&login, user.as_ref().map(|u| u.id), &address);
            let states = sessions::throttle_states(conn, &keys_of)?;
            Ok((user, refusal, keys_of, states))
        })
        .await?;
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
    let outcome = match (verified, refusal) {
        (Some(user), None) => Ok(user),
        // The right password: now, and only now, say why the account may not sign in.
        (Some(user), Some(refusal)) => {
            tracing::info!(user_id = user.id, code = ?refusal.code, "sign-in refused");
            Err(refusal)
        }
        (None, _) => Err(AppError::new(ErrorCode::InvalidCredentials)),
    };
    let user = match outcome {
        Ok(user) => user,
        Err(answer) => {
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
            return Err(answer);
        }
    };
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
                last_seen_at: now,
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

/// Why the account of `user` may not sign in, as the answer to give (after the right
/// password only), or `None` when it may: disabled (`account_disabled`), or refused by
/// `can(actor, SignIn)` because its union has stopped operating (`union_inactive`, naming
/// the union).
pub fn refusal_in(
    conn: &mut crate::db::DbConn,
    user: &UserRow,
) -> Result<Option<AppError>, AppError> {
    if UserStatus::parse(&user.status) != UserStatus::Active {
        return Ok(Some(AppError::new(ErrorCode::AccountDisabled)));
    }
    let (actor, closed) = actor_parts(conn, user)?;
    if can(&actor, Action::SignIn, Resource::System) {
        return Ok(None);
    }
    let mut e = AppError::new(ErrorCode::UnionInactive);
    if let Some(union) = closed.first() {
        e = e.with_message(format!(
            "Đơn vị {} đã ngừng hoạt động nên tài khoản không đăng nhập được. Vui lòng liên hệ công đoàn cấp trên.",
            union.name
        ));
    }
    Ok(Some(e))
}

/// Why an active account cannot sign in, for the officers who manage it (the member page);
/// `None` when it can, or when it is disabled (which the page shows already).
pub async fn sign_in_barred_because(db: &Db, user_id: i64) -> Result<Option<String>, AppError> {
    db.read(move |conn| {
        let Some(user) = users::find(conn, user_id)? else {
            return Ok(None);
        };
        if UserStatus::parse(&user.status) != UserStatus::Active {
            return Ok(None);
        }
        let (actor, closed) = actor_parts(conn, &user)?;
        if can(&actor, Action::SignIn, Resource::System) {
            return Ok(None);
        }
        let name = closed
            .first()
            .map_or_else(String::new, |u| format!(" {}", u.name));
        Ok(Some(format!(
            "Đơn vị{name} đã ngừng hoạt động: tài khoản không đăng nhập được."
        )))
    })
    .await
}

/// Ends the sessions of everyone who may no longer sign in now that the subtree at `path` has
/// stopped operating: members of a union in it, and holders of a role over one, unless
/// `can(actor, SignIn)` still lets them in (another role over a union in operation). Runs in
/// the deactivation's transaction; returns how many sessions ended.
pub fn end_barred_sessions_in(
    conn: &mut crate::db::DbConn,
    path: &str,
    now: chrono::NaiveDateTime,
) -> Result<usize, AppError> {
    let mut ended = 0;
    for user_id in sessions::users_in_subtree_with_live_sessions(conn, path, now)? {
        let Some(user) = users::find(conn, user_id)? else {
            continue;
        };
        let (actor, _) = actor_parts(conn, &user)?;
        if !can(&actor, Action::SignIn, Resource::System) {
            ended += sessions::revoke_all(conn, user_id, None, now)?;
        }
    }
    Ok(ended)
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

/// The actor's live sessions (idle ones, past `auth.idle_timeout_minutes`, are not), newest
/// first.
pub async fn sessions_of(
    db: &Db,
    settings: &AuthSettings,
    user_id: i64,
    current: &str,
) -> Result<Vec<SessionInfo>, AppError> {
    let current = current.to_owned();
    let rows = db
        .read(move |conn| Ok(sessions::live_of(conn, user_id, db::now())?))
        .await?;
    let idle_since = db::now() - settings.idle_timeout();
    Ok(rows
        .into_iter()
        .filter(|r| r.last_seen_at > idle_since)
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

/// How long a session's last-seen time may lag behind before a request moves it on: the
/// idle timeout is counted in minutes, so one write a minute per session is enough.
const TOUCH_EVERY: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

/// The user of a live session who may still sign in, with their grants; `None` when the
/// session has ended (signed out, expired, or idle longer than `auth.idle_timeout_minutes`)
/// or the account is unknown, disabled, or refused by `can(actor, SignIn)`. The session's
/// last-seen time is moved on when it is more than a minute old (not a write per request).
pub async fn load_session_actor(
    db: &Db,
    settings: &AuthSettings,
    subject: TokenSubject,
) -> Result<Option<(UserRow, Actor)>, AppError> {
    let idle = settings.idle_timeout();
    let session_id = subject.session_id.clone();
    let now = db::now();
    let found = db
        .read(move |conn| {
            // The session and the user in one query.
            match sessions::live_user(conn, &subject.session_id, subject.user_id, now, now - idle)?
            {
                Some((user, last_seen)) => Ok(actor_of(conn, user)?.map(|a| (a, last_seen))),
                None => Ok(None),
            }
        })
        .await?;
    let Some((found, last_seen)) = found else {
        return Ok(None);
    };
    if now - last_seen > TOUCH_EVERY {
        db.write(move |conn| Ok(sessions::touch(conn, &session_id, now, now - TOUCH_EVERY)?))
            .await?;
    }
    Ok(Some(found))
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

/// The actor of a user row, with their grants; `None` when the account is disabled or may
/// not sign in (`can(actor, SignIn)`: its union has stopped operating).
fn actor_of(
    conn: &mut crate::db::DbConn,
    user: UserRow,
) -> Result<Option<(UserRow, Actor)>, AppError> {
    if UserStatus::parse(&user.status) != UserStatus::Active {
        return Ok(None);
    }
    let (actor, _) = actor_parts(conn, &user)?;
    if !can(&actor, Action::SignIn, Resource::System) {
        return Ok(None);
    }
    Ok(Some((user, actor)))
}

/// The actor of a user row with their grants, whatever the account's status, and the unions
/// on the user's own path that have stopped operating (from the top down). Whether each
/// union is in operation takes its whole path: a union under a closed one is closed too.
fn actor_parts(
    conn: &mut crate::db::DbConn,
    user: &UserRow,
) -> Result<(Actor, Vec<unions::UnionRow>), AppError> {
    let union = unions::find(conn, user.union_id)?.ok_or_else(AppError::not_found)?;
    let union_path = UnionPath::from_stored(union.path);
    let grants = users::grants(conn, user.id)?;
    let mut ids = union_path.ids();
    for g in &grants {
        ids.extend(UnionPath::from_stored(g.union_path.clone()).ids());
    }
    ids.sort_unstable();
    ids.dedup();
    let closed_ids: Vec<i64> = unions::inactive_among(conn, &ids)?
        .iter()
        .map(|u| u.id)
        .collect();
    let in_operation = |path: &UnionPath| path.ids().iter().all(|id| !closed_ids.contains(id));
    let grants = grants
        .into_iter()
        .filter_map(|g| {
            let union_path = UnionPath::from_stored(g.union_path);
            Some(Grant {
                role: Role::parse(&g.role)?,
                in_operation: in_operation(&union_path),
                union_path,
                program_id: g.program_id,
            })
        })
        .collect();
    let own_ids = union_path.ids();
    let closed_here = if in_operation(&union_path) {
        Vec::new()
    } else {
        unions::inactive_among(conn, &own_ids)?
    };
    // Closed only by reorganisations (each closed union on the path ended by one).
    let mut union_ended = !closed_here.is_empty();
    for u in &closed_here {
        union_ended &= crate::db::reorganisations::ended_on(conn, u.id)?.is_some();
    }
    let actor = Actor {
        user_id: user.id,
        union_in_operation: closed_here.is_empty(),
        union_ended,
        union_path,
        grants,
    };
    Ok((actor, closed_here))
}

/// A fresh session id: 128 random bits in hex.
fn new_session_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}
