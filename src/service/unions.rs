//! Use cases on the union tree: create, change, read, children, subtree with member counts.
//!
//! Calls `auth` one way (a union that stops operating ends its members' sessions).

use std::collections::HashMap;

use serde::Serialize;

use crate::db::unions::{self, NewUnion, UnionRow};
use crate::db::{self, Db, audit, outbox};
use crate::domain::{Action, Actor, Resource, UnionKind, UnionPath, can};
use crate::error::{AppError, ErrorCode};

/// A union as clients see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnionView {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// The union's kind as a number (0 national, 1 federation, 2 direct upper level,
    /// 3 grassroots, 4 group): its own attribute, not its depth in the tree.
    pub level: i32,
    /// The kind's Vietnamese name.
    pub level_name: &'static str,
    /// The kind: `national`, `federation`, `direct_upper`, `grassroots` or `group`.
    pub kind: &'static str,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    /// Materialised path of ids, e.g. `/1/5/23/`.
    pub path: String,
    /// Emulation cluster (cụm thi đua).
    pub cluster: Option<String>,
    /// Members recorded directly on this union; `null` for those who do not oversee it
    /// (member counts are an officer's matter).
    pub member_count: Option<i32>,
    pub active: bool,
}

impl From<UnionRow> for UnionView {
    fn from(u: UnionRow) -> Self {
        Self {
            level_name: UnionKind::from_i32(u.level).map_or("", UnionKind::label),
            kind: UnionKind::from_i32(u.level).map_or("", UnionKind::as_str),
            id: u.id,
            parent_id: u.parent_id,
            level: u.level,
            code: u.code,
            name: u.name,
            short_name: u.short_name,
            path: u.path,
            cluster: u.cluster,
            member_count: Some(u.member_count),
            active: u.active,
        }
    }
}

/// A union in a subtree listing, with the members of its whole subtree.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubtreeNode {
    #[serde(flatten)]
    pub union: UnionView,
    /// Depth below the subtree's root (0 for the root).
    pub depth: i32,
    /// Members of this union and everything below it; `null` for those who do not oversee
    /// it.
    pub subtree_member_count: Option<i64>,
}

/// A validated new union.
#[derive(Debug, Clone)]
pub struct NewUnionInput {
    pub parent_id: i64,
    /// Its kind; by default the one below the parent's (a grassroots union directly under a
    /// federation says so).
    pub kind: Option<UnionKind>,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub cluster: Option<String>,
    pub member_count: i32,
}

/// Validated changes to a union.
#[derive(Debug, Clone, Default)]
pub struct UnionChanges {
    pub name: Option<String>,
    pub short_name: Option<Option<String>>,
    pub cluster: Option<Option<String>>,
    pub member_count: Option<i32>,
    pub active: Option<bool>,
}

