//! The pages over plain HTTP: sign-in with the session cookie and CSRF, what members and the
//! public see, errors as Vietnamese pages, and the pages' security headers.

use reqwest::{Client, Response, StatusCode, redirect};

use crate::helpers::{
    Backend, PASSWORD, TestApp, accept_coauthor, approve, complete_draft, submit, who,
};

/// A browser-like client: keeps cookies, does not follow redirects.
pub(crate) fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

pub(crate) async fn text(res: Response) -> String {
    res.text().await.unwrap()
}

/// The value of the first hidden `csrf` field of a page.
pub(crate) fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field");
    let rest = &html[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// Signs in through the form; returns the client holding the session.
pub(crate) async fn sign_in(app: &TestApp, login: &str) -> Client {
    sign_in_holding(app, login).await.0
}

/// Signs in through the form with a cookie jar the test can read; returns the client and the
/// session token its (HttpOnly) cookie holds.
pub(crate) async fn sign_in_holding(app: &TestApp, login: &str) -> (Client, String) {
    use reqwest::cookie::CookieStore;
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let c = Client::builder()
        .cookie_provider(jar.clone())
        .redirect(redirect::Policy::none())
        .build()
        .unwrap();
    let page = text(
        c.get(format!("{}/dang-nhap", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let res = c
        .post(format!("{}/dang-nhap", app.base))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("login", login),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let url: reqwest::Url = app.base.parse().unwrap();
    let token = jar
        .cookies(&url)
        .and_then(|h| {
            h.to_str().ok().and_then(|v| {
                v.split("; ")
                    .find_map(|c| c.strip_prefix("sk_session="))
                    .map(str::to_owned)
            })
        })
        .unwrap_or_default();
    (c, token)
}

async fn signing_in_and_out(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.world().await;
    let c = browser();
    // A member page without a session sends to sign-in, and back afterwards.
    let res = c
        .get(format!("{}/sang-kien/moi", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        "/dang-nhap?next=%2Fsang%2Dkien%2Fmoi"
    );
    let page = text(
        c.get(format!("{}/dang-nhap", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("Mã đoàn viên hoặc email"));
    let csrf = csrf_of(&page);
    // A wrong password: the form again, with the reason, the login kept.
    let res = c
        .post(format!("{}/dang-nhap", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", who::MEMBER_A),
            ("password", "sai"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let page = text(res).await;
    assert!(
        page.contains("Tên đăng nhập hoặc mật khẩu không đúng."),
        "{page}"
    );
    assert!(page.contains(&format!("value=\"{}\"", who::MEMBER_A)));
    // Without the CSRF token: refused.
    let res = c
        .post(format!("{}/dang-nhap", app.base))
        .form(&[("login", who::MEMBER_A), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(text(res).await.contains("Biểu mẫu đã hết hạn"));
    // From another site, even with the token: refused.
    let res = c
        .post(format!("{}/dang-nhap", app.base))
        .header("Origin", "https://evil.example")
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", who::MEMBER_A),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Right: the session cookie is HttpOnly and SameSite, and we go where we wanted.
    let res = c
        .post(format!("{}/dang-nhap", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", who::MEMBER_A),
            ("password", PASSWORD),
            ("next", "/sang-kien/moi"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/sang-kien/moi");
    let cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("sk_session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
    let home = text(c.get(format!("{}/", app.base)).send().await.unwrap()).await;
    assert!(home.contains("Xin chào, Đoàn"), "{home}");
    assert!(home.contains("Bạn chưa có sáng kiến nào."));
    assert!(home.contains("Viết sáng kiến mới"));
    // The session cookie is not an API credential: the API wants a bearer token.
    let res = c
        .get(format!("{}/api/v1/me", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // Sign out: the cookie is removed and the home page is the public one again.
    let csrf = csrf_of(&home);
    let res = c
        .post(format!("{}/dang-xuat", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let home = text(c.get(format!("{}/", app.base)).send().await.unwrap()).await;
    assert!(home.contains("Đăng nhập để nộp sáng kiến"), "{home}");
}

async fn the_form_shows_problems_beside_fields(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let c = sign_in(&app, who::MEMBER_A).await;
    let form = text(
        c.get(format!("{}/sang-kien/moi", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let csrf = csrf_of(&form);
    // Too short a title, an unknown co-author, a benefit in words: each said beside its field,
    // and what was typed is kept.
    let res = c
        .post(format!("{}/sang-kien/moi", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "Ab"),
            ("solution", "Giải pháp <b>in đậm</b> vẫn là chữ"),
            ("coauthor_login_0", "khong-co-ai@test.vn"),
            ("coauthor_share_0", "30"),
            ("estimated_benefit_vnd", "mười triệu"),
            ("action", "save"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(res).await;
    assert!(page.contains("id=\"coauthor_login_0-error\""), "{page}");
    assert!(page.contains("Không tìm thấy đoàn viên có mã hoặc email này."));
    assert!(page.contains("id=\"estimated_benefit_vnd-error\""));
    assert!(
        page.contains("in đậm") && !page.contains("<b>in đậm</b>"),
        "escaped"
    );
    assert!(page.contains("value=\"khong-co-ai@test.vn\""));
    // A draft saved with a co-author and an amount typed the Vietnamese way.
    let res = c
        .post(format!("{}/sang-kien/moi", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "Số hoá hồ sơ lưu trữ"),
            ("field_id", &w.field.to_string()),
            ("author_share_percent", "70"),
            ("coauthor_login_0", who::COAUTHOR_A),
            ("coauthor_share_0", "30"),
            ("estimated_benefit_vnd", "1.234.567 đ"),
            ("action", "save"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let edit = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(edit.ends_with("/sua?da_luu=1"), "{edit}");
    let page = text(c.get(format!("{}{edit}", app.base)).send().await.unwrap()).await;
    assert!(page.contains("Đã lưu nháp lúc"));
    assert!(page.contains("value=\"1.234.567\""), "{page}");
    assert!(
        !page.contains("name=\"coauthor_login_0\" type=\"text\" value=\"\""),
        "the co-author is kept"
    );
    // The co-author accepts the invitation (until then the submission waits for them).
    let id: i64 = edit
        .trim_start_matches("/sang-kien/")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    accept_coauthor(&app, who::COAUTHOR_A, id).await;
    // Submitting it incomplete: saved, not submitted, with what is missing.
    let csrf = csrf_of(&page);
    let res = c
        .post(format!(
            "{}{}",
            app.base,
            edit.trim_end_matches("?da_luu=1")
        ))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", "1"),
            ("title", "Số hoá hồ sơ lưu trữ"),
            ("field_id", &w.field.to_string()),
            ("author_share_percent", "70"),
            ("coauthor_login_0", who::COAUTHOR_A),
            ("coauthor_share_0", "30"),
            ("action", "submit"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(res).await;
    assert!(
        page.contains("Sáng kiến chưa đủ thông tin để nộp"),
        "{page}"
    );
    assert!(page.contains("Cần mô tả nội dung giải pháp"));
}

async fn the_gallery_and_public_pages(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member_a = app.login(who::MEMBER_A).await;
    let mut open = complete_draft(&w, "Tiết kiệm điện chiếu sáng nhà xưởng");
    let public = submit(&app, &member_a, &open).await;
    open["title"] = "Quy trình bảo mật kho hàng".into();
    open["solution"] = "Nội dung mật: sơ đồ khoá và lịch tuần tra kho hàng hằng đêm.".into();
    open["confidential"] = true.into();
    let secret = submit(&app, &member_a, &open).await;
    for v in [&public, &secret] {
        approve(&app, v["_id"].as_i64().unwrap()).await;
    }
    let c = browser();
    let page = text(
        c.get(format!("{}/thu-vien", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("Tiết kiệm điện chiếu sáng nhà xưởng"));
    // The gallery lists non-confidential ones; the confidential one's page shows no content.
    assert!(!page.contains("Quy trình bảo mật kho hàng"), "{page}");
    let res = c
        .get(format!("{}/thu-vien/{}", app.base, secret["_id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = text(res).await;
    assert!(page.contains("Quy trình bảo mật kho hàng"));
    assert!(page.contains("120.000.000 đ"));
    assert!(!page.contains("sơ đồ khoá"), "{page}");
    let page = text(
        c.get(format!("{}/thu-vien/{}", app.base, public["_id"]))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("Quét toàn bộ hồ sơ"));
    assert!(page.contains("Lục Thị Đoàn"));
    // Search with a field filter: the initiative's field finds it (once the index has caught
    // up with the approval), another field does not.
    let search = |field: i64| {
        let c = c.clone();
        let url = format!("{}/thu-vien?q=tiet+kiem+dien&field={field}", app.base);
        async move { text(c.get(url).send().await.unwrap()).await }
    };
    let started = std::time::Instant::now();
    // (Search results mark the matched words, so the title's tail is what is looked for.)
    while !search(w.field).await.contains("chiếu sáng nhà xưởng") {
        assert!(started.elapsed().as_secs() < 5, "never found in its field");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let other = search(w.field + 1000).await;
    assert!(other.contains("Tìm thấy 0 sáng kiến"), "{other}");
    // A draft or an unknown id is not found, as a page in Vietnamese.
    for path in ["/thu-vien/999999", "/thu-vien/abc", "/khong-co-trang-nay"] {
        let res = c.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(text(res).await.contains("Không tìm thấy trang"));
    }
    // The API keeps answering JSON.
    let res = c
        .get(format!("{}/api/v1/khong-co", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    // Pages carry a strict policy; assets are cached for good under a versioned URL.
    let res = c
        .get(format!("{}/thu-vien", app.base))
        .send()
        .await
        .unwrap();
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    let res = c
        .get(format!("{}/static/app.css", app.base))
        .send()
        .await
        .unwrap();
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    // A member reading another's submitted initiative sees only what the similar panel shows.
    let member_b = app.login(who::MEMBER_B).await;
    let pending = submit(
        &app,
        &member_b,
        &complete_draft(&w, "Sổ tay điện tử cho giáo viên"),
    )
    .await;
    let c = sign_in(&app, who::MEMBER_A).await;
    let page = text(
        c.get(format!("{}/sang-kien/{}", app.base, pending["_id"]))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("Sổ tay điện tử cho giáo viên"));
    assert!(page.contains("Sáng kiến của đơn vị khác"));
    assert!(!page.contains("Quét toàn bộ hồ sơ"), "no content: {page}");
}

async fn returned_for_revision_with_attachments(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member_a = app.login(who::MEMBER_A).await;
    let id = submit(
        &app,
        &member_a,
        &complete_draft(&w, "Sổ theo dõi ca trực điện tử"),
    )
    .await["_id"]
        .as_i64()
        .unwrap();
    app.db
        .write(move |conn| {
            use sangkien::domain::InitiativeStatus::{Returned, UnderReview};
            sangkien::service::initiatives::force_status_in(conn, 1, id, UnderReview, None)?;
            sangkien::service::initiatives::force_status_in(
                conn,
                1,
                id,
                Returned,
                Some("Bổ sung số liệu tiết kiệm giờ công của 6 tháng gần nhất."),
            )
        })
        .await
        .unwrap();
    let c = sign_in(&app, who::MEMBER_A).await;
    // The initiative page: the badge, what to fix, and the timeline with the comment.
    let page = text(
        c.get(format!("{}/sang-kien/{id}", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("Trả lại để chỉnh sửa"));
    assert!(page.contains("Cần chỉnh sửa"));
    assert!(page.contains("Bổ sung số liệu tiết kiệm giờ công của 6 tháng gần nhất."));
    assert!(page.contains("Tiếp tục chỉnh sửa"));
    // The form shows it too, and takes an attachment.
    let form = text(
        c.get(format!("{}/sang-kien/{id}/sua", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(form.contains("Bổ sung số liệu tiết kiệm giờ công"));
    let csrf = csrf_of(&form);
    let upload = |bytes: Vec<u8>, name: &'static str, token: String| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
        c.post(format!("{}/sang-kien/{id}/tep?csrf={token}", app.base))
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
    };
    let res = upload(b"so lieu 6 thang".to_vec(), "Số liệu.txt", csrf.clone())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("da_tai=1")
    );
    let res = upload(vec![b'x'; 10_000], "lon.txt", csrf.clone())
        .await
        .unwrap();
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("loi_tep=qua-lon")
    );
    let res = upload(b"x".to_vec(), "a.txt", "sai".to_owned())
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "no upload without the token"
    );
    let form = text(
        c.get(format!("{}/sang-kien/{id}/sua?loi_tep=qua-lon", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(form.contains("Tệp vượt quá dung lượng cho phép"));
    let at = form
        .find(&format!("/sang-kien/{id}/tep/"))
        .expect("a download link");
    let link: String = form[at..].chars().take_while(|ch| *ch != '"').collect();
    assert!(form.contains("Số liệu.txt"));
    let res = c.get(format!("{}{link}", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"so lieu 6 thang");
}

crate::on_both_backends!(
    signing_in_and_out,
    returned_for_revision_with_attachments,
    the_form_shows_problems_beside_fields,
    the_gallery_and_public_pages
);
