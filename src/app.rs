//! Building and running the HTTP application: `Application::build` binds (port 0 in tests),
//! `run_until_stopped` serves until SIGTERM/ctrl-c with graceful shutdown.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::HttpMessage;
use actix_web::dev::Service;
use actix_web::dev::{Server, ServerHandle};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{App, HttpServer, middleware, web};
use tracing_actix_web::{RequestId, TracingLogger};

use crate::auth::TokenKeys;
use crate::config::Settings;
use crate::db::Db;
use crate::email::sender::Sender;
use crate::routes;
use crate::routes::web::session;
use crate::search::{self, SearchService};
use crate::state::AppState;

/// A bound, ready-to-run server.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

impl Application {
    /// Connects the database (migrating if configured), loads keys and binds the listener.
    pub fn build(settings: Settings, bind: Option<&str>) -> anyhow::Result<Self> {
        let url = settings.database_url()?;
        let db = Db::connect(&url, settings.database.pool_size)?;
        if settings.database.migrate_on_start {
            let ran = db.migrate()?;
            if ran > 0 {
                tracing::info!(ran, "applied migrations");
            }
            if db.blocking_write(|conn| Ok(crate::db::counts::build_if_missing(conn)?))? {
                tracing::info!("built the counts of initiatives per union");
            }
        }
        let keys = TokenKeys::load(&settings.auth, &settings.data.dir)?;
        let uploads_dir = settings.data.dir.join("uploads");
        std::fs::create_dir_all(&uploads_dir)?;
        let search = Arc::new(SearchService::open(&settings.data.dir.join("index"))?);
        let state = AppState {
            settings: Arc::new(settings),
            db,
            keys: Arc::new(keys),
            uploads_dir,
            search,
        };
        let addr = bind.unwrap_or(&state.settings.server.bind).to_owned();
        let listener = TcpListener::bind(&addr)
            .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
        let port = listener.local_addr()?.port();
        let server = serve(listener, state.clone())?;
        Ok(Self {
            port,
            server,
            state,
        })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (the CLI and tests use its database).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// A handle to stop the server.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped (SIGTERM and ctrl-c stop it gracefully).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let indexer = search::spawn_indexer(
            self.state.search.clone(),
            self.state.db.clone(),
            std::time::Duration::from_millis(500),
        );
        // The mail sender and the schedule of digests and reminders (lettre's transports are
        // built here, inside the runtime).
        let sender = Sender::new(
            self.state.db.clone(),
            self.state.keys.clone(),
            self.state.settings.clone(),
        )
        .map_err(|e| std::io::Error::other(format!("mail transport: {e:#}")))?;
        let (stop_sender, stopped) = tokio::sync::watch::channel(false);
        let sender = tokio::spawn(sender.run(stopped));
        let schedule = self.state.settings.mail.schedule.enabled.then(|| {
            tokio::spawn(crate::service::mail::schedule::run(
                self.state.db.clone(),
                self.state.settings.clone(),
            ))
        });
        let pruner = tokio::spawn(crate::service::idempotency::prune_every(
            self.state.db.clone(),
            std::time::Duration::from_secs(3600),
        ));
        let result = self.server.await;
        indexer.abort();
        pruner.abort();
        // The sender finishes the emails it claimed, then stops.
        let _ = stop_sender.send(true);
        let abort = sender.abort_handle();
        if tokio::time::timeout(std::time::Duration::from_secs(15), sender)
            .await
            .is_err()
        {
            abort.abort();
        }
        if let Some(s) = schedule {
            s.abort();
        }
        result
    }
}

fn serve(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let workers = match state.settings.server.workers {
        0 => std::thread::available_parallelism().map_or(2, usize::from),
        n => n,
    };
    let json_limit = state.settings.server.json_limit_bytes;
    // Behind https, browsers are told to come back over https only (HSTS), on every answer.
    let https = state.settings.server.public_url.starts_with("https://");
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(routes::json_config(json_limit))
            .app_data(routes::query_config())
            .app_data(routes::path_config())
            .app_data(routes::form_config())
            .wrap_fn(|req, srv| {
                // Pages: a CSRF token for visitors who have none, and the pages' security
                // headers.
                let page = routes::web::is_page_path(req.path());
                let new_token =
                    (page && req.cookie(session::CSRF_COOKIE).is_none()).then(session::new_token);
                if let Some(t) = &new_token {
                    req.extensions_mut()
                        .insert(session::NewCsrfToken(t.clone()));
                }
                let fut = srv.call(req);
                async move {
                    let mut res = fut.await?;
                    if page {
                        routes::web::add_page_headers(res.headers_mut());
                        if let Some(t) = new_token {
                            let cookie = session::csrf_cookie(res.request(), &t);
                            res.response_mut().add_cookie(&cookie)?;
                        }
                    }
                    Ok(res)
                }
            })
            .wrap_fn(|req, srv| {
                // What answers a request that carries credentials (a bearer token, the session
                // cookie) is that person's: no browser or proxy keeps it, whatever the handler,
                // unless it declares itself public (the static assets).
                let personal = carries_credentials(&req);
                let fut = srv.call(req);
                async move {
                    let mut res = fut.await?;
                    if personal && !declared_public(res.headers()) {
                        res.headers_mut()
                            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                    }
                    Ok(res)
                }
            })
            .wrap(middleware::DefaultHeaders::new().add(("X-Content-Type-Options", "nosniff")))
            .wrap(middleware::Condition::new(
                https,
                middleware::DefaultHeaders::new().add((
                    header::STRICT_TRANSPORT_SECURITY,
                    "max-age=31536000; includeSubDomains",
                )),
            ))
            .wrap_fn(|req, srv| {
                // Echo the request id the tracing span carries, so a report can be matched
                // to the server's log.
                let request_id = req.extensions().get::<RequestId>().copied();
                let fut = srv.call(req);
                async move {
                    let mut res = fut.await?;
                    if let Some(id) = request_id
                        && let Ok(value) = HeaderValue::from_str(&id.to_string())
                    {
                        res.headers_mut()
                            .insert(HeaderName::from_static("x-request-id"), value);
                    }
                    Ok(res)
                }
            })
            .wrap(TracingLogger::<crate::telemetry::RequestSpan>::new())
            .service(routes::health::healthz)
            .service(routes::health::readyz)
            .configure(routes::api::configure)
            .configure(routes::web::configure)
            .default_service(web::to(routes::not_found))
    })
    .workers(workers)
    .shutdown_timeout(20)
    .listen(listener)?
    .run();
    Ok(server)
}

/// Does the request carry credentials: an `Authorization` header, or the session cookie?
fn carries_credentials(req: &actix_web::dev::ServiceRequest) -> bool {
    req.headers().contains_key(header::AUTHORIZATION)
        || req
            .cookie(session::SESSION_COOKIE)
            .is_some_and(|c| !c.value().is_empty())
}

/// Has the handler declared the answer the same for everyone (`Cache-Control: public`)?
fn declared_public(headers: &header::HeaderMap) -> bool {
    headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|d| d.trim().eq_ignore_ascii_case("public"))
        })
}
