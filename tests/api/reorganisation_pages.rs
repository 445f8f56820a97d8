//! Reorganisations from plan files and on the pages: the API with a file (multipart) beside
//! JSON, `sangkien reorganise`, the officers' pages (upload or build → dry-run report →
//! confirm → the reorganisation's page; a union's "Lịch sử tổ chức"), and the same in a real
//! browser.

use std::process::Command;

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::browser::{Browser, PHONE};
use crate::helpers::{Backend, TestApp, distinct_draft, expect_error, json, submit, who};
use crate::pages::{csrf_of, sign_in, text};

crate::on_both_backends!(
    a_plan_file_is_tried_then_applied_over_the_api,
    the_command_line_reorganises_from_a_file,
    the_pages_try_then_apply_a_plan,
    an_officer_uploads_a_plan_in_the_browser,
);

/// The Hà Tĩnh change in miniature, as a decision's list: CB-VC dissolved, CB-VC-HQ moved
/// directly under the province, CB-VC-KB ended.
const PLAN_CSV: &str = "\u{feff}STT;Thao tác;Mã đơn vị;Mã đơn vị cấp trên mới;Ngày hiệu lực;Số quyết định\r\n\
1;Giải thể;CB-VC;;01/01/2026;68/QĐ-LĐLĐ\r\n\
2;Chuyển;CB-VC-HQ;CB;;\r\n\
3;Kết thúc hoạt động;CB-VC-KB;;01/01/2026;68/QĐ-LĐLĐ\r\n";

/// Two bad rows (an unknown action, a different date) and a good one.
const BAD_CSV: &str = "Thao tac,Ma don vi,Ngay hieu luc,So quyet dinh\n\
giai the,CB-VC,01/01/2026,68/QĐ\n\
bay,CB-VC-HQ,,\n\
ket thuc,CB-VC-KB,02/01/2026,\n";

fn plan_xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows: [[&str; 5]; 3] = [
        [
            "action",
            "code",
            "new_parent_code",
            "effective_on",
            "decision",
        ],
        ["dissolve", "CB-VC", "", "2026-01-01", "68/QĐ-LĐLĐ"],
        ["transfer", "CB-VC-HQ", "CB", "", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    // KB ends: a date cell, as Excel stores it.
    sheet.write_string(3, 0, "end").unwrap();
    sheet.write_string(3, 1, "CB-VC-KB").unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 1, 1).unwrap();
    sheet
        .write_datetime_with_format(3, 3, &day, &format)
        .unwrap();
    book.save_to_buffer().unwrap()
}

async fn post_file(
    app: &TestApp,
    token: &str,
    dry_run: bool,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
    app.request(
        reqwest::Method::POST,
        &format!("/api/v1/reorganisations?dry_run={dry_run}"),
        Some(token),
    )
    .multipart(form)
    .send()
    .await
    .unwrap()
}

