//! One page requested (or form posted) by one role, in or out of its scope.

use reqwest::Method;
use serde_json::json;

use super::fixtures::{
    Fx, Scope, admin_json, fresh_initiative, open_program, spare_stage, throwaway_member,
};
use crate::helpers::{TestApp, complete_draft, who};

/// The multipart body of a page upload: an attachment, or a union-tree file to import.
pub(super) fn upload_form(path: &str, n: u32) -> reqwest::multipart::Form {
    let form = reqwest::multipart::Form::new();
    if let Some(code) = path.strip_prefix("/quan-tri/sap-xep/tep#") {
        return plan_form(code, n);
    }
    if path == "/don-vi/nhap-du-lieu" {
        let csv = format!(
            "Mã đơn vị,Mã đơn vị cấp trên,Tên đơn vị,Cấp,Cụm thi đua,Số đoàn viên\n\
             TO-NHAP-{n},CB-VC-HQ,Tổ nhập thử số {n},4,,5\n"
        );
        form.text("kind", "unions").part(
            "file",
            reqwest::multipart::Part::bytes(csv.into_bytes())
                .file_name("cay.csv")
                .mime_str("text/csv")
                .unwrap(),
        )
    } else {
        form.part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.4 thu".to_vec())
                .file_name("ghi-chu.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        )
    }
}

/// A plan file renaming the union `code`, for the reorganisation pages.
pub(super) fn plan_form(code: &str, n: u32) -> reqwest::multipart::Form {
    let csv = format!(
        "Thao tác,Mã đơn vị,Tên mới,Ngày hiệu lực,Số quyết định\n\
         đổi tên,{code},Tổ đổi tên số {n},01/01/2026,{n}/QĐ-THU\n"
    );
    reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(csv.into_bytes())
            .file_name("phuong-an.csv")
            .mime_str("text/csv")
            .unwrap(),
    )
}

/// A group union made under `parent` for a walk's request to change.
async fn throwaway_union(app: &TestApp, fx: &Fx, parent: i64, code: &str) {
    admin_json(
        app,
        &fx.admin,
        Method::POST,
        "/api/v1/unions",
        json!({"parent_id": parent, "code": code, "name": format!("Tổ tạm {code}")}),
    )
    .await;
}

