//! Authentication hardening over HTTP: sign-in lockout per login and per address (429 with
//! Retry-After), sessions that end when signed out (here, everywhere, on a password change,
//! by an officer), keys that rotate by `kid`, Secure cookies over TLS; and personal data: a
//! member's export, anonymisation on request, and the record of who viewed whom.

use reqwest::{Method, StatusCode};
use sangkien::auth::TokenKeys;
use serde_json::{Value, json};

use crate::helpers::{
    Backend, PASSWORD, TEST_SECRET, TestApp, complete_draft, expect_error, json, submit, try_login,
    who,
};
use crate::pages::{browser, csrf_of, sign_in, sign_in_holding, text};

fn retry_after(res: &reqwest::Response) -> i64 {
    res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// How long the test's lock lasts: long enough for the checks made while it holds on a
/// loaded machine (they sign in with argon2 and load a page), short enough to wait out.
const LOCK_SECONDS: i64 = 6;

async fn a_login_is_locked_after_failures_and_unlocks_by_itself(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.auth.lockout.max_failures = 3;
        s.auth.lockout.lock_seconds = LOCK_SECONDS;
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
    // Locked: even the right password is refused, with when to come back.
    let res = try_login(&app, who::MEMBER_A, PASSWORD).await;
    let wait = retry_after(&res);
    assert!((1..=LOCK_SECONDS).contains(&wait), "Retry-After {wait}");
    let body = expect_error(res, 429, "too_many_attempts").await;
    assert!(body["error"]["details"]["retry_after_seconds"].as_i64() == Some(wait));
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Vui lòng thử lại sau")
    );
    // The login as typed counts, whatever its case; other accounts are not affected.
    expect_error(
        try_login(&app, &who::MEMBER_A.to_uppercase(), PASSWORD).await,
        429,
        "too_many_attempts",
    )
    .await;
    assert_eq!(try_login(&app, who::MEMBER_B, PASSWORD).await.status(), 200);
    // An account that does not exist is locked the same way (no account enumeration).
    for _ in 0..3 {
        expect_error(
            try_login(&app, "khong-ton-tai@test.vn", "x").await,
            401,
            "invalid_credentials",
        )
        .await;
    }
    expect_error(
        try_login(&app, "khong-ton-tai@test.vn", "x").await,
        429,
        "too_many_attempts",
    )
    .await;
    // The sign-in page says so in Vietnamese, with the same status and header.
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
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&res) >= 1);
    let page = text(res).await;
    assert!(
        page.contains("Bạn đã đăng nhập sai quá nhiều lần"),
        "{page}"
    );
    // The lock ends by itself; a success forgets the failures.
    tokio::time::sleep(std::time::Duration::from_millis(
        LOCK_SECONDS as u64 * 1000 + 100,
    ))
    .await;
    assert_eq!(try_login(&app, who::MEMBER_A, PASSWORD).await.status(), 200);
    for _ in 0..2 {
        expect_error(
            try_login(&app, who::MEMBER_A, "sai").await,
            401,
            "invalid_credentials",
        )
        .await;
    }
    assert_eq!(
        try_login(&app, who::MEMBER_A, PASSWORD).await.status(),
        200,
        "two failures after a success do not lock"
    );
}

async fn an_address_is_limited_across_logins(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.auth.address_limit.max_failures = 6;
    })
    .await
    else {
        return;
    };
    app.world().await;
    // Two wrong passwords on each of three accounts: no login reaches its own limit …
    for login in [who::MEMBER_A, who::MEMBER_B, who::COAUTHOR_A] {
        for _ in 0..2 {
            expect_error(
                try_login(&app, login, "doan-mo").await,
                401,
                "invalid_credentials",
            )
            .await;
        }
    }
    // … but the address has: nobody signs in from it for a while.
    let res = try_login(&app, who::OFFICER_A, PASSWORD).await;
    assert!(retry_after(&res) > 60);
    expect_error(res, 429, "too_many_attempts").await;
}

