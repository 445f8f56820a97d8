//! Who may hold a session, and how long: members of a union that stopped operating, disabled
//! accounts, the lock counted per account whatever name is typed, the idle timeout, the
//! session cookie that ends with the browser, HSTS behind https, and `no-store` on every
//! authenticated answer. (Issue 22, items 6–9 and 13.)

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    Backend, PASSWORD, TestApp, complete_draft, create_draft, expect_error, json, try_login, who,
};
use crate::pages::{browser, csrf_of, sign_in, sign_in_holding, text};

/// Posts the sign-in form with `password`; the answer.
async fn page_sign_in(app: &TestApp, login: &str, password: &str) -> reqwest::Response {
    let c = browser();
    let page = text(
        c.get(format!("{}/dang-nhap", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    c.post(format!("{}/dang-nhap", app.base))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("login", login),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap()
}

/// The live sessions of `user` in the database.
async fn live_sessions(app: &TestApp, user: i64) -> usize {
    app.db
        .read(move |conn| {
            Ok(sangkien::db::sessions::live_of(conn, user, sangkien::db::now())?.len())
        })
        .await
        .unwrap()
}

/// Is a page session signed in? (The account page sends visitors to the sign-in page.)
async fn page_signed_in(app: &TestApp, c: &reqwest::Client) -> bool {
    let res = c
        .get(format!("{}/tai-khoan", app.base))
        .send()
        .await
        .unwrap();
    res.status() == StatusCode::OK
}

async fn deactivate(app: &TestApp, token: &str, union: i64) {
    let res = app
        .patch(
            &format!("/api/v1/unions/{union}"),
            token,
            &json!({"active": false}),
        )
        .await;
    assert_eq!(res.status(), 200, "deactivate {union}: {}", json(res).await);
}

async fn members_of_an_inactive_union_cannot_sign_in_or_submit(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let admin = app.login(who::ADMIN).await;
    // An officer of Lạng Sơn whose own membership is in CĐCS Hải quan Cao Bằng.
    let moved = app.person("can.bo.ls@test.vn", "Lý Văn Cán", w.cb_hq).await;
    let res = app
        .post(
            &format!("/api/v1/users/{moved}/roles"),
            &admin,
            &json!({"role": "union_officer", "union_id": w.ls}),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", json(res).await);

    let member = app.login(who::MEMBER_A).await;
    let page = sign_in(&app, who::MEMBER_A).await;
    assert!(page_signed_in(&app, &page).await);
    let draft = create_draft(&app, &member, &complete_draft(&w, "Số hoá hồ sơ hải quan")).await;
    let moved_token = app.login("can.bo.ls@test.vn").await;
    let moved_draft = create_draft(
        &app,
        &moved_token,
        &complete_draft(&w, "Sắp xếp kho lưu trữ hồ sơ"),
    )
    .await;

    let officer = app.login(who::OFFICER_A).await;
    deactivate(&app, &officer, w.cb_hq).await;

    // Their sessions ended with the deactivation, in the database, not only at the door.
    assert_eq!(live_sessions(&app, w.member_a).await, 0);
    expect_error(app.get("/api/v1/me", &member).await, 401, "unauthenticated").await;
    assert!(!page_signed_in(&app, &page).await, "the page session ended");

    // Signing in is refused, saying why, only to the right password.
    let body = expect_error(
        try_login(&app, who::MEMBER_A, PASSWORD).await,
        403,
        "union_inactive",
    )
    .await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("ngừng hoạt động") && message.contains("CĐCS Cục Hải quan Cao Bằng"),
        "{message}"
    );
    expect_error(
        try_login(&app, who::MEMBER_A, "sai-mat-khau").await,
        401,
        "invalid_credentials",
    )
    .await;
    let res = page_sign_in(&app, who::MEMBER_A, PASSWORD).await;
    assert_eq!(res.status(), 403);
    assert!(text(res).await.contains("ngừng hoạt động"));
    let res = page_sign_in(&app, who::COAUTHOR_A, "sai-mat-khau").await;
    assert_eq!(res.status(), 401);

    // An officer whose grant is elsewhere keeps it, but takes no part as a member of the
    // closed union: no new initiative, no submission.
    assert_eq!(
        live_sessions(&app, moved).await,
        1,
        "kept: an officer of LS"
    );
    let moved_token = app.login("can.bo.ls@test.vn").await;
    let res = app
        .post(
            "/api/v1/initiatives",
            &moved_token,
            &complete_draft(&w, "Một sáng kiến mới sau khi ngừng"),
        )
        .await;
    expect_error(res, 403, "forbidden").await;
    let res = app
        .post(
            &format!("/api/v1/initiatives/{moved_draft}/submit"),
            &moved_token,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 403, "{}", json(res).await);
    let status = json(
        app.get(&format!("/api/v1/initiatives/{draft}"), &admin)
            .await,
    )
    .await;
    assert_eq!(status["status"], "draft");

    // The officer sees why on the member's page.
    let officer_page = sign_in(&app, who::OFFICER_A).await;
    let html = text(
        officer_page
            .get(format!("{}/quan-tri/doan-vien/{}", app.base, w.member_a))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        html.contains("đã ngừng hoạt động: tài khoản không đăng nhập được"),
        "{html}"
    );

    // Reopened, its members sign in again; closed with its parent, they do not.
    let res = app
        .patch(
            &format!("/api/v1/unions/{}", w.cb_hq),
            &officer,
            &json!({"active": true}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(try_login(&app, who::MEMBER_A, PASSWORD).await.status(), 200);
    let kb = json(
        app.get(&format!("/api/v1/unions/{}/children", w.cb_vc), &officer)
            .await,
    )
    .await;
    let kb = kb
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "CB-VC-KB")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let again = app.login(who::MEMBER_A).await;
    deactivate(&app, &officer, w.cb_hq).await;
    deactivate(&app, &officer, kb).await;
    deactivate(&app, &officer, w.cb_vc).await;
    // A union comes back only under a parent in operation.
    let res = app
        .patch(
            &format!("/api/v1/unions/{}", w.cb_hq),
            &officer,
            &json!({"active": true}),
        )
        .await;
    let err = expect_error(res, 409, "invalid_state").await;
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("đang ngừng hoạt động"),
        "{err}"
    );
    expect_error(
        try_login(&app, who::MEMBER_A, PASSWORD).await,
        403,
        "union_inactive",
    )
    .await;
    expect_error(app.get("/api/v1/me", &again).await, 401, "unauthenticated").await;
}

async fn a_disabled_account_is_named_only_to_the_right_password_and_every_try_counts(
    backend: Backend,
) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.auth.lockout.max_failures = 3;
        s.auth.lockout.lock_seconds = 60;
    })
    .await
    else {
        return;
    };
    let w = app.world().await;
    let admin = app.login(who::ADMIN).await;
    let res = app
        .patch(
            &format!("/api/v1/users/{}", w.member_a),
            &admin,
            &json!({"status": "disabled"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    // A wrong password is a wrong password, as on any account.
    expect_error(
        try_login(&app, who::MEMBER_A, "sai-mat-khau").await,
        401,
        "invalid_credentials",
    )
    .await;
    // The right one learns that the account is disabled…
    expect_error(
        try_login(&app, who::MEMBER_A, PASSWORD).await,
        403,
        "account_disabled",
    )
    .await;
    expect_error(
        try_login(&app, "MEMBER-A", PASSWORD).await,
        403,
        "account_disabled",
    )
    .await;
    // …but that too was an attempt without a session: the account is now locked, for the
    // right password and a wrong one alike, so guessing a disabled account's password is
    // bounded exactly as on any other.
    expect_error(
        try_login(&app, who::MEMBER_A, PASSWORD).await,
        429,
        "too_many_attempts",
    )
    .await;
    expect_error(
        try_login(&app, who::MEMBER_A, "sai-mat-khau").await,
        429,
        "too_many_attempts",
    )
    .await;
}

async fn a_locked_account_is_locked_whatever_name_is_typed(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.auth.lockout.max_failures = 3;
        s.auth.lockout.lock_seconds = 60;
    })
    .await
    else {
        return;
    };
    app.world().await;
    for _ in 0..3 {
        expect_error(
            try_login(&app, who::MEMBER_A, "sai-mat-khau").await,
            401,
            "invalid_credentials",
        )
        .await;
    }
    // The member code names the same account: locked too, the right password included.
    expect_error(
        try_login(&app, "MEMBER-A", PASSWORD).await,
        429,
        "too_many_attempts",
    )
    .await;
    let res = page_sign_in(&app, "MEMBER-A", PASSWORD).await;
    assert_eq!(res.status(), 429);
    // Failures spread over the two names add up as well.
    for login in ["COAUTHOR-A", who::COAUTHOR_A] {
        expect_error(
            try_login(&app, login, "sai-mat-khau").await,
            401,
            "invalid_credentials",
        )
        .await;
    }
    expect_error(
        try_login(&app, "COAUTHOR-A", "sai-mat-khau").await,
        401,
        "invalid_credentials",
    )
    .await;
    expect_error(
        try_login(&app, who::COAUTHOR_A, PASSWORD).await,
        429,
        "too_many_attempts",
    )
    .await;
    // Other accounts are not affected.
    assert_eq!(try_login(&app, who::MEMBER_B, PASSWORD).await.status(), 200);
}

fn multipart_pdf() -> reqwest::multipart::Form {
    reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4\n% thuyet minh\n".to_vec())
            .file_name("thuyet-minh.pdf")
            .mime_str("application/pdf")
            .unwrap(),
    )
}

