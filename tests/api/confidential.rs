//! Confidential initiatives: their content (and their title until they are published) never
//! reaches those who may not read them, through search, the gallery, the live similarity
//! check, recorded duplicate candidates, exports or email.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::authz::approve;
use crate::helpers::{Backend, TestApp, World, complete_draft, distinct_draft, json, submit, who};
use crate::pages::{sign_in, text};

crate::on_both_backends!(
    search_and_gallery_show_only_the_published_title,
    similarity_and_duplicates_hide_what_the_caller_may_not_read,
    exports_and_email_carry_no_confidential_content,
    a_duplicate_decision_names_no_confidential_initiative,
);

/// Words only in the published confidential initiative's content.
const PUBLISHED_SECRET: &str = "cordierit";
/// The published confidential initiative's title (public).
const PUBLISHED_TITLE: &str = "Men gốm chịu nhiệt zirconia cho lò nung";
/// The submitted (not yet published) confidential initiative's title and content words.
const PENDING_TITLE: &str = "Tuyển quặng monazit bằng tuyển nổi";
const PENDING_SECRET: &str = "xenotim";

fn secret_draft(w: &World, title: &str, word: &str) -> Value {
    let mut d = complete_draft(w, title);
    d["confidential"] = json!(true);
    d["current_situation"] = json!(format!(
        "Lò nung men gốm hay nứt vì phối liệu {word} không đồng đều giữa các mẻ nung."
    ));
    d["solution"] = json!(format!(
        "Nghiền mịn {word} tới cỡ hạt 5 micromet, trộn ướt với cao lanh theo tỷ lệ bí mật rồi ép viên."
    ));
    d["scope"] = json!(format!("Phân xưởng nung số 3, dây chuyền {word}."));
    d["benefits"] = json!(format!(
        "Giảm hao hụt {word} còn 2%, làm lợi 300 triệu đồng mỗi năm."
    ));
    d
}

/// Both confidential initiatives of `member.b` (Lạng Sơn): one published, one submitted.
async fn secrets(app: &TestApp, w: &World) -> (i64, i64) {
    let member_b = app.login(who::MEMBER_B).await;
    let p = submit(
        app,
        &member_b,
        &secret_draft(w, PUBLISHED_TITLE, PUBLISHED_SECRET),
    )
    .await;
    assert_eq!(p["_status"], 200, "{p}");
    let published = p["_id"].as_i64().unwrap();
    approve(app, published).await;
    let mut pending = secret_draft(w, PENDING_TITLE, PENDING_SECRET);
    pending["current_situation"] = json!(format!(
        "Quặng sa khoáng lẫn {PENDING_SECRET} và ilmenit, tuyển trọng lực bỏ sót nhiều hạt mịn."
    ));
    pending["solution"] = json!(format!(
        "Dùng thuốc tuyển axit béo tách {PENDING_SECRET} ở pH 9, nhiệt độ bùn 60 độ, ba ngăn tuyển nổi."
    ));
    let s = submit(app, &member_b, &pending).await;
    assert_eq!(s["_status"], 200, "{s}");
    (published, s["_id"].as_i64().unwrap())
}

fn assert_clean(what: &str, body: &str, words: &[&str]) {
    let lower = body.to_lowercase();
    for w in words {
        assert!(
            !lower.contains(&w.to_lowercase()),
            "{what} leaks “{w}”:\n{body}"
        );
    }
}

