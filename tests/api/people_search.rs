//! Finding people by name as officers type it: with or without marks, Đ as D, on both
//! backends (`users.name_folded`, kept by the database on every write), the names holding the
//! text as typed first.

use serde_json::Value;

use crate::helpers::{Backend, TestApp, add_user, json, who};
use crate::pages::{sign_in, text};

crate::on_both_backends!(people_are_found_with_or_without_marks);
crate::on_both_backends!(the_database_folds_as_the_query_does);

/// The names the officer's search lists, in order.
async fn names(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let url = format!("/api/v1/users?q={}", urlencoding(q));
    let body: Value = json(app.get(&url, token).await).await;
    body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|u| u["full_name"].as_str().unwrap().to_owned())
        .collect()
}

fn urlencoding(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn people_are_found_with_or_without_marks(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    app.db
        .blocking_write(|conn| {
            add_user(conn, "hieu@test.vn", "Đoàn Bích Hiếu", w.cb_hq, &[]);
            add_user(conn, "dam@test.vn", "Đàm Quang Trung", w.cb_hq, &[]);
            add_user(conn, "nong@test.vn", "Nông Thị Hoa", w.cb_hq, &[]);
            add_user(conn, "nong2@test.vn", "Nong Van Ba", w.cb_hq, &[]);
            Ok(())
        })
        .unwrap();
    let officer = app.login(who::OFFICER_A).await;

    for q in ["Đoàn Bích Hiếu", "doan bich", "DOAN BICH", "Hiêu", "hieu"] {
        assert_eq!(names(&app, &officer, q).await, ["Đoàn Bích Hiếu"], "{q}");
    }
    // "Lục Thị Đoàn" and "Đàm Văn Hợp" are in the test world too.
    for q in ["Đoàn", "đoàn", "doan"] {
        let mut found = names(&app, &officer, q).await;
        found.sort();
        assert_eq!(found, ["Lục Thị Đoàn", "Đoàn Bích Hiếu"], "{q}");
    }
    for q in ["Đàm", "đàm", "dam"] {
        let mut found = names(&app, &officer, q).await;
        found.sort();
        assert_eq!(found, ["Đàm Quang Trung", "Đàm Văn Hợp"], "{q}");
    }
    assert_eq!(
        names(&app, &officer, "dam quang").await,
        ["Đàm Quang Trung"]
    );
    // Without marks all are found ("Nông Văn Cán" is in the test world); with them, the
    // names holding them come first.
    let plain = names(&app, &officer, "nong").await;
    assert_eq!(plain.len(), 3, "{plain:?}");
    let marked = names(&app, &officer, "Nông").await;
    assert_eq!(marked.len(), 3, "{marked:?}");
    assert_eq!(marked[2], "Nong Van Ba", "{marked:?}");
    assert_eq!(names(&app, &officer, "Nong").await[0], "Nong Van Ba");

    // A renamed member is found by the new name, not the old one.
    app.db
        .blocking_write(|conn| {
            let u = sangkien::db::users::find_by_login(conn, "dam@test.vn")?.expect("dam");
            sangkien::db::users::update_profile(
                conn,
                u.id,
                "Đặng Quang Trung",
                &u.email,
                u.phone.as_deref(),
                u.member_code.as_deref(),
                u.union_id,
                sangkien::db::now(),
            )?;
            Ok(())
        })
        .unwrap();
    assert_eq!(names(&app, &officer, "Đàm").await, ["Đàm Văn Hợp"]);
    assert_eq!(
        names(&app, &officer, "dang quang").await,
        ["Đặng Quang Trung"]
    );

    // The members' page finds them the same way.
    let c = sign_in(&app, who::OFFICER_A).await;
    let page = text(
        c.get(format!("{}/quan-tri/doan-vien?q=doan+bich", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("Đoàn Bích Hiếu"), "{page}");
}

async fn the_database_folds_as_the_query_does(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    // Every letter with Vietnamese marks, both cases, with ASCII and other letters around.
    let name = format!("{} ABC xyz Zürich 42", sangkien::domain::text::FOLDED_FROM);
    let stored: String = app
        .db
        .blocking_write(move |conn| {
            use diesel::prelude::*;
            use sangkien::db::schema::users;
            let id = add_user(conn, "letters@test.vn", &name, w.cb_hq, &[]);
            Ok(users::table
                .find(id)
                .select(users::name_folded)
                .first::<String>(conn)?)
        })
        .unwrap();
    let name = format!("{} ABC xyz Zürich 42", sangkien::domain::text::FOLDED_FROM);
    assert_eq!(stored, sangkien::domain::text::fold_name(&name));
    assert!(stored.is_ascii() || stored.contains('ü'), "{stored}");
}
