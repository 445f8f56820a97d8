//! Email over real SMTP to a sink on loopback: receipts, assignments and decisions reach the
//! right people once, with links that work against the running server; decisions published
//! in bulk send one email each; a relay that is down loses nothing and delivers each email
//! once when it returns; a permanent refusal is marked failed and retried by an
//! administrator; password reset and invitations by signed, single-use links; digests and
//! reminders written once per period, and left through their unsubscribe link.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use sangkien::auth::TokenKeys;
use sangkien::config::{MailTransportKind, SmtpSecurity};
use sangkien::db::Db;
use sangkien::db::mail as outbox;
use sangkien::email::sender::Sender;
use serde_json::{Value, json};

use crate::helpers::{
    Backend, PASSWORD, TEST_SECRET, TestApp, World, distinct_draft, expect_error, json, submit,
    submit_with_coauthors, who,
};
use crate::pages::{browser, csrf_of, sign_in, text};
use crate::smtp::{Received, SmtpSink};

crate::on_both_backends!(
    notices_reach_authors_and_reviewers,
    rejection_duplicate_and_award_reach_every_author,
    bulk_publication_sends_one_email_per_decision,
    relay_down_for_a_while_loses_nothing_and_sends_once,
    concurrent_senders_deliver_each_email_once,
    permanent_refusal_is_failed_and_retried_by_an_administrator,
    password_reset_by_email,
    a_reset_asked_again_across_a_ten_minute_mark_sends_nothing_more,
    imported_members_are_invited,
    digests_and_reminders_once_per_period_and_unsubscribe,
    default_transport_writes_files,
);

const PUBLIC: &str = "https://sangkien.test";
pub(crate) const REVIEWER: &str = "tham.dinh@test.vn";

async fn mail_app(backend: Backend, sink: &SmtpSink) -> Option<TestApp> {
    let port = sink.port;
    TestApp::spawn_with(backend, |s| {
        s.server.public_url = PUBLIC.to_owned();
        s.mail.transport = MailTransportKind::Smtp;
        s.mail.smtp.host = "127.0.0.1".to_owned();
        s.mail.smtp.port = port;
        s.mail.smtp.security = SmtpSecurity::None;
        s.mail.smtp.timeout_seconds = 5;
        s.mail.poll_interval_ms = 50;
        s.mail.retry_base_ms = 100;
        s.mail.retry_max_ms = 400;
        s.mail.max_attempts = 1000;
        s.mail.schedule.enabled = false;
    })
    .await
}

/// The path of a link to the configured public URL.
fn path_of(link: &str) -> &str {
    link.strip_prefix(PUBLIC).expect("a link to the public URL")
}

/// The one link of `m` to `path_prefix`.
fn link_to(m: &Received, path_prefix: &str) -> String {
    let wanted = format!("{PUBLIC}{path_prefix}");
    m.links(PUBLIC)
        .into_iter()
        .find(|l| l.starts_with(&wanted))
        .unwrap_or_else(|| panic!("no link to {path_prefix} in:\n{}", m.text()))
}