/// The concrete request for a page route: the URL and the form fields (without `csrf`).
pub(super) async fn page_request(
    app: &TestApp,
    fx: &Fx,
    method: &str,
    path: &str,
    scope: Scope,
) -> (String, Vec<(String, String)>) {
    let s = fx.side(scope);
    let n = fx.next().await;
    let f = |pairs: &[(&str, String)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    };
    let admin = &fx.admin;
    match (method, path) {
        ("post", "/dang-nhap") => (
            path.to_owned(),
            f(&[
                ("login", who::COAUTHOR_A.to_owned()),
                ("password", crate::helpers::PASSWORD.to_owned()),
                ("next", "/".to_owned()),
            ]),
        ),
        ("post", "/dang-xuat") => (path.to_owned(), vec![]),
        ("get", "/thu-vien/{id}") => (format!("/thu-vien/{}", s.approved), vec![]),
        ("post", "/quen-mat-khau") => (
            path.to_owned(),
            f(&[("login", "khong-co@test.vn".to_owned())]),
        ),
        ("get", "/dat-lai-mat-khau" | "/kich-hoat" | "/huy-nhan-thu") => {
            (format!("{path}?token=khong-hop-le"), vec![])
        }
        ("post", "/dat-lai-mat-khau" | "/kich-hoat") => (
            path.to_owned(),
            f(&[
                ("token", "khong-hop-le".to_owned()),
                ("password", "mat-khau-moi-dai-du".to_owned()),
                ("confirm", "mat-khau-moi-dai-du".to_owned()),
            ]),
        ),
        ("post", "/huy-nhan-thu") => (path.to_owned(), f(&[("token", "khong-hop-le".to_owned())])),
        ("post", "/tai-khoan/thu") => (path.to_owned(), vec![]),
        ("post", "/quan-tri/thu/{id}/gui-lai") => {
            (format!("/quan-tri/thu/{}/gui-lai", fx.mail_id), vec![])
        }
        ("post", "/quan-tri/he-thong/dung-lai-chi-muc") => (path.to_owned(), vec![]),
        ("post", "/sang-kien/moi") => {
            let d = complete_draft(&fx.w, &format!("Sáng kiến trang số {n}"));
            let mut form = f(&[
                ("program_id", fx.w.program.to_string()),
                ("field_id", fx.w.field.to_string()),
                ("action", "save".to_owned()),
            ]);
            for k in [
                "title",
                "current_situation",
                "solution",
                "scope",
                "benefits",
            ] {
                form.push((k.to_owned(), d[k].as_str().unwrap().to_owned()));
            }
            (path.to_owned(), form)
        }
        ("post", "/sang-kien/tuong-tu") => (
            path.to_owned(),
            f(&[
                ("title", "Số hóa hồ sơ".to_owned()),
                ("current_situation", "Hồ sơ giấy.".to_owned()),
                ("solution", "Quét hồ sơ.".to_owned()),
            ]),
        ),
        ("post", "/sang-kien/{id}/sua") => (
            format!("/sang-kien/{}/sua", s.initiative),
            f(&[("title", "Đổi tên".to_owned()), ("version", "1".to_owned())]),
        ),
        ("post", "/sang-kien/{id}/tep") => (format!("/sang-kien/{}/tep", s.initiative), vec![]),
        ("get", "/sang-kien/{id}/tep/{attachment}") => (
            format!("/sang-kien/{}/tep/{}", s.initiative, s.attachment),
            vec![],
        ),
        ("post", "/sang-kien/{id}/khen-thuong") => (
            format!("/sang-kien/{}/khen-thuong", s.owned),
            f(&[("level", "Giấy khen".to_owned())]),
        ),
        ("post", "/sang-kien/{id}/thu-hoi") => (
            format!("/sang-kien/{}/thu-hoi", s.owned),
            f(&[("reason", "Thử quyền.".to_owned())]),
        ),
        ("post", "/xet-duyet/{id}/cham") => (
            format!("/xet-duyet/{}/cham", s.initiative),
            f(&[("comment", "Chưa xong.".to_owned())]),
        ),
        (
            "post",
            "/xet-duyet/{id}/quyet-dinh" | "/xet-duyet/{id}/xung-dot" | "/xet-duyet/{id}/rut",
        ) => {
            let id = fresh_initiative(app, fx, scope).await;
            (
                path.replace("{id}", &id.to_string()),
                f(&[
                    ("decision", "return".to_owned()),
                    ("note", "Bổ sung số liệu.".to_owned()),
                    ("conflict_note", "Người nhà của tác giả.".to_owned()),
                ]),
            )
        }
        ("get", "/xet-duyet/{id}/so-sanh/{other}") => (
            format!("/xet-duyet/{}/so-sanh/{}", s.initiative, s.approved),
            vec![],
        ),
        (_, p) if p.starts_with("/sang-kien/{id}") || p.starts_with("/xet-duyet/{id}") => {
            (p.replace("{id}", &s.initiative.to_string()), vec![])
        }
        ("post", "/hoi-dong/{id}/phan-cong") => (
            format!("/hoi-dong/{}/phan-cong", s.committee),
            f(&[("reviewer_id", s.person.to_string())]),
        ),
        ("post", "/hoi-dong/{id}/thanh-vien") => (
            format!("/hoi-dong/{}/thanh-vien", s.committee),
            f(&[("login", format!("uy.vien.{}@test.vn", scope as usize))]),
        ),
        ("post", "/hoi-dong/{id}/thanh-vien/{user}/xoa") => {
            let who = app
                .person(&format!("tam.trang.{n}@test.vn"), "Người Tạm", s.province)
                .await;
            admin_json(
                app,
                admin,
                Method::PUT,
                &format!("/api/v1/committees/{}/members/{who}", s.committee),
                json!({"chair": false}),
            )
            .await;
            (
                format!("/hoi-dong/{}/thanh-vien/{who}/xoa", s.committee),
                f(&[("confirmed", "1".to_owned())]),
            )
        }
        (_, p) if p.starts_with("/hoi-dong/{id}") => {
            (p.replace("{id}", &s.committee.to_string()), vec![])
        }
        ("post", "/quan-tri/chuong-trinh") => {
            let now = chrono::Utc::now().date_naive();
            (
                path.to_owned(),
                f(&[
                    ("code", format!("TRANG-{n}")),
                    ("name", format!("Chương trình trang {n}")),
                    ("description", "Mô tả.".to_owned()),
                    (
                        "owner_code",
                        if scope == Scope::In { "CB" } else { "LS" }.to_owned(),
                    ),
                    ("phase_name", "Đợt 1".to_owned()),
                    ("opens_on", now.to_string()),
                    ("closes_on", (now + chrono::Duration::days(30)).to_string()),
                ]),
            )
        }
        (
            "post",
            "/quan-tri/chuong-trinh/{id}/mo"
            | "/quan-tri/chuong-trinh/{id}/dong"
            | "/quan-tri/chuong-trinh/{id}/luu-tru",
        ) => {
            let p = open_program(app, admin, &format!("TAMT-{n}"), s.province).await;
            (
                path.replace("{id}", &p["id"].as_i64().unwrap().to_string()),
                f(&[("confirmed", "1".to_owned())]),
            )
        }
        ("post", "/quan-tri/chuong-trinh/{id}/dot/{phase}/xoa") => {
            let now = chrono::Utc::now();
            let p = admin_json(
                app,
                admin,
                Method::POST,
                &format!("/api/v1/programs/{}/phases", s.program),
                json!({"name": format!("Đợt tạm {n}"), "opens_at": now + chrono::Duration::days(300 + i64::from(n)), "closes_at": now + chrono::Duration::days(301 + i64::from(n))}),
            )
            .await;
            let phase = p["phases"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["name"] == json!(format!("Đợt tạm {n}")))
                .unwrap()["id"]
                .as_i64()
                .unwrap();
            (
                format!("/quan-tri/chuong-trinh/{}/dot/{phase}/xoa", s.program),
                f(&[("confirmed", "1".to_owned())]),
            )
        }
        ("post", "/quan-tri/chuong-trinh/{id}/linh-vuc/{field}/xoa") => {
            let p = admin_json(
                app,
                admin,
                Method::POST,
                &format!("/api/v1/programs/{}/fields", s.program),
                json!({"code": format!("tam-trang-{n}"), "name": format!("Tạm trang {n}")}),
            )
            .await;
            let field = p["fields"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["code"] == json!(format!("tam-trang-{n}")))
                .unwrap()["id"]
                .as_i64()
                .unwrap();
            (
                format!("/quan-tri/chuong-trinh/{}/linh-vuc/{field}/xoa", s.program),
                f(&[("confirmed", "1".to_owned())]),
            )
        }
        ("post", "/quan-tri/chuong-trinh/{id}/vong/{stage}/xoa") => {
            let st = spare_stage(app, fx, s.program).await;
            (
                format!("/quan-tri/chuong-trinh/{}/vong/{st}/xoa", s.program),
                f(&[("confirmed", "1".to_owned())]),
            )
        }
        ("post", "/quan-tri/chuong-trinh/{id}/hoi-dong") => (
            format!("/quan-tri/chuong-trinh/{}/hoi-dong", s.program),
            f(&[
                (
                    "union_code",
                    if scope == Scope::In { "CB" } else { "LS" }.to_owned(),
                ),
                ("stage_id", s.stage.to_string()),
            ]),
        ),
        (_, p) if p.starts_with("/quan-tri/chuong-trinh/{id}") => (
            p.replace("{id}", &s.program.to_string())
                .replace("{phase}", &s.phase.to_string())
                .replace("{field}", &s.field.to_string())
                .replace("{stage}", &s.stage.to_string()),
            f(&[("name", "Tên đủ dài".to_owned())]),
        ),
        ("post", "/quan-tri/don-vi/{id}/don-vi-con") => (
            format!("/quan-tri/don-vi/{}/don-vi-con", s.grassroots),
            f(&[
                ("code", format!("TOT-{n}")),
                ("name", format!("Tổ trang số {n}")),
                ("member_count", "3".to_owned()),
            ]),
        ),
        ("post", "/quan-tri/don-vi/{id}/chuyen") => (
            format!("/quan-tri/don-vi/{}/chuyen", s.grassroots),
            f(&[(
                "parent_code",
                if scope == Scope::In { "CB-VC" } else { "LS-VC" }.to_owned(),
            )]),
        ),
        ("post", "/quan-tri/don-vi/{id}/ngung" | "/quan-tri/don-vi/{id}/kich-hoat-lai") => {
            let u = admin_json(
                app,
                admin,
                Method::POST,
                "/api/v1/unions",
                json!({"parent_id": s.grassroots, "code": format!("NGUNG-{n}"), "name": format!("Tổ tạm {n}")}),
            )
            .await;
            (
                path.replace("{id}", &u["id"].as_i64().unwrap().to_string()),
                f(&[("confirmed", "1".to_owned())]),
            )
        }
        ("post", "/quan-tri/don-vi/{id}/thu-truong") => (
            format!("/quan-tri/don-vi/{}/thu-truong", s.grassroots),
            f(&[(
                "login",
                if scope == Scope::In {
                    who::MEMBER_A
                } else {
                    who::MEMBER_B
                }
                .to_owned(),
            )]),
        ),
        (_, p) if p.starts_with("/quan-tri/don-vi/{id}") => (
            p.replace("{id}", &s.upper.to_string()),
            f(&[(
                "name",
                if scope == Scope::In {
                    "Công đoàn Viên chức tỉnh Cao Bằng"
                } else {
                    "Công đoàn Viên chức tỉnh Lạng Sơn"
                }
                .to_owned(),
            )]),
        ),
        ("post", "/quan-tri/doan-vien") => (
            path.to_owned(),
            f(&[
                ("full_name", "Người Mới Trang".to_owned()),
                ("email", format!("moi.trang.{n}@test.vn")),
                (
                    "union_code",
                    if scope == Scope::In {
                        "CB-VC-HQ"
                    } else {
                        "LS-VC-GD"
                    }
                    .to_owned(),
                ),
            ]),
        ),
        ("post", "/quan-tri/doan-vien/{id}/vai-tro") => (
            format!("/quan-tri/doan-vien/{}/vai-tro", s.person),
            f(&[
                ("role", "reviewer".to_owned()),
                (
                    "union_code",
                    if scope == Scope::In { "CB" } else { "LS" }.to_owned(),
                ),
                ("program_id", s.program.to_string()),
            ]),
        ),
        ("post", "/quan-tri/doan-vien/{id}/vai-tro/{grant}/thu-hoi") => {
            let grants = admin_json(
                app,
                admin,
                Method::POST,
                &format!("/api/v1/users/{}/roles", s.person),
                json!({"role": "reviewer", "union_id": s.grassroots, "program_id": s.program}),
            )
            .await;
            let gid = grants
                .as_array()
                .unwrap()
                .iter()
                .rev()
                .find(|g| g["union_id"] == json!(s.grassroots))
                .map(|g| g["id"].as_i64().unwrap())
                .unwrap();
            (
                format!("/quan-tri/doan-vien/{}/vai-tro/{gid}/thu-hoi", s.person),
                f(&[("confirmed", "1".to_owned())]),
            )
        }
        ("post", "/quan-tri/doan-vien/{id}/trang-thai") => (
            format!("/quan-tri/doan-vien/{}/trang-thai", s.member),
            f(&[("status", "active".to_owned())]),
        ),
        ("post", "/quan-tri/doan-vien/{id}/dang-xuat") => (
            format!("/quan-tri/doan-vien/{}/dang-xuat", s.person),
            vec![],
        ),
        ("get", "/quan-tri/doan-vien/{id}/du-lieu") => {
            (format!("/quan-tri/doan-vien/{}/du-lieu", s.member), vec![])
        }
        ("post", "/quan-tri/doan-vien/{id}/an-danh") => {
            let id = throwaway_member(app, fx, s.grassroots, n).await;
            (
                format!("/quan-tri/doan-vien/{id}/an-danh"),
                f(&[("confirmed", "1".to_owned())]),
            )
        }
        ("post", "/tai-khoan/mat-khau") => (
            path.to_owned(),
            f(&[
                ("current_password", "khong-phai-mat-khau".to_owned()),
                ("new_password", "mat-khau-moi-2026".to_owned()),
                ("confirm_password", "mat-khau-moi-2026".to_owned()),
            ]),
        ),
        (_, p) if p.starts_with("/quan-tri/doan-vien/{id}") => (
            p.replace("{id}", &s.member.to_string()),
            f(&[("phone", "0912345678".to_owned())]),
        ),
        (_, p) if p.starts_with("/loi-moi-dong-tac-gia/{id}") => {
            (p.replace("{id}", &s.initiative.to_string()), f(&[]))
        }
        ("post", "/don-vi/nhap-du-lieu") => (path.to_owned(), f(&[("kind", "unions".to_owned())])),
        ("post", "/quan-tri/sap-xep/ap-dung/{token}") => {
            // The walk tries a plan renaming this union first, then confirms it.
            let code = format!("SX-{n}");
            throwaway_union(app, fx, s.grassroots, &code).await;
            (path.to_owned(), f(&[("code", code)]))
        }
        ("post", "/quan-tri/sap-xep/lap") => (
            path.to_owned(),
            f(&[
                ("decision_no", format!("{n}/QĐ-LAP")),
                ("effective_on", "01/01/2026".to_owned()),
                ("action", "rename".to_owned()),
                (
                    "code",
                    if scope == Scope::In {
                        "CB-VC-HQ"
                    } else {
                        "LS-VC-GD"
                    }
                    .to_owned(),
                ),
                ("new_name", format!("Tên thử {n}")),
            ]),
        ),
        ("get", "/quan-tri/sap-xep/{id}") => {
            let code = format!("SXD-{n}");
            throwaway_union(app, fx, s.grassroots, &code).await;
            let r = admin_json(
                app,
                admin,
                Method::POST,
                "/api/v1/reorganisations",
                json!({"decision_no": format!("{n}/QĐ-XEM"), "effective_on": "2026-01-01",
                       "operations": [{"action": "rename", "code": code, "new_name": format!("Tổ xem {n}")}]}),
            )
            .await;
            (format!("/quan-tri/sap-xep/{}", r["id"]), vec![])
        }
        ("post", "/quan-tri/sap-xep/{id}/huy-bo") => {
            // A rename of a union of the scope, its revert tried on the page.
            let code = format!("SXH-{n}");
            throwaway_union(app, fx, s.grassroots, &code).await;
            let r = admin_json(
                app,
                admin,
                Method::POST,
                "/api/v1/reorganisations",
                json!({"decision_no": format!("{n}/QĐ-HB"), "effective_on": "2026-01-01",
                       "operations": [{"action": "rename", "code": code, "new_name": format!("Tổ hủy bỏ {n}")}]}),
            )
            .await;
            (format!("/quan-tri/sap-xep/{}/huy-bo", r["id"]), vec![])
        }
        ("post", "/don-vi/nhap-du-lieu/{token}") => (
            "/don-vi/nhap-du-lieu/khong-co".to_owned(),
            f(&[("confirmed", "1".to_owned())]),
        ),
        ("post", "/don-vi/{id}/chi-tieu") => (
            format!(
                "/don-vi/{}/chi-tieu?program_id={}",
                s.province, fx.w.program
            ),
            f(&[("program_id", fx.w.program.to_string())]),
        ),
        (_, p) if p.starts_with("/don-vi/{id}") => (
            format!(
                "{}?program_id={}",
                p.replace("{id}", &s.province.to_string()),
                fx.w.program
            ),
            vec![],
        ),
        ("get", _) => (path.to_owned(), vec![]),
        ("post", _) => (path.to_owned(), vec![]),
        _ => panic!("no request for page {method} {path}"),
    }
}
