//! The pages: server-rendered HTML in Vietnamese (askama templates, auto-escaped), one small
//! stylesheet and one small script served from the binary, for members and the public.
//!
//! Handlers here parse forms, call the same services as the JSON API, and render; pages
//! never touch the database or the index directly.

pub mod account;
pub mod admin;
pub mod assets;
pub mod attainment;
pub mod auth;
pub mod charts;
pub use crate::format;
pub mod form;
pub mod gallery;
pub mod imports;
pub mod initiatives;
pub mod mail;
pub mod member;
pub mod program_admin;
pub mod reorganisations;
pub mod review;
pub mod review_admin;
pub mod session;
pub mod union_admin;
pub mod union_reports;

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError, web};
use askama::Template;

use crate::domain::permissions::{Area, may_enter};
use crate::error::{AppError, ErrorCode};

pub use session::Visitor;

/// Registers every page route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(assets::stylesheet)
        .service(assets::script)
        .service(assets::favicon)
        .service(member::home)
        .service(member::coauthor_invitations)
        .service(member::accept_invitation)
        .service(member::decline_invitation)
        .service(auth::sign_in_form)
        .service(auth::sign_in)
        .service(auth::sign_out)
        .service(account::show)
        .service(account::change_password)
        .service(account::end_all_sessions)
        .service(account::end_session)
        .service(account::personal_data)
        .service(initiatives::new_form)
        .service(initiatives::create)
        .service(initiatives::similar)
        .service(initiatives::show)
        .service(initiatives::edit_form)
        .service(initiatives::save)
        .service(initiatives::receipt)
        .service(initiatives::upload)
        .service(initiatives::download)
        .service(gallery::index)
        .service(gallery::show)
        .service(review::queue)
        .service(review::show)
        .service(review::score)
        .service(review::decide)
        .service(review::conflict)
        .service(review::withdraw)
        .service(review::compare)
        .service(review::changes)
        .service(review::score_sheet)
        .service(review::board)
        .service(review::assign)
        .service(review::publish)
        .service(review::minutes)
        .service(review::award)
        .service(review::revoke)
        .service(review_admin::setup)
        .service(review_admin::add_stage)
        .service(review_admin::update_stage)
        .service(review_admin::delete_stage)
        .service(review_admin::save_rubric)
        .service(review_admin::create_committee)
        .service(review_admin::add_member)
        .service(review_admin::remove_member)
        .service(imports::show)
        .service(imports::upload)
        .service(imports::accept)
        .service(attainment::start)
        .service(attainment::dashboard)
        .service(attainment::report)
        .service(attainment::leaderboard_xlsx)
        .service(attainment::leaderboard_csv)
        .service(attainment::leaderboard)
        .service(attainment::editor)
        .service(attainment::save)
        .service(union_reports::initiatives)
        .service(union_reports::initiatives_xlsx)
        .service(union_reports::initiatives_csv)
        .service(union_reports::dashboard_xlsx)
        .service(union_reports::dashboard_csv)
        .service(mail::forgot_form)
        .service(mail::forgot)
        .service(mail::reset_form)
        .service(mail::reset)
        .service(mail::activate_form)
        .service(mail::activate)
        .service(mail::unsubscribe_form)
        .service(mail::unsubscribe)
        .service(mail::preferences_form)
        .service(mail::save_preferences)
        .service(mail::outbox)
        .service(mail::retry)
        .service(admin::home)
        .service(admin::audit)
        .service(admin::system)
        .service(admin::reindex)
        .service(program_admin::list)
        .service(program_admin::new_form)
        .service(program_admin::create)
        .service(program_admin::show)
        .service(program_admin::update)
        .service(program_admin::add_phase)
        .service(program_admin::update_phase)
        .service(program_admin::add_field)
        .service(program_admin::rename_field)
        .service(program_admin::remove_field)
        .service(program_admin::remove_phase)
        .service(program_admin::open)
        .service(program_admin::close)
        .service(program_admin::archive)
        .service(union_admin::start)
        .service(union_admin::show)
        .service(union_admin::create_child)
        .service(union_admin::update)
        .service(union_admin::move_union)
        .service(union_admin::deactivate)
        .service(union_admin::reactivate)
        .service(union_admin::set_head)
        .service(union_admin::members)
        .service(union_admin::new_member_form)
        .service(union_admin::create_member)
        .service(union_admin::member)
        .service(union_admin::update_member)
        .service(union_admin::set_member_status)
        .service(union_admin::invite)
        .service(union_admin::revoke_member_sessions)
        .service(union_admin::member_personal_data)
        .service(union_admin::anonymise_member)
        .service(union_admin::grant)
        .service(union_admin::revoke)
        .service(reorganisations::list)
        .service(reorganisations::upload)
        .service(reorganisations::build)
        .service(reorganisations::confirm)
        .service(reorganisations::revert)
        .service(reorganisations::show);
}

