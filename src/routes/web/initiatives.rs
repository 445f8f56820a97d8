//! The initiative pages: the form (new and edit, saved explicitly and automatically), the live
//! similar check behind its panel, submission and its receipt, the author's view with its
//! timeline, and attachments.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::form::SignedInForm;
use super::member::ProgramBox;
use super::{Chrome, FieldProblems, PageError, Visitor, format, render, see_other};
use crate::auth::Identity;
use crate::domain::initiative::decision_due;
use crate::domain::{Actor, InitiativeStatus, InvitationStatus};
use crate::error::{AppError, ErrorCode};
use crate::routes::api::initiatives::{CoauthorBody, DraftBody, parse};
use crate::routes::api::search::SimilarRequest;
use crate::service;
use crate::service::initiatives::InitiativeView;
use crate::service::programs::ProgramView;
use crate::state::AppState;

/// Co-author rows on the form.
pub const COAUTHOR_ROWS: usize = 4;

/// A choice in a select.
#[derive(Debug, Clone)]
pub struct Choice {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

/// A co-author row as typed (and, for a stored draft, where the co-author stands).
#[derive(Debug, Clone, Default)]
pub struct CoauthorValue {
    pub login: String,
    pub share: String,
    /// "Đã xác nhận", "Chờ xác nhận", "Đã từ chối", or empty for a row as typed.
    pub status: &'static str,
    /// The co-author's name, once they accepted (never before).
    pub name: String,
    /// They declined: the row offers to invite them again.
    pub declined: bool,
    /// Invite again (a declined co-author).
    pub reinvite: bool,
}

/// The form's values as the member typed them (or as stored).
#[derive(Debug, Clone, Default)]
pub struct FormValues {
    pub title: String,
    pub field_id: Option<i64>,
    pub coauthors: Vec<CoauthorValue>,
    pub author_share: String,
    pub first_applied_on: String,
    pub current_situation: String,
    pub solution: String,
    pub scope: String,
    pub benefits: String,
    pub benefit: String,
    pub confidential: bool,
}

impl FormValues {
    fn from_view(v: &InitiativeView, logins: &[String]) -> Self {
        let mut coauthors: Vec<CoauthorValue> = v
            .authors
            .iter()
            .zip(logins)
            .skip(1)
            .map(|(a, login)| CoauthorValue {
                login: login.clone(),
                share: a.share_percent.to_string(),
                status: "Đã xác nhận",
                name: a.full_name.clone(),
                declined: false,
                reinvite: false,
            })
            .collect();
        coauthors.extend(v.coauthor_invitations.iter().map(|i| CoauthorValue {
            login: i.invited_as.clone(),
            share: i.share_percent.to_string(),
            status: i.status_name,
            name: String::new(),
            declined: i.status == InvitationStatus::Declined,
            reinvite: false,
        }));
        coauthors.resize(COAUTHOR_ROWS.max(coauthors.len()), CoauthorValue::default());
        Self {
            title: v.title.clone(),
            field_id: v.field_id,
            coauthors,
            author_share: v
                .authors
                .first()
                .map(|a| a.share_percent.to_string())
                .unwrap_or_default(),
            first_applied_on: v
                .first_applied_on
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            current_situation: v.current_situation.clone(),
            solution: v.solution.clone(),
            scope: v.scope.clone(),
            benefits: v.benefits.clone(),
            benefit: v
                .estimated_benefit_vnd
                .map(format::number)
                .unwrap_or_default(),
            confidential: v.confidential,
        }
    }

    fn empty() -> Self {
        Self {
            coauthors: vec![CoauthorValue::default(); COAUTHOR_ROWS],
            author_share: "100".to_owned(),
            ..Self::default()
        }
    }
}

/// The initiative form, as name → value: its fields and a varying number of co-author rows
/// (`coauthor_login_{i}`, `coauthor_share_{i}`, `coauthor_reinvite_{i}`), read into
/// [`FormValues`] by [`Posted::values`].
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct Posted(HashMap<String, String>);

impl Posted {
    fn get(&self, name: &str) -> String {
        self.0.get(name).cloned().unwrap_or_default()
    }

