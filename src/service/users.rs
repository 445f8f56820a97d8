//! Use cases on users and role grants.
//!
//! Calls `privacy` one way (an account anonymised).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::auth::password;
use crate::db::users::{self, GrantRow, NewUser, UserRow};
use crate::db::{self, Db, audit, outbox, programs, unions};
use crate::domain::permissions::grant_names_program;
use crate::domain::{Action, Actor, Resource, Role, UnionPath, UserStatus, can};
use crate::error::{AppError, ErrorCode};
use crate::service::{Page, PageRequest};

/// A user as clients see them (never the password hash).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: i64,
    pub member_code: Option<String>,
    pub full_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub union_id: i64,
    pub status: UserStatus,
    /// Whether a password is set (imported members sign in after an invitation).
    pub can_sign_in: bool,
    pub created_at: DateTime<Utc>,
}

impl From<UserRow> for UserView {
    fn from(u: UserRow) -> Self {
        Self {
            id: u.id,
            member_code: u.member_code,
            full_name: u.full_name,
            email: u.email,
            phone: u.phone,
            union_id: u.union_id,
            status: UserStatus::parse(&u.status),
            can_sign_in: u.password_hash.is_some(),
            created_at: u.created_at.and_utc(),
        }
    }
}

/// A role grant as clients see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GrantView {
    pub id: i64,
    pub role: Role,
    /// The role's Vietnamese name.
    pub role_name: &'static str,
    /// The union whose subtree the grant covers.
    pub union_id: i64,
    pub union_code: String,
    /// For reviewers: the program.
    pub program_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl GrantView {
    fn from_row(g: GrantRow) -> Option<Self> {
        let role = Role::parse(&g.role)?;
        Some(Self {
            id: g.id,
            role,
            role_name: role.label(),
            union_id: g.union_id,
            union_code: g.union_code,
            program_id: g.program_id,
            created_at: g.created_at.and_utc(),
        })
    }
}

/// The grants of a user as clients see them.
fn roles_of(conn: &mut db::DbConn, user_id: i64) -> Result<Vec<GrantView>, AppError> {
    Ok(users::grants(conn, user_id)?
        .into_iter()
        .filter_map(GrantView::from_row)
        .collect())
}

/// A user with their grants.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserDetail {
    #[serde(flatten)]
    pub user: UserView,
    pub roles: Vec<GrantView>,
}

/// A validated new user.
#[derive(Debug, Clone)]
pub struct NewUserInput {
    pub member_code: Option<String>,
    pub full_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub union_id: i64,
    /// Already checked for strength; hashed here.
    pub password: Option<String>,
}

/// Validated changes to a user's profile (absent: unchanged; `Some(None)` clears).
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub full_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<Option<String>>,
    pub member_code: Option<Option<String>>,
    /// Move the member to another union of the actor's subtree.
    pub union_id: Option<i64>,
}

/// A validated grant.
#[derive(Debug, Clone)]
pub struct GrantInput {
    pub role: Role,
    pub union_id: i64,
    pub program_id: Option<i64>,
}

/// Creates a user in a union of the actor's subtree, with the member role on that union.
#[tracing::instrument(skip_all, fields(actor = actor.map(|a| a.user_id)))]
pub async fn create(
    db: &Db,
    actor: Option<&Actor>,
    input: NewUserInput,
) -> Result<UserDetail, AppError> {
    let actor = actor.cloned();
    let hash = match input.password.clone() {
        Some(p) => Some(
            tokio::task::spawn_blocking(move || password::hash(&p))
                .await
                .map_err(AppError::internal)??,
        ),
        None => None,
    };
    db.write(move |conn| create_in(conn, actor.as_ref(), &input, hash.as_deref()))
        .await
}