/// A one-stage committee over the whole tree whose only member (and chair) is a new reviewer.
pub(crate) async fn committee(app: &TestApp, w: &World, chair_publishes: bool) -> i64 {
    let padmin = app.login(who::PADMIN).await;
    let stages = json(
        app.get(&format!("/api/v1/programs/{}/stages", w.program), &padmin)
            .await,
    )
    .await;
    let stage = stages[0]["id"].as_i64().unwrap();
    let res = app
        .put(
            &format!("/api/v1/programs/{}/stages/{stage}", w.program),
            &padmin,
            &json!({"name": "Ban Tổ chức thông qua", "union_level": 0, "reviews_required": 1,
                    "blind_scoring": false, "chair_publishes": chair_publishes}),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let reviewer = app.person(REVIEWER, "Chu Văn An", w.cb).await;
    let res = app
        .post(
            &format!("/api/v1/programs/{}/committees", w.program),
            &padmin,
            &json!({"stage_id": stage, "union_id": w.root}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let c = json(res).await["id"].as_i64().unwrap();
    let res = app
        .put(
            &format!("/api/v1/committees/{c}/members/{reviewer}"),
            &padmin,
            &json!({"chair": true}),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    c
}

async fn score(app: &TestApp, token: &str, id: i64) {
    let res = app
        .put(
            &format!("/api/v1/initiatives/{id}/review/scores"),
            token,
            &json!({"scores": {"tinh-moi": 30, "kha-nang-ap-dung": 30, "hieu-qua": 30},
                    "recommendation": "approve", "comment": "Giải pháp thiết thực."}),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

pub(crate) async fn decide(app: &TestApp, token: &str, id: i64, body: &Value) {
    let res = app
        .post(
            &format!("/api/v1/initiatives/{id}/review/decision"),
            token,
            body,
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

async fn rows(app: &TestApp) -> Vec<outbox::MailRow> {
    app.db
        .read(|conn| Ok(outbox::list(conn, None, 1000, 0)?))
        .await
        .unwrap()
}

/// Waits until no email is pending or being sent.
async fn drained(app: &TestApp) -> Vec<outbox::MailRow> {
    for _ in 0..200 {
        let all = rows(app).await;
        if all
            .iter()
            .all(|r| r.status == outbox::SENT || r.status == outbox::FAILED)
        {
            return all;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the outbox did not drain: {:#?}", rows(app).await);
}

fn count(all: &[Received], to: &str, subject: &str) -> usize {
    all.iter()
        .filter(|m| m.is_to(to) && m.subject().contains(subject))
        .count()
}

async fn notices_reach_authors_and_reviewers(backend: Backend) {
    let sink = SmtpSink::start().await;
    let Some(app) = mail_app(backend, &sink).await else {
        return;
    };
    let w = app.world().await;
    committee(&app, &w, false).await;
    let member = app.login(who::MEMBER_A).await;
    let s = submit(&app, &member, &distinct_draft(&w, 0)).await;
    assert_eq!(s["_status"], 200, "{s}");
    let id = s["_id"].as_i64().unwrap();
    let receipt_no = s["receipt_no"].as_str().unwrap().to_owned();

    // The receipt, to the author, with the receipt number and the decision's due date.
    let receipt = sink.wait_for(who::MEMBER_A, "Đã nhận sáng kiến").await;
    assert_eq!(receipt.to, vec![who::MEMBER_A.to_owned()]);
    assert!(
        receipt.subject().contains(&receipt_no),
        "{}",
        receipt.subject()
    );
    assert!(receipt.from.contains("no-reply@"));
    let body = receipt.text();
    assert!(body.contains("Kính gửi Lục Thị Đoàn,"), "{body}");
    assert!(
        body.contains(&format!("Số biên nhận: {receipt_no}")),
        "{body}"
    );
    assert!(body.contains("Hạn trả lời kết quả xét duyệt:"), "{body}");
    assert!(receipt.html().contains("Xem biên nhận"));
    let member_pages = sign_in(&app, who::MEMBER_A).await;
    let link = link_to(&receipt, &format!("/sang-kien/{id}/bien-nhan"));
    let res = member_pages
        .get(format!("{}{}", app.base, path_of(&link)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(text(res).await.contains(&receipt_no));

    // The reviewer assigned automatically learns it, with a link to the review page.
    let assigned = sink.wait_for(REVIEWER, "Phân công xét duyệt").await;
    let link = link_to(&assigned, &format!("/xet-duyet/{id}"));
    let reviewer_pages = sign_in(&app, REVIEWER).await;
    let res = reviewer_pages
        .get(format!("{}{}", app.base, path_of(&link)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // Returned for revision: what to fix, and a link to the form.
    let reviewer = app.login(REVIEWER).await;
    decide(
        &app,
        &reviewer,
        id,
        &json!({"decision": "return", "note": "Bổ sung bảng số liệu chi phí trước và sau."}),
    )
    .await;
    let returned = sink.wait_for(who::MEMBER_A, "cần chỉnh sửa").await;
    assert!(
        returned
            .text()
            .contains("Nội dung cần chỉnh sửa: Bổ sung bảng số liệu chi phí trước và sau."),
        "{}",
        returned.text()
    );
    let link = link_to(&returned, &format!("/sang-kien/{id}/sua"));
    let res = member_pages
        .get(format!("{}{}", app.base, path_of(&link)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // Resubmitted, scored and approved: a receipt again, then the approval.
    let res = app
        .post(
            &format!("/api/v1/initiatives/{id}/submit"),
            &member,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    sink.wait_for(who::MEMBER_A, "Đã nhận lại sáng kiến").await;
    score(&app, &reviewer, id).await;
    decide(&app, &reviewer, id, &json!({"decision": "approve"})).await;
    let approved = sink.wait_for(who::MEMBER_A, "đã được thông qua").await;
    assert!(
        approved
            .text()
            .contains(&format!("{PUBLIC}/sang-kien/{id}"))
    );

    // Every email once; nobody else got any.
    let all = drained(&app).await;
    assert!(all.iter().all(|r| r.status == outbox::SENT), "{all:#?}");
    let received = sink.messages();
    assert_eq!(received.len(), all.len(), "one delivery per outbox row");
    for m in &received {
        assert!(
            m.is_to(who::MEMBER_A) || m.is_to(REVIEWER),
            "unexpected recipient {:?}",
            m.to
        );
    }
}

async fn rejection_duplicate_and_award_reach_every_author(backend: Backend) {
    let sink = SmtpSink::start().await;
    let Some(app) = mail_app(backend, &sink).await else {
        return;
    };
    let w = app.world().await;
    committee(&app, &w, false).await;
    let member = app.login(who::MEMBER_A).await;
    let reviewer = app.login(REVIEWER).await;
    let mut with_coauthor = distinct_draft(&w, 0);
    with_coauthor["coauthors"] = json!([{"user_id": w.coauthor_a, "share_percent": 30}]);
    let mut ids = Vec::new();
    for (body, coauthors) in [
        (with_coauthor, &[who::COAUTHOR_A][..]),
        (distinct_draft(&w, 1), &[]),
        (distinct_draft(&w, 2), &[]),
    ] {
        let s = submit_with_coauthors(&app, &member, &body, coauthors).await;
        assert_eq!(s["_status"], 200, "{s}");
        ids.push(s["_id"].as_i64().unwrap());
    }
    // Each author gets the receipt, the co-author too.
    sink.wait_for(who::COAUTHOR_A, "Đã nhận sáng kiến").await;
    decide(
        &app,
        &reviewer,
        ids[1],
        &json!({"decision": "reject", "reason_code": "khong-co-tinh-moi", "note": "Đã áp dụng rộng rãi."}),
    )
    .await;
    let rejected = sink.wait_for(who::MEMBER_A, "không được thông qua").await;
    assert!(rejected.text().contains("Lý do: "), "{}", rejected.text());
    assert!(rejected.text().contains("Đã áp dụng rộng rãi."));
    decide(
        &app,
        &reviewer,
        ids[2],
        &json!({"decision": "duplicate", "duplicate_of": ids[0]}),
    )
    .await;
    let duplicate = sink.wait_for(who::MEMBER_A, "trùng lặp").await;
    assert!(
        duplicate.text().contains("Trùng lặp với sáng kiến SK"),
        "{}",
        duplicate.text()
    );
    score(&app, &reviewer, ids[0]).await;
    decide(&app, &reviewer, ids[0], &json!({"decision": "approve"})).await;
    for author in [who::MEMBER_A, who::COAUTHOR_A] {
        sink.wait_for(author, "đã được thông qua").await;
    }
    let padmin = app.login(who::PADMIN).await;
    let res = app
        .put(
            &format!("/api/v1/initiatives/{}/award", ids[0]),
            &padmin,
            &json!({"level": "giai-nhat"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    for author in [who::MEMBER_A, who::COAUTHOR_A] {
        let m = sink.wait_for(author, "đề nghị khen thưởng").await;
        assert!(m.subject().ends_with("Giải Nhất"), "{}", m.subject());
    }
    drained(&app).await;
    let all = sink.messages();
    assert_eq!(count(&all, who::COAUTHOR_A, "không được thông qua"), 0);
    assert_eq!(count(&all, who::COAUTHOR_A, "Đã nhận sáng kiến"), 1);
    assert_eq!(count(&all, who::MEMBER_A, "Đã nhận sáng kiến"), 3);
    // The endpoints are in the OpenAPI document.
    let doc = json(
        app.request(reqwest::Method::GET, "/api/v1/openapi.json", None)
            .send()
            .await
            .unwrap(),
    )
    .await;
    for path in [
        "/api/v1/admin/mail",
        "/api/v1/admin/mail/{id}/retry",
        "/api/v1/auth/password-reset",
        "/api/v1/auth/password-reset/confirm",
        "/api/v1/auth/invitation/accept",
        "/api/v1/me/mail-preferences",
        "/api/v1/mail/unsubscribe",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
}

async fn bulk_publication_sends_one_email_per_decision(backend: Backend) {
    let sink = SmtpSink::start().await;
    let Some(app) = mail_app(backend, &sink).await else {
        return;
    };
    let w = app.world().await;
    let c = committee(&app, &w, true).await;
    let member = app.login(who::MEMBER_A).await;
    let reviewer = app.login(REVIEWER).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let s = submit(&app, &member, &distinct_draft(&w, n)).await;
        assert_eq!(s["_status"], 200, "{s}");
        ids.push(s["_id"].as_i64().unwrap());
    }
    for id in &ids {
        score(&app, &reviewer, *id).await;
        decide(
            &app,
            &reviewer,
            *id,
            &json!({"decision": "approve", "hold": true}),
        )
        .await;
    }
    drained(&app).await;
    assert_eq!(
        count(&sink.messages(), who::MEMBER_A, "đã được thông qua"),
        0,
        "decisions held for publication tell nobody yet"
    );
    let res = app
        .post(
            &format!("/api/v1/committees/{c}/publish"),
            &reviewer,
            &json!({"all": true}),
        )
        .await;
    assert_eq!(json(res).await["published"], 3);
    sink.wait_until(20, |m| count(m, who::MEMBER_A, "đã được thông qua") >= 3)
        .await;
    drained(&app).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let all = sink.messages();
    assert_eq!(count(&all, who::MEMBER_A, "đã được thông qua"), 3);
    for id in &ids {
        let about = all
            .iter()
            .filter(|m| {
                m.subject().contains("đã được thông qua")
                    && m.links(PUBLIC)
                        .contains(&format!("{PUBLIC}/sang-kien/{id}"))
            })
            .count();
        assert_eq!(about, 1, "one email for initiative {id}");
    }
}

async fn relay_down_for_a_while_loses_nothing_and_sends_once(backend: Backend) {
    let sink = SmtpSink::start().await;
    sink.stop().await;
    let Some(app) = mail_app(backend, &sink).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    for n in 0..3 {
        let s = submit(&app, &member, &distinct_draft(&w, n)).await;
        assert_eq!(s["_status"], 200, "{s}");
    }
    // The relay refuses connections: the emails wait, retried with back-off.
    let mut waiting = Vec::new();
    for _ in 0..100 {
        waiting = rows(&app).await;
        if waiting.len() == 3 && waiting.iter().all(|r| r.attempts >= 2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(waiting.len(), 3);
    for r in &waiting {
        assert!(
            r.status == outbox::PENDING || r.status == outbox::SENDING,
            "{r:?}"
        );
        assert!(r.attempts >= 2, "{r:?}");
        assert!(
            r.last_error.as_deref().is_some_and(|e| e.contains("SMTP")),
            "{r:?}"
        );
    }
    assert!(sink.messages().is_empty());

    // The relay returns: each email is delivered, once.
    sink.resume();
    sink.wait_until(30, |m| m.len() >= 3).await;
    let all = drained(&app).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = sink.messages();
    assert_eq!(received.len(), 3, "each delivered once");
    assert!(
        all.iter()
            .all(|r| r.status == outbox::SENT && r.sent_at.is_some())
    );
    let mut ids: Vec<String> = received
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    let mut subjects: Vec<String> = received.iter().map(Received::subject).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 3, "{subjects:?}");
}

/// Several senders over one database (on PostgreSQL, each with its own pool, as separate
/// instances would be) claim disjoint emails: each is delivered once.
async fn concurrent_senders_deliver_each_email_once(backend: Backend) {
    let sink = SmtpSink::start().await;
    let Some(app) = mail_app(backend, &sink).await else {
        return;
    };
    let w = app.world().await;
    let member = w.member_a;
    app.queue_notices(member, 40).await;
    let other = match backend {
        Backend::Postgres => {
            let url = app.settings.database_url().unwrap();
            tokio::task::spawn_blocking(move || Db::connect(&url, 4).unwrap())
                .await
                .unwrap()
        }
        Backend::Sqlite => app.db.clone(),
    };
    let keys = Arc::new(TokenKeys::new(TEST_SECRET.as_bytes(), &app.settings.auth));
    let mut settings = app.settings.clone();
    settings.mail.batch_size = 3;
    let settings = Arc::new(settings);
    let senders: Vec<Sender> = (0..3)
        .map(|_| Sender::new(other.clone(), keys.clone(), settings.clone()).unwrap())
        .collect();
    let claimed: Vec<usize> = futures_util::future::join_all(senders.iter().map(|s| async move {
        let mut claimed = 0;
        for _ in 0..60 {
            let pass = s.pass().await.unwrap();
            claimed += pass.claimed;
            if pass.claimed == 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        claimed
    }))
    .await;
    let all = drained(&app).await;
    assert!(
        all.iter()
            .all(|r| r.status == outbox::SENT && r.attempts == 1),
        "{all:#?}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = sink.messages();
    assert_eq!(
        received.len(),
        40,
        "claimed by the extra senders: {claimed:?}"
    );
    let mut subjects: Vec<String> = received.iter().map(Received::subject).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 40);
}

async fn permanent_refusal_is_failed_and_retried_by_an_administrator(backend: Backend) {
    let sink = SmtpSink::start().await;
    sink.refuse("member.b@");
    let Some(app) = mail_app(backend, &sink).await else {
        return;
    };
    let w = app.world().await;
    let member_b = app.login(who::MEMBER_B).await;
    let mut draft = distinct_draft(&w, 1);
    draft["program_id"] = json!(w.program);
    let s = submit(&app, &member_b, &draft).await;
    assert_eq!(s["_status"], 200, "{s}");
    let all = drained(&app).await;
    assert_eq!(all.len(), 1);
    let failed = &all[0];
    assert_eq!(failed.status, outbox::FAILED);
    assert_eq!(failed.attempts, 1, "a permanent refusal is not retried");
    assert!(
        failed
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("550")),
        "{failed:?}"
    );
    assert!(sink.messages().is_empty());

    // Administrators see it; nobody else does.
    let admin = app.login(who::ADMIN).await;
    let view = json(app.get("/api/v1/admin/mail?status=failed", &admin).await).await;
    assert_eq!(view["counts"]["failed"], 1, "{view}");
    assert_eq!(view["items"]["total"], 1);
    let item = &view["items"]["items"][0];
    assert_eq!(item["recipient"], who::MEMBER_B);
    assert_eq!(item["kind"], "received");
    assert!(item["last_error"].as_str().unwrap().contains("550"));
    assert!(item.get("payload").is_none(), "no bodies or links: {item}");
    for login in [who::MEMBER_B, who::OFFICER_A, who::PADMIN] {
        let token = app.login(login).await;
        expect_error(
            app.get("/api/v1/admin/mail", &token).await,
            403,
            "forbidden",
        )
        .await;
    }
    let res = app
        .request(reqwest::Method::GET, "/api/v1/admin/mail", None)
        .send()
        .await
        .unwrap();
    expect_error(res, 401, "unauthenticated").await;
    expect_error(
        app.get("/api/v1/admin/mail?status=lost", &admin).await,
        400,
        "invalid_query",
    )
    .await;
    expect_error(
        app.get("/api/v1/admin/mail?per_page=0", &admin).await,
        400,
        "validation_failed",
    )
    .await;

    // The page: the failed email with its error and a retry button; 403 for others.
    let admin_pages = sign_in(&app, who::ADMIN).await;
    let page = text(
        admin_pages
            .get(format!("{}/quan-tri/thu?status=failed", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("Hàng đợi thư"));
    assert!(page.contains("Đã nhận sáng kiến"), "{page}");
    assert!(page.contains(who::MEMBER_B), "{page}");
    assert!(page.contains("Thất bại"));
    assert!(page.contains("Biên nhận"));
    assert!(page.contains(&format!("id=\"retry-{}\"", failed.id)));
    let res = sign_in(&app, who::MEMBER_B)
        .await
        .get(format!("{}/quan-tri/thu", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(text(res).await.contains("Bạn không có quyền xem trang này"));
    let res = browser()
        .get(format!("{}/quan-tri/thu", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = admin_pages
        .get(format!("{}/quan-tri/thu?status=lost", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // The mailbox exists again: the administrator retries from the page.
    sink.refuse("");
    let res = admin_pages
        .post(format!("{}/quan-tri/thu/{}/gui-lai", app.base, failed.id))
        .form(&[("csrf", csrf_of(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let m = sink.wait_for(who::MEMBER_B, "Đã nhận sáng kiến").await;
    assert_eq!(m.subject(), failed.subject);
    let all = drained(&app).await;
    assert_eq!(all[0].status, outbox::SENT);
    assert_eq!(sink.messages().len(), 1);
    // Only a failed email can be retried; unknown ones are 404.
    expect_error(
        app.post(
            &format!("/api/v1/admin/mail/{}/retry", failed.id),
            &admin,
            &json!({}),
        )
        .await,
        409,
        "invalid_state",
    )
    .await;
    expect_error(
        app.post("/api/v1/admin/mail/999999/retry", &admin, &json!({}))
            .await,
        404,
        "not_found",
    )
    .await;
    let member = app.login(who::MEMBER_B).await;
    expect_error(
        app.post(
            &format!("/api/v1/admin/mail/{}/retry", failed.id),
            &member,
            &json!({}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
}

/// "One email per account per ten minutes" is ten minutes from the last one, not a clock's
/// ten-minute slot: asked at 18:59:59 and again at 19:00:00, the second sends nothing.
async fn a_reset_asked_again_across_a_ten_minute_mark_sends_nothing_more(backend: Backend) {
    use diesel::prelude::*;
    use sangkien::db::schema::mail_outbox as m;

    let sink = SmtpSink::start().await;
    let Some(app) = mail_app(backend, &sink).await else {
        return;
    };
    let _w = app.world().await;
    let ask = || async {
        let res = app
            .request(reqwest::Method::POST, "/api/v1/auth/password-reset", None)
            .json(&json!({"login": who::MEMBER_A}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
    };
    ask().await;
    drained(&app).await;
    // The first one as if it had been asked a minute ago, in the clock's previous slot.
    app.db
        .blocking_write(|conn| {
            let first: (i64, chrono::NaiveDateTime) = m::table
                .filter(m::kind.eq("password_reset"))
                .select((m::id, m::created_at))
                .first(conn)?;
            diesel::update(m::table.find(first.0))
                .set((
                    m::created_at.eq(first.1 - chrono::TimeDelta::seconds(60)),
                    m::dedupe_key.eq("password_reset:earlier-slot"),
                ))
                .execute(conn)?;
            Ok(())
        })
        .unwrap();
    ask().await;
    drained(&app).await;
    assert_eq!(
        count(&sink.messages(), who::MEMBER_A, "Đặt lại mật khẩu"),
        1,
        "a second email a minute after the first"
    );
}

async fn password_reset_by_email(backend: Backend) {
    let sink = SmtpSink::start().await;
    let Some(app) = mail_app(backend, &sink).await else {
        return;
    };
    let _w = app.world().await;
    let visitor = browser();
    let page = text(
        visitor
            .get(format!("{}/quen-mat-khau", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let csrf = csrf_of(&page);
    for login in ["khong-ai@test.vn", who::MEMBER_A] {
        let res = visitor
            .post(format!("{}/quen-mat-khau", app.base))
            .form(&[("csrf", csrf.as_str()), ("login", login)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "the same answer for every login");
        assert!(text(res).await.contains("id=\"reset-sent\""));
    }
    let res = visitor
        .post(format!("{}/quen-mat-khau", app.base))
        .form(&[("csrf", csrf.as_str()), ("login", "  ")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mail = sink.wait_for(who::MEMBER_A, "Đặt lại mật khẩu").await;
    let link = link_to(&mail, "/dat-lai-mat-khau?t=");
    let token = link.split("?t=").nth(1).unwrap().to_owned();

    let form = text(
        visitor
            .get(format!("{}{}", app.base, path_of(&link)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(form.contains("Lục Thị Đoàn"), "{form}");
    let csrf = csrf_of(&form);
    let post = |password: &'static str, again: &'static str| {
        visitor
            .post(format!("{}/dat-lai-mat-khau", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("t", token.as_str()),
                ("password", password),
                ("password2", again),
            ])
            .send()
    };
    let res = post("mat-khau-moi-2026", "mat-khau-khac-2026")
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(res).await.contains("không khớp"));
    let res = post("ngan", "ngan").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(res).await.contains("ít nhất 8 ký tự"));
    let res = post("mat-khau-moi-2026", "mat-khau-moi-2026")
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(text(res).await.contains("id=\"password-set\""));

    // The new password works, the old one does not, and the link is spent.
    let res = app
        .request(reqwest::Method::POST, "/api/v1/auth/login", None)
        .json(&json!({"login": who::MEMBER_A, "password": "mat-khau-moi-2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .request(reqwest::Method::POST, "/api/v1/auth/login", None)
        .json(&json!({"login": who::MEMBER_A, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = visitor
        .get(format!("{}{}", app.base, path_of(&link)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(text(res).await.contains("invalid_link"));
    let res = app
        .request(
            reqwest::Method::POST,
            "/api/v1/auth/password-reset/confirm",
            None,
        )
        .json(&json!({"token": token, "password": "mat-khau-thu-ba-2026"}))
        .send()
        .await
        .unwrap();
    expect_error(res, 400, "invalid_link").await;
    // Nor does a reset link open an invitation, nor does garbage.
    for (path, t) in [
        ("/api/v1/auth/invitation/accept", token.as_str()),
        ("/api/v1/auth/password-reset/confirm", "abc.def.ghi"),
    ] {
        let res = app
            .request(reqwest::Method::POST, path, None)
            .json(&json!({"token": t, "password": "mat-khau-thu-ba-2026"}))
            .send()
            .await
            .unwrap();
        expect_error(res, 400, "invalid_link").await;
    }
    let res = visitor
        .get(format!("{}/dat-lai-mat-khau", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // The API asks the same way; one email per account per ten minutes.
    let res = app
        .request(reqwest::Method::POST, "/api/v1/auth/password-reset", None)
        .json(&json!({"login": who::MEMBER_A}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let res = app
        .request(reqwest::Method::POST, "/api/v1/auth/password-reset", None)
        .json(&json!({"login": ""}))
        .send()
        .await
        .unwrap();
    expect_error(res, 400, "validation_failed").await;
    drained(&app).await;
    assert_eq!(
        count(&sink.messages(), who::MEMBER_A, "Đặt lại mật khẩu"),
        1
    );
    assert_eq!(sink.messages().len(), 1, "nothing for an unknown login");
}

fn csv_bom(text: &str) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
    out
}

async fn import_members(app: &TestApp, token: &str, bytes: Vec<u8>) {
    let form = Form::new().part("file", Part::bytes(bytes).file_name("ds.csv"));
    let res = app
        .request(
            reqwest::Method::POST,
            "/api/v1/imports/members?dry_run=false",
            Some(token),
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

async fn imported_members_are_invited(backend: Backend) {
    let sink = SmtpSink::start().await;
    let Some(app) = mail_app(backend, &sink).await else {
        return;
    };
    let _w = app.world().await;
    let officer = app.login(who::OFFICER_A).await;
    let file = csv_bom(
        "Mã đoàn viên,Họ và tên,Email,Số điện thoại,Mã đơn vị\n\
         CB-0001,Nông Thị Hoa,hoa.nong@example.vn,0912345678,CB-VC-HQ\n\
         CB-0002,Hoàng Văn Sơn,son.hv@example.vn,,CB-VC-HQ\n",
    );
    import_members(&app, &officer, file.clone()).await;
    let mail = sink
        .wait_for("hoa.nong@example.vn", "Mời kích hoạt tài khoản")
        .await;
    sink.wait_for("son.hv@example.vn", "Mời kích hoạt tài khoản")
        .await;
    let body = mail.text();
    assert!(body.contains("Kính gửi Nông Thị Hoa,"), "{body}");
    assert!(body.contains("CĐCS Cục Hải quan Cao Bằng"), "{body}");
    assert!(body.contains("Tên đăng nhập: CB-0001"), "{body}");
    let link = link_to(&mail, "/kich-hoat?t=");
    let visitor = browser();
    let form = text(
        visitor
            .get(format!("{}{}", app.base, path_of(&link)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(form.contains("Kích hoạt tài khoản"), "{form}");
    assert!(form.contains("CB-0001"));
    let token = link.split("?t=").nth(1).unwrap();
    let res = visitor
        .post(format!("{}/kich-hoat", app.base))
        .form(&[
            ("csrf", csrf_of(&form).as_str()),
            ("t", token),
            ("password", "hoa-dat-mat-khau"),
            ("password2", "hoa-dat-mat-khau"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .request(reqwest::Method::POST, "/api/v1/auth/login", None)
        .json(&json!({"login": "CB-0001", "password": "hoa-dat-mat-khau"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Used once; and importing the same file again invites nobody again.
    let res = app
        .request(
            reqwest::Method::POST,
            "/api/v1/auth/invitation/accept",
            None,
        )
        .json(&json!({"token": token, "password": "lan-thu-hai-2026"}))
        .send()
        .await
        .unwrap();
    expect_error(res, 400, "invalid_link").await;
    import_members(&app, &officer, file).await;
    drained(&app).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 2);
}

async fn digests_and_reminders_once_per_period_and_unsubscribe(backend: Backend) {
    let sink = SmtpSink::start().await;
    let Some(mut app) = mail_app(backend, &sink).await else {
        return;
    };
    let w = app.world().await;
    committee(&app, &w, false).await;
    let member = app.login(who::MEMBER_A).await;
    let s = submit(&app, &member, &distinct_draft(&w, 0)).await;
    assert_eq!(s["_status"], 200, "{s}");
    let draft = json(
        app.post("/api/v1/initiatives", &member, &distinct_draft(&w, 1))
            .await,
    )
    .await;
    let draft_id = draft["id"].as_i64().unwrap();
    // The open phase now closes in three days.
    let program = w.program;
    app.db
        .write(move |conn| {
            use diesel::prelude::*;
            use sangkien::db::schema::phases;
            diesel::update(phases::table.filter(phases::program_id.eq(program)))
                .set(phases::closes_at.eq(sangkien::db::now() + chrono::TimeDelta::days(3)))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    // Digests go out from hour 0 on Monday: whatever the day of the test, they are due.
    let mut settings = app.settings.clone();
    settings.mail.schedule.digest_hour = 0;
    settings.mail.schedule.weekly_day = 1;
    let first = sangkien::service::mail::schedule::run_once(&app.db, &settings)
        .await
        .unwrap();
    assert_eq!(first.review_digests, 1, "{first:?}");
    assert_eq!(first.phase_reminders, 1, "{first:?}");
    assert_eq!(first.attainment_digests, 2, "both officers: {first:?}");
    let again = sangkien::service::mail::schedule::run_once(&app.db, &settings)
        .await
        .unwrap();
    assert_eq!(again, Default::default());
    app.restart().await;
    let after_restart = sangkien::service::mail::schedule::run_once(&app.db, &settings)
        .await
        .unwrap();
    assert_eq!(after_restart, Default::default());

    let digest = sink.wait_for(REVIEWER, "Tổng hợp ngày").await;
    assert!(
        digest.subject().contains("1 sáng kiến chờ xét"),
        "{}",
        digest.subject()
    );
    assert!(digest.text().contains(&format!("{PUBLIC}/xet-duyet/")));
    let unsubscribe = link_to(&digest, "/huy-nhan-thu?t=");
    assert_eq!(
        digest.header("List-Unsubscribe").unwrap(),
        format!("<{unsubscribe}>")
    );
    let reminder = sink.wait_for(who::MEMBER_A, "sắp kết thúc").await;
    assert!(
        reminder.subject().starts_with("Còn 3 ngày"),
        "{}",
        reminder.subject()
    );
    link_to(&reminder, &format!("/sang-kien/{draft_id}/sua"));
    assert!(reminder.header("List-Unsubscribe").is_none());
    let weekly = sink
        .wait_for(who::OFFICER_A, "Tình hình thực hiện chỉ tiêu")
        .await;
    assert!(
        weekly
            .text()
            .contains("LĐLĐ tỉnh Cao Bằng – Chương trình OPEN"),
        "{}",
        weekly.text()
    );
    let dashboard = link_to(&weekly, &format!("/don-vi/{}/thanh-tich?program=", w.cb));
    let officer_pages = sign_in(&app, who::OFFICER_A).await;
    let res = officer_pages
        .get(format!("{}{}", app.base, path_of(&dashboard)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    drained(&app).await;
    let all = sink.messages();
    assert_eq!(count(&all, REVIEWER, "Tổng hợp ngày"), 1);
    assert_eq!(count(&all, who::MEMBER_A, "sắp kết thúc"), 1);
    assert_eq!(count(&all, who::OFFICER_A, "Tình hình thực hiện"), 1);

    // Leaving the digests needs no sign-in: the page asks, the form (or a mail client's
    // one-click post) does it.
    let visitor = browser();
    let page = text(
        visitor
            .get(format!("{}{}", app.base, path_of(&unsubscribe)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("Chu Văn An"), "{page}");
    let token = unsubscribe.split("?t=").nth(1).unwrap();
    let res = visitor
        .post(format!("{}/huy-nhan-thu", app.base))
        .form(&[("t", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(text(res).await.contains("id=\"unsubscribed\""));
    let reviewer = app.login(REVIEWER).await;
    let prefs = json(app.get("/api/v1/me/mail-preferences", &reviewer).await).await;
    assert_eq!(prefs["digests"], false);
    let tomorrow = sangkien::db::now() + chrono::TimeDelta::days(1);
    assert_eq!(
        sangkien::service::mail::review_digests(&app.db, tomorrow, 0)
            .await
            .unwrap(),
        0,
        "no digest after unsubscribing"
    );
    let weekly_link = link_to(&weekly, "/huy-nhan-thu?t=");
    let res = browser()
        .post(format!("{}{}", app.base, path_of(&weekly_link)))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let officer = app.login(who::OFFICER_A).await;
    let prefs = json(app.get("/api/v1/me/mail-preferences", &officer).await).await;
    assert_eq!(prefs["digests"], false);
    let res = browser()
        .post(format!("{}/huy-nhan-thu?t=nope", app.base))
        .form(&[("x", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // Turned on again from the preferences page.
    let reviewer_pages = sign_in(&app, REVIEWER).await;
    let page = text(
        reviewer_pages
            .get(format!("{}/tai-khoan/thu", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(!page.contains(" checked"), "{page}");
    let res = reviewer_pages
        .post(format!("{}/tai-khoan/thu", app.base))
        .form(&[("csrf", csrf_of(&page).as_str()), ("digests", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(text(res).await.contains(" checked"));
    let res = app
        .put(
            "/api/v1/me/mail-preferences",
            &officer,
            &json!({"digests": true}),
        )
        .await;
    assert_eq!(json(res).await["digests"], true);
    let res = app
        .put(
            "/api/v1/me/mail-preferences",
            &officer,
            &json!({"digests": "yes"}),
        )
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(
        sangkien::service::mail::review_digests(&app.db, tomorrow, 0)
            .await
            .unwrap(),
        1
    );
}

async fn default_transport_writes_files(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.mail.poll_interval_ms = 50;
        s.mail.schedule.enabled = false;
    })
    .await
    else {
        return;
    };
    assert_eq!(app.settings.mail.transport, MailTransportKind::File);
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let s = submit(&app, &member, &distinct_draft(&w, 2)).await;
    assert_eq!(s["_status"], 200, "{s}");
    let all = drained(&app).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].status, outbox::SENT);
    let dir = app.settings.data.dir.join("mail");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let eml = std::fs::read_to_string(&files[0]).unwrap();
    let m = Received {
        from: String::new(),
        to: vec![who::MEMBER_A.to_owned()],
        data: eml,
    };
    assert!(
        m.subject().starts_with("Đã nhận sáng kiến"),
        "{}",
        m.subject()
    );
}