/// Creates a child union under `parent_id`.
#[tracing::instrument(skip_all, fields(actor = actor.user_id))]
pub async fn create(db: &Db, actor: &Actor, input: NewUnionInput) -> Result<UnionView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let parent = unions::find(conn, input.parent_id)?
            .ok_or_else(|| AppError::field("parent_id", "Không tìm thấy công đoàn cấp trên."))?;
        let parent_path = UnionPath::from_stored(parent.path.clone());
        if !can(
            &actor,
            Action::ManageUnion,
            Resource::Union { path: &parent_path },
        ) {
            return Err(AppError::forbidden());
        }
        let parent_kind = UnionKind::from_i32(parent.level)
            .ok_or_else(|| AppError::unexpected("a union of an unknown kind"))?;
        let level = match input.kind.or(parent_kind.child()) {
            Some(kind) if parent_kind.may_hold(kind) => kind,
            Some(kind) => {
                return Err(AppError::field(
                    "kind",
                    format!(
                        "{} không thể trực thuộc {}.",
                        kind.label(),
                        parent_kind.label()
                    ),
                ));
            }
            None => {
                return Err(AppError::field(
                    "parent_id",
                    "Tổ công đoàn không thể có đơn vị cấp dưới.",
                ));
            }
        };
        if unions::find_by_code(conn, &input.code)?.is_some() {
            return Err(AppError::new(ErrorCode::AlreadyExists)
                .with_message("Mã công đoàn đã được sử dụng.")
                .with_details(serde_json::json!({"fields": {"code": "Mã đã tồn tại."}})));
        }
        let now = db::now();
        let row = unions::insert(
            conn,
            &NewUnion {
                parent: Some(&parent),
                level: level.as_i32(),
                code: &input.code,
                name: &input.name,
                short_name: input.short_name.as_deref(),
                cluster: input.cluster.as_deref(),
                member_count: input.member_count,
                now,
            },
        )?;
        audit::record(
            conn,
            &audit::NewAudit {
                actor_id: Some(actor.user_id),
                entity_type: "union",
                entity_id: row.id,
                action: "create",
                from_state: None,
                to_state: Some("active"),
                comment: None,
                created_at: now,
            },
        )?;
        outbox::append(
            conn,
            "union.created",
            "union",
            row.id,
            &serde_json::json!({"path": row.path}),
            now,
        )?;
        Ok(row.into())
    })
    .await
}

/// Changes a union's name, cluster, member count or active flag. Deactivating it (ngừng hoạt
/// động) ends, in the same transaction, the sessions of everyone it bars from signing in
/// (`can(actor, SignIn)`): its members and those of the unions below it.
#[tracing::instrument(skip_all, fields(actor = actor.user_id, union = id))]
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    changes: UnionChanges,
) -> Result<UnionView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let row = unions::find(conn, id)?.ok_or_else(AppError::not_found)?;
        let path = UnionPath::from_stored(row.path.clone());
        if !can(&actor, Action::ManageUnion, Resource::Union { path: &path }) {
            return Err(AppError::forbidden());
        }
        let now = db::now();
        let name = changes.name.unwrap_or(row.name.clone());
        let short_name = changes.short_name.unwrap_or(row.short_name.clone());
        let cluster = changes.cluster.unwrap_or(row.cluster.clone());
        let member_count = changes.member_count.unwrap_or(row.member_count);
        let active = changes.active.unwrap_or(row.active);
        if row.active && !active {
            if row.parent_id.is_none() {
                return Err(AppError::new(ErrorCode::InvalidState)
                    .with_message("Không thể ngừng hoạt động đơn vị gốc."));
            }
            if unions::children(conn, id)?.iter().any(|c| c.active) {
                return Err(AppError::new(ErrorCode::InvalidState).with_message(
                    "Đơn vị còn đơn vị cấp dưới đang hoạt động: hãy chuyển hoặc ngừng hoạt động các đơn vị đó trước.",
                ));
            }
        }
        if !row.active && active {
            // An inactive union has only inactive unions below it: a union comes back only
            // under a parent in operation.
            let parent = match row.parent_id {
                Some(p) => unions::find(conn, p)?,
                None => None,
            };
            if let Some(parent) = parent.filter(|p| !p.active) {
                return Err(AppError::new(ErrorCode::InvalidState).with_message(format!(
                    "Đơn vị cấp trên “{}” đang ngừng hoạt động: hãy cho đơn vị đó hoạt động lại trước.",
                    parent.name
                )));
            }
        }
        let updated = unions::update(
            conn,
            id,
            &name,
            short_name.as_deref(),
            cluster.as_deref(),
            member_count,
            active,
            now,
        )?;
        if row.active && !active {
            // Its members may no longer sign in: their sessions end with the union, here.
            let ended = crate::service::auth::end_barred_sessions_in(conn, &row.path, now)?;
            tracing::info!(sessions_ended = ended, "union deactivated");
        }
        audit::record(
            conn,
            &audit::NewAudit {
                actor_id: Some(actor.user_id),
                entity_type: "union",
                entity_id: id,
                action: match (row.active, active) {
                    (true, false) => "deactivate",
                    (false, true) => "reactivate",
                    _ => "update",
                },
                from_state: Some(if row.active { "active" } else { "inactive" }),
                to_state: Some(if active { "active" } else { "inactive" }),
                comment: (row.name != name).then(|| format!("{} → {name}", row.name)).as_deref(),
                created_at: now,
            },
        )?;
        outbox::append(
            conn,
            "union.updated",
            "union",
            id,
            &serde_json::json!({}),
            now,
        )?;
        Ok(updated.into())
    })
    .await
}

