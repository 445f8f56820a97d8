//! The union pages of the officer's administration: the tree within the officer's subtree,
//! a union's page, and its forms (child, details, move, deactivate, reactivate, head).

use super::*;

/// `GET /quan-tri/don-vi`: the top union the officer manages.
#[get("/quan-tri/don-vi")]
pub async fn start(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    require_officer(me)?;
    let roots = service::unions::managed_roots(&state.db, &me.actor).await?;
    match roots.first() {
        Some(u) => Ok(see_other(&format!("/quan-tri/don-vi/{}", u.id))),
        None => Err(AppError::forbidden().into()),
    }
}

/// A union in the tree.
#[derive(Debug, Clone)]
pub struct Node {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level_name: &'static str,
    pub cluster: String,
    pub members: String,
    pub active: bool,
    /// The first children (at most [`SHOWN_CHILDREN`]).
    pub children: Vec<Node>,
    /// How many children it has in all.
    pub child_count: usize,
}

/// How many grandchildren a union's page lists under each child (the rest are on the child's
/// own page), so that a page near the root stays small.
pub(super) const SHOWN_CHILDREN: usize = 25;

/// The union's details as typed.
#[derive(Debug, Clone, Default)]
pub struct UnionValues {
    pub name: String,
    pub short_name: String,
    pub cluster: String,
    pub member_count: String,
}

/// A new child as typed.
#[derive(Debug, Clone, Default)]
pub struct ChildValues {
    pub code: String,
    pub name: String,
    pub cluster: String,
    pub member_count: String,
}

/// A union's page.
#[derive(Template)]
#[template(path = "union_admin.html")]
pub struct UnionPage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    pub union: UnionView,
    pub crumbs: Vec<(i64, String, bool)>,
    pub tree: Vec<Node>,
    pub subtree_members: String,
    pub q: String,
    pub found: Option<Vec<UnionView>>,
    pub head: Option<String>,
    pub v: UnionValues,
    pub child: ChildValues,
    pub can_have_children: bool,
    pub move_code: String,
    pub head_login: String,
    pub problems: FieldProblems,
    /// Lịch sử tổ chức: its periods, predecessors and successors.
    pub history: crate::routes::web::reorganisations::HistoryView,
}

impl UnionPage {
    /// The problem of a field.
    pub fn problem<S: AsRef<str>>(&self, name: S) -> Option<&str> {
        self.problems.get(name.as_ref())
    }
}

