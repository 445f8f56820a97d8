//! The test harness: a real server on a random port over a fresh database (SQLite file or a
//! new PostgreSQL database), a real HTTP client, and a small world of unions, users and
//! programs built through the services.

use std::sync::LazyLock;

use chrono::{Duration, Utc};
use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::{Client, Method, RequestBuilder, Response};
use sangkien::app::Application;
use sangkien::config::Settings;
use sangkien::db::{Db, DbConn, unions};
use sangkien::domain::{PhaseWindow, ProgramStatus, Role, UnionKind};
use sangkien::service;
use sangkien::service::programs::{FieldInput, NewProgramInput, PhaseInput};
use sangkien::service::users::{GrantInput, NewUserInput};
use serde_json::{Value, json};

/// The JWT key of every test server (tests sign their own hostile tokens with it).
pub const TEST_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";
/// The password of every fixture account.
pub const PASSWORD: &str = "mat-khau-thu-nghiem";

static PASSWORD_HASH: LazyLock<String> =
    LazyLock::new(|| sangkien::auth::password::hash(PASSWORD).expect("hash"));

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates `mod NAME { sqlite(), postgres() }` for each async test fn `NAME(Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::helpers::Backend::Sqlite).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::helpers::Backend::Postgres).await;
                }
            }
        )*
    };
}

/// A PostgreSQL database made for one test and dropped after it.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin = self.admin_url.clone();
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            if let Ok(mut conn) = PgConnection::establish(&admin) {
                let _ =
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .execute(&mut conn);
            }
        })
        .join();
    }
}

fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// Creates a fresh PostgreSQL database, or says why not (and fails under CI).
fn create_pg_database() -> Option<(String, PgDatabase)> {
    let admin_url = postgres_admin_url();
    let mut conn = match PgConnection::establish(&admin_url) {
        Ok(c) => c,
        Err(e) => {
            if std::env::var_os("CI").is_some() {
                panic!("PostgreSQL is required in CI but {admin_url} is unreachable: {e}");
            }
            eprintln!("SKIPPED (PostgreSQL unreachable at {admin_url}: {e})");
            return None;
        }
    };
    let name = format!("sk_test_{}", uuid::Uuid::new_v4().simple());
    diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .expect("create test database");
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b.to_owned())
        .unwrap_or(admin_url.clone());
    let url = format!("{base}/{name}");
    Some((url, PgDatabase { admin_url, name }))
}

/// A running server with its own database, data folder and HTTP client.
pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub db: Db,
    pub settings: Settings,
    handle: actix_web::dev::ServerHandle,
    _data_dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

impl TestApp {
    /// Starts a server on a fresh database; `None` when PostgreSQL is unavailable outside CI.
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// As [`TestApp::spawn`], with settings adjusted first.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> Option<Self> {
        let data_dir = tempfile::tempdir().expect("tempdir");
        let (url, pg) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", data_dir.path().join("test.db").display()),
                None,
            ),
            Backend::Postgres => {
                let (url, pg) = tokio::task::spawn_blocking(create_pg_database)
                    .await
                    .expect("join")?;
                (url, Some(pg))
            }
        };
        let mut settings = test_settings(url, data_dir.path());
        adjust(&mut settings);
        Some(Self::launch(settings, data_dir, pg).await)
    }

    /// Starts a server with `settings`, owning its data folder (and database, if given).
    async fn launch(
        settings: Settings,
        data_dir: tempfile::TempDir,
        pg: Option<PgDatabase>,
    ) -> Self {
        let (base, handle, db) = start(settings.clone()).await;
        Self {
            base,
            client: Client::builder().build().expect("client"),
            db,
            settings,
            handle,
            _data_dir: data_dir,
            _pg: pg,
        }
    }

    /// Another instance on the same database: its own server, data folder and search index
    /// (fed from the outbox), the same settings otherwise (JWT key included, so a token from
    /// one instance is good on the other). The database belongs to `self` and is dropped
    /// with it.
    pub async fn spawn_sibling(&self) -> TestApp {
        let data_dir = tempfile::tempdir().expect("tempdir");
        let mut settings = self.settings.clone();
        settings.data.dir = data_dir.path().to_path_buf();
        Self::launch(settings, data_dir, None).await
    }

    /// Stops the server gracefully.
    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }

    /// Stops the server gracefully and starts a new one on the same database and data.
    pub async fn restart(&mut self) {
        self.handle.stop(true).await;
        let (base, handle, db) = start(self.settings.clone()).await;
        self.base = base;
        self.handle = handle;
        self.db = db;
    }

    /// A request with an optional bearer token.
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let mut rb = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        rb
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, Some(token))
            .send()
            .await
            .expect("send")
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Response {
        self.request(Method::POST, path, Some(token))
            .json(body)
            .send()
            .await
            .expect("send")
    }

    pub async fn patch(&self, path: &str, token: &str, body: &Value) -> Response {
        self.request(Method::PATCH, path, Some(token))
            .json(body)
            .send()
            .await
            .expect("send")
    }

    /// Signs in; panics unless it succeeds.
    pub async fn login(&self, login: &str) -> String {
        let res = self
            .request(Method::POST, "/api/v1/auth/login", None)
            .json(&serde_json::json!({"login": login, "password": PASSWORD}))
            .send()
            .await
            .expect("send");
        assert_eq!(res.status(), 200, "login {login}");
        let body: Value = res.json().await.expect("json");
        body["access_token"].as_str().expect("token").to_owned()
    }
}

/// The settings every test server starts from: the database at `url`, data under `dir`, the
/// test key, one worker, 4 KiB uploads, quiet logs.
fn test_settings(url: String, dir: &std::path::Path) -> Settings {
    let mut settings = Settings::load(None).expect("settings");
    settings.database.url = url;
    settings.database.pool_size = 4;
    settings.data.dir = dir.to_path_buf();
    settings.auth.jwt_secret = Some(TEST_SECRET.to_owned());
    settings.server.workers = 1;
    settings.uploads.max_bytes = 4096;
    settings.log.filter = "warn".to_owned();
    settings
}

async fn start(settings: Settings) -> (String, actix_web::dev::ServerHandle, Db) {
    let app =
        tokio::task::spawn_blocking(move || Application::build(settings, Some("127.0.0.1:0")))
            .await
            .expect("join")
            .expect("build app");
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    let db = app.state().db.clone();
    tokio::spawn(app.run_until_stopped());
    (base, handle, db)
}

/// Reads a JSON body.
/// Signs in through the API with `password` and returns the answer, whatever it is.
pub async fn try_login(app: &TestApp, login: &str, password: &str) -> Response {
    app.request(Method::POST, "/api/v1/auth/login", None)
        .json(&json!({"login": login, "password": password}))
        .send()
        .await
        .unwrap()
}

pub async fn json(res: Response) -> Value {
    res.json().await.expect("json body")
}

/// Asserts the status and the error code of an error answer; returns the body.
pub async fn expect_error(res: Response, status: u16, code: &str) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "status; body: {body}");
    assert_eq!(body["error"]["code"], code, "code; body: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "message: {body}"
    );
    body
}

/// The fixture world:
///
/// ```text
/// Tổng LĐLĐ (root)
/// ├── CB (province)                  officer_a, reviewer_a (program "open")
/// │   └── CB-VC (upper)
/// │       ├── CB-VC-HQ (grassroots)  member_a, coauthor_a
/// │       └── CB-VC-KB (grassroots)
/// └── LS (province)                  officer_b
///     └── LS-VC (upper)
///         └── LS-VC-GD (grassroots)  member_b
/// admin (system admin), padmin (program admin over root)
/// programs: "open" (open, phase open now), "closed" (open, only a past phase)
/// ```
#[derive(Debug, Clone)]
pub struct World {
    pub root: i64,
    pub cb: i64,
    pub cb_vc: i64,
    pub cb_hq: i64,
    pub ls: i64,
    pub ls_gd: i64,
    pub program: i64,
    pub closed_program: i64,
    pub field: i64,
    pub member_a: i64,
    pub coauthor_a: i64,
    pub member_b: i64,
}