fn actions(report: &Value) -> Vec<(String, String)> {
    report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap().to_owned(),
                c["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn parent_code(app: &TestApp, token: &str, id: i64) -> Value {
    let u = json(app.get(&format!("/api/v1/unions/{id}"), token).await).await;
    u["parent_id"].clone()
}

async fn a_plan_file_is_tried_then_applied_over_the_api(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let officer = app.login(who::OFFICER_A).await;
    // CSV, dry run: the report, nothing kept.
    let res = post_file(
        &app,
        &officer,
        true,
        "qd68.csv",
        PLAN_CSV.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(res.status(), 200);
    let dry = json(res).await;
    assert_eq!(dry["dry_run"], true, "{dry}");
    assert_eq!(dry["decision_no"], "68/QĐ-LĐLĐ", "{dry}");
    let a = actions(&dry);
    for (code, action) in [
        ("CB-VC", "dissolve"),
        ("CB-VC-HQ", "transfer"),
        ("CB-VC-KB", "end"),
    ] {
        assert!(a.contains(&(code.into(), action.into())), "{dry}");
    }
    assert_eq!(parent_code(&app, &officer, w.cb_hq).await, w.cb_vc);
    // Bad rows: every one with its line, nothing applied.
    let res = post_file(
        &app,
        &officer,
        false,
        "sai.csv",
        BAD_CSV.as_bytes().to_vec(),
    )
    .await;
    let body = expect_error(res, 422, "plan_invalid").await;
    let rows = body["error"]["details"]["rows"].as_array().unwrap();
    let lines: Vec<u64> = rows.iter().map(|r| r["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, vec![3, 4], "{body}");
    assert!(
        rows[0]["reason"].as_str().unwrap().contains("“bay”"),
        "{body}"
    );
    assert!(
        rows[1]["reason"]
            .as_str()
            .unwrap()
            .contains("khác với dòng 2"),
        "{body}"
    );
    // Not a spreadsheet; another content type.
    let res = post_file(
        &app,
        &officer,
        true,
        "x.xlsx",
        b"\x89PNG\r\n\x1a\n".to_vec(),
    )
    .await;
    assert_eq!(res.status(), 415);
    let res = app
        .request(
            reqwest::Method::POST,
            "/api/v1/reorganisations",
            Some(&officer),
        )
        .header("content-type", "text/plain")
        .body("giải thể CB-VC")
        .send()
        .await
        .unwrap();
    expect_error(res, 415, "unsupported_media_type").await;
    // Outside the officer's province: refused row by row.
    let other = app.login(who::OFFICER_B).await;
    let res = post_file(&app, &other, true, "qd68.csv", PLAN_CSV.as_bytes().to_vec()).await;
    let body = expect_error(res, 403, "forbidden").await;
    assert!(body.to_string().contains("Ngoài phạm vi"), "{body}");
    // XLSX with a date cell, applied.
    let res = post_file(&app, &officer, false, "qd68.xlsx", plan_xlsx()).await;
    let status = res.status();
    let done = json(res).await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(done["effective_on"], "2026-01-01", "{done}");
    assert_eq!(parent_code(&app, &officer, w.cb_hq).await, w.cb);
    let list = json(app.get("/api/v1/reorganisations", &officer).await).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
}

fn sangkien(app: &TestApp, dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sangkien"))
        .args(args)
        .env("SANGKIEN__DATABASE__URL", &app.settings.database.url)
        .env("SANGKIEN__DATA__DIR", dir)
        .env("SANGKIEN__LOG__FILTER", "warn")
        .output()
        .unwrap()
}

async fn the_command_line_reorganises_from_a_file(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("qd68.csv");
    std::fs::write(&good, PLAN_CSV).unwrap();
    let bad = dir.path().join("sai.csv");
    std::fs::write(&bad, BAD_CSV).unwrap();
    let good_s = good.to_str().unwrap();
    // A dry run prints the report and changes nothing.
    let out = sangkien(
        &app,
        dir.path(),
        &["reorganise", good_s, "--as", who::OFFICER_A, "--dry-run"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Quyết định số 68/QĐ-LĐLĐ, hiệu lực từ 01/01/2026"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[CB-VC-HQ] CĐCS Cục Hải quan Cao Bằng: Chuyển từ"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[CB-VC] Công đoàn Viên chức tỉnh Cao Bằng: Giải thể"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "[CB-VC-KB] CĐCS Kho bạc Nhà nước Cao Bằng: Kết thúc hoạt động · 40 đoàn viên"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("Không có đoàn viên nào bị để lại không có đơn vị."),
        "{stdout}"
    );
    assert!(stdout.contains("--dry-run"), "{stdout}");
    let officer = app.login(who::OFFICER_A).await;
    assert_eq!(parent_code(&app, &officer, w.cb_hq).await, w.cb_vc);
    // Bad rows: each printed with its line and reason, exit code 1, nothing applied.
    let out = sangkien(
        &app,
        dir.path(),
        &["reorganise", bad.to_str().unwrap(), "--as", who::OFFICER_A],
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Dòng 3 [CB-VC-HQ]: Thao tác “bay”"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Dòng 4 [CB-VC-KB]: Ngày hiệu lực 02/01/2026"),
        "{stdout}"
    );
    // Someone outside Cao Bằng: refused row by row, exit code 1.
    let out = sangkien(
        &app,
        dir.path(),
        &["reorganise", good_s, "--as", who::OFFICER_B],
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Ngoài phạm vi của bạn"), "{stdout}");
    // Applied.
    let out = sangkien(
        &app,
        dir.path(),
        &["reorganise", good_s, "--as", who::OFFICER_A],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("Đã áp dụng phương án sắp xếp số"),
        "{stdout}"
    );
    assert_eq!(parent_code(&app, &officer, w.cb_hq).await, w.cb);
}

/// The action of the form the page shows (`action="…"` after `marker`).
fn form_action(page: &str, marker: &str) -> String {
    let at = page
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in {page}"));
    let rest = &page[at + "action=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

async fn the_pages_try_then_apply_a_plan(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let author = app.login(who::MEMBER_A).await;
    let out = submit(&app, &author, &distinct_draft(&w, 0)).await;
    assert_eq!(out["_status"], 200, "{out}");
    let c = sign_in(&app, who::OFFICER_A).await;
    let admin = text(
        c.get(format!("{}/quan-tri", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(admin.contains("href=\"/quan-tri/sap-xep\""), "the way in");
    let page = text(
        c.get(format!("{}/quan-tri/sap-xep", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("<h1>Sắp xếp tổ chức</h1>"), "{page}");
    assert!(page.contains("Chưa có lần sắp xếp nào"), "{page}");
    let csrf = csrf_of(&page);
    let upload = |name: &'static str, bytes: Vec<u8>| {
        let form = Form::new().part("file", Part::bytes(bytes).file_name(name));
        c.post(format!("{}/quan-tri/sap-xep/tep?csrf={csrf}", app.base))
            .multipart(form)
            .send()
    };
    // A bad file: every bad row with its line.
    let res = upload("sai.csv", BAD_CSV.as_bytes().to_vec())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad = text(res).await;
    assert!(bad.contains("<td>3</td><td>CB-VC-HQ</td>"), "{bad}");
    assert!(bad.contains("<td>4</td><td>CB-VC-KB</td>"), "{bad}");
    assert!(!bad.contains("id=\"apply-plan\""));
    // The good file: the dry run's report and the confirm button.
    let res = upload("qd68.csv", PLAN_CSV.as_bytes().to_vec())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let report = text(res).await;
    assert!(report.contains("Kết quả chạy thử"), "{report}");
    assert!(report.contains("Quyết định số 68/QĐ-LĐLĐ, hiệu lực từ 01/01/2026"));
    assert!(
        report.contains("<td>CB-VC-HQ</td><td>CĐCS Cục Hải quan Cao Bằng</td><td>Chuyển</td>"),
        "{report}"
    );
    assert!(report.contains("<td>Giải thể</td>"), "{report}");
    assert!(
        report.contains("<td>112</td>"),
        "members of the moved union: {report}"
    );
    assert!(report.contains("qd68.csv"));
    // The dissolved union's figures leave it: before → after.
    let figures = &report[report.find("id=\"figures-title\"").unwrap()..];
    assert!(figures.contains("<table"), "{report}");
    assert!(
        figures.contains("Công đoàn Viên chức tỉnh Cao Bằng"),
        "{figures}"
    );
    assert!(figures.contains("1 → 0"), "{figures}");
    let officer = app.login(who::OFFICER_A).await;
    assert_eq!(
        parent_code(&app, &officer, w.cb_hq).await,
        w.cb_vc,
        "nothing yet"
    );
    let action = form_action(&report, "action=\"/quan-tri/sap-xep/ap-dung/");
    // Another officer cannot confirm this plan; a member has no such page.
    let other = sign_in(&app, who::OFFICER_B).await;
    let other_page = text(
        other
            .get(format!("{}/quan-tri/sap-xep", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let res = other
        .post(format!("{}{action}", app.base))
        .form(&[("csrf", csrf_of(&other_page))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let member = sign_in(&app, who::MEMBER_A).await;
    let res = member
        .get(format!("{}/quan-tri/sap-xep", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Confirmed: applied, and its page shows the report.
    let res = c
        .post(format!("{}{action}", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let done = text(
        c.get(format!("{}{location}", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(done.contains("Đã áp dụng phương án sắp xếp."), "{done}");
    assert!(
        done.contains("Sắp xếp tổ chức theo quyết định số 68/QĐ-LĐLĐ"),
        "{done}"
    );
    assert!(!done.contains("id=\"apply-plan\""));
    assert_eq!(parent_code(&app, &officer, w.cb_hq).await, w.cb);
    // The same token again: gone.
    let res = c
        .post(format!("{}{action}", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Listed; the union pages show their history.
    let page = text(
        c.get(format!("{}/quan-tri/sap-xep", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        page.contains(&format!("href=\"{location}\"").replace("?da=ap-dung", "")),
        "{page}"
    );
    let hq = text(
        c.get(format!("{}/quan-tri/don-vi/{}", app.base, w.cb_hq))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(hq.contains("Lịch sử tổ chức"), "{hq}");
    assert!(hq.contains("từ 01/01/2026"), "{hq}");
    assert!(hq.contains(">68/QĐ-LĐLĐ</a>"), "{hq}");
    let vc = text(
        c.get(format!("{}/quan-tri/don-vi/{}", app.base, w.cb_vc))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(vc.contains("Ngừng hoạt động từ 01/01/2026."), "{vc}");

    // Built on the page: more rows, a bad row, then a rename tried.
    let form = |pairs: &[(&str, &str)]| {
        let mut f: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        f.push(("csrf".to_owned(), csrf.clone()));
        c.post(format!("{}/quan-tri/sap-xep/lap", app.base))
            .form(&f)
            .send()
    };
    let more = text(
        form(&[("action", ""), ("code", ""), ("more", "1")])
            .await
            .unwrap(),
    )
    .await;
    assert!(more.contains("id=\"op-4\""), "three more blank rows");
    let res = form(&[
        ("decision_no", "70/QĐ-LĐLĐ"),
        ("effective_on", "02/01/2026"),
        ("action", "rename"),
        ("code", "CB-VC-HQ"),
        ("new_name", "CĐCS Cục Hải quan tỉnh Cao Bằng"),
        ("action", "transfer"),
        ("code", "KHONG-CO"),
        ("new_parent_code", "CB"),
    ])
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad = text(res).await;
    assert!(bad.contains("<td>2</td><td>KHONG-CO</td>"), "{bad}");
    assert!(
        bad.contains("value=\"CĐCS Cục Hải quan tỉnh Cao Bằng\""),
        "kept as typed"
    );
    let res = form(&[
        ("decision_no", "70/QĐ-LĐLĐ"),
        ("effective_on", "02/01/2026"),
        ("action", "rename"),
        ("code", "CB-VC-HQ"),
        ("new_name", "CĐCS Cục Hải quan tỉnh Cao Bằng"),
    ])
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let tried = text(res).await;
    assert!(tried.contains("<td>Đổi tên</td>"), "{tried}");
    assert!(tried.contains("id=\"apply-plan\""), "{tried}");
    // Ending a union with accounts and no successor: its members are listed as left.
    let res = form(&[
        ("decision_no", "72/QĐ-LĐLĐ"),
        ("effective_on", "03/01/2026"),
        ("action", "end"),
        ("code", "CB-VC-HQ"),
    ])
    .await
    .unwrap();
    let left = text(res).await;
    let table = &left[left.find("id=\"members-left\"").unwrap()..];
    assert!(
        table.contains("<td>CB-VC-HQ</td><td>CĐCS Cục Hải quan Cao Bằng</td><td>2</td>"),
        "{left}"
    );
    // Nothing typed: the form again with why.
    let res = form(&[("decision_no", "71/QĐ"), ("effective_on", "x")])
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(text(res).await.contains("Ngày hiệu lực “x” không hợp lệ"));
}

async fn an_officer_uploads_a_plan_in_the_browser(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let Some(b) = Browser::start(PHONE).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("qd68.xlsx");
    std::fs::write(&file, plan_xlsx()).unwrap();
    b.sign_in(&app, who::OFFICER_A).await;
    b.find("#nav-admin").await.click().await.unwrap();
    b.find("#admin-reorganisations")
        .await
        .click()
        .await
        .unwrap();
    b.wait_text("h1", "Sắp xếp tổ chức").await;
    no_horizontal_scrolling(&b).await;
    b.shot("reorganisations").await;
    b.c.execute("document.getElementById('op-1').scrollIntoView();", vec![])
        .await
        .unwrap();
    b.shot("reorganisation-form").await;
    b.find("#file")
        .await
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    b.find("#check-file").await.click().await.unwrap();
    b.wait_text("h1", "Kết quả chạy thử").await;
    let changes = b
        .wait_text("#plan-changes", "CĐCS Cục Hải quan Cao Bằng")
        .await;
    assert!(changes.contains("Giải thể"), "{changes}");
    assert!(changes.contains("Kết thúc hoạt động"), "{changes}");
    no_horizontal_scrolling(&b).await;
    b.shot("reorganisation-dry-run").await;
    // By keyboard: Enter on the focused button.
    b.find("#apply-plan")
        .await
        .send_keys("\u{E007}")
        .await
        .unwrap();
    b.wait_text("#page-notice", "Đã áp dụng phương án sắp xếp")
        .await;
    b.wait_text("h1", "68/QĐ-LĐLĐ").await;
    let officer = app.login(who::OFFICER_A).await;
    assert_eq!(parent_code(&app, &officer, w.cb_hq).await, w.cb);
    b.open(&app, &format!("/quan-tri/don-vi/{}", w.cb_hq)).await;
    b.wait_text("#union-history", "68/QĐ-LĐLĐ").await;
    no_horizontal_scrolling(&b).await;
    b.close().await;
}

/// The page is laid out for the phone: nothing is wider than it.
async fn no_horizontal_scrolling(b: &Browser) {
    let overflow: Value =
        b.c.execute(
            "return window.innerWidth === 390 ? document.documentElement.scrollWidth - 390 : 9999;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        overflow.as_i64().is_some_and(|o| o <= 0),
        "horizontal scrolling on a phone: {overflow}"
    );
}