#[derive(Debug, Default)]
pub(super) struct UnionTyped {
    v: Option<UnionValues>,
    child: Option<ChildValues>,
    move_code: Option<String>,
    head_login: Option<String>,
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page's parts and what was typed"
)]
pub(super) async fn union_page(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    id: i64,
    q: String,
    notice: Option<(&'static str, String)>,
    problems: FieldProblems,
    typed: UnionTyped,
) -> Result<UnionPage, PageError> {
    require_officer(me)?;
    let union = service::unions::managed(&state.db, &me.actor, id).await?;
    let ancestors = service::unions::ancestors(&state.db, &union).await?;
    let crumbs = ancestors
        .into_iter()
        .map(|a| {
            let path = UnionPath::from_stored(a.path.clone());
            let manage = can(
                &me.actor,
                Action::ManageUnion,
                Resource::Union { path: &path },
            );
            (a.id, a.name, manage)
        })
        .collect();
    let nodes = service::unions::subtree(&state.db, &me.actor, id, Some(2)).await?;
    let subtree_members = nodes
        .first()
        .map(|n| format::number(n.subtree_member_count.unwrap_or_default()))
        .unwrap_or_default();
    let mut tree: Vec<Node> = Vec::new();
    for n in nodes.iter().skip(1) {
        let node = Node {
            id: n.union.id,
            code: n.union.code.clone(),
            name: n.union.name.clone(),
            level_name: n.union.level_name,
            cluster: n.union.cluster.clone().unwrap_or_default(),
            members: format::number(n.subtree_member_count.unwrap_or_default()),
            active: n.union.active,
            children: Vec::new(),
            child_count: 0,
        };
        if n.depth == 1 {
            tree.push(node);
        } else if let Some(parent) = tree.last_mut() {
            parent.child_count += 1;
            if parent.children.len() < SHOWN_CHILDREN {
                parent.children.push(node);
            }
        }
    }
    let found = if q.trim().is_empty() {
        None
    } else {
        Some(service::unions::search(&state.db, &me.actor, id, q.trim().to_owned()).await?)
    };
    let head = match service::unions::head(&state.db, id).await? {
        Some(uid) => Some(match service::users::get(&state.db, &me.actor, uid).await {
            Ok(u) => format!("{} ({})", u.user.full_name, u.user.email),
            Err(_) => format!("#{uid}"),
        }),
        None => None,
    };
    let v = typed.v.unwrap_or_else(|| UnionValues {
        name: union.name.clone(),
        short_name: union.short_name.clone().unwrap_or_default(),
        cluster: union.cluster.clone().unwrap_or_default(),
        member_count: union.member_count.unwrap_or_default().to_string(),
    });
    let history = crate::routes::web::reorganisations::history_of(state, me, union.id).await?;
    Ok(UnionPage {
        chrome: Chrome::of(visitor, "admin"),
        notice,
        crumbs,
        tree,
        subtree_members,
        q,
        found,
        head,
        v,
        child: typed.child.unwrap_or_default(),
        can_have_children: union.level < 4,
        move_code: typed.move_code.unwrap_or_default(),
        head_login: typed.head_login.unwrap_or_default(),
        problems,
        history,
        union,
    })
}

/// The union page's query.
#[derive(Debug, Deserialize)]
pub struct UnionQuery {
    #[serde(default)]
    pub q: String,
    pub da: Option<String>,
}

/// `GET /quan-tri/don-vi/{id}`: a union of the officer's subtree, its children two levels
/// deep, and the forms that change it.
#[get("/quan-tri/don-vi/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    query: web::Query<UnionQuery>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let query = query.into_inner();
    let mut problems = FieldProblems::default();
    let mut q = crate::domain::text::clean_line(&query.q);
    if q.chars().count() > 100 {
        problems.add("q", "Tối đa 100 ký tự.");
        q.clear();
    }
    let page = union_page(
        &state,
        &visitor,
        me,
        path.into_inner(),
        q,
        notice(Done::Organisation, query.da.as_deref()),
        problems,
        UnionTyped::default(),
    )
    .await?;
    render(StatusCode::OK, &page)
}

pub(super) async fn union_refused(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    id: i64,
    e: AppError,
    place: impl Fn(&str) -> String,
    typed: UnionTyped,
) -> Result<HttpResponse, PageError> {
    let Some(problems) = form_problems(&e, FieldProblems::default(), place) else {
        return Err(e.into());
    };
    let page = union_page(
        state,
        visitor,
        me,
        id,
        String::new(),
        Some(("error", refusal_text(&e))),
        problems,
        typed,
    )
    .await?;
    render(e.code.status(), &page)
}

/// The new-child form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChildForm {
    pub code: String,
    pub name: String,
    pub cluster: String,
    pub member_count: String,
}

/// The union's details form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UnionForm {
    pub name: String,
    pub short_name: String,
    pub cluster: String,
    pub member_count: String,
}

/// The move form: the new parent's code, carried through the confirmation.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MoveForm {
    pub parent_code: String,
    #[serde(flatten)]
    pub confirmation: Confirmation,
}

impl MoveForm {
    fn given(&self) -> bool {
        self.confirmation.given()
    }
}

/// The head form (email or member code; blank clears it).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HeadForm {
    pub head_login: String,
}

/// A union's administration page.
pub(super) fn union_path(id: i64) -> String {
    format!("/quan-tri/don-vi/{id}")
}