/// May `actor` see the figures (member counts) of the union at `path`?
fn figures_visible(actor: &Actor, path: &str) -> bool {
    let path = UnionPath::from_stored(path.to_owned());
    can(
        actor,
        Action::ViewUnionFigures,
        Resource::Union { path: &path },
    )
}

/// A union as `actor` sees it: its member count withheld unless they oversee it.
fn seen_by(actor: &Actor, row: UnionRow) -> UnionView {
    let figures = figures_visible(actor, &row.path);
    let mut view = UnionView::from(row);
    if !figures {
        view.member_count = None;
    }
    view
}

/// One union: its place in the tree for anyone signed in, its figures for those who
/// oversee it.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<UnionView, AppError> {
    let row = db
        .read(move |conn| unions::find(conn, id)?.ok_or_else(AppError::not_found))
        .await?;
    let path = UnionPath::from_stored(row.path.clone());
    if !can(actor, Action::ViewUnion, Resource::Union { path: &path }) {
        return Err(AppError::forbidden());
    }
    Ok(seen_by(actor, row))
}

/// The name of a union, for showing beside what is in it (names are no secret).
pub async fn name_of(db: &Db, id: i64) -> Result<String, AppError> {
    db.read(move |conn| {
        Ok(unions::find(conn, id)?
            .ok_or_else(AppError::not_found)?
            .name)
    })
    .await
}

/// The direct children of a union.
pub async fn children(db: &Db, actor: &Actor, id: i64) -> Result<Vec<UnionView>, AppError> {
    get(db, actor, id).await?;
    let rows = db.read(move |conn| Ok(unions::children(conn, id)?)).await?;
    Ok(rows.into_iter().map(|r| seen_by(actor, r)).collect())
}

/// A union and everything below it down to `depth` levels, each with its subtree's member
/// count, in tree order.
pub async fn subtree(
    db: &Db,
    actor: &Actor,
    id: i64,
    depth: Option<i32>,
) -> Result<Vec<SubtreeNode>, AppError> {
    let root = get(db, actor, id).await?;
    let max_level = root.level + depth.unwrap_or(4).clamp(0, 4);
    let all_levels = 4;
    let path = root.path.clone();
    let rows = db
        .read(move |conn| Ok(unions::subtree(conn, &path, all_levels)?))
        .await?;
    // Sum members bottom-up over the whole subtree, then cut to the requested depth.
    let mut totals: HashMap<i64, i64> = HashMap::new();
    for row in rows.iter().rev() {
        let own = *totals.entry(row.id).or_default() + i64::from(row.member_count);
        totals.insert(row.id, own);
        if let Some(parent) = row.parent_id
            && row.id != root.id
        {
            *totals.entry(parent).or_default() += own;
        }
    }
    Ok(rows
        .into_iter()
        .filter(|r| r.level <= max_level)
        .map(|r| {
            let total = totals.get(&r.id).copied().unwrap_or_default();
            let figures = figures_visible(actor, &r.path);
            SubtreeNode {
                depth: r.level - root.level,
                subtree_member_count: figures.then_some(total),
                union: seen_by(actor, r),
            }
        })
        .collect())
}

/// The root union(s) of the tree.
pub async fn roots(db: &Db) -> Result<Vec<UnionView>, AppError> {
    let rows = db.read(|conn| Ok(unions::roots(conn)?)).await?;
    Ok(rows.into_iter().map(UnionView::from).collect())
}

