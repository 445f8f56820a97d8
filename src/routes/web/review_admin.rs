//! The program administrator's review set-up page: stages, the rubric, committees and their
//! members. Every form posts to the same services as the API and comes back to the page.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::form::{Done, NoFields, SignedInForm, answer, back, notice};
use super::{Chrome, PageError, Visitor, render};
use crate::domain::UnionKind;
use crate::domain::review::{Aggregation, Band, Criterion};
use crate::error::{AppError, ErrorCode};
use crate::routes::identity::Identity;
use crate::service;
use crate::service::programs::ProgramView;
use crate::service::review::{CommitteeInput, CommitteeView, RubricView, StageInput, StageView};
use crate::state::AppState;

/// The stage form (add or change).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StageForm {
    pub name: String,
    pub union_level: String,
    pub reviews_required: String,
    pub due_days: String,
    pub position: String,
    pub blind_scoring: String,
    pub chair_publishes: String,
    pub auto_assign: String,
}

/// The rubric form: `aggregation`, and per row `i` the fields `code_i`, `name_i`,
/// `description_i`, `max_i`, `weight_i`, `bands_i`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RubricForm {
    pub aggregation: String,
    #[serde(flatten)]
    pub rows: HashMap<String, String>,
}

/// The new-committee form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommitteeForm {
    pub union_code: String,
    pub stage_id: String,
    pub committee_name: String,
}

/// The add-a-member form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MemberForm {
    pub login: String,
    pub chair: String,
}

/// A union level to choose.
#[derive(Debug, Clone)]
pub struct LevelChoice {
    pub value: i32,
    pub label: &'static str,
}

/// A rubric row on the form.
#[derive(Debug, Clone, Default)]
pub struct CriterionRow {
    pub code: String,
    pub name: String,
    pub description: String,
    pub max_score: String,
    pub weight: String,
    pub bands: String,
}

/// The set-up page.
#[derive(Template)]
#[template(path = "review_admin.html")]
pub struct AdminPage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    pub program: ProgramView,
    pub stages: Vec<StageView>,
    pub rubric: RubricView,
    pub rows: Vec<CriterionRow>,
    pub committees: Vec<CommitteeView>,
    pub levels: Vec<LevelChoice>,
}

fn levels() -> Vec<LevelChoice> {
    (0..=4)
        .filter_map(UnionKind::from_i32)
        .map(|l| LevelChoice {
            value: l.as_i32(),
            label: l.label(),
        })
        .collect()
}

