//! Attachments: upload within limits, listing, download to those allowed only.

use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::helpers::{Backend, TestApp, complete_draft, create_draft, expect_error, json, who};

fn form(name: &str, bytes: Vec<u8>, mime: &str) -> Form {
    Form::new().part(
        "file",
        Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str(mime)
            .unwrap(),
    )
}

async fn upload_list_download(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let id = create_draft(
        &app,
        &member,
        &complete_draft(&w, "Sáng kiến có tệp đính kèm"),
    )
    .await;
    let url = format!("/api/v1/initiatives/{id}/attachments");
    let pdf = "%PDF-1.4\n% Bản thuyết minh sáng kiến\n"
        .as_bytes()
        .to_vec();

    let res = app
        .request(reqwest::Method::POST, &url, Some(&member))
        .multipart(form(
            "../../Thuyết minh sáng kiến.pdf",
            pdf.clone(),
            // What the browser declares does not matter: the content is a PDF.
            "text/html",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let att = json(res).await;
    assert_eq!(
        att["file_name"], "Thuyết minh sáng kiến.pdf",
        "the path is stripped"
    );
    assert_eq!(att["size_bytes"], pdf.len());

    // Over the limit (4 KiB in tests): 413, and nothing recorded.
    let res = app
        .request(reqwest::Method::POST, &url, Some(&member))
        .multipart(form("lon.pdf", vec![b'x'; 20_000], "application/pdf"))
        .send()
        .await
        .unwrap();
    expect_error(res, 413, "payload_too_large").await;
    // A type not accepted: 415.
    let res = app
        .request(reqwest::Method::POST, &url, Some(&member))
        .multipart(form(
            "virus.exe",
            b"MZ".to_vec(),
            "application/octet-stream",
        ))
        .send()
        .await
        .unwrap();
    expect_error(res, 415, "unsupported_media_type").await;
    // A page renamed .pdf: refused by its content, whatever it declares.
    let res = app
        .request(reqwest::Method::POST, &url, Some(&member))
        .multipart(form(
            "bao-cao.pdf",
            b"<!doctype html><script>alert(document.cookie)</script>".to_vec(),
            "application/pdf",
        ))
        .send()
        .await
        .unwrap();
    let refused = expect_error(res, 415, "unsupported_media_type").await;
    assert_eq!(
        refused["error"]["details"]["reason"],
        "content_does_not_match_extension"
    );
    // No file part: 400.
    let res = app
        .request(reqwest::Method::POST, &url, Some(&member))
        .multipart(Form::new().text("note", "không có tệp"))
        .send()
        .await
        .unwrap();
    expect_error(res, 400, "validation_failed").await;
    // Someone else's initiative: as if it did not exist.
    let other = app.login(who::MEMBER_B).await;
    let res = app
        .request(reqwest::Method::POST, &url, Some(&other))
        .multipart(form("x.pdf", pdf.clone(), "application/pdf"))
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "not_found").await;

    let list = json(app.get(&url, &member).await).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let att_id = att["id"].as_i64().unwrap();
    let res = app
        .get(&format!("/api/v1/attachments/{att_id}"), &member)
        .await;
    assert_eq!(res.status(), 200);
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        res.headers()["content-type"],
        "application/pdf",
        "served as what its content is"
    );
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);
    expect_error(
        app.get(&format!("/api/v1/attachments/{att_id}"), &other)
            .await,
        404,
        "not_found",
    )
    .await;

    // After submission the officer may download; nobody may add files.
    assert_eq!(
        app.post(
            &format!("/api/v1/initiatives/{id}/submit"),
            &member,
            &json!({})
        )
        .await
        .status(),
        200
    );
    let officer = app.login(who::OFFICER_A).await;
    assert_eq!(
        app.get(&format!("/api/v1/attachments/{att_id}"), &officer)
            .await
            .status(),
        200
    );
    let res = app
        .request(reqwest::Method::POST, &url, Some(&member))
        .multipart(form("muon.pdf", pdf, "application/pdf"))
        .send()
        .await
        .unwrap();
    expect_error(res, 409, "invalid_state").await;
}

/// An upload whose stream ends part-way is refused and leaves no temporary file behind.
async fn a_cut_upload_leaves_nothing_behind(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let id = create_draft(
        &app,
        &member,
        &complete_draft(&w, "Sáng kiến tải lên dở dang"),
    )
    .await;
    let mut body = b"--RANH-GIOI\r\nContent-Disposition: form-data; name=\"file\"; \
filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n"
        .to_vec();
    body.extend(std::iter::repeat_n(b'x', 2_000));
    let res = app
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/initiatives/{id}/attachments"),
            Some(&member),
        )
        .header("content-type", "multipart/form-data; boundary=RANH-GIOI")
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
    let tmp = app.settings.data.dir.join("uploads").join("tmp");
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "left behind: {left:?}");
}

crate::on_both_backends!(upload_list_download, a_cut_upload_leaves_nothing_behind);
