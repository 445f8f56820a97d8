//! Sign-in, the current user, and hostile tokens.

use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use sangkien::auth::TokenKeys;
use serde_json::json;

use crate::helpers::{Backend, PASSWORD, TEST_SECRET, TestApp, expect_error, json, who};

async fn sign_in_by_email_or_member_code(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.world().await;
    let token = app.login(who::MEMBER_A).await;
    let me = json(app.get("/api/v1/me", &token).await).await;
    assert_eq!(me["email"], who::MEMBER_A);
    assert_eq!(me["full_name"], "Lục Thị Đoàn");
    assert_eq!(me["roles"][0]["role"], "member");
    assert_eq!(me["roles"][0]["role_name"], "Đoàn viên");
    assert!(me.get("password_hash").is_none());
    // Member code, and an email typed in capitals.
    let by_code = app.login("MEMBER-A").await;
    assert!(!by_code.is_empty());
    let by_caps = app.login("Member.A@Test.VN").await;
    assert!(!by_caps.is_empty());
}

async fn wrong_password_and_unknown_account_answer_alike(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.world().await;
    let login = |l: &str, p: &str| {
        app.request(Method::POST, "/api/v1/auth/login", None)
            .json(&json!({"login": l, "password": p}))
            .send()
    };
    let wrong = expect_error(
        login(who::MEMBER_A, "sai-mat-khau").await.unwrap(),
        401,
        "invalid_credentials",
    )
    .await;
    let unknown = expect_error(
        login("nobody@test.vn", PASSWORD).await.unwrap(),
        401,
        "invalid_credentials",
    )
    .await;
    assert_eq!(
        wrong, unknown,
        "the answer must not tell whether the account exists"
    );
    expect_error(login("", "").await.unwrap(), 401, "invalid_credentials").await;
}

async fn disabled_account_stops_at_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let officer = app.login(who::OFFICER_A).await;
    let res = app
        .patch(
            &format!("/api/v1/users/{}", w.member_a),
            &officer,
            &json!({"status": "disabled"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(json(res).await["status"], "disabled");
    expect_error(app.get("/api/v1/me", &member).await, 401, "unauthenticated").await;
    let res = app
        .request(Method::POST, "/api/v1/auth/login", None)
        .json(&json!({"login": who::MEMBER_A, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "account_disabled").await;
}

/// A token signed with `secret`, its header naming the key as the service does.
fn sign(claims: &serde_json::Value, secret: &str, app: &TestApp) -> String {
    let keys = TokenKeys::new(secret.as_bytes(), &app.settings.auth);
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(keys.current_kid().to_owned());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// The id of the member's live session.
fn session_of(app: &TestApp, user_id: i64) -> String {
    app.db
        .blocking_read(|c| {
            Ok(sangkien::db::sessions::live_of(
                c,
                user_id,
                sangkien::db::now(),
            )?)
        })
        .unwrap()
        .first()
        .expect("a live session")
        .id
        .clone()
}

async fn hostile_tokens_are_refused(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let good = app.login(who::MEMBER_A).await;
    let now = Utc::now().timestamp();
    let session = session_of(&app, w.member_a);
    let claims = |exp: i64, aud: &str| json!({"sub": w.member_a.to_string(), "iss": "sangkien", "aud": aud, "iat": now, "exp": exp, "jti": session});
    // Control: a token we sign the same way works.
    let forged_ok = sign(&claims(now + 600, "sangkien-api"), TEST_SECRET, &app);
    assert_eq!(app.get("/api/v1/me", &forged_ok).await.status(), 200);

    let mut cases: Vec<(&str, String)> = Vec::new();
    // Tampered payload: claim another user under the original signature.
    let parts: Vec<&str> = good.split('.').collect();
    let admin_claims = json!({"sub": "1", "iss": "sangkien", "aud": "sangkien-api", "iat": now, "exp": now + 600, "jti": "x"});
    let tampered_payload = base64_url(serde_json::to_string(&admin_claims).unwrap().as_bytes());
    cases.push((
        "tampered",
        format!("{}.{}.{}", parts[0], tampered_payload, parts[2]),
    ));
    cases.push((
        "bad signature",
        format!(
            "{}.{}.{}",
            parts[0],
            parts[1],
            base64_url(b"not-the-signature")
        ),
    ));
    cases.push((
        "expired",
        sign(&claims(now - 3600, "sangkien-api"), TEST_SECRET, &app),
    ));
    cases.push((
        "wrong audience",
        sign(&claims(now + 600, "someone-else"), TEST_SECRET, &app),
    ));
    cases.push((
        "wrong key",
        sign(
            &claims(now + 600, "sangkien-api"),
            "another-secret-another-secret-another",
            &app,
        ),
    ));
    // The right key, but no `kid` in the header.
    cases.push((
        "no kid",
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims(now + 600, "sangkien-api"),
            &EncodingKey::from_secret(TEST_SECRET.as_bytes()),
        )
        .unwrap(),
    ));
    // The right key, but a session that was never opened.
    let mut unknown_session = claims(now + 600, "sangkien-api");
    unknown_session["jti"] = json!("00000000000000000000000000000000");
    cases.push(("unknown session", sign(&unknown_session, TEST_SECRET, &app)));
    let none_header = base64_url(br#"{"alg":"none","typ":"JWT"}"#);
    let body = base64_url(
        serde_json::to_string(&claims(now + 600, "sangkien-api"))
            .unwrap()
            .as_bytes(),
    );
    cases.push(("alg none", format!("{none_header}.{body}.")));
    cases.push(("garbage", "abc.def".to_owned()));
    for (what, token) in cases {
        let res = app.get("/api/v1/me", &token).await;
        assert_eq!(res.status(), 401, "{what} token must be refused");
        expect_error(res, 401, "unauthenticated").await;
    }
    let res = app
        .request(Method::GET, "/api/v1/me", None)
        .send()
        .await
        .unwrap();
    expect_error(res, 401, "unauthenticated").await;
}

fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

crate::on_both_backends!(
    sign_in_by_email_or_member_code,
    wrong_password_and_unknown_account_answer_alike,
    disabled_account_stops_at_once,
    hostile_tokens_are_refused,
);
