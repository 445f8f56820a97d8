//! The OpenAPI 3 document, generated from the handlers' annotations.

use actix_web::{HttpResponse, get};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    admin, attachments, auth, imports, initiatives, mail, programs, review, search, union_reports,
    unions, users,
};
use crate::routes::health;

/// Adds the bearer scheme.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "Sáng kiến API", version = "1", description = "Initiatives of Vietnamese trade-union members: submission, review, quotas."),
    modifiers(&BearerAuth),
    paths(
        health::healthz, health::readyz,
        auth::login, auth::logout, auth::me, auth::sessions, auth::end_session, auth::end_all_sessions, auth::change_password, auth::revoke_user_sessions, auth::personal_data,
        unions::roots, unions::create, unions::get, unions::update, unions::children, unions::subtree, unions::dashboard, unions::quotas, unions::allocate, unions::leaderboard, unions::move_union, unions::search,
        union_reports::dashboard_export, union_reports::initiatives, union_reports::initiatives_export,
        users::list, users::create, users::get, users::update, users::roles, users::grant, users::revoke, users::invite, users::personal_data, users::anonymise,
        programs::list, programs::create, programs::get, programs::update, programs::add_phase,
        programs::update_phase, programs::add_field, programs::rename_field, programs::remove_field, programs::remove_phase, programs::open, programs::close, programs::archive, programs::checklist,
        initiatives::list, initiatives::create, initiatives::get, initiatives::update,
        initiatives::submit, initiatives::history, search::similar, search::search, search::duplicates,
        attachments::list, attachments::upload, attachments::download,
        review::stages, review::add_stage, review::update_stage, review::delete_stage,
        review::rubric, review::set_rubric, review::committees, review::create_committee,
        review::my_committees, review::committee, review::put_member, review::remove_member,
        review::board, review::assign, review::unassign, review::publish, review::queue,
        review::review, review::score, review::declare_conflict, review::decide, review::withdraw,
        review::diff, review::revoke, review::award, review::set_head,
        imports::import,
        mail::request_reset, mail::confirm_reset, mail::accept_invitation, mail::unsubscribe,
        mail::preferences, mail::set_preferences, mail::outbox, mail::retry,
        admin::audit, admin::system, admin::reindex,
    ),
    tags(
        (name = "auth", description = "Sign-in"),
        (name = "unions", description = "The union tree"),
        (name = "users", description = "Users and roles"),
        (name = "programs", description = "Programs, phases and fields"),
        (name = "initiatives", description = "Initiatives"),
        (name = "attachments", description = "Attachments"),
        (name = "review", description = "Organising-committee review: stages, rubric, committees, queue, scores, decisions"),
        (name = "imports", description = "Organisation import: the union tree and members from XLSX or CSV"),
        (name = "mail", description = "Email: preferences, unsubscribing, the outbox for administrators"),
        (name = "admin", description = "Administration: the audit log, the system's state, rebuilding the index"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
pub struct ApiDoc;

/// The OpenAPI document as JSON.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "health", responses((status = 200, description = "OpenAPI 3 document")))]
#[get("/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
