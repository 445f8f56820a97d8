//! The administration pages in a real browser: a program administrator creates a program
//! with two phases and opens it; an officer creates a child union and a member and grants the
//! member the reviewer role.

use serde_json::Value;

use crate::browser::{Browser, DESKTOP};
use crate::helpers::{Backend, TestApp, json, who};

crate::on_both_backends!(
    a_program_administrator_creates_and_opens_a_program,
    an_officer_creates_a_union_and_a_member_and_grants_reviewer,
);

async fn a_program_administrator_creates_and_opens_a_program(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.world().await;
    let Some(b) = Browser::start(DESKTOP).await else {
        return;
    };
    b.sign_in(&app, who::PADMIN).await;
    b.find("#nav-admin").await.click().await.unwrap();
    b.find("#admin-programs").await.click().await.unwrap();
    b.find("#new-program").await.click().await.unwrap();
    b.wait_text("h1", "Tạo chương trình mới").await;
    b.type_into("#code", "CB-75K").await;
    b.type_into("#name", "75 nghìn sáng kiến, vượt khó, phát triển")
        .await;
    b.type_into("#description", "Phát động trong toàn tỉnh Cao Bằng.")
        .await;
    b.type_into("#owner_code", "CB").await;
    b.set_value("#applied_from", "2026-01-01").await;
    b.type_into("#phase0_name", "Đợt 1").await;
    b.set_value("#phase0_opens", "2027-01-01T08:00").await;
    b.set_value("#phase0_closes", "2027-07-31T17:00").await;
    b.type_into("#phase1_name", "Đợt 2").await;
    b.set_value("#phase1_opens", "2027-08-01T08:00").await;
    b.set_value("#phase1_closes", "2027-12-31T17:00").await;
    b.type_into("#fields", "Chuyển đổi số\nAn toàn, vệ sinh lao động")
        .await;
    b.find("#create-program").await.click().await.unwrap();
    b.wait_text("#page-notice", "Đã tạo chương trình").await;
    let phases = b
        .wait_text("#phases", "01/01/2027 08:00 – 31/07/2027 17:00")
        .await;
    assert!(
        phases.contains("01/08/2027 08:00 – 31/12/2027 17:00"),
        "{phases}"
    );
    b.wait_text("#checklist", "Tiêu chí chấm điểm").await;
    b.wait_text("#program-status", "Đang chuẩn bị").await;
    b.shot("admin-program").await;
    b.find("#open-program").await.click().await.unwrap();
    b.wait_text("#page-notice", "Đã mở chương trình").await;
    b.wait_text("#program-status", "Đang diễn ra").await;
    // The program is open for members of Cao Bằng, with its two phases stored in UTC.
    let token = app.login(who::MEMBER_A).await;
    let list: Value = json(app.get("/api/v1/programs", &token).await).await;
    let p = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "CB-75K")
        .expect("the new program is visible to members");
    assert_eq!(p["status"], "open");
    assert_eq!(p["phases"].as_array().unwrap().len(), 2);
    assert_eq!(p["phases"][1]["opens_at"], "2027-08-01T01:00:00Z");
    b.close().await;
}

async fn an_officer_creates_a_union_and_a_member_and_grants_reviewer(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let Some(b) = Browser::start(DESKTOP).await else {
        return;
    };
    b.sign_in(&app, who::OFFICER_A).await;
    b.find("#nav-admin").await.click().await.unwrap();
    b.find("#admin-unions").await.click().await.unwrap();
    b.wait_text("#union-name", "LĐLĐ tỉnh Cao Bằng").await;
    let tree = b
        .wait_text("#union-tree", "Công đoàn Viên chức tỉnh Cao Bằng")
        .await;
    assert!(tree.contains("157 đoàn viên"), "{tree}");
    assert!(!tree.contains("Lạng Sơn"));
    // A child union.
    b.type_into("#child_code", "CB-HA").await;
    b.type_into("#child_name", "Liên đoàn Lao động huyện Hà Quảng")
        .await;
    b.type_into("#child_cluster", "Cụm 3").await;
    b.type_into("#child_member_count", "0").await;
    b.find("#create-child").await.click().await.unwrap();
    b.wait_text("#page-notice", "Đã thêm đơn vị cấp dưới").await;
    b.wait_text("#union-tree", "Liên đoàn Lao động huyện Hà Quảng")
        .await;
    b.shot("admin-unions").await;
    // Its member.
    b.open(&app, &format!("/quan-tri/don-vi/{}", w.cb)).await;
    b.type_into("#q", "CB-HA").await;
    b.find("#union-search button").await.click().await.unwrap();
    b.wait_text("#search-results", "Hà Quảng").await;
    b.find("#search-results a").await.click().await.unwrap();
    b.wait_text("#union-name", "Liên đoàn Lao động huyện Hà Quảng")
        .await;
    b.find("#union-members").await.click().await.unwrap();
    b.find("#new-member").await.click().await.unwrap();
    b.wait_text("h1", "Thêm đoàn viên").await;
    assert_eq!(b.value("#union_code").await, "CB-HA");
    b.type_into("#full_name", "Nông Thị Xét").await;
    b.type_into("#email", "nong.xet@test.vn").await;
    b.type_into("#member_code", "CB-HA-001").await;
    b.find("#create-member").await.click().await.unwrap();
    b.wait_text("#page-notice", "Đã tạo tài khoản đoàn viên")
        .await;
    b.wait_text("#member-name", "Nông Thị Xét").await;
    // The reviewer role for the program over Cao Bằng.
    b.find("#grant_role")
        .await
        .select_by_value("reviewer")
        .await
        .unwrap();
    b.type_into("#grant_union", "CB").await;
    b.find("#grant_program")
        .await
        .select_by_value(&w.program.to_string())
        .await
        .unwrap();
    b.find("#grant-role").await.click().await.unwrap();
    b.wait_text("#page-notice", "Đã cấp vai trò").await;
    let roles = b.wait_text("#role-list", "Thành viên Ban Tổ chức").await;
    assert!(roles.contains("Chương trình OPEN"), "{roles}");
    b.shot("admin-member").await;
    let officer = app.login(who::OFFICER_A).await;
    let users = json(app.get("/api/v1/users?q=nong.xet", &officer).await).await;
    let id = users["items"][0]["id"].as_i64().unwrap();
    let u = json(app.get(&format!("/api/v1/users/{id}"), &officer).await).await;
    assert!(
        u["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["role"] == "reviewer"
                && g["union_code"] == "CB"
                && g["program_id"] == w.program),
        "{u}"
    );
    b.close().await;
}