/// Creates a user inside an open transaction (`actor` `None`: the CLI or the seeder).
pub fn create_in(
    conn: &mut db::DbConn,
    actor: Option<&Actor>,
    input: &NewUserInput,
    password_hash: Option<&str>,
) -> Result<UserDetail, AppError> {
    let union = unions::find(conn, input.union_id)?
        .ok_or_else(|| AppError::field("union_id", "Không tìm thấy công đoàn."))?;
    let path = UnionPath::from_stored(union.path.clone());
    if let Some(actor) = actor
        && !can(actor, Action::ManageUser, Resource::Union { path: &path })
    {
        return Err(AppError::forbidden());
    }
    if users::find_by_email(conn, &input.email)?.is_some() {
        return Err(AppError::new(ErrorCode::AlreadyExists)
            .with_message("Email đã được sử dụng cho tài khoản khác.")
            .with_details(serde_json::json!({"fields": {"email": "Email đã tồn tại."}})));
    }
    if let Some(code) = &input.member_code
        && users::find_by_login(conn, code)?.is_some()
    {
        return Err(AppError::new(ErrorCode::AlreadyExists)
            .with_message("Mã đoàn viên đã được sử dụng.")
            .with_details(serde_json::json!({"fields": {"member_code": "Mã đã tồn tại."}})));
    }
    let now = db::now();
    let user = users::insert(
        conn,
        &NewUser {
            member_code: input.member_code.as_deref(),
            full_name: &input.full_name,
            email: &input.email,
            phone: input.phone.as_deref(),
            union_id: union.id,
            password_hash,
            status: UserStatus::Active.as_str(),
            created_at: now,
            updated_at: now,
        },
    )?;
    let actor_id = actor.map(|a| a.user_id);
    users::grant(
        conn,
        user.id,
        Role::Member.as_str(),
        union.id,
        None,
        actor_id,
        now,
    )?;
    audit::record(
        conn,
        &audit::NewAudit {
            actor_id,
            entity_type: "user",
            entity_id: user.id,
            action: "create",
            from_state: None,
            to_state: Some(UserStatus::Active.as_str()),
            comment: None,
            created_at: now,
        },
    )?;
    outbox::append(
        conn,
        "user.created",
        "user",
        user.id,
        &serde_json::json!({"union_id": union.id}),
        now,
    )?;
    let roles = roles_of(conn, user.id)?;
    Ok(UserDetail {
        user: user.into(),
        roles,
    })
}

pub(crate) fn load_visible(
    conn: &mut db::DbConn,
    actor: &Actor,
    id: i64,
) -> Result<(UserRow, UnionPath), AppError> {
    let user = users::find(conn, id)?.ok_or_else(AppError::not_found)?;
    let union = unions::find(conn, user.union_id)?.ok_or_else(AppError::not_found)?;
    let path = UnionPath::from_stored(union.path);
    if !can(
        actor,
        Action::ViewUser,
        Resource::User {
            id,
            union_path: &path,
        },
    ) {
        // Outsiders learn nothing about who exists.
        return Err(AppError::not_found());
    }
    Ok((user, path))
}

/// One user with their grants.
/// Looking at someone else is recorded in the audit log (who viewed whose data).
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<UserDetail, AppError> {
    let own = id == actor.user_id;
    let actor = actor.clone();
    let read = move |conn: &mut db::DbConn| {
        let (user, _) = load_visible(conn, &actor, id)?;
        let roles = roles_of(conn, id)?;
        crate::service::privacy::record_view(conn, &actor, "user", id, "profile")?;
        Ok(UserDetail {
            user: user.into(),
            roles,
        })
    };
    if own {
        db.read(read).await
    } else {
        db.write(read).await
    }
}

