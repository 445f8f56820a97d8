//! The authorization walk: every operation of the OpenAPI document and every page route,
//! requested by each role on a resource inside its scope (Cao Bằng) and one outside it
//! (Lạng Sơn), against an explicit table of who is allowed.
//!
//! Conventions:
//! - Roles, in this order: anonymous, member (`member.a`, Cao Bằng grassroots), reviewer
//!   (`reviewer.a`, program "OPEN" over Cao Bằng), officer (`officer.a`, over Cao Bằng),
//!   program administrator (made here: over Cao Bằng only, so that Lạng Sơn is outside) and
//!   system administrator. An expectation is a six-letter string in that order, a letter
//!   (`A M R O P S`) where the role is allowed and `.` where it is refused.
//! - "In scope" is the Cao Bằng resource (union `CB`, user `member.a`, a program owned by
//!   `CB`, `member.a`'s initiative, a committee at `CB`); "out of scope" the Lạng Sơn one.
//!   Operations without a resource use the same request for both.
//! - Allowed means the permission check was passed: a 2xx, a redirect elsewhere than the
//!   sign-in page, or a 400/409/422 (bodies of mutating requests are plausible but may be
//!   refused on their merits: that is past the permission check). Refused means 401, 403 or
//!   404 (a resource the actor may not know of is "not found"), or for a page a redirect to
//!   the sign-in page.
//! - Mutating requests that would destroy what later rows need work on throwaway resources
//!   made just before each request (phases, fields, stages, programs, grants, members,
//!   initiatives).
//! - The table must list exactly the operations of the OpenAPI document and the page routes
//!   of `routes::web::PAGE_ROUTES`; every mismatch is collected and reported at once.

mod api_walk;
mod fixtures;
mod page_walk;
mod table;

pub(crate) use fixtures::approve;

use std::collections::BTreeSet;

use reqwest::{Client, Method, StatusCode};
use serde_json::json;

use self::{
    api_walk::api_request,
    fixtures::{Body, Scope, current_session, setup},
    page_walk::{page_request, upload_form},
    table::{API, PADMIN_CB, PAGES, ROLES, SIGN_OUT_EVERYWHERE},
};
use crate::helpers::{Backend, TestApp, expect_error, json, who};
use crate::pages::{browser, csrf_of, sign_in, text};

crate::on_both_backends!(
    every_operation_and_page_by_every_role,
    union_tree_for_all_member_counts_for_overseers,
    a_union_head_comes_from_its_subtree,
);

/// Is `status` (with the redirect target, for pages) an allowed outcome?
fn allowed(status: StatusCode, location: Option<&str>) -> bool {
    match status.as_u16() {
        200..=299 | 400 | 409 | 413 | 415 | 422 => true,
        300..=399 => !location.is_some_and(|l| l.starts_with("/dang-nhap")),
        _ => false,
    }
}

fn expectation(code: &str, role: usize) -> bool {
    code.as_bytes()[role] != b'.'
}

