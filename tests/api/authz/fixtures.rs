//! The walk's world: the programs, initiatives, committees and throwaway resources each
//! row's request needs.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use super::table::PADMIN_CB;
use crate::helpers::{TestApp, World, complete_draft, distinct_draft, json, who};

/// One side of a pair of resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    In,
    Out,
}

/// The resources of one scope.
#[derive(Debug, Clone)]
pub(super) struct Side {
    /// A province union (`CB` / `LS`).
    pub(super) province: i64,
    /// Its vocational upper union.
    pub(super) upper: i64,
    /// A grassroots union below it.
    pub(super) grassroots: i64,
    /// A member of the grassroots union (`member.a` / `member.b`) and their token.
    pub(super) member: i64,
    pub(super) member_token: String,
    /// A program owned by the province, open, with one phase and one field.
    pub(super) program: i64,
    pub(super) phase: i64,
    pub(super) field: i64,
    pub(super) stage: i64,
    /// The province's committee of the fixture program.
    pub(super) committee: i64,
    /// A person of the province to put on committees.
    pub(super) person: i64,
    /// The chair of the province's committee.
    pub(super) chair: i64,
    /// The member's submitted initiative in the fixture program, and its attachment.
    pub(super) initiative: i64,
    pub(super) attachment: i64,
    /// Another one of the member's, approved.
    pub(super) approved: i64,
    /// One of the member's in another program of the province, approved.
    pub(super) owned: i64,
}

/// Everything the walk needs.
pub(super) struct Fx {
    pub(super) w: World,
    pub(super) sides: [Side; 2],
    pub(super) admin: String,
    pub(super) rubric: Value,
    pub(super) mail_id: i64,
    pub(super) counter: Mutex<u32>,
}

impl Fx {
    pub(super) fn side(&self, scope: Scope) -> &Side {
        match scope {
            Scope::In => &self.sides[0],
            Scope::Out => &self.sides[1],
        }
    }

    pub(super) async fn next(&self) -> u32 {
        let mut c = self.counter.lock().await;
        *c += 1;
        *c
    }
}

