//! Several instances on one PostgreSQL database, each with its own data folder and its own
//! search index fed from the outbox: a submission through one instance is a duplicate
//! candidate through another within 2 s, and the background senders of all of them deliver
//! every email exactly once.
//!
//! PostgreSQL only. Scaling out means several processes on one database, and SQLite is one
//! process's file: `Db::write` serialises writers inside a process, but two processes would
//! each start deferred transactions that meet `SQLITE_BUSY` (or `SQLITE_BUSY_SNAPSHOT` in WAL)
//! when a reader upgrades to writing after the other committed, which `busy_timeout` does not
//! retry: submissions would fail with 5xx under concurrent writes. Running SQLite with more
//! than one instance is not supported, so it is not tested.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use sangkien::config::{MailTransportKind, SmtpSecurity};
use sangkien::db::mail as mail_outbox;
use serde_json::{Value, json};

use crate::duplicates::body_of;
use crate::helpers::{Backend, TestApp, distinct_draft, json, submit, who};
use crate::smtp::SmtpSink;

/// The answer of the live check through `app`, and whether `id` is in it as a duplicate.
async fn seen_as_duplicate(app: &TestApp, token: &str, query: &Value, id: i64) -> bool {
    app.similar_matches(token, query)
        .await
        .iter()
        .any(|m| m["initiative_id"] == id && m["verdict"] == "duplicate")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_through_one_instance_is_a_candidate_through_another() {
    let Some(a) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let b = a.spawn_sibling().await;
    let w = a.world().await;
    let apps = [&a, &b];
    let member_a = a.login(who::MEMBER_A).await;
    let member_b = b.login(who::MEMBER_B).await;

    let mut times = Vec::new();
    let mut last = None;
    for n in 0..6 {
        // Submitted through one instance, checked through the other, in turn.
        let (through, checker) = (apps[n % 2], apps[(n + 1) % 2]);
        let submitted = submit(through, &member_a, &distinct_draft(&w, n)).await;
        assert_eq!(submitted["_status"], 200, "{submitted}");
        let answered = Instant::now();
        let id = submitted["_id"].as_i64().unwrap();
        let query = body_of(&submitted);
        while !seen_as_duplicate(checker, &member_b, &query, id).await {
            assert!(
                answered.elapsed() < Duration::from_secs(2),
                "not a candidate through the other instance after {:?}",
                answered.elapsed()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let took = answered.elapsed();
        assert!(took < Duration::from_secs(2), "visible only after {took:?}");
        times.push(took);
        last = Some((id, query));
    }
    times.sort();
    eprintln!(
        "scale-out: a submission is a duplicate candidate through the other instance after \
         min {:?}, median {:?}, max {:?} ({} submissions)",
        times[0],
        times[times.len() / 2],
        times[times.len() - 1],
        times.len()
    );

    // A copy submitted through the other instance records the original as its candidate,
    // and every instance shows the record.
    let (original, query) = last.unwrap();
    let mut copy = query.clone();
    copy["program_id"] = json!(w.program);
    copy["field_id"] = json!(w.field);
    copy["first_applied_on"] = json!("2026-01-05");
    copy["estimated_benefit_vnd"] = json!(1000000);
    let copied = submit(&a, &member_b, &copy).await;
    assert_eq!(copied["_status"], 200, "{copied}");
    let copy_id = copied["_id"].as_i64().unwrap();
    let admin = b.login(who::ADMIN).await;
    for app in apps {
        let res = app
            .get(&format!("/api/v1/initiatives/{copy_id}/duplicates"), &admin)
            .await;
        assert_eq!(res.status(), 200);
        let candidates = json(res).await;
        assert!(
            candidates
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["initiative_id"] == original && c["verdict"] == "duplicate"),
            "{candidates}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_senders_of_every_instance_deliver_each_email_once() {
    let sink = SmtpSink::start().await;
    let port = sink.port;
    let Some(a) = TestApp::spawn_with(Backend::Postgres, |s| {
        s.server.public_url = "https://sangkien.test".to_owned();
        s.mail.transport = MailTransportKind::Smtp;
        s.mail.smtp.host = "127.0.0.1".to_owned();
        s.mail.smtp.port = port;
        s.mail.smtp.security = SmtpSecurity::None;
        s.mail.smtp.timeout_seconds = 5;
        // Three senders polling often with small batches: they claim at the same moments.
        s.mail.poll_interval_ms = 20;
        s.mail.batch_size = 3;
        s.mail.retry_base_ms = 100;
        s.mail.retry_max_ms = 400;
        s.mail.max_attempts = 1000;
        s.mail.schedule.enabled = false;
    })
    .await
    else {
        return;
    };
    let b = a.spawn_sibling().await;
    let c = a.spawn_sibling().await;
    let apps = [&a, &b, &c];
    let w = a.world().await;

    // Notices written at once (as a bulk publication of decisions would).
    let member = w.member_a;
    a.queue_notices(member, 60).await;

    // Submissions through every instance at once, each writing a receipt to its author.
    let authors = [who::MEMBER_A, who::COAUTHOR_A, who::MEMBER_B];
    let mut tokens = Vec::new();
    for (i, login) in authors.iter().enumerate() {
        tokens.push(apps[i % 3].login(login).await);
    }
    let submissions = (0..authors.len() * 6).map(|k| {
        let (author, subject) = (k / 6, k % 6);
        let app = apps[k % 3];
        let token = tokens[author].clone();
        let body = distinct_draft(&w, subject);
        async move { submit(app, &token, &body).await }
    });
    for s in join_all(submissions).await {
        assert_eq!(s["_status"], 200, "{s}");
    }

    // Every email is sent once: one attempt each, and one message per email at the sink.
    let started = Instant::now();
    let rows = loop {
        let rows =
            a.db.read(|conn| Ok(mail_outbox::list(conn, None, 1000, 0)?))
                .await
                .unwrap();
        if rows.iter().all(|r| r.status == mail_outbox::SENT) {
            break rows;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "not all sent: {:?}",
            rows.iter()
                .map(|r| (r.id, r.status.clone()))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let drained = started.elapsed();
    // Anything sent twice would arrive meanwhile.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(rows.len() >= 60 + 18, "{} emails", rows.len());
    assert!(
        rows.iter().all(|r| r.attempts == 1),
        "claimed more than once: {:?}",
        rows.iter()
            .filter(|r| r.attempts != 1)
            .map(|r| (r.id, r.attempts))
            .collect::<Vec<_>>()
    );
    let mut delivered: BTreeMap<i64, usize> = BTreeMap::new();
    for m in sink.messages() {
        let id = m
            .header("Message-ID")
            .and_then(|v| {
                v.trim()
                    .strip_prefix("<mail-")?
                    .split('.')
                    .next()?
                    .parse::<i64>()
                    .ok()
            })
            .unwrap_or_else(|| panic!("no Message-ID of ours: {:?}", m.header("Message-ID")));
        *delivered.entry(id).or_default() += 1;
    }
    let twice: Vec<_> = delivered.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    let mut expected: Vec<i64> = rows.iter().map(|r| r.id).collect();
    expected.sort_unstable();
    let got: Vec<i64> = delivered.keys().copied().collect();
    assert_eq!(got, expected, "every email delivered");
    for (i, login) in authors.iter().enumerate() {
        let receipts = rows
            .iter()
            .filter(|r| r.recipient == *login && r.kind == "received")
            .count();
        assert_eq!(receipts, 6, "receipts of author {i}");
    }
    eprintln!(
        "scale-out: 3 senders delivered {} emails once each in {drained:?}",
        rows.len()
    );
}
