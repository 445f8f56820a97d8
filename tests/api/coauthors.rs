//! Co-authorship is an invitation the co-author accepts (issue 22, item 4): ids put into
//! `coauthors` harvest no names; a co-author is looked up by exact member code or email; an
//! invited co-author gets one invitation email and nothing else, counts for nothing and reads
//! nothing until they accept; the submission waits for the acceptances.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    Backend, TestApp, complete_draft, create_draft, distinct_draft, expect_error, json, submit, who,
};
use crate::pages::{csrf_of, sign_in, text};
use crate::smtp::{Received, SmtpSink};

crate::on_both_backends!(
    patching_arbitrary_ids_harvests_no_names,
    an_invited_coauthor_gets_one_email_and_no_receipt_until_accepting,
    submission_waits_for_acceptances_and_declines_are_seen,
    the_invitee_answers_on_their_page,
);

const PUBLIC: &str = "https://sangkien.test";

async fn mail_app(backend: Backend, sink: &SmtpSink) -> Option<TestApp> {
    let port = sink.port;
    TestApp::spawn_with(backend, |s| {
        s.server.public_url = PUBLIC.to_owned();
        s.mail.transport = sangkien::config::MailTransportKind::Smtp;
        s.mail.smtp.host = "127.0.0.1".to_owned();
        s.mail.smtp.port = port;
        s.mail.smtp.security = sangkien::config::SmtpSecurity::None;
        s.mail.smtp.timeout_seconds = 5;
        s.mail.poll_interval_ms = 50;
        s.mail.schedule.enabled = false;
    })
    .await
}

fn count(all: &[Received], to: &str, subject: &str) -> usize {
    all.iter()
        .filter(|m| m.is_to(to) && m.subject().contains(subject))
        .count()
}

/// A user id that nobody has.
const NOBODY: i64 = 987_654;

