//! Invitations to co-author, as their invitee answers them: the list, accept, decline.

use actix_web::{HttpResponse, get, post, web};

use crate::error::{AppError, ErrorBody};
use crate::routes::identity::Identity;
use crate::service;
use crate::service::coauthors::InvitationToMe;
use crate::service::initiatives::InitiativeView;
use crate::state::AppState;

/// The invitations to co-author that wait for the caller's answer, newest first: the
/// initiative's title, program, author and union, and the proposed share — not its content.
#[utoipa::path(get, path = "/api/v1/me/coauthor-invitations", tag = "initiatives", security(("bearer" = [])),
    responses((status = 200, body = Vec<InvitationToMe>), (status = 401, body = ErrorBody)))]
#[get("/me/coauthor-invitations")]
pub async fn mine(state: web::Data<AppState>, id: Identity) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(service::coauthors::mine(&state.db, &id.actor).await?))
}

/// Accepts the caller's pending invitation to co-author the initiative: they are named as a
/// co-author with the proposed share, and read the initiative from now on.
#[utoipa::path(post, path = "/api/v1/me/coauthor-invitations/{initiative_id}/accept", tag = "initiatives", security(("bearer" = [])),
    params(("initiative_id" = i64, Path)),
    responses((status = 200, body = InitiativeView), (status = 401, body = ErrorBody),
              (status = 404, description = "no pending invitation of the caller to this initiative", body = ErrorBody),
              (status = 409, description = "the initiative is no longer a draft", body = ErrorBody)))]
#[post("/me/coauthor-invitations/{initiative_id}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let view = service::coauthors::accept(&state.db, &id.actor, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Declines the caller's pending invitation to co-author the initiative; its author sees it
/// declined.
#[utoipa::path(post, path = "/api/v1/me/coauthor-invitations/{initiative_id}/decline", tag = "initiatives", security(("bearer" = [])),
    params(("initiative_id" = i64, Path)),
    responses((status = 204, description = "declined"), (status = 401, body = ErrorBody),
              (status = 404, description = "no pending invitation of the caller to this initiative", body = ErrorBody),
              (status = 409, description = "the initiative is no longer a draft", body = ErrorBody)))]
#[post("/me/coauthor-invitations/{initiative_id}/decline")]
pub async fn decline(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    service::coauthors::decline(&state.db, &id.actor, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
