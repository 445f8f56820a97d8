//! The member pages of the officer's administration: the list and search, a new member, a
//! member's page and its forms (details, status, sessions, personal data, anonymisation,
//! invitation, roles granted and revoked).

use super::*;

/// A member's details form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MemberForm {
    pub full_name: String,
    pub email: String,
    pub member_code: String,
    pub phone: String,
    pub union_code: String,
}

/// The new-member form: the details, and whether to send the activation invitation.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewMemberForm {
    #[serde(flatten)]
    pub member: MemberForm,
    pub invite: String,
}

/// The account status form (`active` or `disabled`), carried through the confirmation.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct StatusForm {
    pub status: String,
    #[serde(flatten)]
    pub confirmation: Confirmation,
}

/// The grant form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GrantForm {
    pub role: String,
    pub union_code: String,
    pub program_id: String,
}

/// A member in the list.
#[derive(Debug, Clone)]
pub struct MemberLine {
    pub id: i64,
    pub full_name: String,
    pub member_code: String,
    pub email: String,
    pub union_name: String,
    pub disabled: bool,
    pub invited: bool,
}

/// The members page.
#[derive(Template)]
#[template(path = "members_admin.html")]
pub struct MembersPage {
    pub chrome: Chrome,
    pub union: UnionView,
    pub q: String,
    pub lines: Vec<MemberLine>,
    pub pager: Pager,
    pub problem: Option<String>,
}

/// The members page's query.
#[derive(Debug, Deserialize)]
pub struct MembersQuery {
    pub union_id: Option<i64>,
    /// A union of the officer's subtree by its code (takes the place of `union_id`).
    #[serde(default)]
    pub union: String,
    #[serde(default)]
    pub q: String,
    pub page: Option<i64>,
}

/// `GET /quan-tri/doan-vien?union_id=&q=`: the members of a union's subtree, searched by
/// name, member code or email.
#[get("/quan-tri/doan-vien")]
pub async fn members(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<MembersQuery>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    require_officer(me)?;
    let query = query.into_inner();
    let by_code = match query.union.trim() {
        "" => None,
        code => Some(
            service::unions::id_by_code(&state.db, code.to_owned())
                .await?
                .ok_or_else(|| {
                    AppError::new(ErrorCode::InvalidQuery)
                        .with_message("Không có đơn vị nào mang mã này.")
                        .with_details(serde_json::json!({"parameter": "union"}))
                })?,
        ),
    };
    let union_id = match by_code.or(query.union_id) {
        Some(id) => id,
        None => service::unions::managed_roots(&state.db, &me.actor)
            .await?
            .first()
            .map(|u| u.id)
            .ok_or_else(AppError::forbidden)?,
    };
    let union = service::unions::managed(&state.db, &me.actor, union_id).await?;
    let mut q = crate::domain::text::clean_line(&query.q);
    let mut problem = None;
    if q.chars().count() > 100 {
        problem = Some("Tối đa 100 ký tự.".to_owned());
        q.clear();
    }
    let page = service::users::list(
        &state.db,
        &me.actor,
        Some(union_id),
        (!q.is_empty()).then(|| q.clone()),
        PageRequest {
            page: query.page,
            per_page: Some(50),
        },
    )
    .await?;
    let mut names: HashMap<i64, String> = HashMap::new();
    let mut lines = Vec::new();
    for u in page.items {
        let union_name = match names.get(&u.union_id) {
            Some(n) => n.clone(),
            None => {
                let n = service::unions::get(&state.db, &me.actor, u.union_id)
                    .await
                    .map(|x| x.name)
                    .unwrap_or_default();
                names.insert(u.union_id, n.clone());
                n
            }
        };
        lines.push(MemberLine {
            id: u.id,
            full_name: u.full_name,
            member_code: u.member_code.unwrap_or_default(),
            email: u.email,
            union_name,
            disabled: u.status == UserStatus::Disabled,
            invited: !u.can_sign_in,
        });
    }
    let base = format!(
        "union_id={union_id}&q={}&",
        percent_encoding::utf8_percent_encode(&q, percent_encoding::NON_ALPHANUMERIC)
    );
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    render(
        status,
        &MembersPage {
            chrome: Chrome::of(&visitor, "admin"),
            pager: Pager::new(page.page, page.per_page, page.total, base),
            union,
            q,
            lines,
            problem,
        },
    )
}

/// A member's details as typed.
#[derive(Debug, Clone, Default)]
pub struct MemberValues {
    pub full_name: String,
    pub email: String,
    pub member_code: String,
    pub phone: String,
    pub union_code: String,
}

