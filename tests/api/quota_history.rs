//! The history of quota allocations over HTTP: every set, change and removal kept with the day
//! it holds from, who made it and why; a dashboard (its export and the leaderboard too) read as
//! of a past day shows the quota then in force and its attainment, the current reading today's;
//! a merger's summed quota enters the history with its decision; a split leaves the parent's
//! allocation page warning; the history's API and page, and who may read them.

use chrono::{NaiveDate, TimeDelta};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, approve, distinct_draft, expect_error, json, submit, who};
use crate::pages::{sign_in, text};

crate::on_both_backends!(
    a_past_day_reads_the_quota_then_in_force,
    a_merger_sums_quotas_into_the_history_with_its_decision,
    a_split_leaves_the_parent_warned_that_quotas_no_longer_add_up,
    quotas_set_before_the_history_are_back_filled,
);

fn today() -> NaiveDate {
    (chrono::Utc::now() + TimeDelta::hours(7)).date_naive()
}

fn vn(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Moves the activity by day two days back, as if the approvals had been made then.
fn age_activity(app: &TestApp) {
    use diesel::prelude::*;
    use sangkien::db::schema::union_days as d;
    app.db
        .blocking_write(|conn| {
            type Day = (i64, i64, i64, NaiveDate, i32, i32, i32, i32, i32);
            let days: Vec<Day> = d::table
                .select((
                    d::program_id,
                    d::union_id,
                    d::phase_id,
                    d::day,
                    d::submitted,
                    d::approved,
                    d::rejected,
                    d::duplicate,
                    d::revoked,
                ))
                .load(conn)?;
            diesel::delete(d::table).execute(conn)?;
            for (p, u, ph, day, a, b, c, e, f) in days {
                diesel::insert_into(d::table)
                    .values((
                        d::program_id.eq(p),
                        d::union_id.eq(u),
                        d::phase_id.eq(ph),
                        d::day.eq(day - TimeDelta::days(2)),
                        d::submitted.eq(a),
                        d::approved.eq(b),
                        d::rejected.eq(c),
                        d::duplicate.eq(e),
                        d::revoked.eq(f),
                    ))
                    .execute(conn)?;
            }
            Ok(())
        })
        .expect("aged");
}

/// Makes every change recorded so far for a union hold from `day`, as if it had been made
/// then.
fn backdate_history(app: &TestApp, union_id: i64, day: NaiveDate) {
    use diesel::prelude::*;
    use sangkien::db::schema::quota_history as h;
    app.db
        .blocking_write(move |conn| {
            diesel::update(h::table.filter(h::union_id.eq(union_id)))
                .set(h::holds_from.eq(day))
                .execute(conn)?;
            Ok(())
        })
        .expect("backdated");
}

fn child<'a>(board: &'a Value, code: &str) -> &'a Value {
    board["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("{code} in {board}"))
}

async fn dashboard(app: &TestApp, token: &str, union: i64, program: i64, as_of: &str) -> Value {
    json(
        app.get(
            &format!("/api/v1/unions/{union}/dashboard?program_id={program}{as_of}"),
            token,
        )
        .await,
    )
    .await
}