fn band_text(bands: &[Band]) -> String {
    bands
        .iter()
        .map(|b| format!("{}-{}: {}", b.min, b.max, b.description))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn admin_page(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    id: i64,
    notice: Option<(&'static str, String)>,
    rows: Option<Vec<CriterionRow>>,
) -> Result<AdminPage, PageError> {
    service::programs::require_managed(&state.db, &me.actor, id).await?;
    let program = service::programs::get(&state.db, &me.actor, id).await?;
    let (stages, rubric, committees) = futures_util::future::try_join3(
        service::review::stages(&state.db, &me.actor, id),
        service::review::rubric(&state.db, &me.actor, id),
        service::review::committees(&state.db, &me.actor, id),
    )
    .await?;
    let rows = rows.unwrap_or_else(|| {
        let mut rows: Vec<CriterionRow> = rubric
            .criteria
            .iter()
            .map(|c| CriterionRow {
                code: c.code.clone(),
                name: c.name.clone(),
                description: c.description.clone(),
                max_score: c.max_score.to_string(),
                weight: c.weight.to_string(),
                bands: band_text(&c.bands),
            })
            .collect();
        rows.push(CriterionRow::default());
        rows
    });
    Ok(AdminPage {
        chrome: Chrome::of(visitor, "review"),
        notice,
        program,
        stages,
        rubric,
        rows,
        committees,
        levels: levels(),
    })
}

/// Query of the page.
#[derive(Debug, Deserialize)]
pub struct Params {
    pub da: Option<String>,
}

/// `GET /quan-tri/chuong-trinh/{id}/xet-duyet`: stages, rubric and committees.
#[get("/quan-tri/chuong-trinh/{id}/xet-duyet")]
pub async fn setup(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    params: web::Query<Params>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let notice = notice(Done::ReviewSetup, params.da.as_deref());
    let page = admin_page(&state, &visitor, me, path.into_inner(), notice, None).await?;
    render(StatusCode::OK, &page)
}

/// The review set-up page of program `id`.
fn setup_path(id: i64) -> String {
    format!("/quan-tri/chuong-trinh/{id}/xet-duyet")
}

async fn refused(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    id: i64,
    e: AppError,
    rows: Option<Vec<CriterionRow>>,
) -> Result<HttpResponse, PageError> {
    if !e.code.status().is_client_error() || e.code == ErrorCode::NotFound {
        return Err(e.into());
    }
    let status = e.code.status();
    let details = super::FieldProblems::from_error(&e)
        .0
        .into_iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>();
    let message = if details.is_empty() {
        e.message.clone()
    } else {
        format!("{} {}", e.message, details.join("; "))
    };
    let page = admin_page(state, visitor, me, id, Some(("error", message)), rows).await?;
    render(status, &page)
}

fn stage_from(p: &StageForm) -> Result<StageInput, AppError> {
    let mut problems = std::collections::BTreeMap::new();
    let name = crate::domain::text::clean_line(&p.name);
    if name.is_empty() || name.chars().count() > 200 {
        problems.insert(
            "name".to_owned(),
            "Nhập tên vòng (tối đa 200 ký tự).".to_owned(),
        );
    }
    let level = p
        .union_level
        .trim()
        .parse()
        .ok()
        .and_then(UnionKind::from_i32);
    if level.is_none() {
        problems.insert("union_level".to_owned(), "Chọn cấp công đoàn.".to_owned());
    }
    let reviews: i32 = p.reviews_required.trim().parse().unwrap_or(0);
    if !(1..=20).contains(&reviews) {
        problems.insert(
            "reviews_required".to_owned(),
            "Số phiếu chấm cần có phải từ 1 đến 20.".to_owned(),
        );
    }
    let due_raw = &p.due_days;
    let due_days = match due_raw.trim() {
        "" => None,
        s => match s.parse::<i32>() {
            Ok(d) if (1..=3650).contains(&d) => Some(d),
            _ => {
                problems.insert(
                    "due_days".to_owned(),
                    "Thời hạn phải từ 1 đến 3650 ngày, hoặc để trống (3 tháng).".to_owned(),
                );
                None
            }
        },
    };
    let position = p.position.trim().parse().ok();
    if !problems.is_empty() {
        return Err(AppError::validation(problems));
    }
    Ok(StageInput {
        name,
        union_level: level.unwrap_or(UnionKind::National),
        reviews_required: reviews,
        blind_scoring: p.blind_scoring == "1",
        chair_publishes: p.chair_publishes == "1",
        auto_assign: p.auto_assign == "1",
        due_days,
        position,
    })
}

/// `POST /quan-tri/chuong-trinh/{id}/vong`: adds a stage.
#[post("/quan-tri/chuong-trinh/{id}/vong")]
pub async fn add_stage(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<StageForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let result = match stage_from(&p) {
        Ok(input) => service::review::add_stage(&state.db, &me.actor, id, input)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    answer(result, (&setup_path(id), "1", "stages"), |e| {
        refused(&state, &visitor, &me, id, e, None)
    })
    .await
}

/// `POST /quan-tri/chuong-trinh/{id}/vong/{stage}`: changes a stage.
#[post("/quan-tri/chuong-trinh/{id}/vong/{stage}")]
pub async fn update_stage(
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    f: SignedInForm<StageForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let (id, stage) = path.into_inner();
    let result = match stage_from(&p) {
        Ok(input) => service::review::update_stage(&state.db, &me.actor, id, stage, input)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    answer(result, (&setup_path(id), "1", "stages"), |e| {
        refused(&state, &visitor, &me, id, e, None)
    })
    .await
}

/// `POST /quan-tri/chuong-trinh/{id}/vong/{stage}/xoa`: removes an unused stage.
#[post("/quan-tri/chuong-trinh/{id}/vong/{stage}/xoa")]
pub async fn delete_stage(
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    f: SignedInForm<NoFields>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, _) = f.into_parts();
    let (id, stage) = path.into_inner();
    match service::review::delete_stage(&state.db, &me.actor, id, stage).await {
        Ok(_) => Ok(back(&setup_path(id), "1", "stages")),
        Err(e) => refused(&state, &visitor, &me, id, e, None).await,
    }
}

/// One field of a row of the rubric ("" when absent).
fn field(rows: &HashMap<String, String>, name: &str) -> String {
    rows.get(name).cloned().unwrap_or_default()
}

fn parse_bands(text: &str) -> Result<Vec<Band>, String> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (range, description) = line
            .split_once(':')
            .ok_or_else(|| format!("Dòng \"{line}\" cần dạng \"0-10: mô tả\"."))?;
        let (min, max) = range
            .split_once('-')
            .ok_or_else(|| format!("Dòng \"{line}\" cần dạng \"0-10: mô tả\"."))?;
        let (Ok(min), Ok(max)) = (min.trim().parse(), max.trim().parse()) else {
            return Err(format!("Dòng \"{line}\": khoảng điểm phải là số."));
        };
        out.push(Band {
            min,
            max,
            description: crate::domain::text::clean_line(description),
        });
    }
    Ok(out)
}

/// `POST /quan-tri/chuong-trinh/{id}/tieu-chi`: replaces the rubric (rows left blank are
/// dropped).
#[post("/quan-tri/chuong-trinh/{id}/tieu-chi")]
pub async fn save_rubric(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<RubricForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let mut rows = Vec::new();
    let mut criteria = Vec::new();
    let mut problems = std::collections::BTreeMap::new();
    for i in 0..20 {
        let row = CriterionRow {
            code: field(&p.rows, &format!("code_{i}")).trim().to_owned(),
            name: crate::domain::text::clean_line(&field(&p.rows, &format!("name_{i}"))),
            description: crate::domain::text::clean_line(&field(
                &p.rows,
                &format!("description_{i}"),
            )),
            max_score: field(&p.rows, &format!("max_{i}")).trim().to_owned(),
            weight: field(&p.rows, &format!("weight_{i}"))
                .trim()
                .replace(',', "."),
            bands: field(&p.rows, &format!("bands_{i}")),
        };
        if !p.rows.contains_key(&format!("code_{i}")) {
            break;
        }
        if row.code.is_empty() && row.name.is_empty() {
            continue;
        }
        let at = |f: &str| format!("Tiêu chí {} ({f})", i + 1);
        if let Err(e) = crate::domain::text::check_code(&row.code) {
            problems.insert(at("mã"), e);
        }
        if row.name.is_empty() {
            problems.insert(at("tên"), "Nhập tên tiêu chí.".to_owned());
        }
        let max_score = row.max_score.parse::<i32>().unwrap_or(0);
        let weight = row.weight.parse::<f64>().unwrap_or(0.0);
        let bands = match parse_bands(&row.bands) {
            Ok(b) => b,
            Err(e) => {
                problems.insert(at("khoảng điểm"), e);
                Vec::new()
            }
        };
        criteria.push(Criterion {
            code: row.code.clone(),
            name: row.name.clone(),
            description: row.description.clone(),
            max_score,
            weight,
            bands,
        });
        rows.push(row);
    }
    let aggregation = Aggregation::parse(&p.aggregation).unwrap_or(Aggregation::Mean);
    let result = if problems.is_empty() {
        service::review::set_rubric(&state.db, &me.actor, id, criteria, aggregation)
            .await
            .map(|_| ())
    } else {
        Err(AppError::validation(problems))
    };
    answer(result, (&setup_path(id), "1", "rubric"), |e| {
        rows.push(CriterionRow::default());
        refused(&state, &visitor, &me, id, e, Some(rows))
    })
    .await
}

/// `POST /quan-tri/chuong-trinh/{id}/hoi-dong`: sets up a committee.
#[post("/quan-tri/chuong-trinh/{id}/hoi-dong")]
pub async fn create_committee(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<CommitteeForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let code = p.union_code;
    let stage_id = p.stage_id.trim().parse().unwrap_or(0);
    let name = crate::domain::text::clean_line(&p.committee_name);
    let result = match service::unions::id_by_code(&state.db, code.clone()).await? {
        None => Err(AppError::field(
            "union_code",
            format!("Không có công đoàn mã \"{}\".", code.trim()),
        )),
        Some(_) if name.chars().count() > 200 => {
            Err(AppError::field("committee_name", "Tối đa 200 ký tự."))
        }
        Some(union_id) => service::review::create_committee(
            &state.db,
            &me.actor,
            id,
            CommitteeInput {
                stage_id,
                union_id,
                name: (!name.is_empty()).then_some(name),
            },
        )
        .await
        .map(|_| ()),
    };
    answer(result, (&setup_path(id), "1", "committees"), |e| {
        refused(&state, &visitor, &me, id, e, None)
    })
    .await
}

/// `POST /hoi-dong/{id}/thanh-vien`: adds a member by email or member code (or makes them
/// chair).
#[post("/hoi-dong/{id}/thanh-vien")]
pub async fn add_member(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<MemberForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let committee_id = path.into_inner();
    let committee = service::review::committee(&state.db, &me.actor, committee_id).await?;
    let login = p.login;
    let found = service::initiatives::resolve_logins(&state.db, vec![login.clone()])
        .await?
        .into_iter()
        .next()
        .flatten();
    let result = match found {
        None => Err(AppError::field(
            "login",
            format!(
                "Không tìm thấy người có email hoặc mã đoàn viên \"{}\".",
                login.trim()
            ),
        )),
        Some(user) => {
            service::review::put_member(&state.db, &me.actor, committee_id, user, p.chair == "1")
                .await
                .map(|_| ())
        }
    };
    answer(
        result,
        (
            &setup_path(committee.program_id),
            "1",
            &format!("committee-{committee_id}"),
        ),
        |e| refused(&state, &visitor, &me, committee.program_id, e, None),
    )
    .await
}

/// `POST /hoi-dong/{id}/thanh-vien/{user}/xoa`: removes a member.
#[post("/hoi-dong/{id}/thanh-vien/{user}/xoa")]
pub async fn remove_member(
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    f: SignedInForm<NoFields>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, _) = f.into_parts();
    let (committee_id, user) = path.into_inner();
    let committee = service::review::committee(&state.db, &me.actor, committee_id).await?;
    match service::review::remove_member(&state.db, &me.actor, committee_id, user).await {
        Ok(_) => Ok(back(
            &setup_path(committee.program_id),
            "1",
            &format!("committee-{committee_id}"),
        )),
        Err(e) => refused(&state, &visitor, &me, committee.program_id, e, None).await,
    }
}