/// Waits until the public search finds `id` for `q` (the index trails the database).
async fn wait_indexed(app: &TestApp, q: &str, id: i64) {
    let started = Instant::now();
    loop {
        let res = app
            .request(Method::GET, &format!("/api/v1/search?q={q}"), None)
            .send()
            .await
            .unwrap();
        let body = json(res).await;
        if body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["initiative_id"] == id)
        {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not indexed: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn search_and_gallery_show_only_the_published_title(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let (published, _) = secrets(&app, &w).await;
    // Found by its (public) title, without an extract of its content.
    wait_indexed(&app, "zirconia", published).await;
    let res = app
        .request(Method::GET, "/api/v1/search?q=zirconia", None)
        .send()
        .await
        .unwrap();
    let body = json(res).await;
    let hit = &body["items"][0];
    assert_eq!(hit["initiative_id"], published, "{body}");
    assert_eq!(hit["title"], PUBLISHED_TITLE);
    assert_eq!(hit["snippet_html"], "");
    assert_clean("search by title", &body.to_string(), &[PUBLISHED_SECRET]);
    // Never found by a word of its content: that would tell what the content says.
    let member_a = app.login(who::MEMBER_A).await;
    for token in [None, Some(member_a.as_str())] {
        let res = app
            .request(
                Method::GET,
                &format!("/api/v1/search?q={PUBLISHED_SECRET}"),
                token,
            )
            .send()
            .await
            .unwrap();
        let body = json(res).await;
        assert_eq!(body["total"], 0, "{body}");
        assert_clean("search by content", &body.to_string(), &["zirconia"]);
    }
    // The submitted one is not published at all.
    let res = app
        .request(Method::GET, "/api/v1/search?q=monazit", None)
        .send()
        .await
        .unwrap();
    assert_eq!(json(res).await["total"], 0);

    // The gallery, anonymous and signed in.
    let anonymous = crate::pages::browser();
    let signed_in = sign_in(&app, who::MEMBER_A).await;
    for c in [&anonymous, &signed_in] {
        for (url, words) in [
            // (The page repeats what was searched for: look for the title, not the query.)
            (format!("/thu-vien?q={PUBLISHED_SECRET}"), vec!["zirconia"]),
            ("/thu-vien?q=zirconia".to_owned(), vec![PUBLISHED_SECRET]),
            ("/thu-vien".to_owned(), vec![PUBLISHED_SECRET]),
            (format!("/thu-vien/{published}"), vec![PUBLISHED_SECRET]),
            (
                "/thu-vien?q=monazit".to_owned(),
                vec![PENDING_SECRET, "Tuyển quặng"],
            ),
        ] {
            let res = c.get(format!("{}{url}", app.base)).send().await.unwrap();
            assert_eq!(res.status(), 200, "{url}");
            let page = text(res).await;
            assert_clean(&url, &page, &words);
        }
    }
    let page = text(
        anonymous
            .get(format!("{}/thu-vien?q=zirconia", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("zirconia"), "the title is public: {page}");
}

async fn similarity_and_duplicates_hide_what_the_caller_may_not_read(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let (published, pending) = secrets(&app, &w).await;
    wait_indexed(&app, "zirconia", published).await;
    // A member in Cao Bằng drafts something close to both.
    let member_a = app.login(who::MEMBER_A).await;
    let mut draft = secret_draft(&w, "Tuyển quặng monazit và men zirconia", PENDING_SECRET);
    draft["confidential"] = json!(false);
    let check = json!({
        "title": draft["title"], "current_situation": draft["current_situation"],
        "solution": draft["solution"], "scope": draft["scope"], "benefits": draft["benefits"],
    });
    // Its author sees it in full (once it is indexed).
    let member_b = app.login(who::MEMBER_B).await;
    let started = Instant::now();
    loop {
        let own = json(
            app.post("/api/v1/initiatives/similar", &member_b, &check)
                .await,
        )
        .await;
        if let Some(m) = own["matches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["initiative_id"] == pending)
        {
            assert_eq!(m["title"], PENDING_TITLE);
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{own}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Found by the probe: another member's check of a guessed text answered score 1.0 with
    // the confidential initiative's union and status, confirming the guess. Now it says only
    // that an earlier confidential initiative is similar: no number, title, union, status or
    // score, whether it is published or not.
    let body = json(
        app.post("/api/v1/initiatives/similar", &member_a, &check)
            .await,
    )
    .await;
    assert_eq!(body["confidential_similar"], true, "{body}");
    for m in body["matches"].as_array().unwrap() {
        assert_ne!(m["initiative_id"], pending, "{m}");
        assert_ne!(m["initiative_id"], published, "{m}");
    }
    assert_clean(
        "similar",
        &body.to_string(),
        &["monazit", "zirconia", "Lạng Sơn", PENDING_SECRET],
    );
    // Following the panel's link: a glimpse, without the title.
    let c = sign_in(&app, who::MEMBER_A).await;
    let res = c
        .get(format!("{}/sang-kien/{pending}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page = text(res).await;
    assert!(page.contains("(Sáng kiến bảo mật)"), "{page}");
    assert_clean("glimpse", &page, &["monazit", PENDING_SECRET]);

    // Filed anyway: recorded as a duplicate candidate; Cao Bằng's reviewer sees that there is
    // one, not what it is called.
    let mut copy = secret_draft(&w, PENDING_TITLE, PENDING_SECRET);
    copy["confidential"] = json!(false);
    copy["current_situation"] = json!(format!(
        "Quặng sa khoáng lẫn {PENDING_SECRET} và ilmenit, tuyển trọng lực bỏ sót nhiều hạt mịn."
    ));
    copy["solution"] = json!(format!(
        "Dùng thuốc tuyển axit béo tách {PENDING_SECRET} ở pH 9, nhiệt độ bùn 60 độ, ba ngăn tuyển nổi."
    ));
    copy["title"] = json!("Tuyển nổi quặng sa khoáng");
    let filed = submit(&app, &member_a, &copy).await;
    assert_eq!(filed["_status"], 200, "{filed}");
    let copy_id = filed["_id"].as_i64().unwrap();
    let admin = app.login(who::ADMIN).await;
    let all = json(
        app.get(&format!("/api/v1/initiatives/{copy_id}/duplicates"), &admin)
            .await,
    )
    .await;
    let listed = all
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["initiative_id"] == pending)
        .unwrap_or_else(|| panic!("recorded: {all}"));
    assert_eq!(listed["title"], PENDING_TITLE, "an administrator reads it");
    let reviewer = app.login(who::REVIEWER_A).await;
    let res = app
        .get(
            &format!("/api/v1/initiatives/{copy_id}/duplicates"),
            &reviewer,
        )
        .await;
    assert_eq!(res.status(), 200);
    let seen = json(res).await;
    let listed = seen
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["initiative_id"] == pending)
        .unwrap_or_else(|| panic!("listed: {seen}"));
    assert_eq!(listed["title"], "(Sáng kiến bảo mật)");
    assert_clean(
        "duplicates",
        &seen.to_string(),
        &["monazit", PENDING_SECRET],
    );
    // The review page's comparison withholds the other side as well.
    let c = sign_in(&app, who::REVIEWER_A).await;
    let res = c
        .get(format!(
            "{}/xet-duyet/{copy_id}/so-sanh/{pending}",
            app.base
        ))
        .send()
        .await
        .unwrap();
    let page = text(res).await;
    assert_clean("comparison", &page, &["monazit", "thuốc tuyển axit béo"]);
}

async fn exports_and_email_carry_no_confidential_content(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    // A committee over the whole tree, so that reviews are assigned and digests are due.
    let padmin = app.login(who::PADMIN).await;
    let stages = json(
        app.get(&format!("/api/v1/programs/{}/stages", w.program), &padmin)
            .await,
    )
    .await;
    let stage = stages[0]["id"].as_i64().unwrap();
    let reviewer_id = app.person("uy.vien@test.vn", "Chu Văn An", w.cb).await;
    let c = json(
        app.post(
            &format!("/api/v1/programs/{}/committees", w.program),
            &padmin,
            &json!({"stage_id": stage, "union_id": w.root}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let res = app
        .put(
            &format!("/api/v1/committees/{c}/members/{reviewer_id}"),
            &padmin,
            &json!({"chair": true}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let (published, pending) = secrets(&app, &w).await;
    // Something public too, so that the lists are not empty for Cao Bằng.
    let member_a = app.login(who::MEMBER_A).await;
    assert_eq!(
        submit(&app, &member_a, &distinct_draft(&w, 0)).await["_status"],
        200
    );
    let _ = (published, pending);
    // Content words: in no export, for anyone. Titles: for those who oversee the union.
    let words = [PUBLISHED_SECRET, PENDING_SECRET];

    // Exports list titles, never content; another province's officer gets nothing of it.
    let officer_a = app.login(who::OFFICER_A).await;
    let officer_b = app.login(who::OFFICER_B).await;
    for (token, union, also) in [
        (&officer_b, w.ls, vec![]),
        (&padmin, w.root, vec![]),
        (&officer_a, w.cb, vec!["monazit", "zirconia"]),
    ] {
        for format in ["csv", "xlsx"] {
            for url in [
                format!(
                    "/api/v1/unions/{union}/initiatives/export?program_id={}&format={format}",
                    w.program
                ),
                format!(
                    "/api/v1/unions/{union}/dashboard/export?program_id={}&format={format}",
                    w.program
                ),
            ] {
                let res = app.get(&url, token).await;
                assert_eq!(res.status(), 200, "{url}");
                let bytes = res.bytes().await.unwrap();
                let content = if format == "csv" {
                    String::from_utf8_lossy(&bytes).into_owned()
                } else {
                    xlsx_text(&bytes)
                };
                let mut all = words.to_vec();
                all.extend(also.iter().copied());
                assert_clean(&url, &content, &all);
            }
        }
    }
    // Out of scope: refused, not an empty file.
    let res = app
        .get(
            &format!(
                "/api/v1/unions/{}/initiatives/export?program_id={}&format=csv",
                w.ls, w.program
            ),
            &officer_a,
        )
        .await;
    assert!(
        [403, 404].contains(&res.status().as_u16()),
        "{}",
        res.status()
    );

    // Email: run every scheduled message, then read the outbox.
    let mut settings = app.settings.clone();
    settings.mail.schedule.digest_hour = 0;
    settings.mail.schedule.weekly_day = 1;
    sangkien::service::mail::schedule::run_once(&app.db, &settings)
        .await
        .unwrap();
    let rows = app
        .db
        .read(|conn| Ok(sangkien::db::mail::list(conn, None, 1000, 0)?))
        .await
        .unwrap();
    assert!(
        rows.iter().any(|r| r.recipient == who::OFFICER_A),
        "the officers' digests were written: {rows:#?}"
    );
    for r in &rows {
        // The author and the committee's reviewer may read it; nobody else gets any of it.
        if r.recipient == who::MEMBER_B || r.recipient == "uy.vien@test.vn" {
            continue;
        }
        let all = format!("{}\n{}", r.subject, r.payload);
        assert_clean(
            &format!("mail {} to {}", r.kind, r.recipient),
            &all,
            &[PUBLISHED_SECRET, PENDING_SECRET, "monazit"],
        );
    }
}

/// Found by probing: an initiative marked a duplicate of someone else's confidential one
/// told its author the confidential title and number, in the decision email and in
/// `GET /initiatives/{id}/history`. What an author receives about another initiative follows
/// the rule for reading it: a placeholder while its title is not public.
async fn a_duplicate_decision_names_no_confidential_initiative(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    crate::mail::committee(&app, &w, false).await;
    let reviewer = app.login(crate::mail::REVIEWER).await;
    let (published, pending) = secrets(&app, &w).await;
    let receipt_of = |id: i64| {
        app.db.read(move |conn| {
            Ok(sangkien::db::initiatives::find(conn, id)?
                .and_then(|r| r.receipt_no)
                .unwrap_or_default())
        })
    };
    let pending_receipt = receipt_of(pending).await.unwrap();
    assert!(!pending_receipt.is_empty());
    let member_a = app.login(who::MEMBER_A).await;
    let mut ids = Vec::new();
    for i in 0..2 {
        let s = submit(&app, &member_a, &distinct_draft(&w, i)).await;
        assert_eq!(s["_status"], 200, "{s}");
        ids.push(s["_id"].as_i64().unwrap());
    }
    // A duplicate of the submitted confidential one: named by a placeholder only.
    crate::mail::decide(
        &app,
        &reviewer,
        ids[0],
        &json!({"decision": "duplicate", "duplicate_of": pending, "note": "Cùng giải pháp."}),
    )
    .await;
    // A duplicate of the published confidential one: its title is public, so it is named.
    crate::mail::decide(
        &app,
        &reviewer,
        ids[1],
        &json!({"decision": "duplicate", "duplicate_of": published}),
    )
    .await;
    let history = |id: i64| {
        let app = &app;
        let token = member_a.clone();
        async move {
            let res = app
                .get(&format!("/api/v1/initiatives/{id}/history"), &token)
                .await;
            assert_eq!(res.status(), 200);
            res.text().await.unwrap()
        }
    };
    let first = history(ids[0]).await;
    assert!(
        first.contains("Trùng lặp với một sáng kiến bảo mật đã nộp trước. Cùng giải pháp."),
        "{first}"
    );
    assert_clean("history", &first, &[PENDING_TITLE, &pending_receipt]);
    let second = history(ids[1]).await;
    assert!(second.contains(PUBLISHED_TITLE), "{second}");
    // The initiative's page shows the same.
    let page = text(
        sign_in(&app, who::MEMBER_A)
            .await
            .get(format!("{}/sang-kien/{}", app.base, ids[0]))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_clean("page", &page, &[PENDING_TITLE, &pending_receipt]);
    // The decision emails to member A.
    let rows = app
        .db
        .read(|conn| Ok(sangkien::db::mail::list(conn, None, 1000, 0)?))
        .await
        .unwrap();
    let to_a: Vec<_> = rows
        .iter()
        .filter(|r| r.recipient == who::MEMBER_A && r.kind == "duplicate")
        .collect();
    assert_eq!(to_a.len(), 2, "{rows:#?}");
    for r in to_a {
        let all = format!("{}\n{}", r.subject, r.payload);
        assert_clean("duplicate email", &all, &[PENDING_TITLE, &pending_receipt]);
    }
}

/// The text of every cell of every worksheet of a workbook.
fn xlsx_text(bytes: &[u8]) -> String {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut out = String::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        for row in range.rows() {
            for cell in row {
                out.push_str(&cell.to_string());
                out.push('\t');
            }
            out.push('\n');
        }
    }
    out
}