/// Users the actor may see, optionally within a union's subtree and matching a text.
pub async fn list(
    db: &Db,
    actor: &Actor,
    union_id: Option<i64>,
    q: Option<String>,
    page: PageRequest,
) -> Result<Page<UserView>, AppError> {
    let (limit, offset, page_no, per_page) = page.resolve()?;
    let scope: Option<Vec<String>> = actor
        .oversight_scope()
        .map(|paths| paths.into_iter().map(|p| p.as_str().to_owned()).collect());
    let self_id = actor.user_id;
    let (rows, total) = db
        .read(move |conn| {
            let subtree = match union_id {
                Some(id) => Some(
                    unions::find(conn, id)?
                        .ok_or_else(AppError::not_found)?
                        .path,
                ),
                None => None,
            };
            match &scope {
                // A plain member sees only themselves.
                Some(paths) if paths.is_empty() => {
                    let me = users::find(conn, self_id)?.ok_or_else(AppError::not_found)?;
                    Ok((vec![me], 1))
                }
                _ => {
                    let (rows, total) = users::list(
                        conn,
                        scope.as_deref(),
                        subtree.as_deref(),
                        q.as_deref(),
                        limit,
                        offset,
                    )?;
                    Ok((rows.into_iter().map(|(u, _)| u).collect(), total))
                }
            }
        })
        .await?;
    Ok(Page {
        items: rows.into_iter().map(UserView::from).collect(),
        total,
        page: page_no,
        per_page,
    })
}

/// Enables or disables an account.
#[tracing::instrument(skip_all, fields(actor = actor.user_id, user = id))]
pub async fn set_status(
    db: &Db,
    actor: &Actor,
    id: i64,
    status: UserStatus,
) -> Result<UserDetail, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (user, path) = load_visible(conn, &actor, id)?;
        if !can(
            &actor,
            Action::ManageUser,
            Resource::User {
                id,
                union_path: &path,
            },
        ) {
            return Err(AppError::forbidden());
        }
        if id == actor.user_id {
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message("Không thể tự khoá tài khoản của chính mình."));
        }
        let now = db::now();
        users::set_status(conn, id, status.as_str(), now)?;
        if status != UserStatus::Active {
            crate::db::sessions::revoke_all(conn, id, None, now)?;
        }
        audit::record(
            conn,
            &audit::NewAudit {
                actor_id: Some(actor.user_id),
                entity_type: "user",
                entity_id: id,
                action: "set_status",
                from_state: Some(&user.status),
                to_state: Some(status.as_str()),
                comment: None,
                created_at: now,
            },
        )?;
        let user = users::find(conn, id)?.ok_or_else(AppError::not_found)?;
        let roles = roles_of(conn, id)?;
        Ok(UserDetail {
            user: user.into(),
            roles,
        })
    })
    .await
}

/// Grants a role over a union's subtree (reviewers: for one program).
#[tracing::instrument(skip_all, fields(actor = actor.map(|a| a.user_id), user = user_id))]
pub async fn grant(
    db: &Db,
    actor: Option<&Actor>,
    user_id: i64,
    input: GrantInput,
) -> Result<Vec<GrantView>, AppError> {
    let actor = actor.cloned();
    db.write(move |conn| grant_in(conn, actor.as_ref(), user_id, &input))
        .await
}