/// Logins of the fixture accounts.
pub mod who {
    pub const ADMIN: &str = "admin@test.vn";
    pub const PADMIN: &str = "padmin@test.vn";
    pub const OFFICER_A: &str = "officer.a@test.vn";
    pub const OFFICER_B: &str = "officer.b@test.vn";
    pub const REVIEWER_A: &str = "reviewer.a@test.vn";
    pub const MEMBER_A: &str = "member.a@test.vn";
    pub const COAUTHOR_A: &str = "coauthor.a@test.vn";
    pub const MEMBER_B: &str = "member.b@test.vn";
}

fn add_union(conn: &mut DbConn, parent: Option<i64>, code: &str, name: &str, members: i32) -> i64 {
    let parent_row = parent.map(|p| unions::find(conn, p).expect("q").expect("parent"));
    let level = parent_row
        .as_ref()
        .map_or(UnionKind::National.as_i32(), |p| p.level + 1);
    unions::insert(
        conn,
        &unions::NewUnion {
            parent: parent_row.as_ref(),
            level,
            code,
            name,
            short_name: None,
            cluster: None,
            member_count: members,
            now: sangkien::db::now(),
        },
    )
    .expect("insert union")
    .id
}

pub fn add_user(
    conn: &mut DbConn,
    email: &str,
    name: &str,
    union_id: i64,
    grants: &[(Role, i64, Option<i64>)],
) -> i64 {
    let detail = service::users::create_in(
        conn,
        None,
        &NewUserInput {
            member_code: Some(
                email
                    .split('@')
                    .next()
                    .unwrap_or_default()
                    .replace('.', "-")
                    .to_uppercase(),
            ),
            full_name: name.to_owned(),
            email: email.to_owned(),
            phone: None,
            union_id,
            password: None,
        },
        Some(&PASSWORD_HASH),
    )
    .expect("create user");
    for (role, union, program) in grants {
        service::users::grant_in(
            conn,
            None,
            detail.user.id,
            &GrantInput {
                role: *role,
                union_id: *union,
                program_id: *program,
            },
        )
        .expect("grant");
    }
    detail.user.id
}

