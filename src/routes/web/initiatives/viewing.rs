//! Reading an initiative: its page with the status timeline, and the receipt.

use super::*;

/// An entry of the status timeline.
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub what: String,
    pub when: String,
    pub comment: Option<String>,
    pub tone: &'static str,
}

pub(super) fn action_label(action: &str) -> String {
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
