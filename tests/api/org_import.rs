//! The organisation import as officers use it: XLSX and CSV files through the API, the page
//! (upload → report → "Nhập dữ liệu") and the command line; bad rows all reported with their
//! lines and nothing written; re-imports change nothing; another province stays untouched.

use std::process::Command;

use diesel::prelude::*;
use reqwest::multipart::{Form, Part};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

use crate::helpers::{Backend, TestApp, expect_error, json, who};
use crate::pages::{csrf_of, sign_in, text};

/// An XLSX file with these rows (cells that look like plain numbers are written as numbers,
/// as Excel stores them).
fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(n) if r > 0 && !cell.starts_with('0') => {
                    sheet.write_number(r, c, n).unwrap();
                }
                _ => {
                    sheet.write_string(r, c, *cell).unwrap();
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// A CSV file as Excel saves "CSV UTF-8": with a byte-order mark.
fn csv_bom(text: &str) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
    out
}

async fn upload(
    app: &TestApp,
    token: &str,
    kind: &str,
    dry_run: bool,
    name: &str,
    bytes: Vec<u8>,
) -> Response {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
    app.request(
        reqwest::Method::POST,
        &format!("/api/v1/imports/{kind}?dry_run={dry_run}"),
        Some(token),
    )
    .multipart(form)
    .send()
    .await
    .unwrap()
}