fn add_program(conn: &mut DbConn, code: &str, owner: i64, windows: &[(i64, i64)]) -> (i64, i64) {
    let now = Utc::now().naive_utc();
    let view = service::programs::create_in(
        conn,
        None,
        &NewProgramInput {
            code: code.to_owned(),
            name: format!("Chương trình {code}"),
            description: "Chương trình thử nghiệm.".to_owned(),
            owner_union_id: owner,
            applied_from: Some((Utc::now() - Duration::days(365)).date_naive()),
            applied_to: None,
            target_count: Some(1000),
            phases: windows
                .iter()
                .enumerate()
                .map(|(i, (from, to))| PhaseInput {
                    name: format!("Đợt {}", i + 1),
                    window: PhaseWindow::new(
                        now + Duration::days(*from),
                        now + Duration::days(*to),
                    )
                    .expect("window"),
                })
                .collect(),
            fields: vec![FieldInput {
                code: "chuyen-doi-so".to_owned(),
                name: "Chuyển đổi số".to_owned(),
            }],
        },
    )
    .expect("create program");
    service::programs::set_status_in(conn, None, view.id, ProgramStatus::Open).expect("open");
    (view.id, view.fields[0].id)
}

impl TestApp {
    /// Builds the fixture world.
    pub async fn world(&self) -> World {
        let _ = &*PASSWORD_HASH;
        self.db
            .write(|conn| {
                let root = add_union(conn, None, "ROOT", "Tổng Liên đoàn Lao động Việt Nam", 0);
                let cb = add_union(conn, Some(root), "CB", "LĐLĐ tỉnh Cao Bằng", 0);
                let cb_vc = add_union(
                    conn,
                    Some(cb),
                    "CB-VC",
                    "Công đoàn Viên chức tỉnh Cao Bằng",
                    5,
                );
                let cb_hq = add_union(
                    conn,
                    Some(cb_vc),
                    "CB-VC-HQ",
                    "CĐCS Cục Hải quan Cao Bằng",
                    112,
                );
                let _cb_kb = add_union(
                    conn,
                    Some(cb_vc),
                    "CB-VC-KB",
                    "CĐCS Kho bạc Nhà nước Cao Bằng",
                    40,
                );
                let ls = add_union(conn, Some(root), "LS", "LĐLĐ tỉnh Lạng Sơn", 0);
                let ls_vc = add_union(
                    conn,
                    Some(ls),
                    "LS-VC",
                    "Công đoàn Viên chức tỉnh Lạng Sơn",
                    0,
                );
                let ls_gd = add_union(
                    conn,
                    Some(ls_vc),
                    "LS-VC-GD",
                    "CĐCS Sở Giáo dục Lạng Sơn",
                    60,
                );
                let (program, field) = add_program(conn, "OPEN", root, &[(-10, 30)]);
                let (closed_program, _) = add_program(conn, "CLOSED", root, &[(-30, -1)]);
                add_user(
                    conn,
                    who::ADMIN,
                    "Quản Trị Viên",
                    root,
                    &[(Role::SystemAdmin, root, None)],
                );
                add_user(
                    conn,
                    who::PADMIN,
                    "Trần Chương Trình",
                    root,
                    &[(Role::ProgramAdmin, root, None)],
                );
                add_user(
                    conn,
                    who::OFFICER_A,
                    "Nông Văn Cán",
                    cb,
                    &[(Role::UnionOfficer, cb, None)],
                );
                add_user(
                    conn,
                    who::OFFICER_B,
                    "Hoàng Thị Bộ",
                    ls,
                    &[(Role::UnionOfficer, ls, None)],
                );
                add_user(
                    conn,
                    who::REVIEWER_A,
                    "Bế Văn Thẩm",
                    cb,
                    &[(Role::Reviewer, cb, Some(program))],
                );
                let member_a = add_user(conn, who::MEMBER_A, "Lục Thị Đoàn", cb_hq, &[]);
                let coauthor_a = add_user(conn, who::COAUTHOR_A, "Đàm Văn Hợp", cb_hq, &[]);
                let member_b = add_user(conn, who::MEMBER_B, "Vi Thị Lạng", ls_gd, &[]);
                Ok(World {
                    root,
                    cb,
                    cb_vc,
                    cb_hq,
                    ls,
                    ls_gd,
                    program,
                    closed_program,
                    field,
                    member_a,
                    coauthor_a,
                    member_b,
                })
            })
            .await
            .expect("world")
    }
}

