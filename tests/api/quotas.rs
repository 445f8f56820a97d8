//! Quota allocation over HTTP: a union's officers split its quota among its children (a
//! number or a share of members counted on the day), see the sum against their own quota with
//! a warning when they differ, and every change is in the history; the dashboard follows.

use serde_json::json;

use crate::helpers::{Backend, TestApp, expect_error, json, who};

crate::on_both_backends!(officers_allocate_quotas_to_their_children);

async fn officers_allocate_quotas_to_their_children(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let program = w.program;
    let padmin = app.login(who::PADMIN).await;
    let officer = app.login(who::OFFICER_A).await;

    // Cao Bằng has no quota yet: the editor says so.
    let cb_url = format!("/api/v1/unions/{}/quotas", w.cb);
    let a = json(
        app.get(&format!("{cb_url}?program_id={program}"), &officer)
            .await,
    )
    .await;
    assert_eq!(a["union"]["code"], "CB", "{a}");
    assert!(a["union"]["effective_target"].is_null(), "{a}");
    assert!(
        a["warning"].as_str().unwrap().contains("chưa được giao"),
        "{a}"
    );
    assert_eq!(a["children"][0]["code"], "CB-VC");
    assert_eq!(
        a["children"][0]["members"], 157,
        "members of the whole subtree: {a}"
    );

    // The program administrator splits the program's target (1,000) between the provinces.
    let root_url = format!("/api/v1/unions/{}/quotas", w.root);
    let res = app
        .put(
            &root_url,
            &padmin,
            &json!({"program_id": program, "allocations": [
                {"union_id": w.cb, "kind": "absolute", "value": 20},
                {"union_id": w.ls, "kind": "percent_of_members", "value": 1000},
            ]}),
        )
        .await;
    let a = json(res).await;
    assert_eq!(a["union"]["effective_target"], 1000, "{a}");
    let ls = a["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "LS")
        .unwrap();
    // 10% of Lạng Sơn's 60 members, counted today.
    assert_eq!(ls["quota"]["target"], 6, "{a}");
    assert_eq!(ls["quota"]["member_basis"], 60);
    assert!(ls["quota"]["members_as_of"].is_string());
    assert_eq!(a["children_sum"], 26);
    assert_eq!(a["difference"], -974);
    assert!(a["warning"].as_str().unwrap().contains("thấp hơn"), "{a}");
    assert_eq!(a["history"].as_array().unwrap().len(), 2, "{a}");

    // Cao Bằng's officer gives all 20 to its only child: the sums agree, no warning.
    let a = json(
        app.put(
            &cb_url,
            &officer,
            &json!({"program_id": program, "allocations": [
                {"union_id": w.cb_vc, "kind": "absolute", "value": 20},
            ]}),
        )
        .await,
    )
    .await;
    assert_eq!(a["union"]["effective_target"], 20, "{a}");
    assert_eq!(a["children_sum"], 20);
    assert_eq!(a["difference"], 0);
    assert!(a["warning"].is_null(), "{a}");
    let h = &a["history"][0];
    assert_eq!(h["union_name"], "Công đoàn Viên chức tỉnh Cao Bằng", "{a}");
    assert_eq!(h["before"], "—");
    assert_eq!(h["after"], "20 sáng kiến");
    assert_eq!(h["actor_name"], "Nông Văn Cán");

    // Saving the same again records nothing new.
    let again = json(
        app.put(
            &cb_url,
            &officer,
            &json!({"program_id": program, "allocations": [
                {"union_id": w.cb_vc, "kind": "absolute", "value": 20},
            ]}),
        )
        .await,
    )
    .await;
    assert_eq!(again["history"].as_array().unwrap().len(), 1, "{again}");

    // The dashboard reads the allocated quota.
    let d = json(
        app.get(
            &format!("/api/v1/unions/{}/dashboard?program_id={program}", w.cb),
            &officer,
        )
        .await,
    )
    .await;
    assert_eq!(d["union"]["quota"], 20, "{d}");
    assert_eq!(d["children"][0]["quota"], 20, "{d}");

    // Not a child, twice the same child, a negative number, an unknown kind: 400s.
    let bad =
        |allocations: serde_json::Value| json!({"program_id": program, "allocations": allocations});
    let e = expect_error(
        app.put(
            &cb_url,
            &officer,
            &bad(json!([{"union_id": w.ls, "kind": "absolute", "value": 5}])),
        )
        .await,
        400,
        "validation_failed",
    )
    .await;
    assert!(
        e["error"]["details"]["fields"]["allocations.0"].is_string(),
        "{e}"
    );
    expect_error(
        app.put(
            &cb_url,
            &officer,
            &bad(json!([
                {"union_id": w.cb_vc, "kind": "absolute", "value": 5},
                {"union_id": w.cb_vc, "kind": "absolute", "value": 6},
            ])),
        )
        .await,
        400,
        "validation_failed",
    )
    .await;
    expect_error(
        app.put(
            &cb_url,
            &officer,
            &bad(json!([{"union_id": w.cb_vc, "kind": "absolute", "value": -5}])),
        )
        .await,
        400,
        "validation_failed",
    )
    .await;
    let res = app
        .put(
            &cb_url,
            &officer,
            &bad(json!([{"union_id": w.cb_vc, "kind": "lots", "value": 5}])),
        )
        .await;
    assert_eq!(res.status(), 400);
    let bad_program = format!("{cb_url}?program_id=999999");
    expect_error(
        app.get(&bad_program, &officer).await,
        400,
        "validation_failed",
    )
    .await;

    // Another province's officer, and Cao Bằng's officer over the root, see nothing.
    let other = app.login(who::OFFICER_B).await;
    expect_error(
        app.get(&format!("{cb_url}?program_id={program}"), &other)
            .await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.put(
            &root_url,
            &officer,
            &bad(json!([{"union_id": w.cb, "kind": "absolute", "value": 999}])),
        )
        .await,
        404,
        "not_found",
    )
    .await;

    // Removing a child's quota.
    let a = json(
        app.put(
            &cb_url,
            &officer,
            &json!({"program_id": program, "allocations": [{"union_id": w.cb_vc, "kind": null}]}),
        )
        .await,
    )
    .await;
    assert!(a["children"][0]["quota"].is_null(), "{a}");
    assert_eq!(a["history"][0]["after"], "—", "{a}");
    assert_eq!(a["history"][0]["before"], "20 sáng kiến");
}