/// A request body.
pub(super) enum Body {
    None,
    Json(Value),
    File(&'static str, Vec<u8>),
}

fn assert_ok(status: StatusCode, what: &str, body: &Value) {
    assert!(status.is_success(), "{what}: {status} {body}");
}

pub(super) async fn admin_json(
    app: &TestApp,
    fx_admin: &str,
    method: Method,
    path: &str,
    body: Value,
) -> Value {
    let res = app
        .request(method, path, Some(fx_admin))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let v: Value = res.json().await.unwrap_or(Value::Null);
    assert_ok(status, path, &v);
    v
}

pub(super) fn program_body(code: &str, owner: i64) -> Value {
    let now = chrono::Utc::now();
    json!({
        "code": code,
        "name": format!("Chương trình {code}"),
        "description": "Chương trình của tỉnh.",
        "owner_union_id": owner,
        "phases": [{"name": "Đợt 1", "opens_at": now - chrono::Duration::days(5),
                    "closes_at": now + chrono::Duration::days(30)}],
        "fields": [{"code": "an-toan", "name": "An toàn lao động"}],
    })
}

/// A program owned by `owner`, open; answers its view.
pub(super) async fn open_program(app: &TestApp, admin: &str, code: &str, owner: i64) -> Value {
    let p = admin_json(
        app,
        admin,
        Method::POST,
        "/api/v1/programs",
        program_body(code, owner),
    )
    .await;
    let id = p["id"].as_i64().unwrap();
    admin_json(
        app,
        admin,
        Method::POST,
        &format!("/api/v1/programs/{id}/open"),
        json!({}),
    )
    .await;
    p
}

/// Approves an initiative as its committee would (whether or not it was routed to one).
pub(crate) async fn approve(app: &TestApp, id: i64) {
    app.db
        .write(move |conn| {
            use sangkien::domain::InitiativeStatus;
            let _ = sangkien::service::initiatives::force_status_in(
                conn,
                1,
                id,
                InitiativeStatus::UnderReview,
                None,
            );
            sangkien::service::initiatives::force_status_in(
                conn,
                1,
                id,
                InitiativeStatus::Approved,
                None,
            )?;
            Ok(())
        })
        .await
        .unwrap();
}

/// A draft of `token` in the fixture program, with a small attachment, submitted.
async fn submitted_with_file(app: &TestApp, token: &str, body: &Value) -> (i64, i64) {
    let draft = json(app.post("/api/v1/initiatives", token, body).await).await;
    let id = draft["id"].as_i64().unwrap();
    let part = reqwest::multipart::Part::bytes(b"%PDF-1.4 thu nghiem".to_vec())
        .file_name("ho-so.pdf")
        .mime_str("application/pdf")
        .unwrap();
    let res = app
        .request(
            Method::POST,
            &format!("/api/v1/initiatives/{id}/attachments"),
            Some(token),
        )
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let att = json(res).await;
    assert_ok(status, "upload", &att);
    let res = app
        .post(
            &format!("/api/v1/initiatives/{id}/submit"),
            token,
            &json!({}),
        )
        .await;
    let status = res.status();
    let v = json(res).await;
    assert_ok(status, "submit", &v);
    (id, att["id"].as_i64().unwrap())
}

async fn union_id(app: &TestApp, code: &'static str) -> i64 {
    app.db
        .read(move |conn| Ok(sangkien::db::unions::find_by_code(conn, code)?))
        .await
        .unwrap()
        .unwrap()
        .id
}

pub(super) async fn setup(app: &TestApp) -> Fx {
    let w = app.world().await;
    let admin = app.login(who::ADMIN).await;
    let padmin = app.person(PADMIN_CB, "Lương Văn Chương", w.cb).await;
    admin_json(
        app,
        &admin,
        Method::POST,
        &format!("/api/v1/users/{padmin}/roles"),
        json!({"role": "program_admin", "union_id": w.cb}),
    )
    .await;
    let member_a = app.login(who::MEMBER_A).await;
    let member_b = app.login(who::MEMBER_B).await;
    let reviewer_a = json(
        app.get("/api/v1/me", &app.login(who::REVIEWER_A).await)
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // The fixture program is reviewed by province committees: Cao Bằng's chaired by
    // `reviewer.a`, Lạng Sơn's by one of its people.
    let stages = admin_json(
        app,
        &admin,
        Method::GET,
        &format!("/api/v1/programs/{}/stages", w.program),
        Value::Null,
    )
    .await;
    let review_stage = stages[0]["id"].as_i64().unwrap();
    admin_json(
        app,
        &admin,
        Method::PUT,
        &format!("/api/v1/programs/{}/stages/{review_stage}", w.program),
        json!({"name": "Tỉnh xét duyệt", "union_level": 1, "reviews_required": 1,
               "blind_scoring": false, "chair_publishes": false}),
    )
    .await;
    let mut sides = Vec::new();
    for (n, (province, upper_code, grassroots, member, token)) in [
        (w.cb, "CB-VC", w.cb_hq, w.member_a, member_a),
        (w.ls, "LS-VC", w.ls_gd, w.member_b, member_b),
    ]
    .into_iter()
    .enumerate()
    {
        let upper = union_id(app, upper_code).await;
        let committee = admin_json(
            app,
            &admin,
            Method::POST,
            &format!("/api/v1/programs/{}/committees", w.program),
            json!({"stage_id": review_stage, "union_id": province}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let chair = if n == 0 {
            reviewer_a
        } else {
            app.person("chu.tich.ls@test.vn", "Lộc Văn Chủ", province)
                .await
        };
        admin_json(
            app,
            &admin,
            Method::PUT,
            &format!("/api/v1/committees/{committee}/members/{chair}"),
            json!({"chair": true}),
        )
        .await;
        let p = open_program(app, &admin, &format!("TINH-{n}"), province).await;
        let program = p["id"].as_i64().unwrap();
        let stages = admin_json(
            app,
            &admin,
            Method::GET,
            &format!("/api/v1/programs/{program}/stages"),
            Value::Null,
        )
        .await;
        let stage = stages[0]["id"].as_i64().unwrap();
        let person = app
            .person(&format!("uy.vien.{n}@test.vn"), "Hà Văn Ủy", province)
            .await;
        let (initiative, attachment) =
            submitted_with_file(app, &token, &distinct_draft(&w, 2 * n)).await;
        let (approved, _) = submitted_with_file(app, &token, &distinct_draft(&w, 2 * n + 1)).await;
        approve(app, approved).await;
        // One in the province's own program, approved: its officers conclude it.
        let own_program = open_program(app, &admin, &format!("TINH-RIENG-{n}"), province).await;
        let mut body = complete_draft(&w, &format!("Sáng kiến của tỉnh số {n}"));
        body["program_id"] = json!(own_program["id"]);
        body["field_id"] = json!(own_program["fields"][0]["id"]);
        body["current_situation"] = json!(gibberish(1000 + n as u64, 30));
        body["solution"] = json!(gibberish(2000 + n as u64, 30));
        let (owned, _) = submitted_with_file(app, &token, &body).await;
        approve(app, owned).await;
        sides.push(Side {
            province,
            upper,
            grassroots,
            member,
            member_token: token,
            program,
            phase: p["phases"][0]["id"].as_i64().unwrap(),
            field: p["fields"][0]["id"].as_i64().unwrap(),
            stage,
            committee,
            person,
            chair,
            initiative,
            attachment,
            approved,
            owned,
        });
    }
    let rubric = admin_json(
        app,
        &admin,
        Method::GET,
        &format!("/api/v1/programs/{}/rubric", sides[0].program),
        Value::Null,
    )
    .await;
    // Something in the outbox: a password reset.
    let res = app
        .request(Method::POST, "/api/v1/auth/password-reset", None)
        .json(&json!({"login": who::COAUTHOR_A}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let outbox = admin_json(app, &admin, Method::GET, "/api/v1/admin/mail", Value::Null).await;
    let mail_id = outbox["items"][0]["id"].as_i64().unwrap_or(1);
    let [a, b]: [Side; 2] = sides.try_into().unwrap();
    Fx {
        w,
        sides: [a, b],
        admin,
        rubric,
        mail_id,
        counter: Mutex::new(0),
    }
}

/// Words to make texts that resemble nothing else.
const WORDS: [&str; 48] = [
    "máy",
    "bơm",
    "nước",
    "lò",
    "hơi",
    "băng",
    "tải",
    "kho",
    "hàng",
    "sổ",
    "sách",
    "điện",
    "tử",
    "an",
    "toàn",
    "xưởng",
    "dệt",
    "may",
    "gạch",
    "ngói",
    "xi",
    "măng",
    "quặng",
    "than",
    "giống",
    "lúa",
    "phân",
    "bón",
    "trạm",
    "biến",
    "áp",
    "cáp",
    "quang",
    "mạng",
    "phần",
    "mềm",
    "hồ",
    "sơ",
    "thuế",
    "bệnh",
    "viện",
    "trường",
    "học",
    "cầu",
    "đường",
    "cảng",
    "chè",
    "cà",
];

/// A text of `len` words drawn from `seed`.
fn gibberish(seed: u64, len: usize) -> String {
    let mut x = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    let mut out = Vec::new();
    for _ in 0..len {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        out.push(WORDS[usize::try_from(x >> 33).unwrap() % WORDS.len()]);
    }
    out.join(" ")
}

/// A fresh submitted initiative of the side's member (for requests that change it).
pub(super) async fn fresh_initiative(app: &TestApp, fx: &Fx, scope: Scope) -> i64 {
    let n = u64::from(fx.next().await);
    let s = fx.side(scope);
    let mut body = complete_draft(&fx.w, &format!("Sáng kiến số {n}: {}", gibberish(n, 5)));
    body["current_situation"] = json!(gibberish(n * 7 + 1, 30));
    body["solution"] = json!(gibberish(n * 7 + 2, 30));
    body["scope"] = json!(gibberish(n * 7 + 3, 12));
    body["benefits"] = json!(gibberish(n * 7 + 4, 12));
    let (id, _) = submitted_with_file(app, &s.member_token, &body).await;
    id
}

/// A stage of `program` that may be removed: the one left by an earlier refused request, or
/// a new one (a program has at most ten stages).
pub(super) async fn spare_stage(app: &TestApp, fx: &Fx, program: i64) -> i64 {
    let path = format!("/api/v1/programs/{program}/stages");
    let stages = admin_json(app, &fx.admin, Method::GET, &path, Value::Null).await;
    let spare = |stages: &Value| {
        stages
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == "Vòng tạm")
            .map(|x| x["id"].as_i64().unwrap())
    };
    if let Some(id) = spare(&stages) {
        return id;
    }
    let stages = admin_json(
        app,
        &fx.admin,
        Method::POST,
        &path,
        json!({"name": "Vòng tạm", "union_level": 3, "position": 1}),
    )
    .await;
    spare(&stages).unwrap()
}

/// The id of the session a token belongs to.
pub(super) async fn current_session(app: &TestApp, token: &str) -> String {
    let list = json(app.get("/api/v1/me/sessions", token).await).await;
    list.as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A member made for one request that changes them for good (anonymisation).
pub(super) async fn throwaway_member(app: &TestApp, fx: &Fx, union_id: i64, n: u32) -> i64 {
    let user = admin_json(
        app,
        &fx.admin,
        Method::POST,
        "/api/v1/users",
        json!({"email": format!("tam.thoi.{n}@test.vn"), "full_name": "Đoàn Viên Tạm", "union_id": union_id}),
    )
    .await;
    user["id"].as_i64().unwrap()
}