/// Every page route, `(method, path)` as the handlers' attributes spell them. The
/// authorization walk (`tests/api/authz.rs`) classifies each of them for each role; a unit
/// test below proves that this list, the handlers' attributes and [`configure`] agree.
pub const PAGE_ROUTES: &[(&str, &str)] = &[
    ("get", "/tai-khoan"),
    ("post", "/tai-khoan/mat-khau"),
    ("post", "/tai-khoan/phien/ket-thuc-tat-ca"),
    ("post", "/tai-khoan/phien/{session_id}/ket-thuc"),
    ("get", "/tai-khoan/du-lieu"),
    ("post", "/quan-tri/doan-vien/{id}/dang-xuat"),
    ("get", "/quan-tri/doan-vien/{id}/du-lieu"),
    ("post", "/quan-tri/doan-vien/{id}/an-danh"),
    ("get", "/quan-tri"),
    ("get", "/quan-tri/nhat-ky"),
    ("get", "/quan-tri/he-thong"),
    ("post", "/quan-tri/he-thong/dung-lai-chi-muc"),
    ("get", "/static/app.css"),
    ("get", "/static/app.js"),
    ("get", "/favicon.svg"),
    ("get", "/thi-dua"),
    ("get", "/don-vi/{id}/thanh-tich"),
    ("get", "/don-vi/{id}/bao-cao"),
    ("get", "/don-vi/{id}/xep-hang"),
    ("get", "/don-vi/{id}/chi-tieu"),
    ("post", "/don-vi/{id}/chi-tieu"),
    ("get", "/don-vi/{id}/xep-hang.xlsx"),
    ("get", "/don-vi/{id}/xep-hang.csv"),
    ("get", "/dang-nhap"),
    ("post", "/dang-nhap"),
    ("post", "/dang-xuat"),
    ("get", "/thu-vien"),
    ("get", "/thu-vien/{id}"),
    ("get", "/don-vi/nhap-du-lieu"),
    ("post", "/don-vi/nhap-du-lieu"),
    ("post", "/don-vi/nhap-du-lieu/{token}"),
    ("get", "/sang-kien/moi"),
    ("post", "/sang-kien/moi"),
    ("get", "/sang-kien/{id}/sua"),
    ("post", "/sang-kien/{id}/sua"),
    ("post", "/sang-kien/tuong-tu"),
    ("get", "/sang-kien/{id}"),
    ("get", "/sang-kien/{id}/bien-nhan"),
    ("post", "/sang-kien/{id}/tep"),
    ("get", "/sang-kien/{id}/tep/{attachment}"),
    ("get", "/quen-mat-khau"),
    ("post", "/quen-mat-khau"),
    ("get", "/dat-lai-mat-khau"),
    ("post", "/dat-lai-mat-khau"),
    ("get", "/kich-hoat"),
    ("post", "/kich-hoat"),
    ("get", "/huy-nhan-thu"),
    ("post", "/huy-nhan-thu"),
    ("get", "/tai-khoan/thu"),
    ("post", "/tai-khoan/thu"),
    ("get", "/quan-tri/thu"),
    ("post", "/quan-tri/thu/{id}/gui-lai"),
    ("get", "/"),
    ("get", "/loi-moi-dong-tac-gia"),
    ("post", "/loi-moi-dong-tac-gia/{id}/xac-nhan"),
    ("post", "/loi-moi-dong-tac-gia/{id}/tu-choi"),
    ("get", "/quan-tri/chuong-trinh"),
    ("get", "/quan-tri/chuong-trinh/moi"),
    ("post", "/quan-tri/chuong-trinh"),
    ("get", "/quan-tri/chuong-trinh/{id}"),
    ("post", "/quan-tri/chuong-trinh/{id}"),
    ("post", "/quan-tri/chuong-trinh/{id}/dot"),
    ("post", "/quan-tri/chuong-trinh/{id}/dot/{phase}"),
    ("post", "/quan-tri/chuong-trinh/{id}/linh-vuc"),
    ("post", "/quan-tri/chuong-trinh/{id}/mo"),
    ("post", "/quan-tri/chuong-trinh/{id}/dong"),
    ("post", "/quan-tri/chuong-trinh/{id}/luu-tru"),
    ("post", "/quan-tri/chuong-trinh/{id}/linh-vuc/{field}"),
    ("post", "/quan-tri/chuong-trinh/{id}/linh-vuc/{field}/xoa"),
    ("post", "/quan-tri/chuong-trinh/{id}/dot/{phase}/xoa"),
    ("get", "/xet-duyet"),
    ("get", "/xet-duyet/{id}"),
    ("post", "/xet-duyet/{id}/cham"),
    ("post", "/xet-duyet/{id}/quyet-dinh"),
    ("post", "/xet-duyet/{id}/xung-dot"),
    ("post", "/xet-duyet/{id}/rut"),
    ("get", "/xet-duyet/{id}/so-sanh/{other}"),
    ("get", "/xet-duyet/{id}/thay-doi"),
    ("get", "/xet-duyet/{id}/phieu-cham"),
    ("get", "/hoi-dong/{id}"),
    ("post", "/hoi-dong/{id}/phan-cong"),
    ("post", "/hoi-dong/{id}/cong-bo"),
    ("get", "/hoi-dong/{id}/bien-ban"),
    ("post", "/sang-kien/{id}/khen-thuong"),
    ("post", "/sang-kien/{id}/thu-hoi"),
    ("get", "/quan-tri/chuong-trinh/{id}/xet-duyet"),
    ("post", "/quan-tri/chuong-trinh/{id}/vong"),
    ("post", "/quan-tri/chuong-trinh/{id}/vong/{stage}"),
    ("post", "/quan-tri/chuong-trinh/{id}/vong/{stage}/xoa"),
    ("post", "/quan-tri/chuong-trinh/{id}/tieu-chi"),
    ("post", "/quan-tri/chuong-trinh/{id}/hoi-dong"),
    ("post", "/hoi-dong/{id}/thanh-vien"),
    ("post", "/hoi-dong/{id}/thanh-vien/{user}/xoa"),
    ("get", "/quan-tri/don-vi"),
    ("get", "/quan-tri/don-vi/{id}"),
    ("post", "/quan-tri/don-vi/{id}/don-vi-con"),
    ("post", "/quan-tri/don-vi/{id}"),
    ("post", "/quan-tri/don-vi/{id}/chuyen"),
    ("post", "/quan-tri/don-vi/{id}/ngung"),
    ("post", "/quan-tri/don-vi/{id}/kich-hoat-lai"),
    ("post", "/quan-tri/don-vi/{id}/thu-truong"),
    ("get", "/quan-tri/doan-vien"),
    ("get", "/quan-tri/doan-vien/moi"),
    ("post", "/quan-tri/doan-vien"),
    ("get", "/quan-tri/doan-vien/{id}"),
    ("post", "/quan-tri/doan-vien/{id}"),
    ("post", "/quan-tri/doan-vien/{id}/trang-thai"),
    ("post", "/quan-tri/doan-vien/{id}/moi-kich-hoat"),
    ("post", "/quan-tri/doan-vien/{id}/vai-tro"),
    ("post", "/quan-tri/doan-vien/{id}/vai-tro/{grant}/thu-hoi"),
    ("get", "/don-vi/{id}/sang-kien"),
    ("get", "/don-vi/{id}/sang-kien.xlsx"),
    ("get", "/don-vi/{id}/sang-kien.csv"),
    ("get", "/don-vi/{id}/thanh-tich.xlsx"),
    ("get", "/don-vi/{id}/thanh-tich.csv"),
    ("get", "/quan-tri/sap-xep"),
    ("post", "/quan-tri/sap-xep/tep"),
    ("post", "/quan-tri/sap-xep/lap"),
    ("post", "/quan-tri/sap-xep/ap-dung/{token}"),
    ("get", "/quan-tri/sap-xep/{id}"),
    ("post", "/quan-tri/sap-xep/{id}/huy-bo"),
];