fn cache_control(res: &reqwest::Response) -> String {
    res.headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

async fn authenticated_answers_are_not_stored(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let id = create_draft(&app, &member, &complete_draft(&w, "Sáng kiến có tệp")).await;
    let res = app
        .request(
            Method::POST,
            &format!("/api/v1/initiatives/{id}/attachments"),
            Some(&member),
        )
        .multipart(multipart_pdf())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let att = json(res).await["id"].as_i64().unwrap();

    let res = app
        .get(&format!("/api/v1/attachments/{att}"), &member)
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(cache_control(&res), "no-store", "API attachment");
    let res = app.get("/api/v1/me", &member).await;
    assert_eq!(res.status(), 200);
    assert_eq!(cache_control(&res), "no-store", "bearer JSON");
    let res = app.get("/api/v1/programs", &member).await;
    assert_eq!(cache_control(&res), "no-store", "bearer JSON list");

    let page = sign_in(&app, who::MEMBER_A).await;
    let res = page
        .get(format!("{}/sang-kien/{id}/tep/{att}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(cache_control(&res), "no-store", "page attachment");
    let res = page.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(cache_control(&res), "no-store", "signed-in page");
    let res = page
        .get(format!("{}/tai-khoan", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(cache_control(&res), "no-store", "account page");
    // Static assets keep their own caching, signed in or not.
    let res = page
        .get(format!("{}/static/app.css", app.base))
        .send()
        .await
        .unwrap();
    assert!(cache_control(&res).contains("immutable"), "{res:?}");
}

/// Sets the last time `user`'s sessions were seen to `minutes` ago.
async fn idle_for(app: &TestApp, user: i64, minutes: i64) {
    let at = (Utc::now() - Duration::minutes(minutes))
        .naive_utc()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    app.db
        .write(move |conn| {
            use diesel::RunQueryDsl;
            diesel::sql_query(format!(
                "UPDATE sessions SET last_seen_at = '{at}' WHERE user_id = {user}"
            ))
            .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
}

/// When `user`'s latest session was last seen.
async fn last_seen(app: &TestApp, user: i64) -> String {
    app.db
        .read(move |conn| {
            use diesel::RunQueryDsl;
            #[derive(diesel::QueryableByName)]
            struct Seen {
                #[diesel(sql_type = diesel::sql_types::Timestamp)]
                last_seen_at: chrono::NaiveDateTime,
            }
            let rows: Vec<Seen> = diesel::sql_query(format!(
                "SELECT last_seen_at FROM sessions WHERE user_id = {user} ORDER BY created_at DESC"
            ))
            .load(conn)?;
            Ok(rows[0].last_seen_at.format("%Y-%m-%d %H:%M:%S").to_string())
        })
        .await
        .unwrap()
}

async fn sessions_end_with_the_browser_and_after_idling(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.auth.idle_timeout_minutes = 30;
    })
    .await
    else {
        return;
    };
    let w = app.world().await;
    // The session cookie has no lifetime of its own: it ends when the browser closes.
    let c = browser();
    let page = text(
        c.get(format!("{}/dang-nhap", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let res = c
        .post(format!("{}/dang-nhap", app.base))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("login", who::MEMBER_A),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let session: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .filter(|c| c.starts_with("sk_session="))
        .collect();
    assert_eq!(session.len(), 1, "{session:?}");
    let lower = session[0].to_lowercase();
    assert!(
        !lower.contains("max-age") && !lower.contains("expires"),
        "{}",
        session[0]
    );
    assert!(page_signed_in(&app, &c).await);

    // A request within the minute does not write; one later moves the last-seen time on.
    idle_for(&app, w.member_a, 0).await;
    let before = last_seen(&app, w.member_a).await;
    assert!(page_signed_in(&app, &c).await);
    assert_eq!(last_seen(&app, w.member_a).await, before, "no write");
    idle_for(&app, w.member_a, 20).await;
    let aged = last_seen(&app, w.member_a).await;
    assert!(page_signed_in(&app, &c).await, "20 minutes idle is fine");
    assert!(last_seen(&app, w.member_a).await > aged, "touched");

    // Idle past the timeout: the page session and a bearer token alike are refused.
    let (holding, token) = sign_in_holding(&app, who::MEMBER_B).await;
    let bearer = app.login(who::MEMBER_B).await;
    assert_eq!(app.get("/api/v1/me", &token).await.status(), 200);
    idle_for(&app, w.member_b, 31).await;
    assert!(!page_signed_in(&app, &holding).await);
    expect_error(app.get("/api/v1/me", &token).await, 401, "unauthenticated").await;
    expect_error(app.get("/api/v1/me", &bearer).await, 401, "unauthenticated").await;
    // And it stays refused: the refusal did not refresh it.
    expect_error(app.get("/api/v1/me", &bearer).await, 401, "unauthenticated").await;
    assert_eq!(
        app.get("/api/v1/me", &app.login(who::MEMBER_B).await)
            .await
            .status(),
        200
    );
}

fn hsts(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get("strict-transport-security")
        .map(|v| v.to_str().unwrap().to_owned())
}

async fn hsts_is_sent_behind_https_only(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.server.public_url = "https://sangkien.example.vn".to_owned();
    })
    .await
    else {
        return;
    };
    app.world().await;
    let expected = Some("max-age=31536000; includeSubDomains".to_owned());
    for path in [
        "/healthz",
        "/dang-nhap",
        "/api/v1/openapi.json",
        "/khong-co",
    ] {
        let res = app.request(Method::GET, path, None).send().await.unwrap();
        assert_eq!(hsts(&res), expected, "{path}");
    }
    let res = try_login(&app, who::MEMBER_A, PASSWORD).await;
    assert_eq!(hsts(&res), expected);
    let token: Value = json(res).await;
    let res = app
        .get("/api/v1/me", token["access_token"].as_str().unwrap())
        .await;
    assert_eq!(hsts(&res), expected);

    let Some(plain) = TestApp::spawn(backend).await else {
        return;
    };
    for path in ["/healthz", "/dang-nhap", "/api/v1/openapi.json"] {
        let res = plain.request(Method::GET, path, None).send().await.unwrap();
        assert_eq!(hsts(&res), None, "{path}");
    }
}

crate::on_both_backends!(
    members_of_an_inactive_union_cannot_sign_in_or_submit,
    a_disabled_account_is_named_only_to_the_right_password_and_every_try_counts,
    a_locked_account_is_locked_whatever_name_is_typed,
    authenticated_answers_are_not_stored,
    sessions_end_with_the_browser_and_after_idling,
    hsts_is_sent_behind_https_only,
);