/// The root union(s) of the tree as `actor` sees them.
pub async fn roots_for(db: &Db, actor: &Actor) -> Result<Vec<UnionView>, AppError> {
    let rows = db.read(|conn| Ok(unions::roots(conn)?)).await?;
    Ok(rows.into_iter().map(|r| seen_by(actor, r)).collect())
}

/// The id of the union with this code, if there is one.
pub async fn id_by_code(db: &Db, code: String) -> Result<Option<i64>, AppError> {
    db.read(move |conn| Ok(unions::find_by_code(conn, code.trim())?.map(|u| u.id)))
        .await
}

/// Moves a union (with its whole subtree) under another parent of the same level as its
/// current one. Not into its own subtree; both places must be the actor's to manage. A
/// subtree that already has submitted initiatives stays where it is: they are counted for
/// every ancestor, and moving them would change the upper levels' figures.
#[tracing::instrument(skip_all, fields(actor = actor.user_id, union = id))]
pub async fn move_to(
    db: &Db,
    actor: &Actor,
    id: i64,
    new_parent_id: i64,
) -> Result<UnionView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let row = unions::find(conn, id)?.ok_or_else(AppError::not_found)?;
        let path = UnionPath::from_stored(row.path.clone());
        if !can(&actor, Action::ManageUnion, Resource::Union { path: &path }) {
            return Err(AppError::forbidden());
        }
        let Some(old_parent_id) = row.parent_id else {
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message("Không thể chuyển đơn vị gốc."));
        };
        let parent = unions::find(conn, new_parent_id)?
            .ok_or_else(|| AppError::field("parent_id", "Không tìm thấy đơn vị cấp trên mới."))?;
        let parent_path = UnionPath::from_stored(parent.path.clone());
        if path.covers(&parent_path) {
            return Err(AppError::field(
                "parent_id",
                "Không thể chuyển một đơn vị vào chính nó hoặc vào đơn vị cấp dưới của nó.",
            ));
        }
        if parent.id == old_parent_id {
            return Err(AppError::field(
                "parent_id",
                "Đơn vị đã trực thuộc đơn vị này.",
            ));
        }
        if !can(
            &actor,
            Action::ManageUnion,
            Resource::Union { path: &parent_path },
        ) {
            return Err(AppError::forbidden());
        }
        let (kind, parent_kind) = (UnionKind::from_i32(row.level), UnionKind::from_i32(parent.level));
        if let (Some(kind), Some(parent_kind)) = (kind, parent_kind)
            && !parent_kind.may_hold(kind)
        {
            return Err(AppError::field(
                "parent_id",
                format!("{} không thể trực thuộc {}.", kind.label(), parent_kind.label()),
            ));
        }
        if !parent.active {
            return Err(AppError::field(
                "parent_id",
                "Đơn vị cấp trên mới đã ngừng hoạt động.",
            ));
        }
        if db::initiatives::any_counted_under(conn, &row.path)? {
            return Err(AppError::new(ErrorCode::InvalidState).with_message(
                "Đơn vị hoặc đơn vị cấp dưới đã có sáng kiến được nộp: hãy chuyển đơn vị bằng một quyết định sắp xếp tổ chức (Quản trị › Sắp xếp tổ chức), để số liệu thi đua chuyển theo và số liệu đã báo cáo được giữ nguyên.",
            ));
        }
        let now = db::now();
        let old_prefix = row.path.clone();
        let new_prefix = format!("{}{}/", parent.path, row.id);
        for u in unions::subtree(conn, &old_prefix, 4)? {
            let rest = u.path.get(old_prefix.len()..).unwrap_or_default();
            let moved = format!("{new_prefix}{rest}");
            unions::set_path(conn, u.id, &moved)?;
        }
        unions::set_parent(conn, id, parent.id, now)?;
        let old_parent_code = unions::find(conn, old_parent_id)?.map(|p| p.code);
        audit::record(
            conn,
            &audit::NewAudit {
                actor_id: Some(actor.user_id),
                entity_type: "union",
                entity_id: id,
                action: "move",
                from_state: old_parent_code.as_deref(),
                to_state: Some(&parent.code),
                comment: None,
                created_at: now,
            },
        )?;
        outbox::append(
            conn,
            "union.moved",
            "union",
            id,
            &serde_json::json!({"from": old_prefix, "to": new_prefix}),
            now,
        )?;
        Ok(unions::find(conn, id)?.ok_or_else(AppError::not_found)?.into())
    })
    .await
}