/// What every page's frame needs: who is signed in, the CSRF token, the assets' version.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The signed-in user's name.
    pub user_name: Option<String>,
    /// The token forms echo.
    pub csrf: String,
    /// The assets' content version, for cache-busting URLs.
    pub asset: &'static str,
    /// Which navigation entry is current: `home`, `gallery`, `signin`, `review`, `import` or
    /// empty.
    pub nav: &'static str,
    /// Show the reviewers' entry (the user reviews or administers programs).
    pub reviews: bool,
    /// Show the organisation import (the user is an officer or a system administrator).
    pub imports: bool,
    /// Show the dashboards' entry (the user is a union officer or administers programs).
    pub dashboards: bool,
    /// Show the mail outbox (system administrators).
    pub mail_admin: bool,
    /// Show the administration entry (program administrators, officers, system
    /// administrators).
    pub admin: bool,
}

impl Chrome {
    /// The frame for a visitor.
    pub fn of(visitor: &Visitor, nav: &'static str) -> Self {
        Self {
            user_name: visitor.identity.as_ref().map(|i| i.user.full_name.clone()),
            csrf: visitor.csrf.clone(),
            asset: assets::version(),
            nav,
            reviews: visitor
                .identity
                .as_ref()
                .is_some_and(|i| may_enter(&i.actor, Area::Reviews)),
            imports: visitor
                .identity
                .as_ref()
                .is_some_and(|i| crate::service::imports::authorize(&i.actor).is_ok()),
            dashboards: visitor
                .identity
                .as_ref()
                .is_some_and(|i| may_enter(&i.actor, Area::Dashboards)),
            mail_admin: visitor.identity.as_ref().is_some_and(|i| {
                crate::domain::can(
                    &i.actor,
                    crate::domain::Action::Administer,
                    crate::domain::Resource::System,
                )
            }),
            admin: visitor
                .identity
                .as_ref()
                .is_some_and(|i| admin::Sections::of(&i.actor).any()),
        }
    }