/// A complete draft body for `program`.
pub fn complete_draft(w: &World, title: &str) -> Value {
    serde_json::json!({
        "program_id": w.program,
        "field_id": w.field,
        "title": title,
        "current_situation": "Hồ sơ giấy lưu trữ phân tán ở nhiều phòng, mỗi lần tra cứu mất 40 phút.",
        "solution": "Quét toàn bộ hồ sơ, đặt tên tệp theo quy tắc thống nhất và lập chỉ mục trên phần mềm quản lý văn bản.",
        "scope": "Toàn bộ các phòng nghiệp vụ của Cục Hải quan tỉnh Cao Bằng.",
        "benefits": "Tiết kiệm khoảng 300 giờ công mỗi năm, giảm hư hỏng hồ sơ giấy.",
        "first_applied_on": (Utc::now() - Duration::days(30)).date_naive(),
        "estimated_benefit_vnd": 120000000,
    })
}

/// Creates a draft from `body`; its id.
pub async fn create_draft(app: &TestApp, token: &str, body: &Value) -> i64 {
    let draft = json(app.post("/api/v1/initiatives", token, body).await).await;
    draft["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no draft made: {draft}"))
}

/// `login` accepts their invitation to co-author the initiative `id`.
pub async fn accept_coauthor(app: &TestApp, login: &str, id: i64) {
    let token = app.login(login).await;
    let res = app
        .post(
            &format!("/api/v1/me/coauthor-invitations/{id}/accept"),
            &token,
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(res.status(), 200, "{login} accepts the invitation to {id}");
}

/// Creates a draft from `body`, has each of `coauthors` (logins) accept their invitation,
/// and submits it; the answer carries `_status` and `_id`.
pub async fn submit_with_coauthors(
    app: &TestApp,
    token: &str,
    body: &Value,
    coauthors: &[&str],
) -> Value {
    let id = create_draft(app, token, body).await;
    for login in coauthors {
        accept_coauthor(app, login, id).await;
    }
    let res = app
        .post(
            &format!("/api/v1/initiatives/{id}/submit"),
            token,
            &serde_json::json!({}),
        )
        .await;
    let status = res.status();
    let mut out = json(res).await;
    out["_status"] = serde_json::json!(status.as_u16());
    out["_id"] = serde_json::json!(id);
    out
}

/// Creates a draft from `body` and submits it; the answer carries `_status` and `_id`.
pub async fn submit(app: &TestApp, token: &str, body: &Value) -> Value {
    let id = create_draft(app, token, body).await;
    let res = app
        .post(
            &format!("/api/v1/initiatives/{id}/submit"),
            token,
            &json!({}),
        )
        .await;
    let status = res.status();
    let mut out = json(res).await;
    out["_status"] = json!(status.as_u16());
    out["_id"] = json!(id);
    out
}

/// Approves a submitted initiative as a committee would (the review workflow is another
/// part): submitted → under review → approved.
pub async fn approve(app: &TestApp, id: i64) {
    app.db
        .write(move |conn| {
            for to in [
                sangkien::domain::InitiativeStatus::UnderReview,
                sangkien::domain::InitiativeStatus::Approved,
            ] {
                sangkien::service::initiatives::force_status_in(conn, 1, id, to, None)?;
            }
            Ok(())
        })
        .await
        .unwrap();
}

impl TestApp {
    pub async fn put(&self, path: &str, token: &str, body: &Value) -> Response {
        self.request(Method::PUT, path, Some(token))
            .json(body)
            .send()
            .await
            .expect("send")
    }

    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.request(Method::DELETE, path, Some(token))
            .send()
            .await
            .expect("send")
    }

    /// Adds an active account (password [`PASSWORD`]) in `union_id`; returns its id.
    /// The chair's board counters and the counts per union agree with a recount.
    pub async fn review_counters_agree(&self) {
        let drift = self
            .db
            .read(|conn| Ok(sangkien::db::review::review_counter_drift(conn)?))
            .await
            .expect("recount");
        assert!(drift.is_empty(), "board counters drifted: {drift:#?}");
        self.counts_agree().await;
    }

    /// Writes `n` approval notices to `user` at once, as a bulk publication of decisions would.
    pub async fn queue_notices(&self, user: i64, n: i64) {
        self.db
            .write(move |conn| {
                let now = sangkien::db::now();
                for i in 0..n {
                    let notice = sangkien::email::letters::Notice::Approved {
                        initiative_id: i,
                        title: format!("Sáng kiến số {i}"),
                        note: None,
                    };
                    assert!(sangkien::service::mail::to_user(
                        conn, user, &notice, None, now
                    )?);
                }
                Ok(())
            })
            .await
            .expect("queue notices");
    }

    /// The per-union counts agree with a recount of the initiatives.
    pub async fn counts_agree(&self) {
        let drift = self
            .db
            .read(|conn| Ok(sangkien::db::counts::drift(conn)?))
            .await
            .expect("recount");
        assert!(drift.is_empty(), "union counts drifted: {drift:#?}");
    }

    /// The matches of the live duplicate check for `query` (answered 200).
    pub async fn similar_matches(&self, token: &str, query: &Value) -> Vec<Value> {
        let res = self.post("/api/v1/initiatives/similar", token, query).await;
        assert_eq!(res.status(), 200);
        let mut body = json(res).await;
        match body["matches"].take() {
            Value::Array(matches) => matches,
            other => panic!("no matches in the answer: {other}"),
        }
    }

    /// Another open program over the whole tree with a phase open now; returns the program
    /// and its field.
    pub async fn open_program(&self, w: &World, code: &str) -> (i64, i64) {
        let code = code.to_owned();
        let root = w.root;
        self.db
            .write(move |conn| Ok(add_program(conn, &code, root, &[(-10, 30)])))
            .await
            .unwrap()
    }

    pub async fn person(&self, email: &str, name: &str, union_id: i64) -> i64 {
        let email = email.to_owned();
        let name = name.to_owned();
        self.db
            .write(move |conn| Ok(add_user(conn, &email, &name, union_id, &[])))
            .await
            .unwrap()
    }
}