/// `POST /quan-tri/don-vi/{id}/don-vi-con`: adds a child union.
#[post("/quan-tri/don-vi/{id}/don-vi-con")]
pub async fn create_child(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<ChildForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let child = ChildValues {
        code: p.code,
        name: p.name,
        cluster: p.cluster,
        member_count: p.member_count,
    };
    let mut problems = BTreeProblems::new();
    let member_count = number_or_zero(&mut problems, "member_count", &child.member_count);
    let body = CreateUnion {
        parent_id: id,
        kind: None,
        code: child.code.clone(),
        name: child.name.clone(),
        short_name: None,
        cluster: Some(child.cluster.clone()),
        member_count: member_count.max(0),
    };
    let result = if problems.is_empty() {
        match crate::service::input::unions::parse_create(&body) {
            Ok(input) => service::unions::create(&state.db, &me.actor, input).await,
            Err(e) => Err(e),
        }
    } else {
        Err(AppError::validation(problems))
    };
    match result {
        Ok(u) => Ok(see_other(&format!(
            "/quan-tri/don-vi/{id}?da=tao#union-{}",
            u.id
        ))),
        Err(e) => {
            let typed = UnionTyped {
                child: Some(child),
                ..UnionTyped::default()
            };
            union_refused(
                &state,
                &visitor,
                &me,
                id,
                e,
                |k| format!("child_{k}"),
                typed,
            )
            .await
        }
    }
}

/// `POST /quan-tri/don-vi/{id}`: renames the union, sets its short name, emulation cluster and
/// member count.
#[post("/quan-tri/don-vi/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<UnionForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let v = UnionValues {
        name: p.name,
        short_name: p.short_name,
        cluster: p.cluster,
        member_count: p.member_count,
    };
    let mut problems = BTreeProblems::new();
    let member_count = number_or_zero(&mut problems, "member_count", &v.member_count);
    let body = UpdateUnion {
        name: Some(v.name.clone()),
        short_name: Some(Some(v.short_name.clone())),
        cluster: Some(Some(v.cluster.clone())),
        member_count: Some(member_count),
        active: None,
    };
    let result = if problems.is_empty() {
        match crate::service::input::unions::parse_update(&body) {
            Ok(changes) => service::unions::update(&state.db, &me.actor, id, changes)
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        }
    } else {
        Err(AppError::validation(problems))
    };
    answer(result, (&union_path(id), "1", "details"), |e| {
        let typed = UnionTyped {
            v: Some(v),
            ..UnionTyped::default()
        };
        union_refused(&state, &visitor, &me, id, e, str::to_owned, typed)
    })
    .await
}

/// `POST /quan-tri/don-vi/{id}/chuyen`: after confirmation, moves the union (and its subtree)
/// under the union with the typed code.
#[post("/quan-tri/don-vi/{id}/chuyen")]
pub async fn move_union(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<MoveForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let code = p.parent_code.clone();
    let typed = || UnionTyped {
        move_code: Some(code.clone()),
        ..UnionTyped::default()
    };
    let union = service::unions::managed(&state.db, &me.actor, id).await?;
    let parent = match code.trim() {
        "" => None,
        c => service::unions::id_by_code(&state.db, c.to_owned()).await?,
    };
    let Some(parent_id) = parent else {
        let e = AppError::field("parent_id", "Không có đơn vị nào mang mã này.");
        return union_refused(
            &state,
            &visitor,
            &me,
            id,
            e,
            |_| "parent_code".to_owned(),
            typed(),
        )
        .await;
    };
    if !p.given() {
        let target = service::unions::get(&state.db, &me.actor, parent_id).await?;
        return confirm(
            &visitor,
            format!("Chuyển “{}” sang “{}”?", union.name, target.name),
            "Đơn vị cùng mọi đơn vị cấp dưới và đoàn viên sẽ trực thuộc đơn vị mới; cán bộ của đơn vị cấp trên cũ không còn quản lý chúng. Việc này được ghi vào nhật ký.",
            format!("/quan-tri/don-vi/{id}/chuyen"),
            &p,
            "Chuyển đơn vị",
            format!("/quan-tri/don-vi/{id}"),
        );
    }
    match service::unions::move_to(&state.db, &me.actor, id, parent_id).await {
        Ok(_) => Ok(back(&union_path(id), "chuyen", "details")),
        Err(e) => {
            union_refused(
                &state,
                &visitor,
                &me,
                id,
                e,
                |_| "parent_code".to_owned(),
                typed(),
            )
            .await
        }
    }
}