/// The new-member page.
#[derive(Template)]
#[template(path = "member_new.html")]
pub struct NewMemberPage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    pub v: MemberValues,
    pub invite: bool,
    pub problems: FieldProblems,
}

impl NewMemberPage {
    /// The problem of a field.
    pub fn problem<S: AsRef<str>>(&self, name: S) -> Option<&str> {
        self.problems.get(name.as_ref())
    }
}

/// The new-member form's query.
#[derive(Debug, Deserialize)]
pub struct NewMemberQuery {
    pub union_id: Option<i64>,
}

/// `GET /quan-tri/doan-vien/moi`: the new-member form.
#[get("/quan-tri/doan-vien/moi")]
pub async fn new_member_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<NewMemberQuery>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    require_officer(me)?;
    let union_code = match query.union_id {
        Some(id) => {
            service::unions::managed(&state.db, &me.actor, id)
                .await?
                .code
        }
        None => String::new(),
    };
    render(
        StatusCode::OK,
        &NewMemberPage {
            chrome: Chrome::of(&visitor, "admin"),
            notice: None,
            v: MemberValues {
                union_code,
                ..MemberValues::default()
            },
            invite: true,
            problems: FieldProblems::default(),
        },
    )
}

pub(super) fn member_values(p: MemberForm) -> MemberValues {
    MemberValues {
        full_name: p.full_name,
        email: p.email,
        member_code: p.member_code,
        phone: p.phone,
        union_code: p.union_code,
    }
}

pub(super) fn member_place(k: &str) -> String {
    match k {
        "union_id" => "union_code".to_owned(),
        other => other.to_owned(),
    }
}

