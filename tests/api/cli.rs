//! The command line, run as a user would: seeding the demo data (twice), creating a user with
//! roles, printing the configuration, refusing a bad database URL.

use std::process::{Command, Output};

use diesel::RunQueryDsl;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{Backend, TestApp, json};

fn sangkien(app: &TestApp, args: &[&str]) -> Output {
    sangkien_in(app, &app.settings.data.dir, args)
}

/// Runs the binary on the app's database with another data folder (the running server holds
/// the search index in its own).
fn sangkien_in(app: &TestApp, data_dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sangkien"))
        .args(args)
        .env("SANGKIEN__DATABASE__URL", &app.settings.database.url)
        .env("SANGKIEN__DATA__DIR", data_dir)
        .env("SANGKIEN__LOG__FILTER", "warn")
        .output()
        .expect("run sangkien")
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

async fn login(app: &TestApp, login: &str, password: &str) -> String {
    let res = app
        .request(Method::POST, "/api/v1/auth/login", None)
        .json(&json!({"login": login, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "login {login}");
    json(res).await["access_token"].as_str().unwrap().to_owned()
}

async fn seed_demo_and_create_user(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let out = stdout(&sangkien(&app, &["seed", "--demo"]));
    assert!(out.contains("Đã tạo dữ liệu mẫu"), "{out}");
    assert!(out.contains("doanvien@demo.sangkien.vn"), "{out}");
    let again = stdout(&sangkien(&app, &["seed", "--demo"]));
    assert!(again.contains("đã có sẵn"), "{again}");

    // The demo is what the README promises: every state, every role.
    let admin = login(&app, "quantri@demo.sangkien.vn", "sangkien2026").await;
    let all = json(app.get("/api/v1/initiatives?per_page=1", &admin).await).await;
    assert!(all["total"].as_i64().unwrap() >= 200, "{all}");
    for status in [
        "draft",
        "submitted",
        "under_review",
        "returned",
        "approved",
        "rejected",
        "duplicate",
        "revoked",
    ] {
        let page = json(
            app.get(
                &format!("/api/v1/initiatives?status={status}&per_page=1"),
                &admin,
            )
            .await,
        )
        .await;
        assert!(
            page["total"].as_i64().unwrap() > 0,
            "no demo initiative is {status}"
        );
    }
    let programs = json(app.get("/api/v1/programs", &admin).await).await;
    let program = &programs[0];
    assert_eq!(program["code"], "1TRIEU-SK");
    assert_eq!(program["phases"].as_array().unwrap().len(), 2);
    assert!(
        program["phases"][1]["open_now"].as_bool().unwrap(),
        "the demo's second phase is open"
    );
    let member = login(&app, "doanvien@demo.sangkien.vn", "sangkien2026").await;
    let mine = json(app.get("/api/v1/initiatives", &member).await).await;
    assert!(mine["total"].as_i64().unwrap() > 0);
    let roots = json(app.get("/api/v1/unions", &member).await).await;
    let tree = json(
        app.get(
            &format!("/api/v1/unions/{}/subtree?depth=1", roots[0]["id"]),
            &member,
        )
        .await,
    )
    .await;
    let names: Vec<&str> = tree
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    for n in [
        "Liên đoàn Lao động tỉnh Cao Bằng",
        "Liên đoàn Lao động tỉnh Lạng Sơn",
        "Liên đoàn Lao động tỉnh Tuyên Quang",
        "Công đoàn Viên chức Việt Nam",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    demo_reads_both_structures(&app, &admin, roots[0]["id"].as_i64().unwrap(), program).await;
    // Rebuilding the index and scanning the program for duplicates, with progress.
    let other = tempfile::tempdir().unwrap();
    let out = stdout(&sangkien_in(&app, other.path(), &["reindex"]));
    let indexed: i64 = out
        .split("Đã lập chỉ mục ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    let drafts = json(
        app.get("/api/v1/initiatives?status=draft&per_page=1", &admin)
            .await,
    )
    .await["total"]
        .as_i64()
        .unwrap();
    assert_eq!(
        indexed,
        all["total"].as_i64().unwrap() - drafts,
        "every submitted initiative is indexed"
    );
    let out = stdout(&sangkien_in(
        &app,
        other.path(),
        &["dedup-scan", "--program", "1TRIEU-SK"],
    ));
    let pairs: i64 = out
        .split("Đã ghi nhận ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    assert!(pairs >= 6, "the demo's six copies are found: {out}");
    let copies = json(
        app.get("/api/v1/initiatives?status=duplicate&per_page=10", &admin)
            .await,
    )
    .await;
    for copy in copies["items"].as_array().unwrap() {
        let found = json(
            app.get(
                &format!("/api/v1/initiatives/{}/duplicates", copy["id"]),
                &admin,
            )
            .await,
        )
        .await;
        assert!(
            !found.as_array().unwrap().is_empty(),
            "no candidate recorded for {copy}"
        );
    }
    let bad = sangkien_in(&app, other.path(), &["dedup-scan", "--program", "NO-SUCH"]);
    assert!(!bad.status.success());

    // The counts per union agree with a recount of the demo's initiatives; a count changed
    // behind the service's back is reported with its union, and `recount` repairs it.
    let out = stdout(&sangkien_in(&app, other.path(), &["recount", "--verify"]));
    assert!(out.contains("không có chênh lệch"), "{out}");
    app.db
        .write(|conn| {
            diesel::sql_query(
                "UPDATE union_counts SET approved = approved + 1 \
                 WHERE union_id = (SELECT min(union_id) FROM union_counts)",
            )
            .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    let bad = sangkien_in(&app, other.path(), &["recount", "--verify"]);
    assert!(!bad.status.success(), "a changed count passes --verify");
    let report = String::from_utf8_lossy(&bad.stdout);
    assert!(report.contains("approved"), "{report}");
    let out = stdout(&sangkien_in(&app, other.path(), &["recount"]));
    assert!(out.contains("Đã đếm lại"), "{out}");
    let out = stdout(&sangkien_in(&app, other.path(), &["recount", "--verify"]));
    assert!(out.contains("không có chênh lệch"), "{out}");

    // A reviewer created from the command line signs in with the role.
    let out = stdout(&sangkien(
        &app,
        &[
            "user",
            "create",
            "--email",
            "bt@cb.vn",
            "--password",
            "mat-khau-bt-123",
            "--name",
            "Bế Thị Thu",
            "--union",
            "CB",
            "--role",
            "reviewer:CB:1TRIEU-SK",
        ],
    ));
    assert!(out.contains("bt@cb.vn"), "{out}");
    let token = login(&app, "bt@cb.vn", "mat-khau-bt-123").await;
    let me = json(app.get("/api/v1/me", &token).await).await;
    let roles: Vec<&str> = me["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["member", "reviewer"]);
    let bad = sangkien(
        &app,
        &[
            "user",
            "create",
            "--email",
            "x@cb.vn",
            "--password",
            "mat-khau-x-123",
            "--name",
            "X",
            "--union",
            "NO-SUCH",
        ],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("NO-SUCH"));
}

#[test]
fn check_config_redacts_secrets_and_bad_urls_stop_the_start() {
    let out = Command::new(env!("CARGO_BIN_EXE_sangkien"))
        .arg("check-config")
        .env(
            "SANGKIEN__DATABASE__URL",
            "postgres://app:hunter2-secret@db.internal:5432/sk",
        )
        .env(
            "SANGKIEN__AUTH__JWT_SECRET",
            "a-very-long-secret-value-of-at-least-32-bytes",
        )
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("postgres://app:[redacted]@db.internal:5432/sk"),
        "{text}"
    );
    assert!(
        !text.contains("hunter2") && !text.contains("a-very-long-secret"),
        "{text}"
    );
    assert!(
        text.contains("[server]") && text.contains("bind = \"127.0.0.1:8080\""),
        "{text}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_sangkien"))
        .arg("check-config")
        .env("SANGKIEN__DATABASE__URL", "postgress://typo@localhost/sk")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unsupported database URL scheme"), "{err}");
}

crate::on_both_backends!(seed_demo_and_create_user);

/// The demo's 2025 reorganisation: the dashboard as of 30/06/2025 shows the tree as it stood
/// (Hà Giang, the district federations) with the first phase's figures; the current structure
/// shows the new tree, where Tuyên Quang's figures include Hà Giang's and Cao Bằng's the
/// grassroots unions that moved up; Hà Giang's history names its successor.
async fn demo_reads_both_structures(
    app: &TestApp,
    token: &str,
    root: i64,
    program: &serde_json::Value,
) {
    let program = program["id"].as_i64().unwrap();
    let board = |union: i64, as_of: Option<&'static str>| {
        let url = match as_of {
            Some(d) => format!("/api/v1/unions/{union}/dashboard?program_id={program}&as_of={d}"),
            None => format!("/api/v1/unions/{union}/dashboard?program_id={program}"),
        };
        async move {
            let res = app.get(&url, token).await;
            assert_eq!(res.status(), 200, "{url}");
            json(res).await
        }
    };
    let line = |d: &serde_json::Value, code: &str| {
        d["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .cloned()
    };
    let approved = |l: &serde_json::Value| l["counts"]["approved"].as_i64().unwrap();
    let then = board(root, Some("2025-06-30")).await;
    let now = board(root, None).await;
    assert!(
        then["reading_rule"]
            .as_str()
            .unwrap()
            .contains("30/06/2025"),
        "{then}"
    );
    assert!(
        now["reading_rule"]
            .as_str()
            .unwrap()
            .contains("cơ cấu tổ chức hiện nay"),
        "{now}"
    );
    let hg_then = line(&then, "HG").expect("Hà Giang as it stood");
    let tq_then = line(&then, "TQ").expect("Tuyên Quang as it stood");
    assert!(line(&now, "HG").is_none(), "Hà Giang merged: {now}");
    let tq_now = line(&now, "TQ").expect("Tuyên Quang now");
    assert!(approved(&hg_then) > 0, "{hg_then}");
    assert!(
        approved(&tq_now) >= approved(&tq_then) + approved(&hg_then),
        "Tuyên Quang now counts Hà Giang's: {tq_now} {tq_then} {hg_then}"
    );
    assert!(approved(&now["union"]) > approved(&then["union"]));
    // The quotas as allocated then, and Tuyên Quang's now the sum of both.
    let quota = |l: &serde_json::Value| l["quota"].as_i64().unwrap_or_else(|| panic!("{l}"));
    assert!(quota(&hg_then) > 0 && quota(&tq_then) > 0);
    assert_eq!(
        quota(&tq_now),
        quota(&tq_then) + quota(&hg_then),
        "{tq_now}"
    );

    // Cao Bằng: the district federation of Hòa An as it stood, and its grassroots unions
    // directly under the province now.
    let cb = line(&now, "CB").unwrap()["union_id"].as_i64().unwrap();
    let cb_then = board(cb, Some("2025-06-30")).await;
    let cb_now = board(cb, None).await;
    assert!(line(&cb_then, "CB-HA").is_some(), "{cb_then}");
    assert!(line(&cb_then, "CB-HA-XM").is_none(), "{cb_then}");
    assert!(line(&cb_now, "CB-HA").is_none(), "{cb_now}");
    assert!(line(&cb_now, "CB-HA-XM").is_some(), "{cb_now}");

    // Hà Giang keeps its identity and names its successor.
    let hg = hg_then["union_id"].as_i64().unwrap();
    let history = json(
        app.get(&format!("/api/v1/unions/{hg}/history"), token)
            .await,
    )
    .await;
    assert_eq!(history["active"], false, "{history}");
    assert_eq!(history["ended_on"], "2025-07-01", "{history}");
    let successor = &history["successors"][0];
    assert_eq!(successor["code"], "TQ", "{history}");
    assert_eq!(successor["decision_no"], "125/QĐ-TLĐ", "{history}");
}
