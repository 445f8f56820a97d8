//! The chair's pages: the committee's board (assign, publish) and its minutes.

use super::*;

/// The chair's choice of initiatives (checkboxes), to assign to a reviewer or to publish.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChoiceForm {
    pub initiative: Vec<String>,
    pub reviewer_id: String,
    pub all: String,
}

impl ChoiceForm {
    /// The chosen initiatives' ids (values that are not ids are left out).
    fn ids(&self) -> Vec<i64> {
        self.initiative
            .iter()
            .filter_map(|v| v.trim().parse().ok())
            .collect()
    }
}

/// The chair's board.
#[derive(Template)]
#[template(path = "review_board.html")]
pub struct BoardPage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    pub b: BoardView,
    pub unassigned: Vec<BoardLine>,
    pub pending: Vec<BoardLine>,
    pub pager: Pager,
    /// Pages of the pending decisions (`pending_page=N`).
    pub pending_pager: Pager,
}

/// A case on the board.
#[derive(Debug, Clone)]
pub struct BoardLine {
    pub id: i64,
    pub title: String,
    pub receipt_no: String,
    pub union_name: String,
    pub due_text: String,
    pub overdue: bool,
    pub decision: String,
}

pub(super) fn board_lines(items: &[crate::service::review::BoardItem]) -> Vec<BoardLine> {
    items
        .iter()
        .map(|i| BoardLine {
            id: i.initiative_id,
            title: i.title.clone(),
            receipt_no: i.receipt_no.clone().unwrap_or_default(),
            union_name: i.union_name.clone(),
            due_text: format::datetime(i.due_at),
            overdue: i.overdue,
            decision: i.decision_name.unwrap_or("").to_owned(),
        })
        .collect()
}

/// Query of the board.
#[derive(Debug, Deserialize)]
pub struct BoardParams {
    pub page: Option<i64>,
    pub pending_page: Option<i64>,
    pub da: Option<String>,
    pub n: Option<i64>,
}