    fn values(&self) -> FormValues {
        let rows = (0..)
            .take_while(|i| {
                *i < COAUTHOR_ROWS || self.0.contains_key(&format!("coauthor_login_{i}"))
            })
            .count()
            .min(50);
        let coauthors = (0..rows)
            .map(|i| CoauthorValue {
                login: self.get(&format!("coauthor_login_{i}")).trim().to_owned(),
                share: self.get(&format!("coauthor_share_{i}")).trim().to_owned(),
                reinvite: !self.get(&format!("coauthor_reinvite_{i}")).is_empty(),
                ..CoauthorValue::default()
            })
            .collect();
        FormValues {
            title: self.get("title"),
            field_id: self.get("field_id").trim().parse().ok(),
            coauthors,
            author_share: self.get("author_share_percent").trim().to_owned(),
            first_applied_on: self.get("first_applied_on").trim().to_owned(),
            current_situation: self.get("current_situation"),
            solution: self.get("solution"),
            scope: self.get("scope"),
            benefits: self.get("benefits"),
            benefit: self.get("estimated_benefit_vnd").trim().to_owned(),
            confidential: matches!(self.get("confidential").as_str(), "on" | "1" | "true"),
        }
    }

    fn action(&self) -> &str {
        self.0.get("action").map_or("save", String::as_str)
    }
}

/// A date typed as `yyyy-mm-dd` (the date input) or `dd/mm/yyyy` (by hand).
fn parse_date(s: &str) -> Result<Option<NaiveDate>, ()> {
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .map(Some)
        .map_err(|_| ())
}

/// The rows of co-authors that were filled in, by their place on the form: the API body's
/// `coauthors[k]` is row `filled_rows(v)[k]`.
fn filled_rows(v: &FormValues) -> Vec<usize> {
    v.coauthors
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.login.is_empty() || !c.share.is_empty())
        .map(|(i, _)| i)
        .collect()
}

/// The problems of an answer, each beside its field: a co-author's (`coauthors.k`) beside
/// the row it was typed in.
fn problems_of(e: &AppError, v: &FormValues) -> FieldProblems {
    let rows = filled_rows(v);
    let mut out = FieldProblems::default();
    for (k, problem) in FieldProblems::from_error(e).0 {
        let field = k
            .strip_prefix("coauthors.")
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| rows.get(n))
            .map_or(k.clone(), |row| format!("coauthor_login_{row}"));
        out.add(&field, problem);
    }
    out
}

/// Turns the typed values into the API's draft body; co-authors' member codes or emails are
/// checked under the same rule as saving (exact match, no names), and problems are reported
/// per field. Without `with_coauthors` (the autosave) the co-authors are left as stored:
/// naming someone sends them an email, which a pause in typing must not do.
async fn to_body(
    state: &AppState,
    me: &Identity,
    v: &FormValues,
    with_coauthors: bool,
) -> Result<DraftBody, FieldProblems> {
    let mut problems = FieldProblems::default();
    let field_id = v.field_id;
    let first_applied_on = parse_date(&v.first_applied_on).unwrap_or_else(|()| {
        problems.add(
            "first_applied_on",
            "Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm.",
        );
        None
    });
    let benefit = format::parse_vnd(&v.benefit).unwrap_or_else(|_| {
        problems.add(
            "estimated_benefit_vnd",
            "Giá trị làm lợi chỉ gồm chữ số, ví dụ 150.000.000.",
        );
        None
    });
    let author_share = if v.author_share.is_empty() {
        None
    } else {
        match v.author_share.trim_end_matches('%').trim().parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                problems.add("author_share_percent", "Tỷ lệ là một số từ 1 đến 100.");
                None
            }
        }
    };
    let rows: Vec<(usize, &CoauthorValue)> = filled_rows(v)
        .into_iter()
        .filter(|_| with_coauthors)
        .filter_map(|i| Some((i, v.coauthors.get(i)?)))
        .collect();
    let logins: Vec<String> = rows.iter().map(|(_, c)| c.login.clone()).collect();
    let checked = match service::coauthors::check_logins(&state.db, &me.actor, logins).await {
        Ok(checked) => checked,
        Err(_) => vec![None; rows.len()],
    };
    let mut coauthors = Vec::new();
    for ((i, c), problem) in rows.iter().zip(checked) {
        let login_field = format!("coauthor_login_{i}");
        let share_field = format!("coauthor_share_{i}");
        if c.login.is_empty() {
            problems.add(
                &login_field,
                "Nhập mã đoàn viên hoặc email của đồng tác giả.",
            );
            continue;
        }
        let share = c.share.trim_end_matches('%').trim().parse::<i32>();
        let Ok(share) = share.map_err(|_| ()).and_then(|s| {
            if (1..=99).contains(&s) {
                Ok(s)
            } else {
                Err(())
            }
        }) else {
            problems.add(&share_field, "Tỷ lệ đóng góp từ 1% đến 99%.");
            continue;
        };
        match problem {
            Some(problem) => problems.add(&login_field, problem),
            None => coauthors.push(CoauthorBody {
                login: Some(c.login.clone()),
                user_id: None,
                share_percent: share,
                reinvite: c.reinvite,
            }),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(DraftBody {
        phase_id: None,
        field_id: Some(field_id),
        title: Some(v.title.clone()),
        current_situation: Some(v.current_situation.clone()),
        solution: Some(v.solution.clone()),
        scope: Some(v.scope.clone()),
        benefits: Some(v.benefits.clone()),
        first_applied_on: Some(first_applied_on),
        estimated_benefit_vnd: Some(benefit),
        confidential: Some(v.confidential),
        coauthors: with_coauthors.then_some(coauthors),
        author_share_percent: author_share.filter(|_| with_coauthors),
    })
}

/// The typed values as a validated draft, or the problems.
async fn draft_input(
    state: &AppState,
    me: &Identity,
    v: &FormValues,
    with_coauthors: bool,
) -> Result<crate::service::initiatives::DraftInput, AppError> {
    let body = to_body(state, me, v, with_coauthors)
        .await
        .map_err(|problems| AppError::validation(problems.0))?;
    parse(body)
}

/// The form again, with what was typed and why it was not accepted.
fn form_again(
    state: &AppState,
    visitor: &Visitor,
    ctx: FormContext,
    values: FormValues,
    e: &AppError,
) -> Result<HttpResponse, PageError> {
    let problems = problems_of(e, &values);
    render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &form_page(state, visitor, ctx, values, problems, Some(notice_for(e))),
    )
}

