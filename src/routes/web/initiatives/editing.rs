//! Writing an initiative: the form (new and edit), explicit save and autosave, submission,
//! and the live similar check.

use super::*;

/// An attachment as the form and the initiative page list it.
#[derive(Debug, Clone)]
pub struct AttachmentItem {
    pub id: i64,
    pub file_name: String,
    pub size_text: String,
}

pub(super) fn size_text(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", format::number(bytes / (1024 * 1024)))
    } else {
        format!("{} KB", format::number((bytes / 1024).max(1)))
    }
}

/// The initiative form.
#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub chrome: Chrome,
    /// `None` for a new initiative.
    pub id: Option<i64>,
    pub version: i32,
    pub program_id: i64,
    pub program_name: String,
    pub phase_text: String,
    pub fields: Vec<Choice>,
    pub v: FormValues,
    pub problems: FieldProblems,
    /// A message above the form (saved, conflict, cannot submit…).
    pub notice: Option<Notice>,
    pub returned_note: Option<String>,
    pub attachments: Vec<AttachmentItem>,
    pub upload_hint: String,
}

/// A message above a form.
#[derive(Debug, Clone)]
pub struct Notice {
    /// `ok`, `warn` or `error`.
    pub tone: &'static str,
    pub text: String,
    /// An optional link (text, href).
    pub link: Option<(String, String)>,
}

impl FormPage {
    /// The problem of a field, for the template.
    pub fn problem<S: AsRef<str>>(&self, field: S) -> Option<&str> {
        self.problems.get(field.as_ref())
    }

    /// The form's action.
    pub fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/sang-kien/{id}/sua"),
            None => "/sang-kien/moi".to_owned(),
        }
    }
}

pub(super) fn choices(program: &ProgramView, selected: Option<i64>) -> Vec<Choice> {
    program
        .fields
        .iter()
        .map(|f| Choice {
            id: f.id,
            name: f.name.clone(),
            selected: Some(f.id) == selected,
        })
        .collect()
}

pub(super) fn phase_text(program: &ProgramView) -> String {
    match ProgramBox::pick(std::slice::from_ref(program)) {
        Some(b) if b.open_now => format!(
            "{} · hạn nộp {} (còn {})",
            b.phase_name, b.when_text, b.remaining
        ),
        Some(b) => format!("{} · mở nhận từ {}", b.phase_name, b.when_text),
        None => "Chương trình hiện không trong đợt nhận sáng kiến.".to_owned(),
    }
}

pub(super) fn upload_hint(state: &AppState) -> String {
    let u = &state.settings.uploads;
    format!(
        "Tối đa {} tệp, mỗi tệp không quá {}; nhận các định dạng: {}.",
        u.max_files_per_initiative,
        size_text(i64::try_from(u.max_bytes).unwrap_or(i64::MAX)),
        u.allowed_extensions.join(", ")
    )
}

/// The program a new initiative goes to: the first open one the member may join.
pub(super) async fn open_program(
    state: &AppState,
    actor: &Actor,
) -> Result<ProgramView, PageError> {
    let programs = service::programs::list(&state.db, actor).await?;
    let open = ProgramBox::pick(&programs)
        .and_then(|b| programs.into_iter().find(|p| p.id == b.id))
        .ok_or_else(|| {
            AppError::new(ErrorCode::ProgramNotOpen)
                .with_message("Hiện chưa có chương trình nào đang nhận sáng kiến.")
        })?;
    Ok(open)
}

/// Everything the form needs besides the values.
pub(super) struct FormContext {
    id: Option<i64>,
    version: i32,
    program: ProgramView,
    returned_note: Option<String>,
    attachments: Vec<AttachmentItem>,
}

pub(super) fn form_page(
    state: &AppState,
    visitor: &Visitor,
    ctx: FormContext,
    v: FormValues,
    problems: FieldProblems,
    notice: Option<Notice>,
) -> FormPage {
    FormPage {
        chrome: Chrome::of(visitor, "home"),
        id: ctx.id,
        version: ctx.version,
        program_id: ctx.program.id,
        program_name: ctx.program.name.clone(),
        phase_text: phase_text(&ctx.program),
        fields: choices(&ctx.program, v.field_id),
        v,
        problems,
        notice,
        returned_note: ctx.returned_note,
        attachments: ctx.attachments,
        upload_hint: upload_hint(state),
    }
}

/// `GET /sang-kien/moi`: an empty form.
#[get("/sang-kien/moi")]
pub async fn new_form(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let program = open_program(&state, &me.actor).await?;
    let ctx = FormContext {
        id: None,
        version: 0,
        program,
        returned_note: None,
        attachments: Vec::new(),
    };
    render(
        StatusCode::OK,
        &form_page(
            &state,
            &visitor,
            ctx,
            FormValues::empty(),
            FieldProblems::default(),
            None,
        ),
    )
}

pub(super) fn wants_json(req: &HttpRequest) -> bool {
    req.headers().contains_key("x-autosave")
}