/// Complete drafts about unrelated subjects, so that they are not duplicates of each other.
pub fn distinct_draft(w: &World, n: usize) -> Value {
    const SUBJECTS: [(&str, &str, &str); 6] = [
        (
            "Lắp cảm biến mực nước cho trạm bơm tiêu úng",
            "Trạm bơm vận hành thủ công, công nhân phải trực đêm đo mực nước kênh bằng thước.",
            "Gắn cảm biến siêu âm và rơ-le tự khởi động máy bơm khi nước vượt ngưỡng cài đặt.",
        ),
        (
            "Sắp xếp lại bếp ăn ca đêm của phân xưởng dệt",
            "Công nhân ca đêm xếp hàng lâu ở bếp ăn vì chỉ có một quầy chia suất.",
            "Chia hai quầy theo tổ sản xuất, đặt suất trước qua bảng tên và hâm nóng bằng tủ cơm.",
        ),
        (
            "Gá kẹp nhanh cho máy khoan bàn ở tổ cơ khí",
            "Mỗi chi tiết phải căn chỉnh bằng ê-tô tay nên tốn thời gian và hay lệch lỗ.",
            "Chế tạo đồ gá có chốt định vị và cam kẹp, thay phôi trong vài giây mà lỗ luôn đúng tâm.",
        ),
        (
            "Sổ tay điện tử hướng dẫn sơ cứu tai nạn lao động",
            "Người lao động ở công trường xa trạm y tế, lúng túng khi có người bị thương.",
            "Soạn sổ tay có hình minh họa, mã QR dán ở lán trại mở video sơ cứu từng tình huống.",
        ),
        (
            "Tận dụng nhiệt thải lò hơi để sấy vỏ hạt điều",
            "Khói lò hơi thải thẳng ra ống khói trong khi vỏ hạt điều phơi nắng mất ba ngày.",
            "Làm bộ trao đổi nhiệt đặt trên đường khói, dẫn gió nóng sang buồng sấy vỏ hạt.",
        ),
        (
            "Phân luồng xe nâng trong kho thành phẩm xi măng",
            "Xe nâng và người đi bộ dùng chung lối, đã xảy ra va chạm và đổ pallet.",
            "Kẻ vạch sơn một chiều, gương cầu lồi ở góc khuất và đèn báo khi xe lùi.",
        ),
    ];
    let (title, situation, solution) = SUBJECTS[n % SUBJECTS.len()];
    let mut body = complete_draft(w, title);
    body["current_situation"] = json!(situation);
    body["solution"] = json!(solution);
    body["scope"] = json!(format!("Áp dụng tại đơn vị số {n}."));
    body["benefits"] = json!(format!("Giảm {} giờ công mỗi tháng.", 10 + n));
    body
}

impl TestApp {
    /// Starts a server on an existing database at `url` (a test's own PostgreSQL cluster,
    /// say), with its own data folder; the caller keeps the database.
    pub async fn spawn_at(url: String, adjust: impl FnOnce(&mut Settings)) -> Self {
        let data_dir = tempfile::tempdir().expect("tempdir");
        let mut settings = test_settings(url, data_dir.path());
        adjust(&mut settings);
        Self::launch(settings, data_dir, None).await
    }
}