async fn report(res: Response) -> Value {
    let status = res.status();
    let body = json(res).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn counts(r: &Value) -> (i64, i64, i64) {
    (
        r["new"].as_i64().unwrap(),
        r["changed"].as_i64().unwrap(),
        r["unchanged"].as_i64().unwrap(),
    )
}

async fn audit_rows(app: &TestApp) -> i64 {
    app.db
        .read(|conn| {
            Ok(sangkien::db::schema::audit_log::table
                .count()
                .get_result::<i64>(conn)?)
        })
        .await
        .unwrap()
}

async fn subtree(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    json(
        app.get(&format!("/api/v1/unions/{id}/subtree"), token)
            .await,
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

const UNION_HEADER: &[&str] = &[
    "Mã đơn vị",
    "Mã đơn vị cấp trên",
    "Tên đơn vị",
    "Cấp",
    "Cụm thi đua",
    "Số đoàn viên",
];

async fn good_files_import_and_reimports_change_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let officer = app.login(who::OFFICER_A).await;
    // Names typed in decomposed Unicode come out NFC.
    let tra_linh_nfd: String = "LĐLĐ huyện Trà Lĩnh".nfd().collect();
    let book = xlsx(&[
        UNION_HEADER,
        &["CB-TL", "CB", &tra_linh_nfd, "2", "Cụm 1", "0"],
        &[
            "CB-TL-01",
            "CB-TL",
            "CĐCS Trường THPT Trà Lĩnh",
            "3",
            "",
            "25",
        ],
        &[
            "CB-TL-01-T1",
            "CB-TL-01",
            "Tổ công đoàn Văn phòng",
            "4",
            "",
            "6",
        ],
        // An existing union whose member count changed.
        &[
            "CB-VC-HQ",
            "CB-VC",
            "CĐCS Cục Hải quan Cao Bằng",
            "3",
            "",
            "120",
        ],
    ]);

    // A dry run reports and writes nothing.
    let dry = report(upload(&app, &officer, "unions", true, "cay.xlsx", book.clone()).await).await;
    assert_eq!(counts(&dry), (3, 1, 0), "{dry}");
    assert_eq!(dry["applied"], false);
    assert_eq!(dry["errors"].as_array().unwrap().len(), 0, "{dry}");
    let changed = dry["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "CB-VC-HQ")
        .unwrap();
    assert_eq!(changed["fields"][0], "Số đoàn viên: 112 → 120");
    assert_eq!(subtree(&app, &officer, w.cb).await.len(), 4);

    let audits = audit_rows(&app).await;
    let done =
        report(upload(&app, &officer, "unions", false, "cay.xlsx", book.clone()).await).await;
    assert_eq!(counts(&done), (3, 1, 0));
    assert_eq!(done["applied"], true);
    let tree = subtree(&app, &officer, w.cb).await;
    assert_eq!(tree.len(), 7);
    let tl = tree.iter().find(|u| u["code"] == "CB-TL").unwrap();
    assert_eq!(tl["name"], "LĐLĐ huyện Trà Lĩnh");
    assert_eq!(tl["cluster"], "Cụm 1");
    assert_eq!(tl["level"], 2);
    let group = tree.iter().find(|u| u["code"] == "CB-TL-01-T1").unwrap();
    assert_eq!(group["level_name"], "Tổ công đoàn");
    assert!(
        group["path"]
            .as_str()
            .unwrap()
            .starts_with(tl["path"].as_str().unwrap())
    );
    assert_eq!(tl["subtree_member_count"], 31);
    let hq = tree.iter().find(|u| u["code"] == "CB-VC-HQ").unwrap();
    assert_eq!(hq["member_count"], 120);
    // One entry per new or changed union, and one for the import.
    assert_eq!(audit_rows(&app).await, audits + 5);

    // The same file again: everything unchanged, no audit noise.
    let again = report(upload(&app, &officer, "unions", false, "cay.xlsx", book).await).await;
    assert_eq!(counts(&again), (0, 0, 4));
    assert_eq!(again["applied"], false);
    assert_eq!(audit_rows(&app).await, audits + 5);

    // Members from a CSV with a BOM and semicolons, English headers in any case.
    let members = csv_bom(
        "MEMBER CODE;Full name;E-mail;Phone;Union code\n\
         CB-0001;Nông Thị Hoa;Hoa.Nong@Example.vn;0912 345 678;CB-TL-01\n\
         CB-0002;Hoàng Văn Sơn;son.hv@example.vn;+84 987 654 321;CB-TL-01\n\
         CB-0003;Lý Thị Mai;mai.lt@example.vn;;CB-VC-HQ\n",
    );
    let done =
        report(upload(&app, &officer, "members", false, "ds.csv", members.clone()).await).await;
    assert_eq!(counts(&done), (3, 0, 0), "{done}");
    let tl_id = tl["id"].as_i64().unwrap();
    let listed = json(
        app.get(&format!("/api/v1/users?union_id={tl_id}"), &officer)
            .await,
    )
    .await;
    assert_eq!(listed["total"], 2, "{listed}");
    let hoa = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["member_code"] == "CB-0001")
        .unwrap();
    assert_eq!(hoa["email"], "hoa.nong@example.vn");
    assert_eq!(hoa["phone"], "0912345678");
    assert_eq!(hoa["can_sign_in"], false);
    assert_eq!(hoa["status"], "active");
    // Without a password nobody signs in as them yet.
    let res = app
        .request(reqwest::Method::POST, "/api/v1/auth/login", None)
        .json(&serde_json::json!({"login": "CB-0001", "password": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    let again = report(upload(&app, &officer, "members", false, "ds.csv", members).await).await;
    assert_eq!(counts(&again), (0, 0, 3));
    // A changed phone and a move to another union of the subtree.
    let changed = csv_bom(
        "Mã đoàn viên,Họ và tên,Email,Số điện thoại,Mã đơn vị\n\
         CB-0001,Nông Thị Hoa,hoa.nong@example.vn,0912345679,CB-TL-01\n\
         CB-0002,Hoàng Văn Sơn,son.hv@example.vn,0987654321,CB-VC-HQ\n\
         CB-0003,Lý Thị Mai,mai.lt@example.vn,,CB-VC-HQ\n",
    );
    let done = report(upload(&app, &officer, "members", false, "ds2.csv", changed).await).await;
    assert_eq!(counts(&done), (0, 2, 1), "{done}");
    let son = json(
        app.get(
            &format!("/api/v1/users?union_id={}&q=CB-0002", w.cb_hq),
            &officer,
        )
        .await,
    )
    .await;
    assert_eq!(son["total"], 1, "{son}");
}

async fn bad_rows_are_all_reported_and_nothing_is_written(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let officer = app.login(who::OFFICER_A).await;
    let file = csv_bom(
        "Mã đơn vị,Mã đơn vị cấp trên,Tên đơn vị,Cấp,Cụm thi đua,Số đoàn viên\n\
         CB-OK,CB,Đơn vị hợp lệ,2,,10\n\
         CB-X,CB-KHONG-CO,Cấp trên không tồn tại,3,,\n\
         CB-OK,CB,Trùng mã,2,,\n\
         CB-LV,CB,Sai cấp,4,,\n\
         CB-NN,CB,,2,,\n\
         CB-MC,CB,Sai số đoàn viên,2,,mười\n\
         CB-A,CB-B,Vòng A,3,,\n\
         CB-B,CB-A,Vòng B,3,,\n\
         CB-VC-KB,CB,Chuyển cấp trên,2,,\n\
         LS-MOI,LS,Ngoài phạm vi,2,,\n\
         LS-VC,LS,Công đoàn Viên chức tỉnh Lạng Sơn,2,,\n",
    );
    let before = subtree(&app, &officer, w.cb).await.len();
    let audits = audit_rows(&app).await;
    let res = upload(&app, &officer, "unions", false, "cay.csv", file.clone()).await;
    let body = expect_error(res, 422, "import_rows_invalid").await;
    let report = &body["error"]["details"];
    let lines: Vec<i64> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 7, 8, 9, 10, 11, 12], "{report}");
    let message = |line: i64| -> String {
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["line"] == line)
            .unwrap()["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(message(3).contains("Không tìm thấy đơn vị cấp trên mã CB-KHONG-CO"));
    assert!(message(4).contains("trùng với dòng 2"));
    // Since 2025 a federation holds grassroots unions directly, never a group.
    assert!(
        message(5).contains("chỉ có đơn vị cấp dưới là cấp 2 hoặc 3"),
        "{}",
        message(5)
    );
    assert!(message(6).contains("Tên đơn vị"));
    assert!(message(7).contains("Số đoàn viên"));
    assert!(message(8).contains("Vòng lặp"));
    assert!(message(10).contains("Chưa hỗ trợ chuyển đơn vị"));
    assert!(message(11).contains("ngoài phạm vi"));
    assert!(message(12).contains("ngoài phạm vi"));
    assert_eq!(report["applied"], false);
    assert_eq!(subtree(&app, &officer, w.cb).await.len(), before);
    assert_eq!(audit_rows(&app).await, audits);

    let members = csv_bom(
        "Mã đoàn viên,Họ và tên,Email,Số điện thoại,Mã đơn vị\n\
         CB-1,Người Hợp Lệ,hople@example.vn,0912345678,CB-VC-HQ\n\
         CB-2,Sai Email,khong-phai-email,,CB-VC-HQ\n\
         CB-3,Sai Điện Thoại,dt@example.vn,12345,CB-VC-HQ\n\
         CB-4,Đơn Vị Lạ,la@example.vn,,CB-KHONG-CO\n\
         CB-5,Tỉnh Khác,khac@example.vn,,LS-VC-GD\n\
         CB-6,Email Đã Dùng,member.b@test.vn,,CB-VC-HQ\n\
         CB-7,Trùng Email,hople@example.vn,,CB-VC-HQ\n\
         CB-8,,ten@example.vn,,CB-VC-HQ\n",
    );
    let res = upload(&app, &officer, "members", false, "ds.csv", members.clone()).await;
    let body = expect_error(res, 422, "import_rows_invalid").await;
    let lines: Vec<i64> = body["error"]["details"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 7, 8, 9], "{body}");
    let found = json(app.get("/api/v1/users?q=CB-1", &officer).await).await;
    assert_eq!(found["total"], 0, "nothing imported: {found}");

    // The command line prints the same report and fails.
    let path = app.settings.data.dir.join("ds-loi.csv");
    std::fs::write(&path, &members).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sangkien"))
        .args(["import", "members"])
        .arg(&path)
        .args(["--as", who::OFFICER_A])
        .env("SANGKIEN__DATABASE__URL", &app.settings.database.url)
        .env("SANGKIEN__DATA__DIR", app.settings.data.dir.join("cli"))
        .env("SANGKIEN__LOG__FILTER", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(stdout.contains("7 dòng lỗi"), "{stdout}");
    assert!(
        stdout.contains("Dòng 3 [CB-2]: Email \"khong-phai-email\" không hợp lệ."),
        "{stdout}"
    );
    assert!(
        stdout.contains("Dòng 8 [CB-7]: Email hople@example.vn trùng với dòng 2."),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("chưa nhập dòng nào"), "{stderr}");
}

async fn officers_stay_in_their_province(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let officer_b = app.login(who::OFFICER_B).await;
    let file = xlsx(&[
        UNION_HEADER,
        &["CB-VC-HQ", "CB-VC", "Đổi tên hộ tỉnh khác", "3", "", ""],
        &["CB-VC-MOI", "CB-VC", "Thêm vào tỉnh khác", "3", "", ""],
        &["LS-VC-MOI", "LS-VC", "CĐCS mới của Lạng Sơn", "3", "", "12"],
    ]);
    let body = expect_error(
        upload(&app, &officer_b, "unions", false, "cay.xlsx", file).await,
        422,
        "import_rows_invalid",
    )
    .await;
    let errors = body["error"]["details"]["errors"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(errors.len(), 2, "{body}");
    assert!(
        errors
            .iter()
            .all(|e| e["message"].as_str().unwrap().contains("ngoài phạm vi"))
    );
    let officer_a = app.login(who::OFFICER_A).await;
    let hq = subtree(&app, &officer_a, w.cb_hq).await;
    assert_eq!(hq[0]["name"], "CĐCS Cục Hải quan Cao Bằng");
    // Nor members of another province.
    let members = csv_bom(
        "Mã đoàn viên,Họ và tên,Email,Số điện thoại,Mã đơn vị\n\
         MEMBER-A,Lục Thị Đoàn,member.a@test.vn,,LS-VC-GD\n",
    );
    let r = report(upload(&app, &officer_b, "members", true, "ds.csv", members).await).await;
    assert_eq!(r["errors"][0]["line"], 2, "{r}");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("MEMBER-A thuộc một đơn vị ngoài phạm vi quản lý của bạn"),
        "{r}"
    );
}

async fn bad_files_get_a_clear_answer(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.world().await;
    let officer = app.login(who::OFFICER_A).await;
    let body = expect_error(
        upload(&app, &officer, "unions", true, "rong.csv", Vec::new()).await,
        422,
        "spreadsheet_invalid",
    )
    .await;
    assert_eq!(body["error"]["details"]["reason"], "empty_file");
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00".to_vec();
    expect_error(
        upload(&app, &officer, "unions", true, "cay.xlsx", png).await,
        415,
        "not_a_spreadsheet",
    )
    .await;
    expect_error(
        upload(
            &app,
            &officer,
            "unions",
            true,
            "cay.xlsx",
            b"PK\x03\x04rubbish".to_vec(),
        )
        .await,
        415,
        "not_a_spreadsheet",
    )
    .await;
    let body = expect_error(
        upload(
            &app,
            &officer,
            "unions",
            true,
            "cay.csv",
            csv_bom("Tên,Ghi chú\nA,B\n"),
        )
        .await,
        422,
        "spreadsheet_invalid",
    )
    .await;
    assert_eq!(body["error"]["details"]["reason"], "missing_columns");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Mã đơn vị cấp trên"),
        "{body}"
    );
    let big = vec![b'a'; 20 * 1024 * 1024 + 10];
    expect_error(
        upload(&app, &officer, "unions", true, "to.csv", big).await,
        413,
        "payload_too_large",
    )
    .await;
    expect_error(
        upload(&app, &officer, "quotas", true, "x.csv", b"a".to_vec()).await,
        404,
        "not_found",
    )
    .await;
    let member = app.login(who::MEMBER_A).await;
    expect_error(
        upload(&app, &member, "unions", true, "cay.csv", b"a".to_vec()).await,
        403,
        "forbidden",
    )
    .await;
    let res = app
        .request(
            reqwest::Method::POST,
            "/api/v1/imports/unions",
            Some(&officer),
        )
        .multipart(Form::new().text("other", "x"))
        .send()
        .await
        .unwrap();
    expect_error(res, 400, "validation_failed").await;
}

async fn the_page_checks_then_imports(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let c = sign_in(&app, who::OFFICER_A).await;
    let home = text(c.get(format!("{}/", app.base)).send().await.unwrap()).await;
    assert!(
        home.contains("href=\"/don-vi/nhap-du-lieu\""),
        "the officer sees the way in"
    );
    let page = text(
        c.get(format!("{}/don-vi/nhap-du-lieu", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("Nhập dữ liệu tổ chức"));
    assert!(page.contains("Cây đơn vị"));
    let csrf = csrf_of(&page);
    let post = |kind: &'static str, name: &'static str, bytes: Vec<u8>| {
        let form = Form::new()
            .text("kind", kind)
            .part("file", Part::bytes(bytes).file_name(name));
        c.post(format!("{}/don-vi/nhap-du-lieu?csrf={csrf}", app.base))
            .multipart(form)
            .send()
    };
    let file = xlsx(&[
        UNION_HEADER,
        &["CB-HA", "CB", "LĐLĐ huyện Hà Quảng", "2", "Cụm 2", ""],
        &[
            "CB-HA-01",
            "CB-HA",
            "CĐCS Trạm Y tế xã Trường Hà",
            "3",
            "",
            "14",
        ],
    ]);
    let res = post("unions", "cay.xlsx", file.clone()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let report = text(res).await;
    assert!(report.contains("id=\"count-new\">2<"), "{report}");
    assert!(report.contains("CĐCS Trạm Y tế xã Trường Hà"));
    assert!(report.contains(">Nhập dữ liệu</button>"));
    // Nothing is written before the officer accepts.
    let officer = app.login(who::OFFICER_A).await;
    assert_eq!(subtree(&app, &officer, w.cb).await.len(), 4);
    let at = report.find("action=\"/don-vi/nhap-du-lieu/").unwrap();
    let rest = &report[at + "action=\"".len()..];
    let action = &rest[..rest.find('"').unwrap()];
    // Another officer cannot apply this upload.
    let other = sign_in(&app, who::OFFICER_B).await;
    let other_page = text(
        other
            .get(format!("{}/don-vi/nhap-du-lieu", app.base))
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
    assert!(
        done.contains("Đã nhập cây đơn vị: 2 mới, 0 thay đổi, 0 không đổi."),
        "{done}"
    );
    assert_eq!(subtree(&app, &officer, w.cb).await.len(), 6);
    // The same file again: nothing to do, no button.
    let again = text(post("unions", "cay.xlsx", file).await.unwrap()).await;
    assert!(again.contains("không có gì thay đổi"), "{again}");
    assert!(!again.contains(">Nhập dữ liệu</button>"));
    // A bad file: every bad row with its line, no button.
    let bad = csv_bom(
        "Mã đoàn viên,Họ và tên,Email,Số điện thoại,Mã đơn vị\n\
         CB-9,Người Tốt,tot@example.vn,,CB-HA-01\n\
         CB-10,Email Sai,sai,,CB-HA-01\n",
    );
    let res = post("members", "ds.csv", bad).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(res).await;
    assert!(page.contains("<td>3</td><td>CB-10</td>"), "{page}");
    assert!(!page.contains(">Nhập dữ liệu</button>"));
    // Not a spreadsheet: the form again with the reason.
    let res = post("members", "anh.xlsx", b"\x89PNG\r\n\x1a\n".to_vec())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(text(res).await.contains("không phải bảng tính"));
    // Members have no such page.
    let member = sign_in(&app, who::MEMBER_A).await;
    let res = member
        .get(format!("{}/don-vi/nhap-du-lieu", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn the_command_line_imports_with_progress(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cay.xlsx");
    std::fs::write(
        &path,
        xlsx(&[
            &[
                "Code",
                "Parent code",
                "Name",
                "Level",
                "Cluster",
                "Member count",
            ],
            &["CB-NA", "CB", "LĐLĐ huyện Nguyên Bình", "2", "", "0"],
            &[
                "CB-NA-01",
                "CB-NA",
                "CĐCS Trường Tiểu học Nguyên Bình",
                "3",
                "",
                "31",
            ],
        ]),
    )
    .unwrap();
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sangkien"))
            .args(["import", "unions"])
            .arg(&path)
            .args(["--as", who::OFFICER_A])
            .args(extra)
            .env("SANGKIEN__DATABASE__URL", &app.settings.database.url)
            .env("SANGKIEN__DATA__DIR", dir.path())
            .env("SANGKIEN__LOG__FILTER", "warn")
            .output()
            .unwrap()
    };
    let out = run(&["--dry-run"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("2 mới, 0 thay đổi, 0 không đổi; 0 dòng lỗi"),
        "{stdout}"
    );
    assert!(stdout.contains("--dry-run"), "{stdout}");
    let officer = app.login(who::OFFICER_A).await;
    assert_eq!(subtree(&app, &officer, w.cb).await.len(), 4);
    let out = run(&[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("Đã nhập dữ liệu."), "{stdout}");
    assert_eq!(subtree(&app, &officer, w.cb).await.len(), 6);
    let out = run(&[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("0 mới, 0 thay đổi, 2 không đổi"),
        "{stdout}"
    );
    assert!(stdout.contains("Không có gì thay đổi."), "{stdout}");
    // Someone who is not an officer may not import.
    let out = Command::new(env!("CARGO_BIN_EXE_sangkien"))
        .args(["import", "unions"])
        .arg(&path)
        .args(["--as", who::MEMBER_A])
        .env("SANGKIEN__DATABASE__URL", &app.settings.database.url)
        .env("SANGKIEN__DATA__DIR", dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cán bộ công đoàn"));
    // A member of a union that stopped operating is told so, as when signing in.
    let res = app
        .patch(
            &format!("/api/v1/unions/{}", w.cb_hq),
            &officer,
            &serde_json::json!({"active": false}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let out = Command::new(env!("CARGO_BIN_EXE_sangkien"))
        .args(["import", "unions"])
        .arg(&path)
        .args(["--as", who::MEMBER_A])
        .env("SANGKIEN__DATABASE__URL", &app.settings.database.url)
        .env("SANGKIEN__DATA__DIR", dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("đã ngừng hoạt động"), "{stderr}");
}

crate::on_both_backends!(
    good_files_import_and_reimports_change_nothing,
    bad_rows_are_all_reported_and_nothing_is_written,
    officers_stay_in_their_province,
    bad_files_get_a_clear_answer,
    the_page_checks_then_imports,
    the_command_line_imports_with_progress,
    a_cell_at_xfd1048576_is_refused_and_the_server_lives,
    a_zip_bomb_is_refused_and_the_server_lives,
    a_huge_unique_count_is_refused_and_the_server_lives,
    refusals_name_nothing_outside_the_importers_subtree,
);

/// An XLSX written by hand, part by part, so that a test can say exactly what a hostile file
/// holds: `sheet_data` goes inside `<sheetData>`, `shared` (when given) is the whole
/// `xl/sharedStrings.xml`, and `padding` bytes of spaces go after the rows (a zip bomb when
/// large: spaces deflate about a thousand to one).
pub(crate) fn raw_xlsx(sheet_data: &str, shared: Option<&str>, padding: usize) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut part = |name: &str, body: &[u8]| {
        zip.start_file(name, deflated).unwrap();
        zip.write_all(body).unwrap();
    };
    part(
        "[Content_Types].xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
    );
    part(
        "_rels/.rels",
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    part(
        "xl/workbook.xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    );
    part(
        "xl/_rels/workbook.xml.rels",
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
    );
    if let Some(shared) = shared {
        part("xl/sharedStrings.xml", shared.as_bytes());
    }
    let mut sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}"#
    )
    .into_bytes();
    sheet.resize(sheet.len() + padding, b' ');
    sheet.extend_from_slice(b"</sheetData></worksheet>");
    part("xl/worksheets/sheet1.xml", &sheet);
    zip.finish().unwrap().into_inner()
}

/// A row of inline strings, cells from column A.
fn inline_row(r: usize, cells: &[&str]) -> String {
    let cells: String = cells
        .iter()
        .enumerate()
        .map(|(c, v)| {
            let col = char::from(b'A' + u8::try_from(c).unwrap());
            format!(r#"<c r="{col}{r}" t="inlineStr"><is><t>{v}</t></is></c>"#)
        })
        .collect();
    format!(r#"<row r="{r}">{cells}</row>"#)
}

/// The member header and one good row, as inline-string rows 1 and 2.
fn member_rows() -> String {
    inline_row(
        1,
        &[
            "Mã đoàn viên",
            "Họ và tên",
            "Email",
            "Số điện thoại",
            "Mã đơn vị",
        ],
    ) + &inline_row(
        2,
        &[
            "DV-MOI-1",
            "Nguyễn Văn Mới",
            "dv.moi.1@test.vn",
            "",
            "CB-VC-HQ",
        ],
    )
}

/// The crafted workbook of issue 22: a header row, one data row and one cell at XFD1048576,
/// which made calamine allocate 549 GB for a dense range and abort the process.
pub(crate) fn far_cell_xlsx() -> Vec<u8> {
    raw_xlsx(
        &(member_rows()
            + r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>"#),
        None,
        0,
    )
}

/// A zip bomb: the same two rows, then 8 MiB of spaces that deflate to a few KB.
pub(crate) fn zip_bomb_xlsx() -> Vec<u8> {
    raw_xlsx(&member_rows(), None, 8 * 1024 * 1024)
}

/// Shared strings that announce 50 billion entries (calamine reserved them at open).
pub(crate) fn huge_unique_count_xlsx() -> Vec<u8> {
    raw_xlsx(
        &(inline_row(
            1,
            &[
                "Mã đoàn viên",
                "Họ và tên",
                "Email",
                "Số điện thoại",
                "Mã đơn vị",
            ],
        ) + r#"<row r="2"><c r="A2" t="s"><v>0</v></c></row>"#),
        Some(
            r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="50000000000"><si><t>DV-MOI-1</t></si></sst>"#,
        ),
        0,
    )
}

async fn still_alive(app: &TestApp) {
    let res = app
        .request(reqwest::Method::GET, "/healthz", None)
        .send()
        .await
        .expect("the server still answers");
    assert_eq!(res.status(), 200);
}

/// Posts `file` as a member list (dry run) as Cao Bằng's officer; answers the error body after
/// checking its status and code, and that the server still answers `/healthz`.
async fn refused(backend: Backend, file: Vec<u8>, status: u16, code: &str) -> Option<Value> {
    let app = TestApp::spawn(backend).await?;
    app.world().await;
    let officer = app.login(who::OFFICER_A).await;
    // The same two rows in an honest workbook are read.
    let fine = raw_xlsx(&member_rows(), None, 0);
    let r = report(upload(&app, &officer, "members", true, "ds.xlsx", fine).await).await;
    assert_eq!(counts(&r), (1, 0, 0), "{r}");
    let body = expect_error(
        upload(&app, &officer, "members", true, "ds.xlsx", file).await,
        status,
        code,
    )
    .await;
    let message = body["error"]["message"].as_str().unwrap();
    assert_eq!(message, message.nfc().collect::<String>(), "NFC");
    still_alive(&app).await;
    Some(body)
}

/// Issue 22, item 1: the 1.7 KB workbook with a cell at XFD1048576 aborted the process
/// (calamine allocated a dense 549 GB range); it is refused before any cell is kept.
async fn a_cell_at_xfd1048576_is_refused_and_the_server_lives(backend: Backend) {
    let file = far_cell_xlsx();
    assert!(file.len() < 4096, "{} bytes", file.len());
    let Some(body) = refused(backend, file, 422, "spreadsheet_invalid").await else {
        return;
    };
    assert_eq!(
        body["error"]["details"]["reason"], "too_many_columns",
        "{body}"
    );
    assert!(
        body["error"]["message"].as_str().unwrap().contains("cột"),
        "{body}"
    );
}

/// Issue 22, item 1: a zip bomb (8 MiB of spaces in 10 KB) was inflated and read; it is
/// refused by what it really unpacks to, whatever its headers declare.
async fn a_zip_bomb_is_refused_and_the_server_lives(backend: Backend) {
    let file = zip_bomb_xlsx();
    assert!(file.len() < 32 * 1024, "{} bytes", file.len());
    let Some(body) = refused(backend, file, 413, "payload_too_large").await else {
        return;
    };
    assert_eq!(
        body["error"]["details"]["reason"], "unpacked_too_large",
        "{body}"
    );
}

/// Issue 22, item 1: a `uniqueCount` of 50 billion made calamine reserve 1.2 TB at open and
/// abort; it is refused before calamine sees the file. An old XLS is refused with what to save
/// it as.
async fn a_huge_unique_count_is_refused_and_the_server_lives(backend: Backend) {
    let Some(body) = refused(
        backend,
        huge_unique_count_xlsx(),
        422,
        "spreadsheet_invalid",
    )
    .await
    else {
        return;
    };
    assert_eq!(
        body["error"]["details"]["reason"], "too_many_strings",
        "{body}"
    );
    let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    xls.resize(4096, 0);
    let Some(body) = refused(backend, xls, 415, "not_a_spreadsheet").await else {
        return;
    };
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("Excel Workbook (.xlsx)") && message.contains("CSV UTF-8"),
        "{body}"
    );
}

/// Issue 22, item 11: an import's refusals never name a union outside the importer's subtree
/// (its code or its name), nor another province's member code.
async fn refusals_name_nothing_outside_the_importers_subtree(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.world().await;
    let officer_b = app.login(who::OFFICER_B).await;
    // A member of Cao Bằng moved into Lạng Sơn; a new member with a Cao Bằng member's email.
    let members = csv_bom(
        "Mã đoàn viên,Họ và tên,Email,Số điện thoại,Mã đơn vị\n\
         MEMBER-A,Lục Thị Đoàn,member.a.moi@test.vn,,LS-VC-GD\n\
         LS-MOI-1,Người Mới,member.a@test.vn,,LS-VC-GD\n",
    );
    let r = report(upload(&app, &officer_b, "members", true, "ds.csv", members).await).await;
    let errors = r["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{r}");
    for e in errors {
        let m = e["message"].as_str().unwrap();
        for leak in ["CB-VC-HQ", "Hải quan", "CB-"] {
            assert!(!m.contains(leak), "{leak} in {m}");
        }
    }
    // The email's owner is not named by their member code (the file named MEMBER-A only on
    // line 2).
    assert_eq!(errors[1]["line"], 3, "{r}");
    let m = errors[1]["message"].as_str().unwrap();
    assert!(!m.contains("MEMBER-A") && m.contains("đã được dùng"), "{m}");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("ngoài phạm vi quản lý của bạn"),
        "{r}"
    );
    // A province's own union put under a new parent: its current parent (the root) is not
    // named.
    let unions = csv_bom(
        "Mã đơn vị,Mã đơn vị cấp trên,Tên đơn vị,Cấp\n\
         MOI-GOC,,Gốc mới,0\n\
         LS,MOI-GOC,LĐLĐ tỉnh Lạng Sơn,1\n",
    );
    let r = report(upload(&app, &officer_b, "unions", true, "cay.csv", unions).await).await;
    let errors = r["errors"].as_array().unwrap();
    assert_eq!(errors[1]["code"], "LS", "{r}");
    assert!(
        errors[1]["message"]
            .as_str()
            .unwrap()
            .contains("một đơn vị cấp trên ngoài phạm vi quản lý của bạn"),
        "{r}"
    );
    for e in errors {
        let m = e["message"].as_str().unwrap();
        for leak in ["ROOT", "Tổng Liên đoàn"] {
            assert!(!m.contains(leak), "{leak} in {m}");
        }
    }
}