pub(super) async fn set_active(
    state: &AppState,
    f: SignedInForm<Confirmation>,
    id: i64,
    active: bool,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let (visitor, p) = (&visitor, &p);
    let union = service::unions::managed(&state.db, &me.actor, id).await?;
    if !active && !p.given() {
        return confirm(
            visitor,
            format!("Ngừng hoạt động “{}”?", union.name),
            "Đơn vị sẽ không nhận thêm đoàn viên; dữ liệu, sáng kiến và số liệu thi đua đã có được giữ nguyên. Có thể cho hoạt động trở lại. Việc này được ghi vào nhật ký.",
            format!("/quan-tri/don-vi/{id}/ngung"),
            p,
            "Ngừng hoạt động",
            format!("/quan-tri/don-vi/{id}"),
        );
    }
    let changes = service::unions::UnionChanges {
        active: Some(active),
        ..Default::default()
    };
    match service::unions::update(&state.db, &me.actor, id, changes).await {
        Ok(_) => Ok(back(
            &union_path(id),
            if active { "kich-hoat" } else { "ngung" },
            "details",
        )),
        Err(e) => {
            union_refused(
                state,
                visitor,
                &me,
                id,
                e,
                str::to_owned,
                UnionTyped::default(),
            )
            .await
        }
    }
}

/// `POST /quan-tri/don-vi/{id}/ngung`: after confirmation, deactivates the union.
#[post("/quan-tri/don-vi/{id}/ngung")]
pub async fn deactivate(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<Confirmation>,
) -> Result<HttpResponse, PageError> {
    set_active(&state, f, path.into_inner(), false).await
}

/// `POST /quan-tri/don-vi/{id}/kich-hoat-lai`: reactivates the union.
#[post("/quan-tri/don-vi/{id}/kich-hoat-lai")]
pub async fn reactivate(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<Confirmation>,
) -> Result<HttpResponse, PageError> {
    set_active(&state, f, path.into_inner(), true).await
}

/// `POST /quan-tri/don-vi/{id}/thu-truong`: records the head (by email or member code; blank
/// clears it).
#[post("/quan-tri/don-vi/{id}/thu-truong")]
pub async fn set_head(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<HeadForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let login = p.head_login;
    let typed = || UnionTyped {
        head_login: Some(login.clone()),
        ..UnionTyped::default()
    };
    let union = service::unions::managed(&state.db, &me.actor, id).await?;
    let user_id = match login.trim() {
        "" => None,
        l => match service::users::find_visible(&state.db, &me.actor, l.to_owned()).await? {
            Some(u) => {
                let upath = service::unions::get(&state.db, &me.actor, u.union_id)
                    .await
                    .map(|x| UnionPath::from_stored(x.path))?;
                if !UnionPath::from_stored(union.path.clone()).covers(&upath) {
                    let e = AppError::field(
                        "user_id",
                        "Thủ trưởng phải là người thuộc đơn vị này hoặc đơn vị cấp dưới.",
                    );
                    return union_refused(
                        &state,
                        &visitor,
                        &me,
                        id,
                        e,
                        |_| "head_login".to_owned(),
                        typed(),
                    )
                    .await;
                }
                Some(u.id)
            }
            None => {
                let e = AppError::field(
                    "user_id",
                    "Không tìm thấy người có email hoặc mã đoàn viên này.",
                );
                return union_refused(
                    &state,
                    &visitor,
                    &me,
                    id,
                    e,
                    |_| "head_login".to_owned(),
                    typed(),
                )
                .await;
            }
        },
    };
    match service::review::set_head(&state.db, &me.actor, id, user_id).await {
        Ok(()) => Ok(back(&union_path(id), "thu-truong", "head")),
        Err(e) => {
            union_refused(
                &state,
                &visitor,
                &me,
                id,
                e,
                |_| "head_login".to_owned(),
                typed(),
            )
            .await
        }
    }
}