/// An attachment as the form and the initiative page list it.
#[derive(Debug, Clone)]
pub struct AttachmentItem {
    pub id: i64,
    pub file_name: String,
    pub size_text: String,
}

fn size_text(bytes: i64) -> String {
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

fn choices(program: &ProgramView, selected: Option<i64>) -> Vec<Choice> {
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

fn phase_text(program: &ProgramView) -> String {
    match ProgramBox::pick(std::slice::from_ref(program)) {
        Some(b) if b.open_now => format!(
            "{} · hạn nộp {} (còn {})",
            b.phase_name, b.when_text, b.remaining
        ),
        Some(b) => format!("{} · mở nhận từ {}", b.phase_name, b.when_text),
        None => "Chương trình hiện không trong đợt nhận sáng kiến.".to_owned(),
    }
}

fn upload_hint(state: &AppState) -> String {
    let u = &state.settings.uploads;
    format!(
        "Tối đa {} tệp, mỗi tệp không quá {}; nhận các định dạng: {}.",
        u.max_files_per_initiative,
        size_text(i64::try_from(u.max_bytes).unwrap_or(i64::MAX)),
        u.allowed_extensions.join(", ")
    )
}

/// The program a new initiative goes to: the first open one the member may join.
async fn open_program(state: &AppState, actor: &Actor) -> Result<ProgramView, PageError> {
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
struct FormContext {
    id: Option<i64>,
    version: i32,
    program: ProgramView,
    returned_note: Option<String>,
    attachments: Vec<AttachmentItem>,
}

fn form_page(
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

fn wants_json(req: &HttpRequest) -> bool {
    req.headers().contains_key("x-autosave")
}

/// The answer of an autosave.
#[derive(Debug, Serialize)]
struct AutosaveAnswer {
    ok: bool,
    id: Option<i64>,
    version: Option<i32>,
    edit_url: Option<String>,
    saved_at: Option<String>,
    message: Option<String>,
    problems: std::collections::BTreeMap<String, String>,
}

fn autosave_ok(view: &InitiativeView) -> HttpResponse {
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

fn autosave_failed(status: StatusCode, message: String, problems: FieldProblems) -> HttpResponse {
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

fn notice_for(e: &AppError) -> Notice {
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
enum Saved {
    /// The answer: the autosave's JSON, the receipt, or the saved form.
    Done(HttpResponse),
    /// Refused for a reason the member can fix: show the form again with it.
    Refused(AppError, FormValues),
}

/// After a save (create or update): answers an autosave with JSON, submits when asked, or
/// goes back to the saved form; a refusal the member can fix is handed back to the caller.
async fn after_save(
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

async fn context_for(
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
async fn submit_and_answer(
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
const CSRF_HEADER: &str = "x-csrf-token";

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

/// An entry of the status timeline.
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub what: String,
    pub when: String,
    pub comment: Option<String>,
    pub tone: &'static str,
}

fn action_label(action: &str) -> String {
    match action {
        "created" => "Tạo bản nháp".to_owned(),
        "submitted" => "Nộp sáng kiến".to_owned(),
        "resubmitted" => "Nộp lại sau khi chỉnh sửa".to_owned(),
        "attachment_added" => "Đính kèm tệp".to_owned(),
        "stage_approved" => "Thông qua một vòng xét duyệt".to_owned(),
        "awarded" => "Khen thưởng".to_owned(),
        "award_cleared" => "Bỏ khen thưởng".to_owned(),
        "coauthor_invited" => "Mời đồng tác giả".to_owned(),
        "coauthor_accepted" => "Đồng tác giả xác nhận".to_owned(),
        "coauthor_declined" => "Đồng tác giả từ chối lời mời".to_owned(),
        "coauthor_withdrawn" => "Rút lời mời đồng tác giả".to_owned(),
        "coauthor_removed" => "Bỏ tên đồng tác giả".to_owned(),
        other => InitiativeStatus::parse(other)
            .map_or_else(|| other.replace('_', " "), |s| s.label().to_owned()),
    }
}

/// The author's (or a reviewer's) page of an initiative.
#[derive(Template)]
#[template(path = "initiative.html")]
pub struct InitiativePage {
    pub chrome: Chrome,
    pub i: InitiativeView,
    pub tone: &'static str,
    pub next_step: &'static str,
    pub program_name: String,
    pub union_name: String,
    pub field_name: String,
    pub authors: Vec<(String, i32)>,
    pub first_applied_text: String,
    pub benefit_text: String,
    pub submitted_text: String,
    pub due_text: String,
    pub editable: bool,
    pub returned_note: Option<String>,
    pub timeline: Vec<TimelineEntry>,
    pub attachments: Vec<AttachmentItem>,
    /// The award, if any.
    pub award: Option<crate::service::review::AwardView>,
    /// The owning union's forms (award, revoke) when the viewer may use them.
    pub conclude: bool,
    pub award_levels: &'static [(&'static str, &'static str)],
}

/// What a signed-in member sees of an initiative they may not read.
#[derive(Template)]
#[template(path = "glimpse.html")]
pub struct GlimpsePage {
    pub chrome: Chrome,
    pub title: String,
    pub union_name: String,
    pub status_name: &'static str,
    pub tone: &'static str,
    pub submitted_text: String,
}

/// `GET /sang-kien/{id}`: the initiative with its timeline.
#[get("/sang-kien/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let id = path.into_inner();
    let view = match service::initiatives::get(&state.db, &me.actor, id).await {
        Ok(v) => v,
        Err(e) if e.code == ErrorCode::NotFound => {
            let g = service::initiatives::glimpse(&state.db, id).await?;
            if g.status == InitiativeStatus::Approved {
                return Ok(see_other(&format!("/thu-vien/{id}")));
            }
            return render(
                StatusCode::OK,
                &GlimpsePage {
                    chrome: Chrome::of(&visitor, ""),
                    title: g.title,
                    union_name: g.union_name,
                    status_name: g.status.label(),
                    tone: g.status.tone(),
                    submitted_text: g.submitted_at.map(format::datetime).unwrap_or_default(),
                },
            );
        }
        Err(e) => return Err(e.into()),
    };
    let actor = &me.actor;
    let (program, union, history, attachments) = futures_util::future::try_join4(
        service::programs::get(&state.db, actor, view.program_id),
        service::unions::name_of(&state.db, view.union_id),
        service::initiatives::history(&state.db, actor, id),
        service::attachments::list(&state.db, actor, id),
    )
    .await?;
    let conclude = view.status == InitiativeStatus::Approved
        && service::review::may_conclude(&state.db, actor, id).await?;
    let award = service::review::award_of(&state.db, id).await?;
    let returned_note = (view.status == InitiativeStatus::Returned)
        .then(|| {
            history
                .iter()
                .rev()
                .find(|h| h.to_state.as_deref() == Some("returned"))
                .and_then(|h| h.comment.clone())
        })
        .flatten();
    let timeline = history
        .into_iter()
        .filter(|h| h.action != "updated")
        .map(|h| TimelineEntry {
            tone: h
                .to_state
                .as_deref()
                .and_then(InitiativeStatus::parse)
                .map_or("neutral", InitiativeStatus::tone),
            what: action_label(&h.action),
            when: format::datetime(h.at),
            // Submissions record their receipt number; say what it is.
            comment: match (h.action.as_str(), h.comment) {
                ("submitted" | "resubmitted", Some(c)) if c.starts_with("SK") => {
                    Some(format!("Số biên nhận {c}"))
                }
                (_, c) => c,
            },
        })
        .collect();
    let field_name = program
        .fields
        .iter()
        .find(|f| Some(f.id) == view.field_id)
        .map(|f| f.name.clone())
        .unwrap_or_else(|| "Chưa chọn".to_owned());
    let page = InitiativePage {
        chrome: Chrome::of(&visitor, "home"),
        tone: view.status.tone(),
        next_step: view.status.next_step(),
        program_name: program.name,
        union_name: union,
        field_name,
        authors: view
            .authors
            .iter()
            .map(|a| (a.full_name.clone(), a.share_percent))
            .collect(),
        first_applied_text: view
            .first_applied_on
            .map(format::date)
            .unwrap_or_else(|| "Chưa nhập".to_owned()),
        benefit_text: view
            .estimated_benefit_vnd
            .map(format::vnd)
            .unwrap_or_else(|| "Chưa ước tính".to_owned()),
        submitted_text: view.submitted_at.map(format::datetime).unwrap_or_default(),
        due_text: view
            .submitted_at
            .filter(|_| !view.status.is_decided())
            .map(|t| format::datetime(decision_due(t.naive_utc()).and_utc()))
            .unwrap_or_default(),
        editable: view.status.is_editable() && view.author_id == me.user.id,
        returned_note,
        timeline,
        attachments: attachments
            .into_iter()
            .map(|a| AttachmentItem {
                id: a.id,
                file_name: a.file_name,
                size_text: size_text(a.size_bytes),
            })
            .collect(),
        award,
        conclude,
        award_levels: &crate::domain::review::AWARD_LEVELS,
        i: view,
    };
    render(StatusCode::OK, &page)
}

/// The receipt (biên nhận) after submission.
#[derive(Template)]
#[template(path = "receipt.html")]
pub struct ReceiptPage {
    pub chrome: Chrome,
    pub id: i64,
    pub title: String,
    pub receipt_no: String,
    pub received_text: String,
    pub due_text: String,
    pub program_name: String,
    pub union_name: String,
    pub authors: Vec<(String, i32)>,
}

/// `GET /sang-kien/{id}/bien-nhan`.
#[get("/sang-kien/{id}/bien-nhan")]
pub async fn receipt(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let id = path.into_inner();
    let view = service::initiatives::get(&state.db, &me.actor, id).await?;
    let (Some(receipt_no), Some(received)) = (view.receipt_no.clone(), view.submitted_at) else {
        return Ok(see_other(&format!("/sang-kien/{id}/sua")));
    };
    let (program, union) = futures_util::future::try_join(
        service::programs::get(&state.db, &me.actor, view.program_id),
        service::unions::name_of(&state.db, view.union_id),
    )
    .await?;
    render(
        StatusCode::OK,
        &ReceiptPage {
            chrome: Chrome::of(&visitor, "home"),
            id,
            title: view.title.clone(),
            receipt_no,
            received_text: format::datetime(received),
            due_text: format::date(decision_due(received.naive_utc()).date()),
            program_name: program.name,
            union_name: union,
            authors: view
                .authors
                .iter()
                .map(|a| (a.full_name.clone(), a.share_percent))
                .collect(),
        },
    )
}

/// Query of the upload form: the CSRF token travels in the URL because the file comes first
/// in a multipart body that is streamed to disk.
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    #[serde(default)]
    pub csrf: String,
}

/// `POST /sang-kien/{id}/tep`: attaches a file, then back to the form.
#[post("/sang-kien/{id}/tep")]
pub async fn upload(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    query: web::Query<UploadQuery>,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    visitor.check_csrf(&query.csrf)?;
    let id = path.into_inner();
    match crate::routes::api::attachments::receive(&state, &me.actor, id, payload).await {
        Ok(_) => Ok(see_other(&format!("/sang-kien/{id}/sua?da_tai=1"))),
        Err(e)
            if matches!(
                e.code,
                ErrorCode::PayloadTooLarge
                    | ErrorCode::UnsupportedMediaType
                    | ErrorCode::ValidationFailed
                    | ErrorCode::InvalidState
            ) =>
        {
            let reason = match e.code {
                ErrorCode::PayloadTooLarge => "qua-lon",
                ErrorCode::UnsupportedMediaType => "sai-loai",
                ErrorCode::InvalidState => "qua-nhieu",
                _ => "khong-co-tep",
            };
            Ok(see_other(&format!("/sang-kien/{id}/sua?loi_tep={reason}")))
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /sang-kien/{id}/tep/{attachment}`: downloads an attachment.
#[get("/sang-kien/{id}/tep/{attachment}")]
pub async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let (_, attachment) = path.into_inner();
    Ok(crate::routes::api::attachments::send(&req, &state, &me.actor, attachment).await?)
}
