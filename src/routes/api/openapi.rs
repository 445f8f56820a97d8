//! The OpenAPI 3 document, generated from the handlers' annotations.

use std::sync::LazyLock;

use actix_web::{HttpResponse, get};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use super::{
    admin, attachments, auth, coauthors, imports, initiatives, mail, programs, reorganisations,
    review, search, union_reports, unions, users,
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

/// Documents the errors the edge itself gives for every operation, whatever its handler does
/// (a handler's own annotation wins where it names the same status):
/// a path segment that does not parse names nothing (404, `not_found`); a query string that
/// does not parse is 400 `invalid_query`; a body that does not parse is 400 `invalid_json` or
/// `validation_failed`, and one over the size limit is 413 `payload_too_large`; an operation
/// behind the bearer scheme answers 401 `unauthenticated` without a valid token.
struct EdgeErrors;

fn error_response(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}

fn add_edge_errors(op: &mut Operation) {
    let params = op.parameters.as_deref().unwrap_or_default();
    let has = |place: ParameterIn| params.iter().any(|p| p.parameter_in == place);
    let mut wanted: Vec<(&str, &str)> = Vec::new();
    if has(ParameterIn::Path) {
        wanted.push(("404", "not_found: nothing has this id"));
    }
    if has(ParameterIn::Query) {
        wanted.push(("400", "invalid_query or validation_failed"));
    }
    if op.request_body.is_some() {
        wanted.push(("400", "invalid_json or validation_failed"));
        wanted.push(("413", "payload_too_large"));
    }
    if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
        wanted.push(("401", "unauthenticated: no valid bearer token"));
    }
    for (status, description) in wanted {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| error_response(description));
    }
}

impl Modify for EdgeErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                add_edge_errors(op);
            }
        }
    }
}

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "Sáng kiến API", version = "1", description = "Initiatives of Vietnamese trade-union members: submission, review, quotas."),
    modifiers(&BearerAuth, &EdgeErrors),
    components(schemas(crate::service::attainment::SortKey, crate::service::export::ExportFormat)),
    paths(
        health::healthz, health::readyz,
        auth::login, auth::logout, auth::me, auth::sessions, auth::end_session, auth::end_all_sessions, auth::change_password, auth::revoke_user_sessions, auth::personal_data,
        unions::roots, unions::create, unions::get, unions::update, unions::children, unions::subtree, unions::dashboard, unions::quotas, unions::quota_history, unions::allocate, unions::leaderboard, unions::move_union, unions::search,
        reorganisations::apply, reorganisations::list, reorganisations::get, reorganisations::revert, reorganisations::history,
        union_reports::dashboard_export, union_reports::initiatives, union_reports::initiatives_export,
        users::list, users::create, users::get, users::update, users::roles, users::grant, users::revoke, users::invite, users::personal_data, users::anonymise,
        programs::list, programs::create, programs::get, programs::update, programs::add_phase,
        programs::update_phase, programs::add_field, programs::rename_field, programs::remove_field, programs::remove_phase, programs::open, programs::close, programs::archive, programs::checklist,
        initiatives::list, initiatives::create, initiatives::get, initiatives::update,
        initiatives::submit, initiatives::history, coauthors::mine, coauthors::accept, coauthors::decline,
        search::similar, search::search, search::duplicates,
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

/// A documented path as its segments (`None` for a `{parameter}`), with the methods it has,
/// upper case.
type DocumentedPath = (Vec<Option<String>>, Vec<String>);

/// The documented operations' paths.
static OPERATIONS: LazyLock<Vec<DocumentedPath>> = LazyLock::new(|| {
    ApiDoc::openapi()
        .paths
        .paths
        .iter()
        .map(|(path, item)| {
            let segments = path
                .trim_matches('/')
                .split('/')
                .map(|s| (!s.starts_with('{')).then(|| s.to_owned()))
                .collect();
            let methods = [
                ("GET", item.get.is_some()),
                ("PUT", item.put.is_some()),
                ("POST", item.post.is_some()),
                ("DELETE", item.delete.is_some()),
                ("PATCH", item.patch.is_some()),
            ]
            .into_iter()
            .filter(|&(_, has)| has)
            .map(|(m, _)| m.to_owned())
            .collect();
            (segments, methods)
        })
        .collect()
});

/// The methods the API has for `path`, when some documented operation has that path. Where
/// several templates match (`/initiatives/similar` and `/initiatives/{id}`), the one with
/// the most literal segments names the resource.
pub fn methods_of(path: &str) -> Option<Vec<String>> {
    let asked: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut best = 0;
    let mut methods: Vec<String> = Vec::new();
    for (segments, ms) in OPERATIONS.iter() {
        let same = segments.len() == asked.len()
            && segments.iter().zip(&asked).all(|(s, a)| match s {
                Some(s) => s == a,
                None => !a.is_empty(),
            });
        if !same {
            continue;
        }
        let literal = segments.iter().filter(|s| s.is_some()).count();
        if literal > best {
            best = literal;
            methods.clear();
        }
        if literal == best {
            methods.extend(ms.iter().cloned());
        }
    }
    methods.sort();
    methods.dedup();
    (!methods.is_empty()).then_some(methods)
}

/// The OpenAPI document as JSON.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "health", responses((status = 200, description = "OpenAPI 3 document")))]
#[get("/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