async fn sessions_end_when_signed_out(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let phone = app.login(who::MEMBER_A).await;
    let laptop = app.login(who::MEMBER_A).await;
    let list = json(app.get("/api/v1/me/sessions", &phone).await).await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        list.iter().filter(|s| s["current"] == true).count(),
        1,
        "{list:?}"
    );
    assert_eq!(list[0]["client_address"], "127.0.0.1");

    // Signing out ends that token only.
    let res = app
        .request(Method::POST, "/api/v1/auth/logout", Some(&phone))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    expect_error(app.get("/api/v1/me", &phone).await, 401, "unauthenticated").await;
    assert_eq!(app.get("/api/v1/me", &laptop).await.status(), 200);

    // Ending another session by its id.
    let tablet = app.login(who::MEMBER_A).await;
    let list = json(app.get("/api/v1/me/sessions", &tablet).await).await;
    let laptop_id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.delete(&format!("/api/v1/me/sessions/{laptop_id}"), &tablet)
            .await
            .status(),
        204
    );
    expect_error(app.get("/api/v1/me", &laptop).await, 401, "unauthenticated").await;
    // Someone else's session id names nothing.
    let other = app.login(who::MEMBER_B).await;
    let tablet_id = json(app.get("/api/v1/me/sessions", &tablet).await).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    expect_error(
        app.delete(&format!("/api/v1/me/sessions/{tablet_id}"), &other)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(app.get("/api/v1/me", &tablet).await.status(), 200);

    // Sign out everywhere: every session ends, the asking one included.
    let desk = app.login(who::MEMBER_A).await;
    let res = app
        .post("/api/v1/me/sessions/revoke-all", &desk, &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(json(res).await["revoked"], 2);
    for token in [&desk, &tablet] {
        expect_error(app.get("/api/v1/me", token).await, 401, "unauthenticated").await;
    }

    // A password change ends the other sessions and keeps this one.
    let mine = app.login(who::MEMBER_A).await;
    let elsewhere = app.login(who::MEMBER_A).await;
    let res = app
        .post(
            "/api/v1/me/password",
            &mine,
            &json!({"current_password": "khong-phai", "new_password": "mat-khau-moi-2026"}),
        )
        .await;
    let body = expect_error(res, 400, "validation_failed").await;
    assert!(body["error"]["details"]["fields"]["current_password"].is_string());
    let res = app
        .post(
            "/api/v1/me/password",
            &mine,
            &json!({"current_password": PASSWORD, "new_password": "ngan"}),
        )
        .await;
    let body = expect_error(res, 400, "validation_failed").await;
    assert!(body["error"]["details"]["fields"]["new_password"].is_string());
    let res = app
        .post(
            "/api/v1/me/password",
            &mine,
            &json!({"current_password": PASSWORD, "new_password": "mat-khau-moi-2026"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(app.get("/api/v1/me", &mine).await.status(), 200);
    expect_error(
        app.get("/api/v1/me", &elsewhere).await,
        401,
        "unauthenticated",
    )
    .await;
    expect_error(
        try_login(&app, who::MEMBER_A, PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    assert_eq!(
        try_login(&app, who::MEMBER_A, "mat-khau-moi-2026")
            .await
            .status(),
        200
    );

    // An officer ends a member's sessions (a lost phone); one of another province cannot.
    let member_b = app.login(who::MEMBER_B).await;
    let officer_b = app.login(who::OFFICER_B).await;
    let officer_a = app.login(who::OFFICER_A).await;
    let url = format!("/api/v1/users/{}/sessions/revoke", w.member_b);
    expect_error(
        app.post(&url, &officer_a, &json!({})).await,
        404,
        "not_found",
    )
    .await;
    // A member's own sessions are ended from their account, not through this door.
    let own = format!("/api/v1/users/{}/sessions/revoke", w.member_b);
    let member_b_again = app.login(who::MEMBER_B).await;
    expect_error(
        app.post(&own, &member_b_again, &json!({})).await,
        403,
        "forbidden",
    )
    .await;
    let res = app.post(&url, &officer_b, &json!({})).await;
    assert_eq!(res.status(), 200);
    assert!(json(res).await["revoked"].as_i64().unwrap() >= 2);
    expect_error(
        app.get("/api/v1/me", &member_b).await,
        401,
        "unauthenticated",
    )
    .await;
    assert_eq!(app.get("/api/v1/me", &officer_b).await.status(), 200);
}

async fn pages_sign_out_ends_the_session(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.world().await;
    let (c, token) = sign_in_holding(&app, who::MEMBER_A).await;
    let other_device = sign_in(&app, who::MEMBER_A).await;
    let page = text(
        c.get(format!("{}/tai-khoan", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("Phiên đăng nhập"), "{page}");
    assert!(page.contains("Phiên này"));
    assert_eq!(page.matches("/ket-thuc\"").count(), 1, "one other session");
    // The member ends the other device's session from the page.
    let at = page.find("/tai-khoan/phien/").unwrap();
    let action = &page[at..at + page[at..].find('"').unwrap()];
    let res = c
        .post(format!("{}{action}", app.base))
        .form(&[("csrf", csrf_of(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(text(res).await.contains("Đã đăng xuất phiên đó."));
    let res = other_device
        .get(format!("{}/tai-khoan", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "back to sign-in");

    // Signing out from the page ends the session, not just the cookie: the old cookie's
    // token no longer works anywhere.
    assert_eq!(app.get("/api/v1/me", &token).await.status(), 200);
    let home = text(c.get(format!("{}/", app.base)).send().await.unwrap()).await;
    let res = c
        .post(format!("{}/dang-xuat", app.base))
        .form(&[("csrf", csrf_of(&home).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    expect_error(app.get("/api/v1/me", &token).await, 401, "unauthenticated").await;

    // "Sign out everywhere" from the page.
    let c = sign_in(&app, who::MEMBER_A).await;
    let api = app.login(who::MEMBER_A).await;
    let page = text(
        c.get(format!("{}/tai-khoan", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let res = c
        .post(format!("{}/tai-khoan/phien/ket-thuc-tat-ca", app.base))
        .form(&[("csrf", csrf_of(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/dang-nhap");
    expect_error(app.get("/api/v1/me", &api).await, 401, "unauthenticated").await;

    // A password change from the page, with its mistakes shown beside the fields.
    let c = sign_in(&app, who::MEMBER_A).await;
    let page = text(
        c.get(format!("{}/tai-khoan", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let csrf = csrf_of(&page);
    let res = c
        .post(format!("{}/tai-khoan/mat-khau", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current_password", PASSWORD),
            ("new_password", "mat-khau-moi-2026"),
            ("confirm_password", "mat-khau-khac-2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(
        text(res)
            .await
            .contains("Hai lần nhập mật khẩu mới không khớp.")
    );
    let res = c
        .post(format!("{}/tai-khoan/mat-khau", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current_password", "sai-roi-ban-oi"),
            ("new_password", "mat-khau-moi-2026"),
            ("confirm_password", "mat-khau-moi-2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(text(res).await.contains("Mật khẩu hiện tại không đúng."));
    let res = c
        .post(format!("{}/tai-khoan/mat-khau", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current_password", PASSWORD),
            ("new_password", "mat-khau-moi-2026"),
            ("confirm_password", "mat-khau-moi-2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(text(res).await.contains("Đã đổi mật khẩu."));
}

async fn keys_rotate_by_kid(backend: Backend) {
    const NEW: &str = "rotated-secret-rotated-secret-rotated-0123";
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.auth.jwt_secret = Some(NEW.to_owned());
        s.auth.jwt_previous_secrets = Some(TEST_SECRET.to_owned());
    })
    .await
    else {
        return;
    };
    let w = app.world().await;
    let fresh = app.login(who::MEMBER_A).await;
    let new_keys = TokenKeys::new(NEW.as_bytes(), &app.settings.auth);
    let header = jsonwebtoken::decode_header(&fresh).unwrap();
    assert_eq!(header.kid.as_deref(), Some(new_keys.current_kid()));
    // A token the previous key signed (before the rotation) still works until it expires.
    let session = app
        .db
        .blocking_read(|c| {
            Ok(sangkien::db::sessions::live_of(
                c,
                w.member_a,
                sangkien::db::now(),
            )?)
        })
        .unwrap()[0]
        .id
        .clone();
    let old_keys = TokenKeys::new(TEST_SECRET.as_bytes(), &app.settings.auth);
    let (old_token, _) = old_keys.issue(w.member_a, &session).unwrap();
    assert_ne!(
        jsonwebtoken::decode_header(&old_token).unwrap().kid,
        header.kid
    );
    assert_eq!(app.get("/api/v1/me", &old_token).await.status(), 200);
    // A key nobody configured is refused.
    let stranger = TokenKeys::new(b"stranger-secret-stranger-secret-0123", &app.settings.auth);
    let (forged, _) = stranger.issue(w.member_a, &session).unwrap();
    expect_error(app.get("/api/v1/me", &forged).await, 401, "unauthenticated").await;
}

async fn cookies_are_secure_over_tls(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.world().await;
    let set_cookie = |res: &reqwest::Response| -> Vec<String> {
        res.headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    };
    let plain = browser()
        .get(format!("{}/dang-nhap", app.base))
        .send()
        .await
        .unwrap();
    let cookies = set_cookie(&plain);
    assert!(!cookies.is_empty());
    assert!(cookies.iter().all(|c| !c.contains("Secure")), "{cookies:?}");
    assert!(
        cookies.iter().all(|c| c.contains("HttpOnly")),
        "{cookies:?}"
    );
    // Behind a TLS-terminating proxy.
    let tls = browser()
        .get(format!("{}/dang-nhap", app.base))
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .unwrap();
    let cookies = set_cookie(&tls);
    assert!(cookies.iter().all(|c| c.contains("Secure")), "{cookies:?}");
    assert!(
        cookies.iter().all(|c| c.contains("SameSite=Strict")),
        "{cookies:?}"
    );
    // And the session cookie itself.
    let c = browser();
    let page = text(
        c.get(format!("{}/dang-nhap", app.base))
            .header("X-Forwarded-Proto", "https")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let res = c
        .post(format!("{}/dang-nhap", app.base))
        .header("X-Forwarded-Proto", "https")
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
    let cookies = set_cookie(&res);
    let session = cookies
        .iter()
        .find(|c| c.starts_with("sk_session="))
        .unwrap();
    assert!(session.contains("Secure") && session.contains("HttpOnly"));
    assert!(session.contains("SameSite=Lax"), "{session}");
    // Every answer says how much of its address to pass on.
    assert_eq!(
        res.headers()["referrer-policy"],
        "strict-origin-when-cross-origin"
    );
}

async fn personal_data_is_exported_anonymised_and_views_are_recorded(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let submitted = submit(
        &app,
        &member,
        &complete_draft(&w, "Sáng kiến tiết kiệm điện xưởng may"),
    )
    .await;
    assert_eq!(submitted["_status"], 200);
    let id = submitted["_id"].as_i64().unwrap();

    // The member downloads everything stored about them.
    let res = app.get("/api/v1/me/personal-data", &member).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let data: Value = json(res).await;
    assert_eq!(data["profile"]["email"], who::MEMBER_A);
    assert!(data["profile"].get("password_hash").is_none());
    assert!(!data.to_string().contains("argon2"), "no password hash");
    assert_eq!(data["initiatives"][0]["id"], id);
    assert_eq!(
        data["initiatives"][0]["title"],
        "Sáng kiến tiết kiệm điện xưởng may"
    );
    assert!(!data["sessions"].as_array().unwrap().is_empty());

    // An officer over the member may export it too (a request on paper), and it is recorded;
    // an officer of another province learns nothing; a member cannot export someone else.
    let officer_a = app.login(who::OFFICER_A).await;
    let officer_b = app.login(who::OFFICER_B).await;
    let url = format!("/api/v1/users/{}/personal-data", w.member_a);
    assert_eq!(app.get(&url, &officer_a).await.status(), 200);
    expect_error(app.get(&url, &officer_b).await, 404, "not_found").await;
    let member_b = app.login(who::MEMBER_B).await;
    expect_error(app.get(&url, &member_b).await, 404, "not_found").await;
    // Looking at the member's profile is recorded too.
    assert_eq!(
        app.get(&format!("/api/v1/users/{}", w.member_a), &officer_a)
            .await
            .status(),
        200
    );
    let admin = app.login(who::ADMIN).await;
    let log = json(
        app.get(
            &format!("/api/v1/audit?entity_type=user&entity_id={}", w.member_a),
            &admin,
        )
        .await,
    )
    .await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"personal_data_exported"), "{actions:?}");
    assert!(actions.contains(&"viewed"), "{actions:?}");

    // Anonymisation on request: nobody can be identified, the initiative stays and counts.
    let anonymise = format!("/api/v1/users/{}/anonymise", w.member_a);
    expect_error(
        app.post(&anonymise, &officer_b, &json!({})).await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.post(&anonymise, &member, &json!({})).await,
        403,
        "forbidden",
    )
    .await;
    let officer_a_id = json(app.get("/api/v1/me", &officer_a).await).await["id"]
        .as_i64()
        .unwrap();
    expect_error(
        app.post(
            &format!("/api/v1/users/{officer_a_id}/anonymise"),
            &officer_a,
            &json!({}),
        )
        .await,
        409,
        "invalid_state",
    )
    .await;
    let res = app.post(&anonymise, &officer_a, &json!({})).await;
    assert_eq!(res.status(), 204);
    expect_error(app.get("/api/v1/me", &member).await, 401, "unauthenticated").await;
    expect_error(
        try_login(&app, who::MEMBER_A, PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    let user = json(
        app.get(&format!("/api/v1/users/{}", w.member_a), &officer_a)
            .await,
    )
    .await;
    assert_eq!(
        user["full_name"],
        format!("Đoàn viên đã ẩn danh #{}", w.member_a)
    );
    assert!(user["member_code"].is_null());
    assert!(user["phone"].is_null());
    assert_ne!(user["email"], who::MEMBER_A);
    let initiative = json(
        app.get(&format!("/api/v1/initiatives/{id}"), &officer_a)
            .await,
    )
    .await;
    assert_eq!(initiative["status"], "submitted");
    assert!(
        !initiative.to_string().contains(who::MEMBER_A),
        "{initiative}"
    );
    expect_error(
        app.post(&anonymise, &officer_a, &json!({})).await,
        409,
        "invalid_state",
    )
    .await;
}

async fn hostile_text_is_shown_as_text_and_oversized_input_refused(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let mut body = complete_draft(&w, "Sáng kiến <script>alert('xss')</script> an toàn");
    body["solution"] = json!(
        "Dùng <img src=x onerror=alert(1)> và <a href=\"javascript:alert(2)\">liên kết</a> để minh hoạ."
    );
    let submitted = submit(&app, &member, &body).await;
    assert_eq!(submitted["_status"], 200);
    let id = submitted["_id"].as_i64().unwrap();
    // Stored as typed, shown as text on every page that shows it.
    let stored = json(app.get(&format!("/api/v1/initiatives/{id}"), &member).await).await;
    assert!(stored["title"].as_str().unwrap().contains("<script>"));
    let c = sign_in(&app, who::OFFICER_A).await;
    for path in [
        format!("/sang-kien/{id}"),
        format!("/don-vi/{}/sang-kien?program_id={}", w.cb, w.program),
    ] {
        let res = c.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let page = text(res).await;
        assert!(
            page.contains("&#60;script&#62;alert"),
            "{path}: the title escaped: {}",
            page.find("an toàn")
                .map_or("absent", |i| &page[i.saturating_sub(150)..i])
        );
        assert!(!page.contains("<script>alert"), "{path}");
        assert!(!page.contains("<img src=x"), "{path}");
        assert!(!page.contains("href=\"javascript:"), "{path}");
    }

    // Every text field has a limit: over it, 400 naming the field, and nothing stored.
    let cases = [
        ("title", "T".repeat(301)),
        ("solution", "x".repeat(20_001)),
        ("benefits", "y".repeat(20_001)),
    ];
    for (field, value) in cases {
        let mut body = complete_draft(&w, "Sáng kiến có trường quá dài");
        body[field] = json!(value);
        let res = app.post("/api/v1/initiatives", &member, &body).await;
        let refused = expect_error(res, 400, "validation_failed").await;
        assert!(
            refused["error"]["details"]["fields"][field].is_string(),
            "{field}: {refused}"
        );
    }
    let list = json(
        app.get(
            &format!("/api/v1/initiatives?author_id={}", w.member_a),
            &member,
        )
        .await,
    )
    .await;
    assert_eq!(list["total"], 1, "nothing stored: {list}");
    // A body over the limit (1 MiB) is refused before it is read in full.
    let huge = json!({"title": "x".repeat(2 * 1024 * 1024)});
    expect_error(
        app.post("/api/v1/initiatives", &member, &huge).await,
        413,
        "payload_too_large",
    )
    .await;
    // A page form over its limit gets a Vietnamese page, not a 500.
    let page = text(
        c.get(format!("{}/tai-khoan", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let res = c
        .post(format!("{}/tai-khoan/mat-khau", app.base))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("current_password", &"p".repeat(300 * 1024)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert!(text(res).await.contains("vượt quá dung lượng cho phép"));
    // Paths name nothing outside what the service serves.
    for path in [
        "/static/../Cargo.toml",
        "/static/..%2f..%2fCargo.toml",
        "/api/v1/attachments/..%2f..%2fetc%2fpasswd",
    ] {
        let res = app.get(path, &member).await;
        assert_eq!(res.status(), 404, "{path}");
    }
}

crate::on_both_backends!(
    a_login_is_locked_after_failures_and_unlocks_by_itself,
    an_address_is_limited_across_logins,
    sessions_end_when_signed_out,
    pages_sign_out_ends_the_session,
    keys_rotate_by_kid,
    cookies_are_secure_over_tls,
    personal_data_is_exported_anonymised_and_views_are_recorded,
    hostile_text_is_shown_as_text_and_oversized_input_refused,
);