/// Grants a role inside an open transaction (`actor` `None`: the CLI or the seeder).
pub fn grant_in(
    conn: &mut db::DbConn,
    actor: Option<&Actor>,
    user_id: i64,
    input: &GrantInput,
) -> Result<Vec<GrantView>, AppError> {
    let user = users::find(conn, user_id)?.ok_or_else(AppError::not_found)?;
    let union = unions::find(conn, input.union_id)?
        .ok_or_else(|| AppError::field("union_id", "Không tìm thấy công đoàn."))?;
    let path = UnionPath::from_stored(union.path.clone());
    if let Some(actor) = actor {
        let user_union = unions::find(conn, user.union_id)?.ok_or_else(AppError::not_found)?;
        let user_path = UnionPath::from_stored(user_union.path);
        if !can(
            actor,
            Action::ViewUser,
            Resource::User {
                id: user_id,
                union_path: &user_path,
            },
        ) {
            return Err(AppError::not_found());
        }
        if !can(
            actor,
            Action::GrantRole(input.role),
            Resource::Union { path: &path },
        ) {
            return Err(AppError::forbidden());
        }
    }
    match (grant_names_program(input.role), input.program_id) {
        (true, None) => {
            return Err(AppError::field(
                "program_id",
                "Thành viên Ban Tổ chức cần gắn với một chương trình.",
            ));
        }
        (true, Some(p)) => {
            if programs::find(conn, p)?.is_none() {
                return Err(AppError::field(
                    "program_id",
                    "Không tìm thấy chương trình.",
                ));
            }
        }
        (_, Some(_)) => {
            return Err(AppError::field(
                "program_id",
                "Chỉ vai trò thành viên Ban Tổ chức gắn với chương trình.",
            ));
        }
        (_, None) => {}
    }
    let now = db::now();
    let grant_id = users::grant(
        conn,
        user_id,
        input.role.as_str(),
        union.id,
        input.program_id,
        actor.map(|a| a.user_id),
        now,
    )?;
    audit::record(
        conn,
        &audit::NewAudit {
            actor_id: actor.map(|a| a.user_id),
            entity_type: "user",
            entity_id: user_id,
            action: "grant_role",
            from_state: None,
            to_state: Some(input.role.as_str()),
            comment: Some(&format!("grant {grant_id} over union {}", union.code)),
            created_at: now,
        },
    )?;
    roles_of(conn, user_id)
}

/// The grants of a user the actor may see.
pub async fn grants(db: &Db, actor: &Actor, user_id: i64) -> Result<Vec<GrantView>, AppError> {
    Ok(get(db, actor, user_id).await?.roles)
}

/// Revokes one grant.
#[tracing::instrument(skip_all, fields(actor = actor.user_id, user = user_id))]
pub async fn revoke(db: &Db, actor: &Actor, user_id: i64, grant_id: i64) -> Result<(), AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        load_visible(conn, &actor, user_id)?;
        let grant = users::grants(conn, user_id)?
            .into_iter()
            .find(|g| g.id == grant_id)
            .ok_or_else(AppError::not_found)?;
        let role = Role::parse(&grant.role).ok_or_else(AppError::not_found)?;
        let path = UnionPath::from_stored(grant.union_path.clone());
        if !can(
            &actor,
            Action::GrantRole(role),
            Resource::Union { path: &path },
        ) {
            return Err(AppError::forbidden());
        }
        users::revoke(conn, user_id, grant_id)?;
        audit::record(
            conn,
            &audit::NewAudit {
                actor_id: Some(actor.user_id),
                entity_type: "user",
                entity_id: user_id,
                action: "revoke_role",
                from_state: Some(role.as_str()),
                to_state: None,
                comment: Some(&format!("grant {grant_id} over union {}", grant.union_code)),
                created_at: db::now(),
            },
        )?;
        Ok(())
    })
    .await
}