    /// The frame of an error page rendered without the request (no user, no forms).
    fn bare() -> Self {
        Self {
            user_name: None,
            csrf: String::new(),
            asset: assets::version(),
            nav: "",
            reviews: false,
            imports: false,
            dashboards: false,
            mail_admin: false,
            admin: false,
        }
    }
}

/// Per-field problems of a form, by field name.
#[derive(Debug, Clone, Default)]
pub struct FieldProblems(pub BTreeMap<String, String>);

impl FieldProblems {
    /// The problems a validation error carries (`details.fields`).
    pub fn from_error(e: &AppError) -> Self {
        let mut out = BTreeMap::new();
        if let Some(fields) = e
            .details
            .as_ref()
            .and_then(|d| d.get("fields"))
            .and_then(|f| f.as_object())
        {
            for (k, v) in fields {
                if let Some(s) = v.as_str() {
                    out.insert(k.clone(), s.to_owned());
                }
            }
        }
        Self(out)
    }

    /// The problem of one field.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// Adds a problem.
    pub fn add(&mut self, field: &str, problem: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| problem.into());
    }

    /// No problems?
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Renders a template into an HTML response with `status`.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Result<HttpResponse, PageError> {
    let body = page
        .render()
        .map_err(|e| AppError::failed("rendering a page", e))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// A 303 redirect (after a form, or to sign in).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// Why a page could not be shown.
#[derive(Debug)]
pub enum PageError {
    /// The page (this path) needs a signed-in user: go to the sign-in page, then back.
    SignIn(String),
    /// Anything else, shown as an error page in Vietnamese.
    App(AppError),
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SignIn(_) => f.write_str("sign-in required"),
            Self::App(e) => e.fmt(f),
        }
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub status: u16,
    pub heading: &'static str,
    pub message: String,
    pub code: String,
}