/// A union the actor manages (officers of its subtree; system administrators), or an error:
/// 404 for a union that does not exist, 403 for one outside the actor's subtree.
pub async fn managed(db: &Db, actor: &Actor, id: i64) -> Result<UnionView, AppError> {
    let row = db
        .read(move |conn| unions::find(conn, id)?.ok_or_else(AppError::not_found))
        .await?;
    let path = UnionPath::from_stored(row.path.clone());
    if !can(actor, Action::ManageUnion, Resource::Union { path: &path }) {
        return Err(AppError::forbidden());
    }
    Ok(row.into())
}

/// The unions at the top of what the actor manages: the unions of their officer grants
/// (the root for a system administrator), without those inside another.
pub async fn managed_roots(db: &Db, actor: &Actor) -> Result<Vec<UnionView>, AppError> {
    if actor.is_system_admin() {
        return roots(db).await;
    }
    let mut paths: Vec<UnionPath> = actor.officer_paths().into_iter().cloned().collect();
    paths.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    let mut tops: Vec<UnionPath> = Vec::new();
    for p in paths {
        if !tops.iter().any(|t| t.covers(&p)) {
            tops.push(p);
        }
    }
    let ids: Vec<i64> = tops
        .iter()
        .filter_map(|p| p.ids().last().copied())
        .collect();
    let rows = db
        .read(move |conn| Ok(unions::find_many(conn, &ids)?))
        .await?;
    Ok(rows.into_iter().map(UnionView::from).collect())
}

/// The ancestors of a union, root first (for breadcrumbs).
pub async fn ancestors(db: &Db, union: &UnionView) -> Result<Vec<UnionView>, AppError> {
    let path = UnionPath::from_stored(union.path.clone());
    let own = union.id;
    let ids: Vec<i64> = path.ids().into_iter().filter(|i| *i != own).collect();
    let mut rows = db
        .read(move |conn| Ok(unions::find_many(conn, &ids)?))
        .await?;
    rows.sort_by_key(|r| r.level);
    Ok(rows.into_iter().map(UnionView::from).collect())
}

/// Unions of a managed union's subtree whose name or code contains `q` (at most 50, in tree
/// order). Names match with or without diacritics ("kho bac" finds "Kho bạc"), as typed with
/// Telex or VNI or not at all.
pub async fn search(
    db: &Db,
    actor: &Actor,
    within: i64,
    q: String,
) -> Result<Vec<UnionView>, AppError> {
    let root = managed(db, actor, within).await?;
    let rows = db
        .read(move |conn| Ok(unions::subtree(conn, &root.path, 4)?))
        .await?;
    let words = search_index::normalize::folded_words(&q).join(" ");
    let code = q.trim().to_uppercase();
    Ok(rows
        .into_iter()
        .filter(|u| {
            u.code.to_uppercase().contains(&code)
                || (!words.is_empty()
                    && search_index::normalize::folded_words(&u.name)
                        .join(" ")
                        .contains(&words))
        })
        .take(50)
        .map(UnionView::from)
        .collect())
}

/// The head (thủ trưởng) of a union, if one is recorded.
pub async fn head(db: &Db, union_id: i64) -> Result<Option<i64>, AppError> {
    db.read(move |conn| Ok(db::unions::head_of(conn, union_id)?))
        .await
}
