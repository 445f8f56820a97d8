//! The JSON API under `/api/v1`, described by the OpenAPI document it serves.

pub mod admin;
pub mod attachments;
pub mod auth;
pub mod body;
pub mod coauthors;
pub mod imports;
pub mod initiatives;
pub mod mail;
pub mod openapi;
pub mod programs;
pub mod reorganisations;
pub mod review;
pub mod search;
pub mod union_reports;
pub mod unions;
pub mod users;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use crate::error::AppError;
use crate::service::idempotency::{Answer, IdempotentRequest};

/// Registers every API route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .service(openapi::openapi_json)
            .service(auth::login)
            .service(auth::logout)
            .service(auth::me)
            .service(auth::sessions)
            .service(auth::end_all_sessions)
            .service(auth::end_session)
            .service(auth::change_password)
            .service(auth::revoke_user_sessions)
            .service(auth::personal_data)
            .service(users::personal_data)
            .service(users::anonymise)
            .service(unions::roots)
            .service(unions::create)
            .service(unions::get)
            .service(unions::update)
            .service(unions::children)
            .service(unions::subtree)
            .service(unions::dashboard)
            .service(unions::quotas)
            .service(unions::quota_history)
            .service(unions::allocate)
            .service(unions::leaderboard)
            .service(unions::move_union)
            .service(unions::search)
            .service(reorganisations::apply)
            .service(reorganisations::list)
            .service(reorganisations::get)
            .service(reorganisations::revert)
            .service(reorganisations::history)
            .service(union_reports::dashboard_export)
            .service(union_reports::initiatives)
            .service(union_reports::initiatives_export)
            .service(users::list)
            .service(users::create)
            .service(users::get)
            .service(users::update)
            .service(users::roles)
            .service(users::grant)
            .service(users::revoke)
            .service(users::invite)
            .service(programs::list)
            .service(programs::create)
            .service(programs::get)
            .service(programs::update)
            .service(programs::add_phase)
            .service(programs::update_phase)
            .service(programs::add_field)
            .service(programs::rename_field)
            .service(programs::remove_field)
            .service(programs::remove_phase)
            .service(programs::open)
            .service(programs::close)
            .service(programs::archive)
            .service(programs::checklist)
            .service(search::similar)
            .service(search::search)
            .service(search::duplicates)
            .service(initiatives::list)
            .service(initiatives::create)
            .service(initiatives::get)
            .service(initiatives::update)
            .service(initiatives::submit)
            .service(initiatives::history)
            .service(coauthors::mine)
            .service(coauthors::accept)
            .service(coauthors::decline)
            .service(attachments::list)
            .service(attachments::upload)
            .service(attachments::download)
            .service(review::stages)
            .service(review::add_stage)
            .service(review::update_stage)
            .service(review::delete_stage)
            .service(review::rubric)
            .service(review::set_rubric)
            .service(review::committees)
            .service(review::create_committee)
            .service(review::my_committees)
            .service(review::committee)
            .service(review::put_member)
            .service(review::remove_member)
            .service(review::board)
            .service(review::assign)
            .service(review::unassign)
            .service(review::publish)
            .service(review::queue)
            .service(review::review)
            .service(review::score)
            .service(review::declare_conflict)
            .service(review::decide)
            .service(review::withdraw)
            .service(review::diff)
            .service(review::revoke)
            .service(review::award)
            .service(review::set_head)
            .service(imports::import)
            .service(mail::request_reset)
            .service(mail::confirm_reset)
            .service(mail::accept_invitation)
            .service(mail::unsubscribe)
            .service(mail::preferences)
            .service(mail::set_preferences)
            .service(mail::outbox)
            .service(mail::retry)
            .service(admin::audit)
            .service(admin::system)
            .service(admin::reindex),
    );
}

/// The `Idempotency-Key` header of a request, checked (1–255 visible ASCII characters; a
/// malformed one is `validation_failed`).
#[derive(Debug, Clone, Default)]
pub struct IdempotencyKey(Option<String>);

/// The header's name.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

impl actix_web::FromRequest for IdempotencyKey {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let key = match req.headers().get(IDEMPOTENCY_KEY) {
            None => Ok(Self(None)),
            Some(v) => IdempotentRequest::parse_key(v.as_bytes()).map(|k| Self(Some(k))),
        };
        std::future::ready(key)
    }
}

impl IdempotencyKey {
    /// The key bound to what is asked under it, if a key was sent.
    pub fn request(
        &self,
        operation: &str,
        body: &impl serde::Serialize,
    ) -> Option<IdempotentRequest> {
        self.0
            .clone()
            .map(|k| IdempotentRequest::new(k, operation, body))
    }
}

/// Answers a use case run under an `Idempotency-Key`: the fresh result with `status`, or the
/// remembered answer as it was, marked `Idempotency-Replayed: true`.
pub fn answer<T: serde::Serialize>(a: Answer<T>, status: StatusCode) -> HttpResponse {
    match a {
        Answer::Fresh(v) => HttpResponse::build(status).json(v),
        Answer::Replayed { status, body } => {
            HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
                .insert_header(("Idempotency-Replayed", "true"))
                .content_type(mime::APPLICATION_JSON)
                .body(body)
        }
    }
}