fn heading_for(code: ErrorCode) -> &'static str {
    match code.status().as_u16() {
        404 => "Không tìm thấy trang",
        403 => "Bạn không có quyền xem trang này",
        401 => "Cần đăng nhập",
        409 | 422 => "Chưa thể thực hiện",
        413 => "Tệp quá lớn",
        429 => "Tạm thời bị chặn",
        415 => "Loại tệp không được chấp nhận",
        503 => "Hệ thống đang bận",
        s if s >= 500 => "Đã có lỗi xảy ra",
        _ => "Yêu cầu chưa hợp lệ",
    }
}

/// The error page for an error (a 5xx shows only a generic message and is logged).
pub fn error_page(e: &AppError) -> HttpResponse {
    let status = e.code.status();
    if status.is_server_error() {
        tracing::error!(code = ?e.code, error = %e, "page failed");
    }
    let code = serde_json::to_value(e.code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let page = ErrorPage {
        chrome: Chrome::bare(),
        status: status.as_u16(),
        heading: heading_for(e.code),
        message: if status.is_server_error() {
            e.code.message().to_owned()
        } else {
            e.message.clone()
        },
        code,
    };
    match page.render() {
        Ok(body) => {
            let mut response = HttpResponse::build(status);
            if let Some(seconds) = e.retry_after() {
                response.insert_header((header::RETRY_AFTER, seconds.to_string()));
            }
            response
                .content_type("text/html; charset=utf-8")
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .body(body)
        }
        Err(_) => HttpResponse::build(status)
            .content_type("text/plain; charset=utf-8")
            .body(e.code.message()),
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn(_) => StatusCode::SEE_OTHER,
            Self::App(e) => e.code.status(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::SignIn(here) if here != "/" => see_other(&format!(
                "/dang-nhap?next={}",
                percent_encoding::utf8_percent_encode(here, percent_encoding::NON_ALPHANUMERIC)
            )),
            Self::SignIn(_) => see_other("/dang-nhap"),
            Self::App(e) => error_page(e),
        }
    }
}

/// Is this request for a page (not the API, not a health check)?
pub fn is_page_path(path: &str) -> bool {
    !(path.starts_with("/api/") || path == "/api" || path == "/healthz" || path == "/readyz")
}

/// Headers every page carries: a strict content security policy (no inline scripts or
/// styles, nothing from other sites), no framing, and a restrained referrer.
pub fn add_page_headers(headers: &mut actix_web::http::header::HeaderMap) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; \
             object-src 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
}

#[cfg(test)]
mod route_list_tests {
    use std::collections::BTreeSet;

    use super::PAGE_ROUTES;

