//! The review page (`/xet-duyet/{id}`) and its forms: scores, the stage's decision, a
//! declared conflict of interest, the chair's withdrawal of a pending decision.

use super::*;

/// The score sheet: `score_{code}` per criterion, the recommendation and a comment.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScoreForm {
    pub recommendation: String,
    pub comment: String,
    #[serde(flatten)]
    pub scores: HashMap<String, String>,
}

/// The stage's decision.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecideForm {
    pub decision: String,
    pub reason_code: String,
    pub note: String,
    pub duplicate_of: String,
    pub hold: String,
}

/// A declared conflict of interest.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConflictForm {
    pub conflict_note: String,
}

/// A criterion on the scoring form.
#[derive(Debug, Clone)]
pub struct CriterionLine {
    pub code: String,
    /// The name its problems are filed under (`scores.CODE`).
    pub error_key: String,
    pub name: String,
    pub description: String,
    pub max_score: i32,
    pub weight_text: String,
    pub bands: Vec<String>,
    pub value: String,
}

/// A reviewer's scores as shown.
#[derive(Debug, Clone)]
pub struct ScoreLine {
    pub name: String,
    pub per: Vec<String>,
    pub total_text: String,
    pub recommendation: String,
    pub comment: String,
    pub when: String,
}

/// An earlier case.
#[derive(Debug, Clone)]
pub struct CaseLine {
    pub what: String,
    pub decision: String,
    pub note: String,
    pub when: String,
}

/// A duplicate candidate.
#[derive(Debug, Clone)]
pub struct DuplicateLine {
    pub id: i64,
    pub title: String,
    pub status_name: &'static str,
    pub score_text: String,
    pub verdict: &'static str,
    pub submitted_text: String,
}

