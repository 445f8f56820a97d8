//! The review pages over plain HTTP: the program administrator's set-up forms with their
//! errors, the side-by-side comparison with copied passages marked, awards and revocation
//! from the initiative page, and bad input answered with Vietnamese pages.

use reqwest::StatusCode;
use serde_json::json;

use crate::duplicates::{body_of, wait_for_match};
use crate::helpers::{Backend, TestApp, complete_draft, json, submit, who};
use crate::pages::{csrf_of, sign_in, text};

crate::on_both_backends!(
    program_admin_sets_up_review_from_pages,
    reviewer_compares_awards_and_revokes,
);

async fn program_admin_sets_up_review_from_pages(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    app.person("uy.vien@test.vn", "Phùng Văn Ủy", w.cb).await;
    let page_url = format!("{}/quan-tri/chuong-trinh/{}/xet-duyet", app.base, w.program);
    // A member cannot open the set-up page.
    let member = sign_in(&app, who::MEMBER_A).await;
    let res = member.get(&page_url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(text(res).await.contains("Bạn không có quyền"));

    let c = sign_in(&app, who::PADMIN).await;
    let page = text(c.get(&page_url).send().await.unwrap()).await;
    assert!(page.contains("Ban Tổ chức thông qua"), "{page}");
    assert!(page.contains("Tính mới"));
    let csrf = csrf_of(&page);
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let c = c.clone();
        let url = format!("{}{path}", app.base);
        async move { c.post(url).form(&form).send().await.unwrap() }
    };
    // A stage without a name: the page again, with the reason in Vietnamese.
    let res = post(
        format!("/quan-tri/chuong-trinh/{}/vong", w.program),
        vec![
            ("csrf", csrf.clone()),
            ("name", String::new()),
            ("union_level", "3".into()),
            ("reviews_required", "1".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(text(res).await.contains("Nhập tên vòng"));
    let res = post(
        format!("/quan-tri/chuong-trinh/{}/vong", w.program),
        vec![
            ("csrf", csrf.clone()),
            ("name", "CĐCS xác nhận".into()),
            ("union_level", "3".into()),
            ("reviews_required", "1".into()),
            ("position", "1".into()),
            ("auto_assign", "1".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // The rubric: a bad band line is explained; a good rubric is saved.
    let rubric_path = format!("/quan-tri/chuong-trinh/{}/tieu-chi", w.program);
    let res = post(
        rubric_path.clone(),
        vec![
            ("csrf", csrf.clone()),
            ("aggregation", "median".into()),
            ("code_0", "moi".into()),
            ("name_0", "Tính mới".into()),
            ("description_0", String::new()),
            ("max_0", "50".into()),
            ("weight_0", "1,5".into()),
            ("bands_0", "không có khoảng".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(text(res).await.contains("0-10: mô tả"));
    let res = post(
        rubric_path,
        vec![
            ("csrf", csrf.clone()),
            ("aggregation", "median".into()),
            ("code_0", "moi".into()),
            ("name_0", "Tính mới".into()),
            ("description_0", "Chưa áp dụng ở đơn vị.".into()),
            ("max_0", "50".into()),
            ("weight_0", "1,5".into()),
            ("bands_0", "0-0: Sao chép\n1-50: Có điểm mới".into()),
            ("code_1", "ich".into()),
            ("name_1", "Lợi ích".into()),
            ("description_1", String::new()),
            ("max_1", "50".into()),
            ("weight_1", "1".into()),
            ("bands_1", String::new()),
            ("code_2", String::new()),
            ("name_2", String::new()),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let padmin = app.login(who::PADMIN).await;
    let rubric = json(
        app.get(&format!("/api/v1/programs/{}/rubric", w.program), &padmin)
            .await,
    )
    .await;
    assert_eq!(rubric["aggregation"], "median");
    assert_eq!(rubric["max_total"], 125.0);
    assert_eq!(
        rubric["criteria"][0]["bands"][1]["description"],
        "Có điểm mới"
    );
    // A committee for an unknown union code is refused; a real one is set up.
    let stages = json(
        app.get(&format!("/api/v1/programs/{}/stages", w.program), &padmin)
            .await,
    )
    .await;
    assert_eq!(stages[0]["name"], "CĐCS xác nhận");
    let first = stages[0]["id"].as_i64().unwrap().to_string();
    let res = post(
        format!("/quan-tri/chuong-trinh/{}/hoi-dong", w.program),
        vec![
            ("csrf", csrf.clone()),
            ("stage_id", first.clone()),
            ("union_code", "KHONG-CO".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(text(res).await.contains("Không có công đoàn mã"));
    let res = post(
        format!("/quan-tri/chuong-trinh/{}/hoi-dong", w.program),
        vec![
            ("csrf", csrf.clone()),
            ("stage_id", first),
            ("union_code", "CB-VC-HQ".into()),
            ("committee_name", String::new()),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let committees = json(
        app.get(
            &format!("/api/v1/programs/{}/committees", w.program),
            &padmin,
        )
        .await,
    )
    .await;
    let committee = committees[0]["id"].as_i64().unwrap();
    let res = post(
        format!("/hoi-dong/{committee}/thanh-vien"),
        vec![("csrf", csrf.clone()), ("login", "nguoi.la@test.vn".into())],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = post(
        format!("/hoi-dong/{committee}/thanh-vien"),
        vec![
            ("csrf", csrf.clone()),
            ("login", "uy.vien@test.vn".into()),
            ("chair", "1".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = text(c.get(&page_url).send().await.unwrap()).await;
    assert!(page.contains("Phùng Văn Ủy"), "{page}");
    assert!(page.contains("Hội đồng CĐCS xác nhận – CĐCS Cục Hải quan Cao Bằng"));
    // The new member's initiative lands in the new committee's queue.
    let token = app.login(who::MEMBER_A).await;
    let id = submit(&app, &token, &complete_draft(&w, "Số hóa hồ sơ hải quan")).await["_id"]
        .as_i64()
        .unwrap();
    let r = sign_in(&app, "uy.vien@test.vn").await;
    let queue = text(
        r.get(format!("{}/xet-duyet", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(queue.contains(&format!("/xet-duyet/{id}")), "{queue}");
    assert!(queue.contains("CĐCS xác nhận"));
    // A form without the CSRF token is refused.
    let res = r
        .post(format!("{}/xet-duyet/{id}/cham", app.base))
        .form(&[("score_moi", "10"), ("score_ich", "10")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.review_counters_agree().await;
}

async fn reviewer_compares_awards_and_revokes(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let padmin = app.login(who::PADMIN).await;
    let stages = json(
        app.get(&format!("/api/v1/programs/{}/stages", w.program), &padmin)
            .await,
    )
    .await;
    let reviewer = app.person("so.sanh@test.vn", "Vũ Văn Sánh", w.cb).await;
    let c = json(
        app.post(
            &format!("/api/v1/programs/{}/committees", w.program),
            &padmin,
            &json!({"stage_id": stages[0]["id"], "union_id": w.root}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    app.put(
        &format!("/api/v1/committees/{c}/members/{reviewer}"),
        &padmin,
        &json!({"chair": true}),
    )
    .await;
    let member_a = app.login(who::MEMBER_A).await;
    let member_b = app.login(who::MEMBER_B).await;
    let original = submit(
        &app,
        &member_a,
        &complete_draft(&w, "Số hóa hồ sơ hải quan"),
    )
    .await;
    let original_id = original["_id"].as_i64().unwrap();
    let copy = complete_draft(&w, "Số hoá hồ sơ lưu trữ ở Sở Giáo dục");
    wait_for_match(&app, &member_b, &body_of(&copy), original_id).await;
    let copy_id = submit(&app, &member_b, &copy).await["_id"]
        .as_i64()
        .unwrap();

    let r = sign_in(&app, "so.sanh@test.vn").await;
    let page = text(
        r.get(format!("{}/xet-duyet/{copy_id}", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        page.contains("Nghi trùng lặp với sáng kiến đã nộp"),
        "{page}"
    );
    let link = format!("/xet-duyet/{copy_id}/so-sanh/{original_id}");
    assert!(page.contains(&link));
    let res = r.get(format!("{}{link}", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cmp = text(res).await;
    let this = &cmp[cmp.find("id=\"this-text\"").unwrap()..];
    let other = &cmp[cmp.find("id=\"other-text\"").unwrap()..];
    assert!(this.contains("<mark class=\"copied\">"), "{cmp}");
    assert!(other.contains("<mark class=\"copied\">"), "{cmp}");
    assert!(cmp.contains("Quét toàn bộ hồ sơ"));
    // A bad date in the minutes is a Vietnamese 400 page.
    let res = r
        .get(format!("{}/hoi-dong/{c}/bien-ban?tu=hom-qua", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(text(res).await.contains("không hợp lệ"));

    // Approve the original through the page, then award and revoke it as the owning union.
    let csrf = csrf_of(&page);
    let res = r
        .post(format!("{}/xet-duyet/{original_id}/cham", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("score_tinh-moi", "30"),
            ("score_kha-nang-ap-dung", "30"),
            ("score_hieu-qua", "ba mươi"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(text(res).await.contains("Nhập điểm là số nguyên."));
    let res = r
        .post(format!("{}/xet-duyet/{original_id}/cham", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("score_tinh-moi", "30"),
            ("score_kha-nang-ap-dung", "30"),
            ("score_hieu-qua", "30"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = r
        .post(format!("{}/xet-duyet/{original_id}/quyet-dinh", app.base))
        .form(&[("csrf", csrf.as_str()), ("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let admin = sign_in(&app, who::PADMIN).await;
    let page = text(
        admin
            .get(format!("{}/sang-kien/{original_id}", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("Khen thưởng và thu hồi"), "{page}");
    let csrf = csrf_of(&page);
    let res = admin
        .post(format!("{}/sang-kien/{original_id}/khen-thuong", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("level", "giai-nhat"),
            ("note", "Tiêu biểu cấp tỉnh"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let public = text(
        reqwest::get(format!("{}/thu-vien/{original_id}", app.base))
            .await
            .unwrap(),
    )
    .await;
    assert!(
        public.contains("Giải Nhất — Tiêu biểu cấp tỉnh"),
        "{public}"
    );
    // The member (an author) does not get the owning union's forms.
    let author = sign_in(&app, who::MEMBER_A).await;
    let page = text(
        author
            .get(format!("{}/sang-kien/{original_id}", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(!page.contains("Khen thưởng và thu hồi"));
    assert!(page.contains("Giải Nhất"));
    let res = admin
        .post(format!("{}/sang-kien/{original_id}/thu-hoi", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("reason", "Sao chép tài liệu đã công bố."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let view = json(
        app.get(&format!("/api/v1/initiatives/{original_id}"), &padmin)
            .await,
    )
    .await;
    assert_eq!(view["status"], "revoked");
    let res = reqwest::get(format!("{}/thu-vien/{original_id}", app.base))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    app.review_counters_agree().await;
}