    /// The sources of the page modules, by module name.
    const SOURCES: &[(&str, &str)] = &[
        ("account", include_str!("account.rs")),
        ("admin", include_str!("admin.rs")),
        ("assets", include_str!("assets.rs")),
        ("attainment", include_str!("attainment.rs")),
        ("auth", include_str!("auth.rs")),
        ("charts", include_str!("charts.rs")),
        ("form", include_str!("form.rs")),
        ("gallery", include_str!("gallery.rs")),
        ("imports", include_str!("imports.rs")),
        ("initiatives", include_str!("initiatives/mod.rs")),
        ("initiatives", include_str!("initiatives/attachments.rs")),
        ("initiatives", include_str!("initiatives/editing.rs")),
        ("initiatives", include_str!("initiatives/values.rs")),
        ("initiatives", include_str!("initiatives/viewing.rs")),
        ("mail", include_str!("mail.rs")),
        ("member", include_str!("member.rs")),
        ("program_admin", include_str!("program_admin/mod.rs")),
        ("program_admin", include_str!("program_admin/catalogue.rs")),
        ("program_admin", include_str!("program_admin/listing.rs")),
        ("program_admin", include_str!("program_admin/program.rs")),
        ("reorganisations", include_str!("reorganisations.rs")),
        ("review", include_str!("review/mod.rs")),
        ("review", include_str!("review/chair.rs")),
        ("review", include_str!("review/conclusion.rs")),
        ("review", include_str!("review/documents.rs")),
        ("review", include_str!("review/queue_page.rs")),
        ("review", include_str!("review/reviewing.rs")),
        ("review_admin", include_str!("review_admin.rs")),
        ("session", include_str!("session.rs")),
        ("union_admin", include_str!("union_admin/mod.rs")),
        (
            "union_admin",
            include_str!("union_admin/member_accounts.rs"),
        ),
        ("union_admin", include_str!("union_admin/unions.rs")),
        ("union_reports", include_str!("union_reports.rs")),
    ];
    const MOD: &str = include_str!("mod.rs");

    /// `(method, path, handler)` of every `#[get]`/`#[post]` attribute in `source`.
    fn attributes(source: &str) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        let lines: Vec<&str> = source.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            for method in ["get", "post", "put", "patch", "delete"] {
                let Some(rest) = line.trim().strip_prefix(&format!("#[{method}(\"")) else {
                    continue;
                };
                let path = rest.split('"').next().unwrap_or_default().to_owned();
                let handler = lines[i + 1..]
                    .iter()
                    .find_map(|l| l.trim().strip_prefix("pub async fn "))
                    .and_then(|l| l.split('(').next())
                    .unwrap_or_default()
                    .to_owned();
                out.push((method.to_owned(), path, handler));
            }
        }
        out
    }

    #[test]
    fn every_page_module_is_scanned() {
        let declared: BTreeSet<&str> = MOD
            .lines()
            .filter_map(|l| l.trim().strip_prefix("pub mod "))
            .map(|l| l.trim_end_matches(';'))
            .collect();
        let scanned: BTreeSet<&str> = SOURCES.iter().map(|(m, _)| *m).collect();
        assert_eq!(declared, scanned);
    }

    #[test]
    fn the_route_list_matches_the_handlers_and_configure() {
        let mut found = BTreeSet::new();
        for (module, source) in SOURCES {
            for (method, path, handler) in attributes(source) {
                assert!(
                    MOD.contains(&format!(".service({module}::{handler})")),
                    "{method} {path}: {module}::{handler} is not registered in configure"
                );
                found.insert((method, path));
            }
        }
        let listed: BTreeSet<(String, String)> = PAGE_ROUTES
            .iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        assert_eq!(listed.len(), PAGE_ROUTES.len(), "a route is listed twice");
        assert_eq!(
            found.difference(&listed).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "routes missing from PAGE_ROUTES"
        );
        assert_eq!(
            listed.difference(&found).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "PAGE_ROUTES lists routes no handler has"
        );
    }
}