/// The review page.
#[derive(Template)]
#[template(path = "review.html")]
pub struct ReviewPage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    pub problems: FieldProblems,
    pub v: ReviewView,
    pub tone: &'static str,
    pub stage_text: String,
    pub due_text: String,
    pub overdue: bool,
    pub benefit_text: String,
    pub authors: String,
    pub criteria: Vec<CriterionLine>,
    pub max_total_text: String,
    pub recommendation: String,
    pub comment: String,
    pub scores: Vec<ScoreLine>,
    pub committee_score_text: String,
    pub assigned: Vec<(String, &'static str)>,
    pub conflicts: Vec<(String, &'static str)>,
    pub earlier: Vec<CaseLine>,
    pub duplicates: Vec<DuplicateLine>,
    pub reasons: &'static [(&'static str, &'static str)],
    pub decision: String,
    pub reason_code: String,
    pub note: String,
    pub duplicate_of: String,
    pub pending_text: String,
}

impl ReviewPage {
    /// The problem of a form field.
    pub fn problem(&self, name: &str) -> Option<&str> {
        self.problems.get(name)
    }
}

/// What was typed into the review forms, to show again after a refusal.
#[derive(Debug, Clone, Default)]
pub(super) struct Typed {
    scores: BTreeMap<String, String>,
    recommendation: Option<String>,
    comment: Option<String>,
    decision: String,
    reason_code: String,
    note: String,
    duplicate_of: String,
}

pub(super) fn review_page(
    visitor: &Visitor,
    v: ReviewView,
    notice: Option<(&'static str, String)>,
    problems: FieldProblems,
    typed: Typed,
) -> ReviewPage {
    let mine = v.mine.clone();
    let criteria = v
        .rubric
        .criteria
        .iter()
        .map(|c| CriterionLine {
            code: c.code.clone(),
            error_key: format!("scores.{}", c.code),
            name: c.name.clone(),
            description: c.description.clone(),
            max_score: c.max_score,
            weight_text: score_text(c.weight),
            bands: c
                .bands
                .iter()
                .map(|b| format!("{}–{}: {}", b.min, b.max, b.description))
                .collect(),
            value: typed.scores.get(&c.code).cloned().unwrap_or_else(|| {
                mine.as_ref()
                    .and_then(|m| m.scores.get(&c.code))
                    .map(ToString::to_string)
                    .unwrap_or_default()
            }),
        })
        .collect();
    let scores = v
        .scores
        .iter()
        .map(|s| ScoreLine {
            name: s.reviewer_name.clone(),
            per: v
                .rubric
                .criteria
                .iter()
                .map(|c| {
                    s.scores
                        .get(&c.code)
                        .map(ToString::to_string)
                        .unwrap_or_default()
                })
                .collect(),
            total_text: s.total.map(score_text).unwrap_or_default(),
            recommendation: s
                .recommendation
                .map(Decision::label)
                .unwrap_or("")
                .to_owned(),
            comment: s.comment.clone().unwrap_or_default(),
            when: s.scored_at.map(format::datetime).unwrap_or_default(),
        })
        .collect();
    let state_label = |s: crate::domain::review::AssignmentState| match s {
        crate::domain::review::AssignmentState::Assigned => "Chưa chấm",
        crate::domain::review::AssignmentState::Scored => "Đã chấm",
        crate::domain::review::AssignmentState::Recused => "Đã từ chối (xung đột lợi ích)",
    };
    let pending_text = match (&v.case.state, v.case.decision_name) {
        (crate::domain::review::CaseState::Pending, Some(d)) => {
            format!("Đã quyết định \"{d}\", chờ chủ tịch hội đồng công bố.")
        }
        _ => String::new(),
    };
    ReviewPage {
        chrome: Chrome::of(visitor, "review"),
        notice,
        problems,
        tone: v.initiative.status.tone(),
        stage_text: format!(
            "Vòng {}/{}: {}{}",
            v.case.stage_position,
            v.stage_count,
            v.case.stage_name,
            if v.case.round > 1 {
                format!(" · lần nộp thứ {}", v.case.round)
            } else {
                String::new()
            }
        ),
        due_text: format::datetime(v.case.due_at),
        overdue: v.case.overdue,
        benefit_text: v
            .initiative
            .estimated_benefit_vnd
            .map(format::vnd)
            .unwrap_or_else(|| "Chưa ước tính".to_owned()),
        authors: v
            .initiative
            .authors
            .iter()
            .map(|a| format!("{} ({}%)", a.full_name, a.share_percent))
            .collect::<Vec<_>>()
            .join(", "),
        criteria,
        max_total_text: score_text(v.rubric.max_total),
        recommendation: typed.recommendation.unwrap_or_else(|| {
            mine.as_ref()
                .and_then(|m| m.recommendation)
                .map(|d| d.as_str().to_owned())
                .unwrap_or_default()
        }),
        comment: typed.comment.unwrap_or_else(|| {
            mine.as_ref()
                .and_then(|m| m.comment.clone())
                .unwrap_or_default()
        }),
        scores,
        committee_score_text: v.committee_score.map(score_text).unwrap_or_default(),
        assigned: v
            .assignments
            .iter()
            .map(|a| (a.reviewer_name.clone(), state_label(a.state)))
            .collect(),
        conflicts: v
            .conflicts
            .iter()
            .map(|c| (c.full_name.clone(), c.reason_name))
            .collect(),
        earlier: v
            .earlier
            .iter()
            .map(|c| CaseLine {
                what: format!(
                    "Vòng {}: {} (lần {})",
                    c.stage_position, c.stage_name, c.round
                ),
                decision: c.decision_name.unwrap_or(c.state_name).to_owned(),
                note: [c.reason_name.map(str::to_owned), c.note.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(". "),
                when: c
                    .published_at
                    .or(c.decided_at)
                    .map(format::datetime)
                    .unwrap_or_default(),
            })
            .collect(),
        duplicates: v
            .duplicates
            .iter()
            .map(|d| DuplicateLine {
                id: d.initiative_id,
                title: d.title.clone(),
                status_name: d.status_name,
                score_text: format::percent(d.score * 100.0),
                verdict: match d.verdict.as_str() {
                    "duplicate" => "Trùng lặp",
                    "partial_copy" => "Sao chép một phần",
                    _ => "Gần trùng",
                },
                submitted_text: d.submitted_at.map(format::datetime).unwrap_or_default(),
            })
            .collect(),
        reasons: &REJECT_REASONS,
        decision: typed.decision,
        reason_code: typed.reason_code,
        note: typed.note,
        duplicate_of: typed.duplicate_of.clone(),
        pending_text,
        v,
    }
}

/// Query of the review page.
#[derive(Debug, Deserialize)]
pub struct FlashParams {
    pub da: Option<String>,
    pub n: Option<i64>,
}

/// `GET /xet-duyet/{id}`: the review page.
#[get("/xet-duyet/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    params: web::Query<FlashParams>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let v = service::review::review(&state.db, &me.actor, path.into_inner()).await?;
    let notice = notice(Done::Review(params.n.unwrap_or(0)), params.da.as_deref());
    render(
        StatusCode::OK,
        &review_page(
            &visitor,
            v,
            notice,
            FieldProblems::default(),
            Typed::default(),
        ),
    )
}

/// Shows the review page again with a refusal explained (or passes other errors on).
pub(super) async fn refused(
    state: &AppState,
    visitor: &Visitor,
    me: &Identity,
    id: i64,
    e: AppError,
    typed: Typed,
) -> Result<HttpResponse, PageError> {
    if !e.code.status().is_client_error() || e.code == ErrorCode::NotFound {
        return Err(e.into());
    }
    let v = service::review::review(&state.db, &me.actor, id).await?;
    let problems = FieldProblems::from_error(&e);
    let status = e.code.status();
    let page = review_page(
        visitor,
        v,
        Some(("error", e.message.clone())),
        problems,
        typed,
    );
    render(status, &page)
}

/// `POST /xet-duyet/{id}/cham`: records the reviewer's scores.
#[post("/xet-duyet/{id}/cham")]
pub async fn score(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<ScoreForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let mut typed = Typed::default();
    let mut scores = BTreeMap::new();
    let mut problems = BTreeMap::new();
    for (k, raw) in &p.scores {
        if let Some(code) = k.strip_prefix("score_") {
            let raw = raw.clone();
            typed.scores.insert(code.to_owned(), raw.clone());
            match raw.trim().parse::<i32>() {
                Ok(n) => {
                    scores.insert(code.to_owned(), n);
                }
                Err(_) => {
                    problems.insert(
                        format!("scores.{code}"),
                        "Nhập điểm là số nguyên.".to_owned(),
                    );
                }
            }
        }
    }
    let recommendation = Decision::parse(p.recommendation.trim());
    typed.recommendation = Some(p.recommendation.clone());
    let comment = crate::domain::text::clean_line(&p.comment);
    typed.comment = Some(comment.clone());
    let result = if problems.is_empty() {
        if comment.chars().count() > 5000 {
            Err(AppError::field("comment", "Tối đa 5000 ký tự."))
        } else {
            service::review::score(
                &state.db,
                &me.actor,
                id,
                ScoreInput {
                    scores,
                    recommendation,
                    comment: (!comment.is_empty()).then_some(comment),
                },
            )
            .await
            .map(|_| ())
        }
    } else {
        Err(AppError::validation(problems))
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/xet-duyet/{id}?da=cham#cham"))),
        Err(e) => refused(&state, &visitor, &me, id, e, typed).await,
    }
}

/// `POST /xet-duyet/{id}/quyet-dinh`: records the stage's decision.
#[post("/xet-duyet/{id}/quyet-dinh")]
pub async fn decide(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<DecideForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let typed = Typed {
        decision: p.decision.clone(),
        reason_code: p.reason_code.clone(),
        note: p.note.clone(),
        duplicate_of: p.duplicate_of.clone(),
        ..Typed::default()
    };
    let note = crate::domain::text::clean(&typed.note);
    let result = match Decision::parse(typed.decision.trim()) {
        None => Err(AppError::field("decision", "Chọn một quyết định.")),
        Some(_) if note.chars().count() > 5000 => {
            Err(AppError::field("note", "Tối đa 5000 ký tự."))
        }
        Some(decision) => {
            let duplicate_of = typed.duplicate_of.trim();
            let duplicate_of = if duplicate_of.is_empty() {
                Ok(None)
            } else {
                duplicate_of
                    .parse()
                    .map(Some)
                    .map_err(|_| AppError::field("duplicate_of", "Nhập mã số sáng kiến (một số)."))
            };
            match duplicate_of {
                Err(e) => Err(e),
                Ok(duplicate_of) => service::review::decide(
                    &state.db,
                    &state.search,
                    &me.actor,
                    id,
                    DecisionInput {
                        decision,
                        reason_code: Some(typed.reason_code.trim().to_owned())
                            .filter(|s| !s.is_empty()),
                        note: (!note.is_empty()).then_some(note),
                        duplicate_of,
                        hold: matches!(p.hold.as_str(), "1" | "on"),
                    },
                )
                .await
                .map(|v| v.case.state == crate::domain::review::CaseState::Pending),
            }
        }
    };
    match result {
        Ok(true) => Ok(see_other("/xet-duyet?da=cho-cong-bo")),
        Ok(false) => Ok(see_other("/xet-duyet?da=quyet-dinh")),
        Err(e) => refused(&state, &visitor, &me, id, e, typed).await,
    }
}

/// `POST /xet-duyet/{id}/xung-dot`: declares a conflict of interest.
#[post("/xet-duyet/{id}/xung-dot")]
pub async fn conflict(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<ConflictForm>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, p) = f.into_parts();
    let id = path.into_inner();
    let note = crate::domain::text::clean_line(&p.conflict_note);
    let result = if note.is_empty() {
        Err(AppError::field(
            "conflict_note",
            "Ghi rõ lý do xung đột lợi ích.",
        ))
    } else if note.chars().count() > 5000 {
        Err(AppError::field("conflict_note", "Tối đa 5000 ký tự."))
    } else {
        service::review::declare_conflict(&state.db, &me.actor, id, note).await
    };
    match result {
        Ok(()) => Ok(see_other("/xet-duyet?da=xung-dot")),
        Err(e) => refused(&state, &visitor, &me, id, e, Typed::default()).await,
    }
}

/// `POST /xet-duyet/{id}/rut`: the chair withdraws a pending decision.
#[post("/xet-duyet/{id}/rut")]
pub async fn withdraw(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<NoFields>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, _) = f.into_parts();
    let id = path.into_inner();
    match service::review::withdraw(&state.db, &me.actor, id).await {
        Ok(_) => Ok(see_other(&format!("/xet-duyet/{id}?da=rut"))),
        Err(e) => refused(&state, &visitor, &me, id, e, Typed::default()).await,
    }
}