/// The answer of an autosave.
#[derive(Debug, Serialize)]
pub(super) struct AutosaveAnswer {
    ok: bool,
    id: Option<i64>,
    version: Option<i32>,
    edit_url: Option<String>,
    saved_at: Option<String>,
    message: Option<String>,
    problems: std::collections::BTreeMap<String, String>,
}

pub(super) fn autosave_ok(view: &InitiativeView) -> HttpResponse {
    HttpResponse::Ok().json(AutosaveAnswer {
        ok: true,
        id: Some(view.id),
        version: Some(view.version),
        edit_url: Some(format!("/sang-kien/{}/sua", view.id)),
        saved_at: Some(format::datetime(view.updated_at)),
        message: None,
        problems: Default::default(),
    })
}

pub(super) fn autosave_failed(
    status: StatusCode,
    message: String,
    problems: FieldProblems,
) -> HttpResponse {
    HttpResponse::build(status).json(AutosaveAnswer {
        ok: false,
        id: None,
        version: None,
        edit_url: None,
        saved_at: None,
        message: Some(message),
        problems: problems.0,
    })
}

pub(super) fn notice_for(e: &AppError) -> Notice {
    let text = match e.code {
        ErrorCode::ValidationFailed => "Một số thông tin chưa hợp lệ; xem ghi chú bên cạnh từng mục.".to_owned(),
        ErrorCode::IncompleteInitiative => {
            "Sáng kiến chưa đủ thông tin để nộp; bản nháp đã được lưu. Xem ghi chú bên cạnh từng mục.".to_owned()
        }
        ErrorCode::VersionConflict => "Sáng kiến vừa được lưu ở một cửa sổ khác. Nội dung bạn đang thấy là của cửa sổ này; bấm Lưu nháp để ghi đè, hoặc tải lại trang để xem bản đã lưu.".to_owned(),
        _ => e.message.clone(),
    };
    let link = e
        .details
        .as_ref()
        .and_then(|d| d.get("existing_id").or_else(|| d.get("initiative_id")))
        .and_then(serde_json::Value::as_i64)
        .map(|id| {
            (
                "Xem sáng kiến đã nộp".to_owned(),
                format!("/sang-kien/{id}"),
            )
        });
    Notice {
        tone: "error",
        text,
        link,
    }
}

/// What follows saving a posted form.
pub(super) enum Saved {
    /// The answer: the autosave's JSON, the receipt, or the saved form.
    Done(HttpResponse),
    /// Refused for a reason the member can fix: show the form again with it.
    Refused(AppError, FormValues),
}