pub(super) async fn board_page(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    id: i64,
    pages: (Option<i64>, Option<i64>),
    notice: Option<(&'static str, String)>,
) -> Result<BoardPage, PageError> {
    let b = service::review::board(
        &state.db,
        &me.actor,
        id,
        BoardRequest {
            page: pages.0,
            per_page: Some(100),
            pending_page: pages.1,
        },
    )
    .await?;
    let (page, pending_page) = (b.unassigned.page, b.pending_decisions.page);
    Ok(BoardPage {
        chrome: Chrome::of(visitor, "review"),
        notice,
        unassigned: board_lines(&b.unassigned.items),
        pending: board_lines(&b.pending_decisions.items),
        pager: Pager::new(
            page,
            b.unassigned.per_page,
            b.unassigned.total,
            format!("pending_page={pending_page}&"),
        ),
        pending_pager: Pager::new(
            pending_page,
            b.pending_decisions.per_page,
            b.pending_decisions.total,
            format!("page={page}&"),
        ),
        b,
    })
}

/// `GET /hoi-dong/{id}`: the chair's board.
#[get("/hoi-dong/{id}")]
pub async fn board(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    params: web::Query<BoardParams>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let notice = notice(Done::Review(params.n.unwrap_or(0)), params.da.as_deref());
    let pages = (params.page, params.pending_page);
    let page = board_page(&state, &visitor, me, path.into_inner(), pages, notice).await?;
    render(StatusCode::OK, &page)
}

pub(super) async fn board_refused(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    id: i64,
    e: AppError,
) -> Result<HttpResponse, PageError> {
    if !e.code.status().is_client_error() || e.code == ErrorCode::NotFound {
        return Err(e.into());
    }
    let status = e.code.status();
    let message = FieldProblems::from_error(&e)
        .0
        .into_values()
        .next()
        .unwrap_or_else(|| e.message.clone());
    let page = board_page(
        state,
        visitor,
        me,
        id,
        (None, None),
        Some(("error", message)),
    )
    .await?;
    render(status, &page)
}

/// `POST /hoi-dong/{id}/phan-cong`: assigns the ticked initiatives to a member.
#[post("/hoi-dong/{id}/phan-cong")]
pub async fn assign(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<ChoiceForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let ids = p.ids();
    let reviewer: Option<i64> = p.reviewer_id.trim().parse().ok();
    let result = match (ids.is_empty(), reviewer) {
        (true, _) => Err(AppError::field("initiative", "Chọn ít nhất một sáng kiến.")),
        (_, None) => Err(AppError::field(
            "reviewer_id",
            "Chọn thành viên được phân công.",
        )),
        (false, Some(r)) if ids.len() <= 500 => {
            service::review::assign(&state.db, &me.actor, id, ids, r).await
        }
        _ => Err(AppError::field(
            "initiative",
            "Tối đa 500 sáng kiến mỗi lần.",
        )),
    };
    match result {
        Ok(outcomes) => {
            let n = outcomes.iter().filter(|o| o.result == "assigned").count();
            let refused: Vec<String> = outcomes
                .iter()
                .filter(|o| o.result == "conflict")
                .map(|o| format!("#{}: {}", o.initiative_id, o.message))
                .collect();
            if refused.is_empty() {
                Ok(see_other(&format!("/hoi-dong/{id}?da=phan-cong&n={n}")))
            } else {
                let message = format!(
                    "Đã phân công {n} sáng kiến. Không phân công được do xung đột lợi ích: {}.",
                    refused.join("; ")
                );
                let page = board_page(
                    &state,
                    &visitor,
                    &me,
                    id,
                    (None, None),
                    Some(("warn", message)),
                )
                .await?;
                render(StatusCode::OK, &page)
            }
        }
        Err(e) => board_refused(&state, &visitor, &me, id, e).await,
    }
}

/// `POST /hoi-dong/{id}/cong-bo`: publishes the ticked pending decisions (or all of them).
#[post("/hoi-dong/{id}/cong-bo")]
pub async fn publish(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<ChoiceForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let ids = p.ids();
    let all = p.all == "1";
    if ids.is_empty() && !all {
        let e = AppError::field("initiative", "Chọn quyết định cần công bố.");
        return board_refused(&state, &visitor, &me, id, e).await;
    }
    let scope = if all {
        service::review::PublishScope::All
    } else {
        service::review::PublishScope::Only(ids)
    };
    match service::review::publish(&state.db, &state.search, &me.actor, id, scope).await {
        Ok(n) => Ok(see_other(&format!("/hoi-dong/{id}?da=cong-bo&n={n}"))),
        Err(e) => board_refused(&state, &visitor, &me, id, e).await,
    }
}

/// The minutes (biên bản) of a committee.
#[derive(Template)]
#[template(path = "minutes.html")]
pub struct MinutesPage {
    pub chrome: Chrome,
    pub m: MinutesView,
    pub rows: Vec<MinutesLine>,
    pub from: String,
    pub to: String,
    pub from_text: String,
    pub to_text: String,
    pub today: String,
    pub chair: String,
}

/// One decision in the minutes.
#[derive(Debug, Clone)]
pub struct MinutesLine {
    pub receipt_no: String,
    pub title: String,
    pub union_name: String,
    pub authors: String,
    pub score: String,
    pub decision: &'static str,
    pub reason: String,
}

/// Query of the minutes.
#[derive(Debug, Deserialize)]
pub struct MinutesParams {
    /// From this Vietnam date (inclusive), `YYYY-MM-DD`.
    pub tu: Option<String>,
    /// Up to this Vietnam date (inclusive).
    pub den: Option<String>,
}

/// `GET /hoi-dong/{id}/bien-ban`: the minutes of the decisions published over a period
/// (this month by default), printable.
#[get("/hoi-dong/{id}/bien-ban")]
pub async fn minutes(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    params: web::Query<MinutesParams>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let today = Utc::now().with_timezone(&vn()).date_naive();
    let parse = |v: &Option<String>, field: &str| -> Result<Option<NaiveDate>, AppError> {
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| {
                    AppError::new(ErrorCode::InvalidQuery).with_message(format!(
                        "Ngày \"{field}\" không hợp lệ (dạng năm-tháng-ngày)."
                    ))
                }),
        }
    };
    let from = parse(&params.tu, "từ")?.unwrap_or_else(|| today.with_day(1).unwrap_or(today));
    let to = parse(&params.den, "đến")?.unwrap_or(today);
    let start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .checked_sub_signed(Duration::hours(7))
            .unwrap_or_default()
    };
    let m = service::review::minutes(
        &state.db,
        &me.actor,
        path.into_inner(),
        start(from),
        start(to + Duration::days(1)),
    )
    .await?;
    let chair = m
        .committee
        .members
        .iter()
        .find(|x| x.is_chair)
        .map(|x| x.full_name.clone())
        .unwrap_or_default();
    let rows = m
        .rows
        .iter()
        .map(|r| MinutesLine {
            receipt_no: r.receipt_no.clone().unwrap_or_default(),
            title: r.title.clone(),
            union_name: r.union_name.clone(),
            authors: r.authors.join(", "),
            score: r.score.map(score_text).unwrap_or_else(|| "—".to_owned()),
            decision: r.decision_name,
            reason: r.reason.clone().unwrap_or_default(),
        })
        .collect();
    let now = Utc::now().with_timezone(&vn());
    render(
        StatusCode::OK,
        &MinutesPage {
            chrome: Chrome::of(&visitor, "review"),
            rows,
            from: from.format("%Y-%m-%d").to_string(),
            to: to.format("%Y-%m-%d").to_string(),
            from_text: format::date(from),
            to_text: format::date(to),
            today: format!(
                "ngày {:02} tháng {:02} năm {}",
                now.day(),
                now.month(),
                now.year()
            ),
            chair,
            m,
        },
    )
}
