//! The load generator (`sangkien-load run`) against a test server: a short deadline mix with a
//! tiny accounts file gives a report with every kind of operation and no server error, through
//! one instance or, on PostgreSQL, two taken in turn.

use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, who};

async fn a_short_deadline_mix_reports_every_operation(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let report = play_deadline_mix(&[&app]).await;
    assert!(report["servers"][0]["vm_rss_mib"].as_f64().unwrap() > 0.0);
}

crate::on_both_backends!(a_short_deadline_mix_reports_every_operation);

#[tokio::test]
async fn two_instances_share_the_load() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let sibling = app.spawn_sibling().await;
    let report = play_deadline_mix(&[&app, &sibling]).await;
    let instances = report["instances"].as_array().unwrap();
    assert_eq!(instances.len(), 2, "{report}");
    for (i, base) in instances.iter().zip([&app.base, &sibling.base]) {
        assert_eq!(i["base_url"], base.as_str());
        assert!(i["requests"].as_u64().unwrap() > 10, "{report}");
    }
    assert_eq!(report["servers"].as_array().unwrap().len(), 2);
    sibling.stop().await;
}

/// Plays a 2-second deadline mix through `apps` (instances of one deployment); its JSON
/// report, after checking that every operation ran without a server error.
async fn play_deadline_mix(apps: &[&TestApp]) -> Value {
    let app = apps[0];
    let w = app.world().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = dir.path().join("load-accounts.json");
    std::fs::write(
        &accounts,
        json!({
            "password": PASSWORD,
            "program_id": w.program,
            "fields": [w.field],
            "members": [who::MEMBER_A, who::MEMBER_B, who::COAUTHOR_A],
            "reviewers": [who::REVIEWER_A],
            "officers": [{"login": who::OFFICER_A, "union_id": w.cb}],
        })
        .to_string(),
    )
    .unwrap();
    let report_json = dir.path().join("report.json");
    let report_md = dir.path().join("report.md");
    let args: Vec<String> = vec![
        "run".into(),
        "--base-url".into(),
        apps.iter()
            .map(|a| a.base.as_str())
            .collect::<Vec<_>>()
            .join(","),
        "--accounts".into(),
        accounts.display().to_string(),
        "--mix".into(),
        "deadline".into(),
        "--clients".into(),
        "4".into(),
        "--seconds".into(),
        "2".into(),
        "--index-sample-ms".into(),
        "300".into(),
        "--report-json".into(),
        report_json.display().to_string(),
        "--report-md".into(),
        report_md.display().to_string(),
        "--server-pid".into(),
        apps.iter()
            .map(|_| std::process::id().to_string())
            .collect::<Vec<_>>()
            .join(","),
    ];
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_sangkien-load"))
            .args(&args)
            .output()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(
        out.status.success(),
        "sangkien-load failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&std::fs::read(&report_json).unwrap()).unwrap();
    let ops = report["operations"].as_array().unwrap();
    let names: Vec<&str> = ops.iter().filter_map(|o| o["name"].as_str()).collect();
    for expected in ["member.create", "member.edit", "member.similar"] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    for op in ops {
        assert!(op["count"].as_u64().unwrap() > 0, "{op}");
        let errors = op["errors"].as_object().unwrap();
        assert!(
            errors.keys().all(|k| !k.starts_with('5') && k != "network"),
            "server errors in {op}"
        );
    }
    assert_eq!(report["total_5xx"], 0, "{report}");
    assert!(report["total_ok"].as_u64().unwrap() > 0, "{report}");
    let md = std::fs::read_to_string(&report_md).unwrap();
    assert!(md.contains("| member.create |"), "{md}");
    report
}