/// After a save (create or update): answers an autosave with JSON, submits when asked, or
/// goes back to the saved form; a refusal the member can fix is handed back to the caller.
pub(super) async fn after_save(
    req: &HttpRequest,
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    posted: &Posted,
    values: FormValues,
    result: Result<InitiativeView, AppError>,
) -> Result<Saved, PageError> {
    match result {
        Ok(view) if wants_json(req) => Ok(Saved::Done(autosave_ok(&view))),
        Ok(view) if posted.action() == "submit" => {
            submit_and_answer(state, visitor, me, view, values)
                .await
                .map(Saved::Done)
        }
        Ok(view) => Ok(Saved::Done(see_other(&format!(
            "/sang-kien/{}/sua?da_luu=1",
            view.id
        )))),
        Err(e) if wants_json(req) => Ok(Saved::Done(autosave_failed(
            e.code.status(),
            e.message.clone(),
            problems_of(&e, &values),
        ))),
        Err(e) if e.code.status().is_client_error() && e.code != ErrorCode::NotFound => {
            Ok(Saved::Refused(e, values))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /sang-kien/moi`: creates the draft (and submits it when asked).
#[post("/sang-kien/moi")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    f: SignedInForm<Posted>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, posted) = f.into_parts();
    let values = posted.values();
    let program = open_program(&state, &me.actor).await?;
    let ctx = FormContext {
        id: None,
        version: 0,
        program: program.clone(),
        returned_note: None,
        attachments: Vec::new(),
    };
    let result = match draft_input(&state, &me, &values, !wants_json(&req)).await {
        Ok(input) => service::initiatives::create(&state.db, &me.actor, program.id, input).await,
        Err(e) => Err(e),
    };
    match after_save(&req, &state, &visitor, &me, &posted, values, result).await? {
        Saved::Done(response) => Ok(response),
        Saved::Refused(e, values) => form_again(&state, &visitor, ctx, values, &e),
    }
}

pub(super) async fn context_for(
    state: &AppState,
    actor: &Actor,
    view: &InitiativeView,
) -> Result<FormContext, PageError> {
    let program = service::programs::get(&state.db, actor, view.program_id).await?;
    let attachments = service::attachments::list(&state.db, actor, view.id)
        .await?
        .into_iter()
        .map(|a| AttachmentItem {
            id: a.id,
            file_name: a.file_name,
            size_text: size_text(a.size_bytes),
        })
        .collect();
    let returned_note = if view.status == InitiativeStatus::Returned {
        service::initiatives::history(&state.db, actor, view.id)
            .await?
            .into_iter()
            .rev()
            .find(|h| h.to_state.as_deref() == Some("returned"))
            .and_then(|h| h.comment)
            .or_else(|| Some("Hội đồng đề nghị chỉnh sửa; xem lịch sử xử lý.".to_owned()))
    } else {
        None
    };
    Ok(FormContext {
        id: Some(view.id),
        version: view.version,
        program,
        returned_note,
        attachments,
    })
}

/// Submits a saved initiative; on success the receipt, otherwise the form with the reasons.
pub(super) async fn submit_and_answer(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    view: InitiativeView,
    values: FormValues,
) -> Result<HttpResponse, PageError> {
    match service::initiatives::submit(
        &state.db,
        &state.search,
        &me.actor,
        view.id,
        Some(view.version),
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!("/sang-kien/{}/bien-nhan", view.id))),
        Err(e) if e.code.status().is_client_error() => {
            let ctx = context_for(state, &me.actor, &view).await?;
            form_again(state, visitor, ctx, values, &e)
        }
        Err(e) => Err(e.into()),
    }
}

/// Query of the edit page.
#[derive(Debug, Deserialize)]
pub struct EditQuery {
    pub da_luu: Option<String>,
    pub da_tai: Option<String>,
    pub loi_tep: Option<String>,
}

/// `GET /sang-kien/{id}/sua`: the form with the stored draft.
#[get("/sang-kien/{id}/sua")]
pub async fn edit_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    query: web::Query<EditQuery>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let id = path.into_inner();
    let (view, logins) = service::initiatives::for_editing(&state.db, &me.actor, id).await?;
    if !view.status.is_editable() {
        return Ok(see_other(&format!("/sang-kien/{id}")));
    }
    let values = FormValues::from_view(&view, &logins);
    let ctx = context_for(&state, &me.actor, &view).await?;
    let notice = if query.da_luu.is_some() {
        Some(Notice {
            tone: "ok",
            text: format!("Đã lưu nháp lúc {}.", format::datetime(view.updated_at)),
            link: None,
        })
    } else if let Some(reason) = &query.loi_tep {
        Some(Notice {
            tone: "error",
            text: match reason.as_str() {
                "qua-lon" => "Tệp vượt quá dung lượng cho phép; chưa đính kèm.",
                "sai-loai" => "Loại tệp này không được chấp nhận; chưa đính kèm.",
                "qua-nhieu" => "Không thể đính kèm thêm tệp cho sáng kiến này.",
                _ => "Chưa chọn tệp để đính kèm.",
            }
            .to_owned(),
            link: None,
        })
    } else if query.da_tai.is_some() {
        Some(Notice {
            tone: "ok",
            text: "Đã đính kèm tệp.".to_owned(),
            link: None,
        })
    } else {
        None
    };
    render(
        StatusCode::OK,
        &form_page(
            &state,
            &visitor,
            ctx,
            values,
            FieldProblems::default(),
            notice,
        ),
    )
}

/// `POST /sang-kien/{id}/sua`: saves the draft (and submits it when asked).
#[post("/sang-kien/{id}/sua")]
pub async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<Posted>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, posted) = f.into_parts();
    let id = path.into_inner();
    let values = posted.values();
    let version: i32 = posted.get("version").trim().parse().unwrap_or(0);
    let result = match draft_input(&state, &me, &values, !wants_json(&req)).await {
        Ok(input) => service::initiatives::update(&state.db, &me.actor, id, version, input).await,
        Err(e) => Err(e),
    };
    match after_save(&req, &state, &visitor, &me, &posted, values, result).await? {
        Saved::Done(response) => Ok(response),
        Saved::Refused(e, values) => {
            let (view, _) = service::initiatives::for_editing(&state.db, &me.actor, id).await?;
            let mut ctx = context_for(&state, &me.actor, &view).await?;
            if e.code != ErrorCode::VersionConflict {
                // Keep the version the member's page was based on.
                ctx.version = version;
            }
            form_again(&state, &visitor, ctx, values, &e)
        }
    }
}

/// The header scripts send the CSRF token in.
pub(super) const CSRF_HEADER: &str = "x-csrf-token";

/// `POST /sang-kien/tuong-tu`: the live similar check for the panel (JSON, same answer as the
/// API's `/initiatives/similar`), for the signed-in member's session.
#[post("/sang-kien/tuong-tu")]
pub async fn similar(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    body: web::Json<SimilarRequest>,
) -> Result<HttpResponse, AppError> {
    let token = req
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    match visitor.check_csrf(token) {
        Ok(()) => {}
        Err(PageError::App(e)) => return Err(e),
        Err(PageError::SignIn(_)) => return Err(AppError::new(ErrorCode::Unauthenticated)),
    }
    let me = visitor
        .identity
        .as_ref()
        .ok_or_else(|| AppError::new(ErrorCode::Unauthenticated))?;
    let input = body.into_inner().into_input()?;
    let view = service::similar::similar(&state.db, &state.search, &me.actor, input).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(view))
}