/// `POST /quan-tri/doan-vien`: creates a member account (with the member role on its union)
/// and, when asked, emails the invitation to set a password.
#[post("/quan-tri/doan-vien")]
pub async fn create_member(
    state: web::Data<AppState>,
    f: SignedInForm<NewMemberForm, Officers>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let send_invite = p.invite == "1";
    let v = member_values(p.member);
    let union_id = match v.union_code.trim() {
        "" => None,
        c => service::unions::id_by_code(&state.db, c.to_owned()).await?,
    };
    let result = match union_id {
        None => Err(AppError::field(
            "union_id",
            "Không có đơn vị nào mang mã này.",
        )),
        Some(union_id) => {
            let body = CreateUser {
                email: v.email.clone(),
                full_name: v.full_name.clone(),
                member_code: Some(v.member_code.clone()),
                phone: Some(v.phone.clone()),
                union_id,
                password: None,
            };
            match crate::service::input::users::parse_create(body) {
                Ok(input) => service::users::create(&state.db, Some(&me.actor), input).await,
                Err(e) => Err(e),
            }
        }
    };
    match result {
        Ok(detail) => {
            if send_invite {
                service::users::invite(&state.db, &me.actor, detail.user.id).await?;
            }
            Ok(see_other(&format!(
                "/quan-tri/doan-vien/{}?da=tao-doan-vien",
                detail.user.id
            )))
        }
        Err(e) if e.code.status().is_client_error() && e.code != ErrorCode::CsrfRejected => {
            let mut problems = FieldProblems::default();
            for (k, msg) in FieldProblems::from_error(&e).0 {
                problems.add(&member_place(&k), msg);
            }
            if e.code == ErrorCode::Forbidden {
                problems.add(
                    "union_code",
                    "Đơn vị này nằm ngoài phạm vi quản lý của bạn.",
                );
            }
            render(
                if e.code == ErrorCode::Forbidden {
                    StatusCode::FORBIDDEN
                } else {
                    e.code.status()
                },
                &NewMemberPage {
                    chrome: Chrome::of(&visitor, "admin"),
                    notice: Some(("error", refusal_text(&e))),
                    v,
                    invite: send_invite,
                    problems,
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// A role on the member's page.
#[derive(Debug, Clone)]
pub struct RoleLine {
    pub id: i64,
    pub role: &'static str,
    pub union_code: String,
    pub program: String,
}

/// A role the officer may grant.
#[derive(Debug, Clone)]
pub struct RoleChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// The member's page.
#[derive(Template)]
#[template(path = "member_admin.html")]
pub struct MemberPage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    pub user: UserDetail,
    pub union: UnionView,
    pub manage: bool,
    pub v: MemberValues,
    pub roles: Vec<RoleLine>,
    pub role_choices: Vec<RoleChoice>,
    pub programs: Vec<ProgramView>,
    pub grant_union: String,
    pub grant_program: i64,
    pub disabled: bool,
    /// Why the account cannot sign in although it is not disabled (its union has stopped
    /// operating), for the officer to see.
    pub barred: Option<String>,
    pub problems: FieldProblems,
}

impl MemberPage {
    /// The problem of a field.
    pub fn problem<S: AsRef<str>>(&self, name: S) -> Option<&str> {
        self.problems.get(name.as_ref())
    }
}

#[derive(Debug, Default)]
pub(super) struct MemberTyped {
    v: Option<MemberValues>,
    grant: Option<(String, String, i64)>,
}

pub(super) async fn member_page(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    id: i64,
    notice: Option<(&'static str, String)>,
    problems: FieldProblems,
    typed: MemberTyped,
) -> Result<MemberPage, PageError> {
    require_officer(me)?;
    let user = service::users::get(&state.db, &me.actor, id).await?;
    let union = service::unions::get(&state.db, &me.actor, user.user.union_id).await?;
    let upath = UnionPath::from_stored(union.path.clone());
    let manage = can(
        &me.actor,
        Action::ManageUser,
        Resource::User {
            id,
            union_path: &upath,
        },
    );
    let programs = service::programs::list(&state.db, &me.actor).await?;
    let barred = service::auth::sign_in_barred_because(&state.db, id).await?;
    let program_name = |pid: Option<i64>| {
        pid.and_then(|p| programs.iter().find(|x| x.id == p))
            .map(|p| p.name.clone())
            .unwrap_or_default()
    };
    let roles = user
        .roles
        .iter()
        .map(|g| RoleLine {
            id: g.id,
            role: g.role_name,
            union_code: g.union_code.clone(),
            program: program_name(g.program_id),
        })
        .collect();
    let (grant_role, grant_union, grant_program) = typed
        .grant
        .unwrap_or_else(|| ("reviewer".to_owned(), union.code.clone(), 0));
    let role_choices = PAGE_GRANTABLE_ROLES
        .into_iter()
        .map(|r| RoleChoice {
            value: r.as_str(),
            label: r.label(),
            selected: r.as_str() == grant_role,
        })
        .collect();
    let v = typed.v.unwrap_or_else(|| MemberValues {
        full_name: user.user.full_name.clone(),
        email: user.user.email.clone(),
        member_code: user.user.member_code.clone().unwrap_or_default(),
        phone: user.user.phone.clone().unwrap_or_default(),
        union_code: union.code.clone(),
    });
    Ok(MemberPage {
        chrome: Chrome::of(visitor, "admin"),
        notice,
        disabled: user.user.status == UserStatus::Disabled,
        barred,
        manage,
        v,
        roles,
        role_choices,
        programs: programs
            .into_iter()
            .filter(|p| p.status != crate::domain::ProgramStatus::Archived)
            .collect(),
        grant_union,
        grant_program,
        problems,
        user,
        union,
    })
}

/// The member page's query.
#[derive(Debug, Deserialize)]
pub struct MemberQuery {
    pub da: Option<String>,
}

/// `GET /quan-tri/doan-vien/{id}`: a member's account, roles and the forms that change them.
#[get("/quan-tri/doan-vien/{id}")]
pub async fn member(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    query: web::Query<MemberQuery>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let page = member_page(
        &state,
        &visitor,
        me,
        path.into_inner(),
        notice(Done::Organisation, query.da.as_deref()),
        FieldProblems::default(),
        MemberTyped::default(),
    )
    .await?;
    render(StatusCode::OK, &page)
}

/// After an action on a member's account (status, invitation, sessions, anonymisation, a
/// role revoked): back to the member's page at `anchor`, or the page again with why it was
/// refused.
pub(super) async fn member_action_done<T>(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    id: i64,
    result: Result<T, AppError>,
    done: &str,
    anchor: &str,
) -> Result<HttpResponse, PageError> {
    answer(result, (&member_path(id), done, anchor), |e| {
        member_refused(
            state,
            visitor,
            me,
            id,
            e,
            str::to_owned,
            MemberTyped::default(),
        )
    })
    .await
}

pub(super) async fn member_refused(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    id: i64,
    e: AppError,
    place: impl Fn(&str) -> String,
    typed: MemberTyped,
) -> Result<HttpResponse, PageError> {
    let Some(problems) = form_problems(&e, FieldProblems::default(), place) else {
        return Err(e.into());
    };
    let page = member_page(
        state,
        visitor,
        me,
        id,
        Some(("error", refusal_text(&e))),
        problems,
        typed,
    )
    .await?;
    render(e.code.status(), &page)
}

/// A member's administration page.
pub(super) fn member_path(id: i64) -> String {
    format!("/quan-tri/doan-vien/{id}")
}

/// `POST /quan-tri/doan-vien/{id}`: changes name, email, member code, phone and union.
#[post("/quan-tri/doan-vien/{id}")]
pub async fn update_member(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<MemberForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let v = member_values(p);
    let union_id = match v.union_code.trim() {
        "" => None,
        c => service::unions::id_by_code(&state.db, c.to_owned()).await?,
    };
    let result = match union_id {
        None => Err(AppError::field(
            "union_id",
            "Không có đơn vị nào mang mã này.",
        )),
        Some(union_id) => {
            let body = UpdateUser {
                status: None,
                full_name: Some(v.full_name.clone()),
                email: Some(v.email.clone()),
                phone: Some(Some(v.phone.clone())),
                member_code: Some(Some(v.member_code.clone())),
                union_id: Some(union_id),
            };
            match crate::service::input::users::parse_update(&body) {
                Ok(changes) => service::users::update(&state.db, &me.actor, id, changes)
                    .await
                    .map(|_| ()),
                Err(e) => Err(e),
            }
        }
    };
    answer(result, (&member_path(id), "1", "details"), |e| {
        let typed = MemberTyped {
            v: Some(v),
            ..MemberTyped::default()
        };
        member_refused(&state, &visitor, &me, id, e, member_place, typed)
    })
    .await
}

/// `POST /quan-tri/doan-vien/{id}/trang-thai`: disables (after confirmation) or enables the
/// account; a disabled account cannot sign in.
#[post("/quan-tri/doan-vien/{id}/trang-thai")]
pub async fn set_member_status(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<StatusForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let disable = p.status == "disabled";
    if disable && !p.confirmation.given() {
        let user = service::users::get(&state.db, &me.actor, id).await?;
        return confirm(
            &visitor,
            format!("Khoá tài khoản của {}?", user.user.full_name),
            "Người này sẽ không đăng nhập được nữa (kể cả phiên đang mở, ở lần tải trang tiếp theo). Sáng kiến và vai trò của họ được giữ nguyên; có thể mở khoá lại. Việc này được ghi vào nhật ký.",
            format!("/quan-tri/doan-vien/{id}/trang-thai"),
            &p,
            "Khoá tài khoản",
            format!("/quan-tri/doan-vien/{id}"),
        );
    }
    let status = if disable {
        UserStatus::Disabled
    } else {
        UserStatus::Active
    };
    let result = service::users::set_status(&state.db, &me.actor, id, status).await;
    let done = if disable { "khoa" } else { "mo-khoa" };
    member_action_done(&state, &visitor, &me, id, result, done, "status").await
}

/// `POST /quan-tri/doan-vien/{id}/dang-xuat`: ends every session of the member (a lost
/// phone, a shared computer).
#[post("/quan-tri/doan-vien/{id}/dang-xuat")]
pub async fn revoke_member_sessions(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<NoFields>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, _) = f.into_parts();
    let id = path.into_inner();
    let result = service::auth::revoke_sessions_of(&state.db, &me.actor, id).await;
    member_action_done(&state, &visitor, &me, id, result, "dang-xuat", "status").await
}

/// `GET /quan-tri/doan-vien/{id}/du-lieu`: everything stored about the member, as a JSON
/// download (a request for their data made on paper); audited.
#[get("/quan-tri/doan-vien/{id}/du-lieu")]
pub async fn member_personal_data(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let id = path.into_inner();
    let export = service::privacy::export(&state.db, &me.actor, id).await?;
    Ok(crate::routes::download::personal_data(&export, id)?)
}

/// `POST /quan-tri/doan-vien/{id}/an-danh`: anonymises the member on request, after
/// confirmation.
#[post("/quan-tri/doan-vien/{id}/an-danh")]
pub async fn anonymise_member(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<Confirmation>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    if !p.given() {
        let user = service::users::get(&state.db, &me.actor, id).await?;
        return confirm(
            &visitor,
            format!("Ẩn danh hoá {}?", user.user.full_name),
            "Họ tên, email, mã đoàn viên, số điện thoại, mật khẩu, vai trò, phiên đăng nhập và thư của người này sẽ bị xoá vĩnh viễn; tài khoản bị khoá. Sáng kiến, phiếu chấm và quyết định đã có được giữ nguyên và vẫn được tính vào chỉ tiêu, nhưng không còn gắn với tên người này. Không thể hoàn tác. Việc này được ghi vào nhật ký.",
            format!("/quan-tri/doan-vien/{id}/an-danh"),
            &p,
            "Ẩn danh hoá vĩnh viễn",
            format!("/quan-tri/doan-vien/{id}"),
        );
    }
    let result = service::privacy::anonymise(&state.db, &me.actor, id).await;
    member_action_done(&state, &visitor, &me, id, result, "an-danh", "status").await
}

/// `POST /quan-tri/doan-vien/{id}/moi-kich-hoat`: emails the invitation (the link to set a
/// password) again.
#[post("/quan-tri/doan-vien/{id}/moi-kich-hoat")]
pub async fn invite(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<NoFields>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, _) = f.into_parts();
    let id = path.into_inner();
    let result = service::users::invite(&state.db, &me.actor, id).await;
    member_action_done(&state, &visitor, &me, id, result, "moi", "status").await
}

/// `POST /quan-tri/doan-vien/{id}/vai-tro`: grants a role over a union's subtree (reviewers:
/// for a program).
#[post("/quan-tri/doan-vien/{id}/vai-tro")]
pub async fn grant(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<GrantForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let role_text = p.role;
    let union_code = p.union_code;
    let program_id: i64 = p.program_id.trim().parse().unwrap_or(0);
    let typed = || MemberTyped {
        grant: Some((role_text.clone(), union_code.clone(), program_id)),
        ..MemberTyped::default()
    };
    let place = |k: &str| match k {
        "union_id" => "grant_union".to_owned(),
        "program_id" => "grant_program".to_owned(),
        _ => "grant_role".to_owned(),
    };
    let Some(role) = Role::parse(&role_text) else {
        let e = AppError::field("role", "Chọn một vai trò.");
        return member_refused(&state, &visitor, &me, id, e, place, typed()).await;
    };
    let union_id = match union_code.trim() {
        "" => None,
        c => service::unions::id_by_code(&state.db, c.to_owned()).await?,
    };
    let Some(union_id) = union_id else {
        let e = AppError::field("union_id", "Không có đơn vị nào mang mã này.");
        return member_refused(&state, &visitor, &me, id, e, place, typed()).await;
    };
    let input = GrantInput {
        role,
        union_id,
        program_id: (grant_names_program(role) && program_id > 0).then_some(program_id),
    };
    match service::users::grant(&state.db, Some(&me.actor), id, input).await {
        Ok(_) => Ok(back(&member_path(id), "cap-quyen", "roles")),
        Err(e) if e.code == ErrorCode::Forbidden => {
            let e = AppError::field(
                "union_id",
                "Bạn không được cấp vai trò này ở đơn vị này (ngoài phạm vi quản lý hoặc vượt quyền của bạn).",
            )
            .with_message("Không thể cấp vai trò.");
            let mut r = member_refused(&state, &visitor, &me, id, e, place, typed()).await?;
            *r.status_mut() = StatusCode::FORBIDDEN;
            Ok(r)
        }
        Err(e) => member_refused(&state, &visitor, &me, id, e, place, typed()).await,
    }
}

/// `POST /quan-tri/doan-vien/{id}/vai-tro/{grant}/thu-hoi`: after confirmation, revokes a
/// role.
#[post("/quan-tri/doan-vien/{id}/vai-tro/{grant}/thu-hoi")]
pub async fn revoke(
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    f: SignedInForm<Confirmation>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let (id, grant_id) = path.into_inner();
    if !p.given() {
        let user = service::users::get(&state.db, &me.actor, id).await?;
        let g = user
            .roles
            .iter()
            .find(|g| g.id == grant_id)
            .ok_or_else(AppError::not_found)?;
        return confirm(
            &visitor,
            format!(
                "Thu hồi vai trò “{}” ({}) của {}?",
                g.role_name, g.union_code, user.user.full_name
            ),
            "Người này mất ngay các quyền của vai trò trong phạm vi đó. Việc này được ghi vào nhật ký.",
            format!("/quan-tri/doan-vien/{id}/vai-tro/{grant_id}/thu-hoi"),
            &p,
            "Thu hồi",
            format!("/quan-tri/doan-vien/{id}"),
        );
    }
    let result = service::users::revoke(&state.db, &me.actor, id, grant_id).await;
    member_action_done(&state, &visitor, &me, id, result, "thu-hoi", "roles").await
}