/// PATCHing user ids into `coauthors`: the ids of people the author may not name (another
/// province, an officer, nobody) are refused with one and the same 400 that names no one;
/// a colleague of the same grassroots union is only invited, and their name is not shown.
async fn patching_arbitrary_ids_harvests_no_names(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let officer_b = json(
        app.get("/api/v1/me", &app.login(who::OFFICER_B).await)
            .await,
    )
    .await;
    let officer_b_id = officer_b["id"].as_i64().unwrap();
    let officer_b_name = officer_b["full_name"].as_str().unwrap().to_owned();
    let id = create_draft(
        &app,
        &member,
        &complete_draft(&w, "Sổ tay điện tử cho kho hàng"),
    )
    .await;
    let mut version = 1;
    let mut answers = Vec::new();
    for target in [w.member_b, officer_b_id, NOBODY] {
        let res = app
            .patch(
                &format!("/api/v1/initiatives/{id}"),
                &member,
                &json!({"version": version, "coauthors": [{"user_id": target, "share_percent": 30}]}),
            )
            .await;
        let status = res.status();
        let body = res.text().await.unwrap();
        assert!(!body.contains("Vi Thị Lạng"), "a name leaked: {body}");
        assert!(!body.contains(&officer_b_name), "a name leaked: {body}");
        assert_eq!(status, StatusCode::BAD_REQUEST, "{target}: {body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        // The same answer whether the person exists or not.
        answers.push((
            v["error"]["code"].clone(),
            v["error"]["details"]["fields"].clone(),
        ));
        if status.is_success() {
            version += 1;
        }
    }
    assert!(
        answers.windows(2).all(|p| p[0] == p[1]),
        "the answers differ: {answers:?}"
    );
    // A colleague of the same grassroots union may be named by id: invited, not yet shown.
    let res = app
        .patch(
            &format!("/api/v1/initiatives/{id}"),
            &member,
            &json!({"version": version, "coauthors": [{"user_id": w.coauthor_a, "share_percent": 30}]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(
        !body.contains("Đàm Văn Hợp"),
        "named before accepting: {body}"
    );
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["authors"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["coauthor_invitations"][0]["status"], "pending", "{v}");
    // The draft, as read again, names nobody else either.
    let read = app
        .get(&format!("/api/v1/initiatives/{id}"), &member)
        .await
        .text()
        .await
        .unwrap();
    for name in ["Vi Thị Lạng", officer_b_name.as_str(), "Đàm Văn Hợp"] {
        assert!(!read.contains(name), "{name} in {read}");
    }
}

/// The co-author gets the invitation once and no receipt while it is pending; after
/// accepting they read the initiative, count in its shares and get the receipt.
async fn an_invited_coauthor_gets_one_email_and_no_receipt_until_accepting(backend: Backend) {
    let sink = SmtpSink::start().await;
    let Some(app) = mail_app(backend, &sink).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let coauthor = app.login(who::COAUTHOR_A).await;
    let mut body = complete_draft(&w, "Phiếu kiểm kê kho bằng mã QR");
    body["author_share_percent"] = json!(70);
    // Named by id, as the API has always allowed for a colleague of the same union.
    body["coauthors"] = json!([{"user_id": w.coauthor_a, "share_percent": 30}]);
    let id = create_draft(&app, &member, &body).await;
    let early = app
        .post(
            &format!("/api/v1/initiatives/{id}/submit"),
            &member,
            &json!({}),
        )
        .await;
    let early_status = early.status();
    let early = json(early).await;
    // Another initiative of the author's, without co-authors: once its receipt has arrived,
    // anything the first one sent has arrived too.
    let other = submit(&app, &member, &distinct_draft(&w, 2)).await;
    assert_eq!(other["_status"], 200, "{other}");
    sink.wait_for(who::MEMBER_A, "Gá kẹp nhanh").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        count(&sink.messages(), who::COAUTHOR_A, "Đã nhận sáng kiến"),
        0,
        "a receipt reached the co-author before accepting"
    );
    assert_eq!(early_status, 409, "{early}");
    assert_eq!(early["error"]["code"], "coauthors_pending", "{early}");
    assert!(
        early["error"]["message"]
            .as_str()
            .unwrap()
            .contains("đồng tác giả"),
        "{early}"
    );

    // One invitation, which does not carry the title the author wrote.
    let invitation = sink.wait_for(who::COAUTHOR_A, "Lời mời đồng tác giả").await;
    assert!(!invitation.subject().contains("kiểm kê"));
    assert!(
        !invitation.text().contains("kiểm kê"),
        "{}",
        invitation.text()
    );
    assert!(invitation.text().contains("Xác nhận đồng tác giả"));
    // Saving the draft again (the same co-author) does not invite again.
    let res = app
        .patch(
            &format!("/api/v1/initiatives/{id}"),
            &member,
            &json!({"version": 1, "coauthors": [{"login": "COAUTHOR-A", "share_percent": 30}]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    // Until accepting, the co-author reads nothing of the draft and has no initiatives.
    assert_eq!(
        app.get(&format!("/api/v1/initiatives/{id}"), &coauthor)
            .await
            .status(),
        404
    );
    let mine = json(
        app.get(
            &format!("/api/v1/initiatives?author_id={}", w.coauthor_a),
            &coauthor,
        )
        .await,
    )
    .await;
    assert_eq!(mine["total"], 0, "{mine}");
    let list = json(app.get("/api/v1/me/coauthor-invitations", &coauthor).await).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["initiative_id"], id);
    assert_eq!(list[0]["share_percent"], 30);

    // Accepting: the co-author reads it, is named, and the submission goes through.
    let res = app
        .post(
            &format!("/api/v1/me/coauthor-invitations/{id}/accept"),
            &coauthor,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let view = json(
        app.get(&format!("/api/v1/initiatives/{id}"), &coauthor)
            .await,
    )
    .await;
    assert_eq!(view["authors"][1]["full_name"], "Đàm Văn Hợp", "{view}");
    assert_eq!(view["authors"][1]["share_percent"], 30);
    let res = app
        .post(
            &format!("/api/v1/initiatives/{id}/submit"),
            &member,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let receipt = sink.wait_for(who::COAUTHOR_A, "Đã nhận sáng kiến").await;
    assert!(receipt.subject().contains("kiểm kê"));
    let mine = json(
        app.get(
            &format!("/api/v1/initiatives?author_id={}", w.coauthor_a),
            &coauthor,
        )
        .await,
    )
    .await;
    assert_eq!(mine["total"], 1, "{mine}");
    assert_eq!(
        count(&sink.messages(), who::COAUTHOR_A, "Lời mời đồng tác giả"),
        1,
        "the invitation is sent once"
    );
}

/// Pending invitations hold the submission; a decline is seen by the author, who removes or
/// re-invites; removing withdraws; lookups answer exact codes and emails only; every step
/// is in the initiative's history.
async fn submission_waits_for_acceptances_and_declines_are_seen(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let coauthor = app.login(who::COAUTHOR_A).await;
    let member_b = app.login(who::MEMBER_B).await;
    let mut body = complete_draft(&w, "Bảng theo dõi hạn bảo dưỡng thiết bị");
    body["author_share_percent"] = json!(60);
    // Another province's member, named by the exact email: invited (not a list, no name).
    body["coauthors"] = json!([
        {"login": who::COAUTHOR_A, "share_percent": 20},
        {"login": who::MEMBER_B.to_uppercase(), "share_percent": 20},
    ]);
    let draft = json(app.post("/api/v1/initiatives", &member, &body).await).await;
    let id = draft["id"].as_i64().unwrap();
    assert!(!draft.to_string().contains("Vi Thị Lạng"), "{draft}");
    let invited: Vec<&str> = draft["coauthor_invitations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["invited_as"].as_str().unwrap())
        .collect();
    assert_eq!(invited, vec![who::COAUTHOR_A, "MEMBER.B@TEST.VN"]);
    // Prefixes and unknown logins find nobody.
    for login in ["COAUTHOR", "coauthor.a@", "khong-co-ai@test.vn"] {
        let err = expect_error(
            app.patch(
                &format!("/api/v1/initiatives/{id}"),
                &member,
                &json!({"version": 1, "coauthors": [{"login": login, "share_percent": 20}]}),
            )
            .await,
            400,
            "validation_failed",
        )
        .await;
        assert!(
            err["error"]["details"]["fields"]["coauthors.0"].is_string(),
            "{err}"
        );
    }
    let err = expect_error(
        app.post(
            &format!("/api/v1/initiatives/{id}/submit"),
            &member,
            &json!({}),
        )
        .await,
        409,
        "coauthors_pending",
    )
    .await;
    assert_eq!(err["error"]["details"]["pending"], 2, "{err}");
    // The co-author accepts; the other declines.
    for (token, verb, status) in [(&coauthor, "accept", 200), (&member_b, "decline", 204)] {
        let res = app
            .post(
                &format!("/api/v1/me/coauthor-invitations/{id}/{verb}"),
                token,
                &json!({}),
            )
            .await;
        assert_eq!(res.status(), status);
    }
    // Nobody answers twice, nor for someone else.
    let res = app
        .post(
            &format!("/api/v1/me/coauthor-invitations/{id}/accept"),
            &member_b,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 404);
    let view = json(app.get(&format!("/api/v1/initiatives/{id}"), &member).await).await;
    assert_eq!(view["authors"][1]["full_name"], "Đàm Văn Hợp");
    assert_eq!(
        view["coauthor_invitations"][0]["status"], "declined",
        "{view}"
    );
    assert_eq!(
        view["coauthor_invitations"][0]["invited_as"],
        "MEMBER.B@TEST.VN"
    );
    assert!(!view.to_string().contains("Vi Thị Lạng"));
    // The declined invitation is part of the invitee's personal data.
    let mine = json(app.get("/api/v1/me/personal-data", &member_b).await).await;
    let invitations = mine["coauthor_invitations"].as_array().unwrap();
    assert_eq!(invitations.len(), 1, "{mine}");
    assert_eq!(invitations[0]["initiative_id"], id);
    assert_eq!(invitations[0]["status"], "declined");
    assert_eq!(
        app.get(&format!("/api/v1/initiatives/{id}"), &member_b)
            .await
            .status(),
        404
    );
    // Shares are counted on the accepted co-author and the author: 80%.
    let err = expect_error(
        app.post(
            &format!("/api/v1/initiatives/{id}/submit"),
            &member,
            &json!({}),
        )
        .await,
        422,
        "incomplete_initiative",
    )
    .await;
    assert!(
        err["error"]["details"]["fields"]["coauthors"]
            .as_str()
            .unwrap()
            .contains("80%"),
        "{err}"
    );
    // Re-invited: pending again, in their list again.
    let v = view["version"].as_i64().unwrap();
    let res = app
        .patch(
            &format!("/api/v1/initiatives/{id}"),
            &member,
            &json!({"version": v, "coauthors": [
                {"user_id": w.coauthor_a, "share_percent": 20},
                {"login": "MEMBER.B@TEST.VN", "share_percent": 20, "reinvite": true},
            ]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let view = json(res).await;
    assert_eq!(
        view["coauthor_invitations"][0]["status"], "pending",
        "{view}"
    );
    let list = json(app.get("/api/v1/me/coauthor-invitations", &member_b).await).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    // Removing withdraws the invitation.
    let v = view["version"].as_i64().unwrap();
    let res = app
        .patch(
            &format!("/api/v1/initiatives/{id}"),
            &member,
            &json!({"version": v, "author_share_percent": 80,
                    "coauthors": [{"user_id": w.coauthor_a, "share_percent": 20}]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let view = json(res).await;
    assert_eq!(view["coauthor_invitations"], json!([]), "{view}");
    let list = json(app.get("/api/v1/me/coauthor-invitations", &member_b).await).await;
    assert_eq!(list, json!([]));
    // Now it goes through, and the history says who did what.
    let res = app
        .post(
            &format!("/api/v1/initiatives/{id}/submit"),
            &member,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let history = json(
        app.get(&format!("/api/v1/initiatives/{id}/history"), &member)
            .await,
    )
    .await;
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    for a in [
        "coauthor_invited",
        "coauthor_accepted",
        "coauthor_declined",
        "coauthor_withdrawn",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    assert!(!history.to_string().contains("MEMBER.B@TEST.VN"));
}

/// The pages: the invitee finds the invitation from their home and confirms it there; the
/// author's form shows what they typed and "Chờ xác nhận" until then, the name after.
async fn the_invitee_answers_on_their_page(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let mut body = complete_draft(&w, "Nhật ký ca trực bằng mã QR");
    body["author_share_percent"] = json!(70);
    body["coauthors"] = json!([{"login": who::COAUTHOR_A, "share_percent": 30}]);
    let id = create_draft(&app, &member, &body).await;

    let author = sign_in(&app, who::MEMBER_A).await;
    let form = text(
        author
            .get(format!("{}/sang-kien/{id}/sua", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(form.contains("Chờ xác nhận"), "{form}");
    assert!(form.contains(&format!("value=\"{}\"", who::COAUTHOR_A)));
    assert!(!form.contains("Đàm Văn Hợp"), "named before accepting");

    let invitee = sign_in(&app, who::COAUTHOR_A).await;
    let home = text(invitee.get(format!("{}/", app.base)).send().await.unwrap()).await;
    assert!(home.contains("href=\"/loi-moi-dong-tac-gia\""), "{home}");
    let page = text(
        invitee
            .get(format!("{}/loi-moi-dong-tac-gia", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    for needle in [
        "Nhật ký ca trực bằng mã QR",
        "Xác nhận đồng tác giả",
        "Từ chối",
        "Lục Thị Đoàn",
    ] {
        assert!(page.contains(needle), "{needle} missing: {page}");
    }
    let csrf = csrf_of(&page);
    let res = invitee
        .post(format!("{}/loi-moi-dong-tac-gia/{id}/xac-nhan", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        format!("/sang-kien/{id}").as_str()
    );
    let shown = text(
        invitee
            .get(format!("{}/sang-kien/{id}", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(shown.contains("Đàm Văn Hợp (30%)"), "{shown}");
    let form = text(
        author
            .get(format!("{}/sang-kien/{id}/sua", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(form.contains("Đàm Văn Hợp"), "{form}");
    // Answered: nothing left to answer.
    let res = invitee
        .post(format!("{}/loi-moi-dong-tac-gia/{id}/tu-choi", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