async fn allocate(app: &TestApp, token: &str, union: i64, program: i64, allocations: Value) {
    let res = app
        .put(
            &format!("/api/v1/unions/{union}/quotas"),
            token,
            &json!({"program_id": program, "allocations": allocations}),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

async fn a_past_day_reads_the_quota_then_in_force(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let program = w.program;
    let (today, yesterday) = (today(), today() - TimeDelta::days(1));
    let earlier = today - TimeDelta::days(3);
    let before_any = today - TimeDelta::days(5);

    // Two approvals in Cao Bằng two days ago.
    let member = app.login(who::MEMBER_A).await;
    for n in 0..2 {
        let out = submit(&app, &member, &distinct_draft(&w, n)).await;
        approve(&app, out["_id"].as_i64().unwrap()).await;
    }
    age_activity(&app);

    // Cao Bằng was given 16 three days ago, and 80 today.
    let padmin = app.login(who::PADMIN).await;
    allocate(
        &app,
        &padmin,
        w.root,
        program,
        json!([{"union_id": w.cb, "kind": "absolute", "value": 16}]),
    )
    .await;
    backdate_history(&app, w.cb, earlier);
    allocate(
        &app,
        &padmin,
        w.root,
        program,
        json!([{"union_id": w.cb, "kind": "absolute", "value": 80}]),
    )
    .await;

    // The current reading: today's quota.
    let admin = app.login(who::ADMIN).await;
    let now = dashboard(&app, &admin, w.root, program, "").await;
    assert_eq!(child(&now, "CB")["quota"], 80, "{now}");
    assert_eq!(child(&now, "CB")["attainment"], 2.5, "{now}");
    // Yesterday's report printed again: the quota then in force, and its attainment.
    let then = dashboard(
        &app,
        &admin,
        w.root,
        program,
        &format!("&as_of={yesterday}"),
    )
    .await;
    assert_eq!(child(&then, "CB")["quota"], 16, "{then}");
    assert_eq!(child(&then, "CB")["counts"]["approved"], 2, "{then}");
    assert_eq!(child(&then, "CB")["attainment"], 12.5, "{then}");
    // Read as of today, the change of today holds.
    let same_day = dashboard(&app, &admin, w.root, program, &format!("&as_of={today}")).await;
    assert_eq!(child(&same_day, "CB")["quota"], 80, "{same_day}");
    // Before any allocation Cao Bằng had none.
    let first = dashboard(
        &app,
        &admin,
        w.root,
        program,
        &format!("&as_of={before_any}"),
    )
    .await;
    assert!(child(&first, "CB")["quota"].is_null(), "{first}");
    assert!(child(&first, "CB")["attainment"].is_null(), "{first}");
    // Cao Bằng's own dashboard as of yesterday reads its quota the same way.
    let officer = app.login(who::OFFICER_A).await;
    let own = dashboard(
        &app,
        &officer,
        w.cb,
        program,
        &format!("&as_of={yesterday}"),
    )
    .await;
    assert_eq!(own["union"]["quota"], 16, "{own}");

    // The export of yesterday's report gives the same numbers.
    let res = app
        .get(
            &format!(
                "/api/v1/unions/{}/dashboard/export?program_id={program}&format=csv&as_of={yesterday}",
                w.root
            ),
            &admin,
        )
        .await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    let mut rows = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..]);
    let cb: Vec<String> = rows
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>())
        .find(|r| r[0] == "CB")
        .expect("Cao Bằng's line");
    assert_eq!(cb[4], "16", "{cb:?}");
    assert_eq!(cb[11], "12.5", "{cb:?}");

    // The leaderboard as of yesterday measures against the quota then in force.
    let board = |as_of: String| {
        let (app, admin) = (&app, &admin);
        async move {
            let b = json(
                app.get(
                    &format!(
                        "/api/v1/unions/{}/leaderboard?program_id={program}{as_of}",
                        w.root
                    ),
                    admin,
                )
                .await,
            )
            .await;
            let line = b["clusters"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|c| c["lines"].as_array().unwrap().clone())
                .find(|l| l["code"] == "CB")
                .unwrap_or_else(|| panic!("CB in {b}"));
            line["target"].as_i64().unwrap()
        }
    };
    // The same quarter both times (yesterday's), so that only the quota differs.
    let quarter = {
        use chrono::Datelike;
        format!("{}-Q{}", yesterday.year(), yesterday.month0() / 3 + 1)
    };
    let target_then = board(format!("&quarter={quarter}&as_of={yesterday}")).await;
    let target_now = board(format!("&quarter={quarter}")).await;
    assert!(
        target_then < target_now,
        "the quarter's share of 16, then of 80: {target_then}, {target_now}"
    );

    // The history, newest first, for Cao Bằng's officer.
    let url = format!(
        "/api/v1/unions/{}/quotas/history?program_id={program}",
        w.cb
    );
    let h = json(app.get(&url, &officer).await).await;
    assert_eq!(h["code"], "CB", "{h}");
    let changes = h["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{h}");
    assert_eq!(changes[0]["value"], 80);
    assert_eq!(changes[0]["description"], "80 sáng kiến");
    assert_eq!(changes[0]["holds_from"], today.to_string());
    assert_eq!(changes[0]["changed_by_name"], "Trần Chương Trình");
    assert_eq!(changes[0]["reason"], "editor");
    assert_eq!(changes[0]["why"], "Phân bổ trên trang chỉ tiêu");
    assert_eq!(changes[1]["value"], 16);
    assert_eq!(changes[1]["holds_from"], earlier.to_string());

    // Removing the quota: today it is gone, yesterday's report keeps it.
    allocate(
        &app,
        &padmin,
        w.root,
        program,
        json!([{"union_id": w.cb, "kind": null}]),
    )
    .await;
    let h = json(app.get(&url, &officer).await).await;
    assert_eq!(h["changes"][0]["description"], "Bỏ chỉ tiêu", "{h}");
    assert!(h["changes"][0]["value"].is_null(), "{h}");
    let now = dashboard(&app, &admin, w.root, program, "").await;
    assert!(child(&now, "CB")["quota"].is_null(), "{now}");
    let then = dashboard(
        &app,
        &admin,
        w.root,
        program,
        &format!("&as_of={yesterday}"),
    )
    .await;
    assert_eq!(child(&then, "CB")["quota"], 16, "{then}");

    // Another province's officer and a member may not read it; nor may anyone unsigned.
    let other = app.login(who::OFFICER_B).await;
    expect_error(app.get(&url, &other).await, 404, "not_found").await;
    expect_error(app.get(&url, &member).await, 404, "not_found").await;
    let res = app
        .request(reqwest::Method::GET, &url, None)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    expect_error(
        app.get(
            &format!("/api/v1/unions/{}/quotas/history?program_id=999999", w.cb),
            &officer,
        )
        .await,
        400,
        "validation_failed",
    )
    .await;

    // The allocation page lists each union's history: date, value, who and why.
    let c = sign_in(&app, who::OFFICER_A).await;
    let page = text(
        c.get(format!(
            "{}/don-vi/{}/chi-tieu?program_id={program}",
            app.base, w.cb
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert!(page.contains("Lịch sử phân bổ"), "{page}");
    let mine = &page[page
        .find(&format!("id=\"quota-history-{}\"", w.cb))
        .expect("Cao Bằng's history")..];
    let mine = &mine[..mine.find("</ul>").unwrap()];
    for seen in [
        vn(today).as_str(),
        "Bỏ chỉ tiêu",
        "80 sáng kiến",
        vn(earlier).as_str(),
        "16 sáng kiến",
        "Trần Chương Trình",
        "Phân bổ trên trang chỉ tiêu",
    ] {
        assert!(mine.contains(seen), "{seen} in {mine}");
    }
    assert!(
        page.contains("Chưa giao chỉ tiêu."),
        "its child has none: {page}"
    );
    let other = sign_in(&app, who::OFFICER_B).await;
    let res = other
        .get(format!(
            "{}/don-vi/{}/chi-tieu?program_id={program}",
            app.base, w.cb
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

async fn a_merger_sums_quotas_into_the_history_with_its_decision(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let program = w.program;
    let (today, yesterday) = (today(), today() - TimeDelta::days(1));
    let padmin = app.login(who::PADMIN).await;
    allocate(
        &app,
        &padmin,
        w.root,
        program,
        json!([
            {"union_id": w.cb, "kind": "absolute", "value": 4},
            {"union_id": w.ls, "kind": "absolute", "value": 6},
        ]),
    )
    .await;
    backdate_history(&app, w.cb, yesterday);
    backdate_history(&app, w.ls, yesterday);
    let admin = app.login(who::ADMIN).await;
    let res = app
        .post(
            "/api/v1/reorganisations",
            &admin,
            &json!({
                "decision_no": "759/QĐ-TLĐ",
                "effective_on": today.to_string(),
                "operations": [
                    {"action": "hợp nhất", "code": "CB", "successor_code": "CB-LS", "new_name": "LĐLĐ tỉnh Cao Lạng"},
                    {"action": "hợp nhất", "code": "LS", "successor_code": "CB-LS"},
                ]
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let report = json(res).await;
    let merged = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["action"] == "create")
        .unwrap()["union_id"]
        .as_i64()
        .unwrap();

    // The summed quota's history: holding from the effective date, carried by the decision.
    let h = json(
        app.get(
            &format!("/api/v1/unions/{merged}/quotas/history?program_id={program}"),
            &admin,
        )
        .await,
    )
    .await;
    let changes = h["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{h}");
    let c = &changes[0];
    assert_eq!(c["value"], 10, "{h}");
    assert_eq!(c["kind"], "absolute");
    assert_eq!(c["holds_from"], today.to_string());
    assert_eq!(c["reason"], "reorganisation");
    assert_eq!(c["reorganisation_id"], report["id"], "{h}");
    assert_eq!(c["changed_by_name"], "Quản Trị Viên");
    let why = c["why"].as_str().unwrap();
    assert!(
        why.contains("759/QĐ-TLĐ") && why.contains("hợp nhất"),
        "{why}"
    );

    // Today's tree reads the sum, as the current reading does; yesterday's the two
    // provinces, each with its own.
    let now = dashboard(&app, &admin, w.root, program, &format!("&as_of={today}")).await;
    assert_eq!(child(&now, "CB-LS")["quota"], 10, "{now}");
    let current = dashboard(&app, &admin, w.root, program, "").await;
    assert_eq!(child(&current, "CB-LS")["quota"], 10, "{current}");
    let then = dashboard(
        &app,
        &admin,
        w.root,
        program,
        &format!("&as_of={yesterday}"),
    )
    .await;
    assert_eq!(child(&then, "CB")["quota"], 4, "{then}");
    assert_eq!(child(&then, "LS")["quota"], 6, "{then}");

    // The root's allocation page shows where the merged province's quota came from.
    let c = sign_in(&app, who::ADMIN).await;
    let page = text(
        c.get(format!(
            "{}/don-vi/{}/chi-tieu?program_id={program}",
            app.base, w.root
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    let theirs = &page[page
        .find(&format!("id=\"quota-history-{merged}\""))
        .expect("the merged province's history")..];
    let theirs = &theirs[..theirs.find("</ul>").unwrap()];
    assert!(
        theirs.contains("10 sáng kiến") && theirs.contains("759/QĐ-TLĐ"),
        "{theirs}"
    );
}

async fn a_split_leaves_the_parent_warned_that_quotas_no_longer_add_up(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let program = w.program;
    let padmin = app.login(who::PADMIN).await;
    let officer = app.login(who::OFFICER_A).await;
    allocate(
        &app,
        &padmin,
        w.root,
        program,
        json!([{"union_id": w.cb, "kind": "absolute", "value": 10}]),
    )
    .await;
    allocate(
        &app,
        &officer,
        w.cb,
        program,
        json!([{"union_id": w.cb_vc, "kind": "absolute", "value": 10}]),
    )
    .await;
    let url = format!("/api/v1/unions/{}/quotas?program_id={program}", w.cb);
    let before = json(app.get(&url, &officer).await).await;
    assert!(before["warning"].is_null(), "the sums agree: {before}");

    // Cao Bằng's civil-servants union is split in two, each taking one grassroots union.
    let admin = app.login(who::ADMIN).await;
    let res = app
        .post(
            "/api/v1/reorganisations",
            &admin,
            &json!({
                "decision_no": "12/QĐ-LĐLĐ",
                "effective_on": today().to_string(),
                "operations": [
                    {"action": "chia tách", "code": "CB-VC", "successor_code": "CB-VC1", "new_name": "Công đoàn Viên chức khối Hải quan"},
                    {"action": "chia tách", "code": "CB-VC", "successor_code": "CB-VC2", "new_name": "Công đoàn Viên chức khối Kho bạc"},
                    {"action": "chuyển", "code": "CB-VC-HQ", "new_parent_code": "CB-VC1"},
                    {"action": "chuyển", "code": "CB-VC-KB", "new_parent_code": "CB-VC2"},
                ]
            }),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());

    // The successors have no quota: the officer is told to divide it.
    let after = json(app.get(&url, &officer).await).await;
    let codes: Vec<&str> = after["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["CB-VC1", "CB-VC2"], "{after}");
    assert_eq!(after["children_sum"], 0, "{after}");
    assert_eq!(after["unallocated"], 2, "{after}");
    let warning = after["warning"].as_str().unwrap();
    assert!(warning.contains("thấp hơn"), "{warning}");
    assert!(
        warning.contains("2 đơn vị trực thuộc chưa được phân bổ chỉ tiêu"),
        "{warning}"
    );
    let c = sign_in(&app, who::OFFICER_A).await;
    let page = text(
        c.get(format!(
            "{}/don-vi/{}/chi-tieu?program_id={program}",
            app.base, w.cb
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    let shown = &page[page
        .find("id=\"allocation-warning\"")
        .expect("the warning on the page")..];
    assert!(
        shown.contains("2 đơn vị trực thuộc chưa được phân bổ chỉ tiêu"),
        "{page}"
    );
}

async fn quotas_set_before_the_history_are_back_filled(backend: Backend) {
    use diesel::prelude::*;
    use diesel_migrations::MigrationHarness;
    use sangkien::db::schema::{quota_history as h, quotas as q};
    use sangkien::db::{DbConn, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let program = w.program;
    // A quota set late on 29 June 2025 (UTC), the 30th in Vietnam, before the history was
    // kept; then the migration is run again.
    let at = |d: &str| chrono::NaiveDateTime::parse_from_str(d, "%Y-%m-%d %H:%M:%S").unwrap();
    let (cb, day) = (w.cb, NaiveDate::from_ymd_opt(2025, 6, 30).unwrap());
    app.db
        .blocking_write(move |conn| {
            diesel::insert_into(q::table)
                .values((
                    q::program_id.eq(program),
                    q::union_id.eq(cb),
                    q::kind.eq("absolute"),
                    q::value.eq(12),
                    q::created_at.eq(at("2025-06-29 20:30:00")),
                    q::updated_at.eq(at("2025-07-05 10:00:00")),
                ))
                .execute(conn)?;
            let again = |v: String| v == "20261208000017";
            match conn {
                DbConn::Pg(c) => {
                    while !again(
                        c.revert_last_migration(POSTGRES_MIGRATIONS)
                            .unwrap()
                            .to_string(),
                    ) {}
                    c.run_pending_migrations(POSTGRES_MIGRATIONS).unwrap();
                }
                DbConn::Sqlite(c) => {
                    while !again(
                        c.revert_last_migration(SQLITE_MIGRATIONS)
                            .unwrap()
                            .to_string(),
                    ) {}
                    c.run_pending_migrations(SQLITE_MIGRATIONS).unwrap();
                }
            }
            type Row = (i64, Option<i64>, NaiveDate, String, Option<i64>);
            let rows: Vec<Row> = h::table
                .select((
                    h::union_id,
                    h::value,
                    h::holds_from,
                    h::reason,
                    h::changed_by,
                ))
                .load(conn)?;
            assert_eq!(rows, vec![(cb, Some(12), day, "initial".to_owned(), None)]);
            Ok(())
        })
        .expect("back-filled");

    let admin = app.login(who::ADMIN).await;
    let h = json(
        app.get(
            &format!("/api/v1/unions/{cb}/quotas/history?program_id={program}"),
            &admin,
        )
        .await,
    )
    .await;
    assert_eq!(h["changes"][0]["reason"], "initial", "{h}");
    assert_eq!(h["changes"][0]["changed_by_name"], "Hệ thống", "{h}");
    assert_eq!(
        h["changes"][0]["why"], "Chỉ tiêu đã có trước khi ghi lịch sử phân bổ",
        "{h}"
    );
    let before = dashboard(&app, &admin, w.root, program, "&as_of=2025-06-29").await;
    assert!(child(&before, "CB")["quota"].is_null(), "{before}");
    let from = dashboard(&app, &admin, w.root, program, "&as_of=2025-06-30").await;
    assert_eq!(child(&from, "CB")["quota"], 12, "{from}");
}