/// Changes a user's profile: name, email, phone, member code, union (officers of the user's
/// union and, when moving, of the new one).
#[tracing::instrument(skip_all, fields(actor = actor.user_id, user = id))]
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    changes: UserChanges,
) -> Result<UserDetail, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (user, path) = load_visible(conn, &actor, id)?;
        if !can(
            &actor,
            Action::ManageUser,
            Resource::User {
                id,
                union_path: &path,
            },
        ) {
            return Err(AppError::forbidden());
        }
        let union_id = changes.union_id.unwrap_or(user.union_id);
        if union_id != user.union_id {
            let union = unions::find(conn, union_id)?
                .ok_or_else(|| AppError::field("union_id", "Không tìm thấy công đoàn."))?;
            let new_path = UnionPath::from_stored(union.path);
            if !can(
                &actor,
                Action::ManageUser,
                Resource::Union { path: &new_path },
            ) {
                return Err(AppError::field(
                    "union_id",
                    "Công đoàn này nằm ngoài phạm vi quản lý của bạn.",
                ));
            }
            if !union.active {
                return Err(AppError::field("union_id", "Công đoàn đã ngừng hoạt động."));
            }
        }
        let email = changes.email.unwrap_or(user.email.clone());
        if email != user.email && users::find_by_email(conn, &email)?.is_some_and(|u| u.id != id) {
            return Err(AppError::new(ErrorCode::AlreadyExists)
                .with_message("Email đã được sử dụng cho tài khoản khác.")
                .with_details(serde_json::json!({"fields": {"email": "Email đã tồn tại."}})));
        }
        let member_code = changes.member_code.unwrap_or(user.member_code.clone());
        if let Some(code) = &member_code
            && Some(code) != user.member_code.as_ref()
            && users::find_by_login(conn, code)?.is_some_and(|u| u.id != id)
        {
            return Err(AppError::new(ErrorCode::AlreadyExists)
                .with_message("Mã đoàn viên đã được sử dụng.")
                .with_details(serde_json::json!({"fields": {"member_code": "Mã đã tồn tại."}})));
        }
        let full_name = changes.full_name.unwrap_or(user.full_name.clone());
        let phone = changes.phone.unwrap_or(user.phone.clone());
        let now = db::now();
        users::update_profile(
            conn,
            id,
            &full_name,
            &email,
            phone.as_deref(),
            member_code.as_deref(),
            union_id,
            now,
        )?;
        if union_id != user.union_id {
            users::move_member_grant(conn, id, user.union_id, union_id)?;
        }
        audit::record(
            conn,
            &audit::NewAudit {
                actor_id: Some(actor.user_id),
                entity_type: "user",
                entity_id: id,
                action: "update",
                from_state: None,
                to_state: None,
                comment: (union_id != user.union_id)
                    .then(|| format!("union {} → {union_id}", user.union_id))
                    .as_deref(),
                created_at: now,
            },
        )?;
        let user = users::find(conn, id)?.ok_or_else(AppError::not_found)?;
        let roles = roles_of(conn, id)?;
        Ok(UserDetail {
            user: user.into(),
            roles,
        })
    })
    .await
}

/// Sends (again) the invitation email to an account that has no password yet.
#[tracing::instrument(skip_all, fields(actor = actor.user_id, user = id))]
pub async fn invite(db: &Db, actor: &Actor, id: i64) -> Result<(), AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (user, path) = load_visible(conn, &actor, id)?;
        if !can(
            &actor,
            Action::ManageUser,
            Resource::User {
                id,
                union_path: &path,
            },
        ) {
            return Err(AppError::forbidden());
        }
        if user.password_hash.is_some() {
            return Err(AppError::new(ErrorCode::InvalidState).with_message(
                "Tài khoản đã có mật khẩu; nếu quên, đoàn viên dùng “Quên mật khẩu” ở trang đăng nhập.",
            ));
        }
        let now = db::now();
        if !crate::service::shared::letters::invitation(conn, id, now)? {
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message("Tài khoản đã bị khoá hoặc không có email hợp lệ."));
        }
        audit::record(
            conn,
            &audit::NewAudit {
                actor_id: Some(actor.user_id),
                entity_type: "user",
                entity_id: id,
                action: "invite",
                from_state: None,
                to_state: None,
                comment: None,
                created_at: now,
            },
        )?;
        Ok(())
    })
    .await
}

/// The user with this email or member code, if the actor may see them.
pub async fn find_visible(
    db: &Db,
    actor: &Actor,
    login: String,
) -> Result<Option<UserView>, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let Some(user) = users::find_by_login(conn, login.trim())? else {
            return Ok(None);
        };
        match load_visible(conn, &actor, user.id) {
            Ok((u, _)) => Ok(Some(u.into())),
            Err(e) if e.code == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await
}