async fn every_operation_and_page_by_every_role(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let fx = setup(&app).await;
    let mut problems: Vec<String> = Vec::new();

    // The table lists exactly the operations of the document.
    let doc = json(
        app.request(Method::GET, "/api/v1/openapi.json", None)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.insert((method.clone(), path.clone()));
            }
        }
    }
    let listed: BTreeSet<(String, String)> = API
        .iter()
        .map(|(m, p, _, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(listed.len(), API.len(), "an operation is listed twice");
    for (m, p) in documented.difference(&listed) {
        problems.push(format!("not classified: {m} {p}"));
    }
    for (m, p) in listed.difference(&documented) {
        problems.push(format!("listed but not documented: {m} {p}"));
    }

    let logins = [
        None,
        Some(who::MEMBER_A),
        Some(who::REVIEWER_A),
        Some(who::OFFICER_A),
        Some(PADMIN_CB),
        Some(who::ADMIN),
    ];
    let mut tokens = Vec::new();
    for l in logins {
        tokens.push(match l {
            Some(l) => Some(app.login(l).await),
            None => None,
        });
    }

    let mut requests = 0;
    for (method, path, inside, outside) in API {
        for (scope, code) in [(Scope::In, inside), (Scope::Out, outside)] {
            for (role, token) in tokens.iter().enumerate() {
                if *path == SIGN_OUT_EVERYWHERE.0 {
                    continue;
                }
                let (m, mut url, body) = api_request(&app, &fx, method, path, scope).await;
                // Operations that end the caller's own session get a session of their own.
                let own_session = matches!(
                    *path,
                    "/api/v1/auth/logout"
                        | "/api/v1/me/sessions/revoke-all"
                        | "/api/v1/me/sessions/{session_id}"
                );
                let fresh = match logins[role] {
                    Some(l) if own_session => Some(app.login(l).await),
                    _ => None,
                };
                if *path == "/api/v1/me/sessions/{session_id}"
                    && let Some(t) = &fresh
                {
                    url = format!("/api/v1/me/sessions/{}", current_session(&app, t).await);
                }
                let token = if own_session { &fresh } else { token };
                let mut rb = app.request(m, &url, token.as_deref());
                rb = match body {
                    Body::None => rb,
                    Body::Json(v) => rb.json(&v),
                    Body::File(name, bytes) => rb.multipart(
                        reqwest::multipart::Form::new().part(
                            "file",
                            reqwest::multipart::Part::bytes(bytes)
                                .file_name(name)
                                .mime_str("application/octet-stream")
                                .unwrap(),
                        ),
                    ),
                };
                let res = rb.send().await.unwrap();
                requests += 1;
                let status = res.status();
                let got = allowed(status, None);
                if got != expectation(code, role) {
                    let body = res.text().await.unwrap_or_default();
                    problems.push(format!(
                        "API {} {path} ({scope:?}) as {}: expected {}, got {status} {}",
                        method.to_uppercase(),
                        ROLES[role],
                        if expectation(code, role) {
                            "allowed"
                        } else {
                            "refused"
                        },
                        body.chars().take(160).collect::<String>()
                    ));
                }
            }
        }
    }

    // Pages: the table lists exactly the routes the web module registers.
    let listed: BTreeSet<(&str, &str)> = PAGES.iter().map(|(m, p, _, _)| (*m, *p)).collect();
    let routes: BTreeSet<(&str, &str)> =
        sangkien::routes::web::PAGE_ROUTES.iter().copied().collect();
    assert_eq!(listed.len(), PAGES.len(), "a page is listed twice");
    for (m, p) in routes.difference(&listed) {
        problems.push(format!("page not classified: {m} {p}"));
    }
    for (m, p) in listed.difference(&routes) {
        problems.push(format!("page listed but not a route: {m} {p}"));
    }
    let mut clients: Vec<(Client, String)> = Vec::new();
    for l in logins {
        let c = match l {
            Some(l) => sign_in(&app, l).await,
            None => browser(),
        };
        let page = text(
            c.get(format!("{}/dang-nhap", app.base))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let csrf = if page.contains("name=\"csrf\"") {
            csrf_of(&page)
        } else {
            let home = text(c.get(format!("{}/", app.base)).send().await.unwrap()).await;
            csrf_of(&home)
        };
        clients.push((c, csrf));
    }
    for (method, path, inside, outside) in PAGES {
        for (scope, code) in [(Scope::In, inside), (Scope::Out, outside)] {
            for (role, (client, csrf)) in clients.iter().enumerate() {
                let (mut url, form) = page_request(&app, &fx, method, path, scope).await;
                if *path == "/tai-khoan/phien/{session_id}/ket-thuc" {
                    // Another session of the same person, opened for the purpose.
                    let id = match logins[role] {
                        Some(l) => current_session(&app, &app.login(l).await).await,
                        None => "0".to_owned(),
                    };
                    url = format!("/tai-khoan/phien/{id}/ket-thuc");
                }
                if *path == SIGN_OUT_EVERYWHERE.1 {
                    continue;
                }
                let rb = if *method == "get" {
                    client.get(format!("{}{url}", app.base))
                } else if *path == "/dang-nhap" {
                    // Signing in on a browser of its own, not to end the walk's sessions.
                    let fresh = browser();
                    let page = text(
                        fresh
                            .get(format!("{}/dang-nhap", app.base))
                            .send()
                            .await
                            .unwrap(),
                    )
                    .await;
                    let mut f = form;
                    f.push(("csrf".to_owned(), csrf_of(&page)));
                    fresh.post(format!("{}{url}", app.base)).form(&f)
                } else if *path == "/sang-kien/{id}/tep" || *path == "/don-vi/nhap-du-lieu" {
                    // Uploads: multipart, the token in the query.
                    client
                        .post(format!("{}{url}?csrf={csrf}", app.base))
                        .multipart(upload_form(path, fx.next().await))
                } else if *path == "/quan-tri/sap-xep/tep" {
                    // A plan file (renaming a union of the scope's side), tried.
                    let code = if scope == Scope::In {
                        "CB-VC-HQ"
                    } else {
                        "LS-VC-GD"
                    };
                    client
                        .post(format!("{}{url}?csrf={csrf}", app.base))
                        .multipart(upload_form(&format!("{path}#{code}"), fx.next().await))
                } else if *path == "/quan-tri/sap-xep/ap-dung/{token}" {
                    // Confirming a tried plan: this role's own dry run first.
                    let code = form
                        .iter()
                        .find(|(k, _)| k == "code")
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default();
                    let page = text(
                        client
                            .post(format!("{}/quan-tri/sap-xep/tep?csrf={csrf}", app.base))
                            .multipart(upload_form(
                                &format!("/quan-tri/sap-xep/tep#{code}"),
                                fx.next().await,
                            ))
                            .send()
                            .await
                            .unwrap(),
                    )
                    .await;
                    let token = page
                        .split("action=\"/quan-tri/sap-xep/ap-dung/")
                        .nth(1)
                        .and_then(|rest| rest.split('"').next())
                        .unwrap_or("khong-co")
                        .to_owned();
                    client
                        .post(format!("{}/quan-tri/sap-xep/ap-dung/{token}", app.base))
                        .form(&[("csrf", csrf.as_str())])
                } else if *path == "/don-vi/nhap-du-lieu/{token}" {
                    // Accepting a checked file: this role's own upload first.
                    let page = text(
                        client
                            .post(format!("{}/don-vi/nhap-du-lieu?csrf={csrf}", app.base))
                            .multipart(upload_form("/don-vi/nhap-du-lieu", fx.next().await))
                            .send()
                            .await
                            .unwrap(),
                    )
                    .await;
                    let token = page
                        .split("action=\"/don-vi/nhap-du-lieu/")
                        .nth(1)
                        .and_then(|rest| rest.split('"').next())
                        .unwrap_or("khong-co")
                        .to_owned();
                    client
                        .post(format!("{}/don-vi/nhap-du-lieu/{token}", app.base))
                        .form(&[("csrf", csrf.as_str())])
                } else if *path == "/sang-kien/tuong-tu" {
                    // The live check posts JSON with the token in a header.
                    client
                        .post(format!("{}{url}", app.base))
                        .header("X-CSRF-Token", csrf.as_str())
                        .json(
                            &json!({"title": "Số hóa hồ sơ", "current_situation": "Hồ sơ giấy.",
                                      "solution": "Quét hồ sơ.", "scope": "", "benefits": ""}),
                        )
                } else {
                    let mut f = form;
                    f.push(("csrf".to_owned(), csrf.clone()));
                    client.post(format!("{}{url}", app.base)).form(&f)
                };
                let res = rb.send().await.unwrap();
                requests += 1;
                let status = res.status();
                let location = res
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .map(str::to_owned);
                let got = allowed(status, location.as_deref());
                if got != expectation(code, role) {
                    problems.push(format!(
                        "page {} {path} ({scope:?}) as {}: expected {}, got {status} {}",
                        method.to_uppercase(),
                        ROLES[role],
                        if expectation(code, role) {
                            "allowed"
                        } else {
                            "refused"
                        },
                        location.unwrap_or_default()
                    ));
                }
            }
        }
    }
    // Signing out everywhere ends the walk's own sessions too: last, each time on a session
    // (and a browser) of its own.
    for (scope, inside) in [(Scope::In, true), (Scope::Out, false)] {
        for (role, login) in logins.iter().enumerate() {
            let code_of = |row: Option<&(&str, &str, &'static str, &'static str)>| {
                row.map(|r| if inside { r.2 } else { r.3 })
                    .unwrap_or("......")
            };
            let api_code = code_of(API.iter().find(|r| r.1 == SIGN_OUT_EVERYWHERE.0));
            let fresh = match login {
                Some(l) => Some(app.login(l).await),
                None => None,
            };
            let res = app
                .request(Method::POST, SIGN_OUT_EVERYWHERE.0, fresh.as_deref())
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            requests += 1;
            let status = res.status();
            if allowed(status, None) != expectation(api_code, role) {
                problems.push(format!(
                    "API POST {} ({scope:?}) as {}: got {status}",
                    SIGN_OUT_EVERYWHERE.0, ROLES[role]
                ));
            }
            let page_code = code_of(PAGES.iter().find(|r| r.1 == SIGN_OUT_EVERYWHERE.1));
            let c = match login {
                Some(l) => sign_in(&app, l).await,
                None => browser(),
            };
            let first = if login.is_some() { "/" } else { "/dang-nhap" };
            let home = text(c.get(format!("{}{first}", app.base)).send().await.unwrap()).await;
            let res = c
                .post(format!("{}{}", app.base, SIGN_OUT_EVERYWHERE.1))
                .form(&[("csrf", csrf_of(&home))])
                .send()
                .await
                .unwrap();
            requests += 1;
            let status = res.status();
            let location = res
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .map(str::to_owned);
            // Done, it sends to the sign-in page as a refusal would: allowed is when the
            // browser's session has ended.
            let got = match login {
                Some(_) if status == StatusCode::SEE_OTHER => {
                    let again = c
                        .get(format!("{}/tai-khoan", app.base))
                        .send()
                        .await
                        .unwrap();
                    again.status() == StatusCode::SEE_OTHER
                }
                _ => allowed(status, location.as_deref()),
            };
            if got != expectation(page_code, role) {
                problems.push(format!(
                    "page POST {} ({scope:?}) as {}: got {status} {}",
                    SIGN_OUT_EVERYWHERE.1,
                    ROLES[role],
                    location.unwrap_or_default()
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {requests} requests differ from the table:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The tree (names, codes, levels) is for anyone signed in; member counts only for those who
/// oversee the union (officers, program administrators), withheld as `null` from others.
async fn union_tree_for_all_member_counts_for_overseers(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    for id in [w.root, w.cb, w.cb_hq, w.ls_gd] {
        let u = json(app.get(&format!("/api/v1/unions/{id}"), &member).await).await;
        assert!(u["name"].is_string(), "{u}");
        assert!(u["member_count"].is_null(), "{u}");
    }
    let tree = json(
        app.get(&format!("/api/v1/unions/{}/subtree", w.root), &member)
            .await,
    )
    .await;
    assert_eq!(tree.as_array().unwrap().len(), 8, "{tree}");
    assert!(
        tree.as_array()
            .unwrap()
            .iter()
            .all(|n| n["member_count"].is_null() && n["subtree_member_count"].is_null()),
        "{tree}"
    );
    let roots = json(app.get("/api/v1/unions", &member).await).await;
    assert!(roots[0]["member_count"].is_null(), "{roots}");
    // An officer: the figures of their own subtree, not the root's nor the other province's.
    let officer = app.login(who::OFFICER_A).await;
    let tree = json(
        app.get(&format!("/api/v1/unions/{}/subtree", w.root), &officer)
            .await,
    )
    .await;
    let node = |id: i64| {
        tree.as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(node(w.cb)["subtree_member_count"], 157, "{tree}");
    assert_eq!(node(w.cb_hq)["member_count"], 112);
    assert!(node(w.root)["subtree_member_count"].is_null());
    assert!(node(w.ls)["subtree_member_count"].is_null());
    assert!(node(w.ls_gd)["member_count"].is_null());
    let children = json(
        app.get(&format!("/api/v1/unions/{}/children", w.root), &officer)
            .await,
    )
    .await;
    assert_eq!(children.as_array().unwrap().len(), 2, "{children}");
    // A program administrator over the root: everything.
    let padmin = app.login(who::PADMIN).await;
    let root = json(
        app.get(&format!("/api/v1/unions/{}", w.ls_gd), &padmin)
            .await,
    )
    .await;
    assert_eq!(root["member_count"], 60);
}

/// The API refuses a head from outside the union's subtree as the page does.
async fn a_union_head_comes_from_its_subtree(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    for login in [who::OFFICER_A, who::ADMIN] {
        let token = app.login(login).await;
        let body = expect_error(
            app.put(
                &format!("/api/v1/unions/{}/head", w.cb_hq),
                &token,
                &json!({"user_id": w.member_b}),
            )
            .await,
            400,
            "validation_failed",
        )
        .await;
        assert!(
            body["error"]["details"]["fields"]["user_id"].is_string(),
            "{body}"
        );
        let res = app
            .put(
                &format!("/api/v1/unions/{}/head", w.cb_hq),
                &token,
                &json!({"user_id": w.member_a}),
            )
            .await;
        assert!(res.status().is_success(), "{}", res.status());
    }
    // Someone from a union below counts as inside.
    let officer = app.login(who::OFFICER_A).await;
    let res = app
        .put(
            &format!("/api/v1/unions/{}/head", w.cb),
            &officer,
            &json!({"user_id": w.coauthor_a}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
}
