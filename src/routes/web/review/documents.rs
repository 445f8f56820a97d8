//! What a reviewer reads beside the review page: the comparison with a duplicate candidate,
//! the changes between two submissions, the printable score sheet.

use super::*;

/// The side-by-side comparison.
#[derive(Template)]
#[template(path = "review_compare.html")]
pub struct ComparePage {
    pub chrome: Chrome,
    pub c: Comparison,
    pub score_text: String,
    pub copied_text: String,
    pub this_submitted: String,
    pub other_submitted: String,
}

impl ComparePage {
    /// The segments of one side, for the template.
    pub fn parts<'a>(&self, side: &'a [Segment]) -> &'a [Segment] {
        side
    }
}

/// `GET /xet-duyet/{id}/so-sanh/{other}`: the initiative beside a duplicate candidate, with
/// the copied passages marked in both.
#[get("/xet-duyet/{id}/so-sanh/{other}")]
pub async fn compare(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let (id, other) = path.into_inner();
    let c = service::review::compare(&state.db, &state.search, &me.actor, id, other).await?;
    let page = ComparePage {
        chrome: Chrome::of(&visitor, "review"),
        score_text: c
            .score
            .map(|s| format::percent(f64::from(s) * 100.0))
            .unwrap_or_else(|| "—".to_owned()),
        copied_text: format::percent(f64::from(c.copied_share) * 100.0),
        this_submitted: c
            .this
            .submitted_at
            .map(format::datetime)
            .unwrap_or_default(),
        other_submitted: c
            .other
            .submitted_at
            .map(format::datetime)
            .unwrap_or_default(),
        c,
    };
    render(StatusCode::OK, &page)
}

/// The changes between two submissions.
#[derive(Template)]
#[template(path = "review_changes.html")]
pub struct ChangesPage {
    pub chrome: Chrome,
    pub id: i64,
    pub d: VersionDiff,
    pub from_text: String,
    pub to_text: String,
}

/// Query of the changes page.
#[derive(Debug, Deserialize)]
pub struct ChangesParams {
    pub from: Option<i32>,
    pub to: Option<i32>,
}

/// `GET /xet-duyet/{id}/thay-doi`: what the author changed between two submissions.
#[get("/xet-duyet/{id}/thay-doi")]
pub async fn changes(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    params: web::Query<ChangesParams>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let id = path.into_inner();
    let d = service::review::diff(&state.db, &me.actor, id, params.from, params.to).await?;
    render(
        StatusCode::OK,
        &ChangesPage {
            chrome: Chrome::of(&visitor, "review"),
            id,
            from_text: format::datetime(d.from_submitted_at),
            to_text: format::datetime(d.to_submitted_at),
            d,
        },
    )
}

/// The printable score sheet (phiếu chấm điểm).
#[derive(Template)]
#[template(path = "score_sheet.html")]
pub struct ScoreSheetPage {
    pub chrome: Chrome,
    pub p: ReviewPage,
    pub reviewer: String,
    pub program_name: String,
    pub union_name: String,
    pub today: String,
}

/// `GET /xet-duyet/{id}/phieu-cham`: the reviewer's score sheet, filled when scored, for the
/// paper file.
#[get("/xet-duyet/{id}/phieu-cham")]
pub async fn score_sheet(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let v = service::review::review(&state.db, &me.actor, path.into_inner()).await?;
    let (program, union) = futures_util::future::try_join(
        service::programs::get(&state.db, &me.actor, v.initiative.program_id),
        service::unions::name_of(&state.db, v.initiative.union_id),
    )
    .await?;
    let now = Utc::now().with_timezone(&vn());
    let p = review_page(
        &visitor,
        v,
        None,
        FieldProblems::default(),
        Typed::default(),
    );
    render(
        StatusCode::OK,
        &ScoreSheetPage {
            chrome: Chrome::of(&visitor, "review"),
            p,
            reviewer: me.user.full_name.clone(),
            program_name: program.name,
            union_name: union,
            today: format!(
                "ngày {:02} tháng {:02} năm {}",
                now.day(),
                now.month(),
                now.year()
            ),
        },
    )
}
