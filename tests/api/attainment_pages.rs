//! The officers' attainment pages over plain HTTP: the dashboard with its rankings, charts and
//! children's table, drill-down, the printable report, the quarterly leaderboard by cluster,
//! and the allocation editor with its errors; who may open them.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, TestApp, approve, distinct_draft, json, submit, who};
use crate::pages::{csrf_of, sign_in, text};

crate::on_both_backends!(officers_read_dashboards_and_allocate_from_pages);

async fn officers_read_dashboards_and_allocate_from_pages(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let program = w.program;
    let admin = app.login(who::ADMIN).await;
    let cluster = "Cụm 7 tỉnh Miền núi Biên giới phía Bắc";
    for id in [w.cb, w.ls] {
        let res = app
            .patch(
                &format!("/api/v1/unions/{id}"),
                &admin,
                &json!({"cluster": cluster}),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    // Quotas: 1 for Cao Bằng (it will lead its cluster), 50 for Lạng Sơn.
    let res = app
        .put(
            &format!("/api/v1/unions/{}/quotas", w.root),
            &admin,
            &json!({"program_id": program, "allocations": [
                {"union_id": w.cb, "kind": "absolute", "value": 1},
                {"union_id": w.ls, "kind": "absolute", "value": 50},
            ]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let member = app.login(who::MEMBER_A).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let out = submit(&app, &member, &distinct_draft(&w, n)).await;
        ids.push(out["_id"].as_i64().unwrap());
    }
    approve(&app, ids[0]).await;
    approve(&app, ids[1]).await;

    // The officer's entry leads to their union's dashboard.
    let c = sign_in(&app, who::OFFICER_A).await;
    let home = text(c.get(format!("{}/", app.base)).send().await.unwrap()).await;
    assert!(home.contains("id=\"nav-dashboard\""), "{home}");
    let res = c.get(format!("{}/thi-dua", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        to,
        format!("/don-vi/{}/thanh-tich?program_id={program}", w.cb)
    );
    let page = text(c.get(format!("{}{to}", app.base)).send().await.unwrap()).await;
    assert!(page.contains("<h1>LĐLĐ tỉnh Cao Bằng</h1>"), "{page}");
    assert!(page.contains("id=\"stat-approved\">2<"), "{page}");
    assert!(page.contains("id=\"stat-attainment\">200%<"), "{page}");
    assert!(page.contains("id=\"stat-submitted\">3<"));
    assert!(
        page.contains(&format!("Xếp thứ 1/2 trong {cluster}")),
        "{page}"
    );
    assert!(page.contains("Chỉ sáng kiến được thông qua mới tính vào chỉ tiêu"));
    assert!(page.contains("id=\"chart-cumulative\""));
    assert!(page.contains("id=\"chart-children\""));
    assert!(page.contains("id=\"chart-fields\""));
    assert!(
        page.contains("Chỉ tiêu 1<"),
        "the target line is labelled: {page}"
    );
    // The children's table drills down; its numbers lead to the initiatives.
    let vc_link = format!(
        "/don-vi/{}/thanh-tich?program_id={program}&amp;sort=name",
        w.cb_vc
    );
    assert!(page.contains(&vc_link), "{page}");
    assert!(page.contains(&format!(
        "/don-vi/{}/sang-kien?program_id={program}&amp;status=approved",
        w.cb_vc
    )));
    let page = text(
        c.get(format!(
            "{}/don-vi/{}/thanh-tich?program_id={program}&sort=approved",
            app.base, w.cb_vc
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert!(page.contains("CĐCS Cục Hải quan Cao Bằng"), "{page}");
    assert!(
        page.contains("LĐLĐ tỉnh Cao Bằng</a>"),
        "the way back up: {page}"
    );

    // The printable report.
    let report = text(
        c.get(format!(
            "{}/don-vi/{}/bao-cao?program_id={program}",
            app.base, w.cb
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert!(
        report.contains("Báo cáo kết quả thực hiện chỉ tiêu sáng kiến"),
        "{report}"
    );
    assert!(report.contains("Thủ trưởng đơn vị"));
    assert!(
        report.contains("Tổng Liên đoàn Lao động Việt Nam"),
        "the parent heads it"
    );

    // Bad input is a Vietnamese page with a 400; another province's officer gets a 404.
    let res = c
        .get(format!(
            "{}/don-vi/{}/thanh-tich?program_id={program}&sort=xyz",
            app.base, w.cb
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(text(res).await.contains("Cách sắp xếp không hợp lệ"));
    let res = c
        .get(format!(
            "{}/don-vi/{}/thanh-tich?program_id=abc",
            app.base, w.cb
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let b = sign_in(&app, who::OFFICER_B).await;
    let res = b
        .get(format!(
            "{}/don-vi/{}/thanh-tich?program_id={program}",
            app.base, w.cb
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let m = sign_in(&app, who::MEMBER_A).await;
    let res = m.get(format!("{}/thi-dua", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // The quarter's leaderboard among the provinces: Cao Bằng leads its cluster.
    let a = sign_in(&app, who::ADMIN).await;
    let board = text(
        a.get(format!(
            "{}/don-vi/{}/xep-hang?program_id={program}",
            app.base, w.root
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert!(board.contains(cluster), "{board}");
    assert!(board.contains("LĐLĐ tỉnh Cao Bằng dẫn đầu Quý"), "{board}");
    assert!(board.contains("Dẫn đầu cụm"));
    let api = json(
        app.get(
            &format!("/api/v1/unions/{}/leaderboard?program_id={program}", w.root),
            &admin,
        )
        .await,
    )
    .await;
    assert_eq!(api["clusters"][0]["lines"][0]["code"], "CB", "{api}");
    assert_eq!(api["clusters"][0]["lines"][0]["approved"], 2);
    assert_eq!(api["clusters"][0]["lines"][0]["leads"], true);
    assert_eq!(api["clusters"][0]["lines"][1]["leads"], false);
    let res = a
        .get(format!(
            "{}/don-vi/{}/xep-hang?program_id={program}&quarter=2026-Q9",
            app.base, w.root
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(text(res).await.contains("Quý không hợp lệ"));

    // The allocation editor: a bad value comes back beside its field, a good one is saved
    // and shows in the history.
    let url = format!("{}/don-vi/{}/chi-tieu?program_id={program}", app.base, w.cb);
    let page = text(c.get(&url).send().await.unwrap()).await;
    assert!(page.contains("id=\"own-target\">1<"), "{page}");
    assert!(
        page.contains("1 đơn vị trực thuộc chưa được phân bổ chỉ tiêu"),
        "{page}"
    );
    let csrf = csrf_of(&page);
    let kind = format!("kind_{}", w.cb_vc);
    let value = format!("value_{}", w.cb_vc);
    let post = |v: &'static str| {
        let form = vec![
            ("csrf".to_owned(), csrf.clone()),
            ("program_id".to_owned(), program.to_string()),
            ("phase_id".to_owned(), String::new()),
            (kind.clone(), "percent_of_members".to_owned()),
            (value.clone(), v.to_owned()),
        ];
        let c = c.clone();
        let to = format!("{}/don-vi/{}/chi-tieu", app.base, w.cb);
        async move { c.post(to).form(&form).send().await.unwrap() }
    };
    let res = post("mười").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let page = text(res).await;
    assert!(page.contains("Nhập tỷ lệ phần trăm"), "{page}");
    assert!(
        page.contains("value=\"mười\""),
        "what was typed stays: {page}"
    );
    let res = post("2,5").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    let page = text(c.get(format!("{}{to}", app.base)).send().await.unwrap()).await;
    assert!(page.contains("Đã lưu phân bổ chỉ tiêu"), "{page}");
    // 2.5% of 157 members, rounded up: 4.
    assert!(
        page.contains("2,5% của 157 đoàn viên = 4 sáng kiến"),
        "{page}"
    );
    assert!(
        page.contains("vượt chỉ tiêu của đơn vị"),
        "4 is more than 1: {page}"
    );
    // A form without the token is refused.
    let res = c
        .post(format!("{}/don-vi/{}/chi-tieu", app.base, w.cb))
        .form(&[("program_id", program.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.review_counters_agree().await;
}
