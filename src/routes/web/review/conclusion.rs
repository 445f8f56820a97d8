//! The owning union's conclusion of an approved initiative: the award and the revocation.

use super::*;

/// The award form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AwardForm {
    pub level: String,
    pub note: String,
}

/// The revocation form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RevokeForm {
    pub reason: String,
}

/// `POST /sang-kien/{id}/khen-thuong`: the owning union marks (or clears) the award.
#[post("/sang-kien/{id}/khen-thuong")]
pub async fn award(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<AwardForm>,
) -> Result<HttpResponse, PageError> {
    let (_, me, p) = f.into_parts();
    let id = path.into_inner();
    let level = Some(p.level.trim().to_owned()).filter(|l| !l.is_empty());
    let note = crate::domain::text::clean_line(&p.note);
    if note.chars().count() > 5000 {
        return Err(AppError::field("note", "Tối đa 5000 ký tự.").into());
    }
    service::review::award(
        &state.db,
        &me.actor,
        id,
        level,
        (!note.is_empty()).then_some(note),
    )
    .await?;
    Ok(see_other(&format!("/sang-kien/{id}#conclude")))
}

/// `POST /sang-kien/{id}/thu-hoi`: the owning union revokes an approval, with a reason.
#[post("/sang-kien/{id}/thu-hoi")]
pub async fn revoke(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    f: SignedInForm<RevokeForm>,
) -> Result<HttpResponse, PageError> {
    let (_, me, p) = f.into_parts();
    let id = path.into_inner();
    let reason = crate::domain::text::clean_line(&p.reason);
    if reason.is_empty() || reason.chars().count() > 5000 {
        return Err(AppError::field("reason", "Ghi lý do thu hồi (tối đa 5000 ký tự).").into());
    }
    service::review::revoke(&state.db, &state.search, &me.actor, id, reason).await?;
    Ok(see_other(&format!("/sang-kien/{id}")))
}
