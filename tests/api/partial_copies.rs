//! Copies of parts through the service: a stitched initiative reports every source with what
//! was copied from it, and a solution transplanted into another initiative is flagged
//! `partial_copy` ("Sao chép một phần") with its share and section, while the same topic with
//! another solution is not.

use serde_json::{Value, json};

use crate::duplicates::wait_for_match;
use crate::helpers::{Backend, TestApp, complete_draft, submit, who};

crate::on_both_backends!(stitched_and_transplanted_copies_name_their_sources);

fn initiative(w: &crate::helpers::World, title: &str, sections: [&str; 4]) -> Value {
    let mut d = complete_draft(w, title);
    for (key, text) in ["current_situation", "solution", "scope", "benefits"]
        .into_iter()
        .zip(sections)
    {
        d[key] = json!(text);
    }
    d
}

const A: [&str; 4] = [
    "Bộ phận một cửa của Kho bạc Nhà nước huyện tiếp nhận hồ sơ thanh toán bằng giấy, cán bộ phải nhập lại từng chứng từ vào hệ thống, mỗi hồ sơ mất khoảng hai mươi phút và thường sai sót ở số tài khoản, mã nội dung kinh tế và tên đơn vị thụ hưởng.",
    "Xây dựng biểu mẫu điện tử có kiểm tra tự động số tài khoản, mã nội dung kinh tế và số tiền bằng chữ; đơn vị sử dụng ngân sách tải tệp lên cổng dịch vụ công, hệ thống đối chiếu với dự toán được giao, báo lỗi ngay cho người lập và chỉ chuyển sang bước kiểm soát chi khi mọi trường đã hợp lệ, kèm chữ ký số của kế toán trưởng và thủ trưởng đơn vị.",
    "Áp dụng cho toàn bộ đơn vị sử dụng ngân sách giao dịch với Kho bạc Nhà nước huyện, có thể nhân rộng ra các kho bạc khác trong tỉnh mà không cần thêm thiết bị.",
    "Thời gian tiếp nhận mỗi hồ sơ giảm từ hai mươi phút xuống còn năm phút, số hồ sơ phải trả lại để sửa giảm tám mươi phần trăm, mỗi năm tiết kiệm khoảng một nghìn hai trăm giờ công của cán bộ kiểm soát chi.",
];

const B: [&str; 4] = [
    "Trường mầm non có ba trăm cháu, giáo viên ghi sổ theo dõi sức khoẻ bằng tay, cân đo mỗi quý mất nhiều buổi và khó phát hiện sớm trẻ suy dinh dưỡng hoặc thừa cân để trao đổi với phụ huynh.",
    "Lập bảng tính dùng chung trên máy tính bảng, nhập cân nặng và chiều cao ngay khi đo, bảng tự tính chỉ số theo chuẩn tăng trưởng của Tổ chức Y tế Thế giới, tô màu các cháu cần theo dõi và gửi tin nhắn cho phụ huynh qua ứng dụng liên lạc của nhà trường.",
    "Áp dụng cho tất cả các lớp của trường mầm non, dễ dàng chia sẻ cho các trường mầm non khác trong huyện vì chỉ cần máy tính bảng và bảng tính miễn phí có sẵn.",
    "Mỗi đợt cân đo rút ngắn từ ba buổi xuống một buổi, phát hiện sớm mười hai cháu suy dinh dưỡng trong năm học, phụ huynh nhận thông tin kịp thời và phối hợp điều chỉnh chế độ ăn tại nhà cùng với nhà trường.",
];

/// The match of `id` in a check's answer.
fn match_of(found: &Value, id: i64) -> Value {
    found["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["initiative_id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} not found: {found}"))
}

async fn stitched_and_transplanted_copies_name_their_sources(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let a = submit(
        &app,
        &member,
        &initiative(&w, "Biểu mẫu điện tử kiểm soát chi tại Kho bạc", A),
    )
    .await;
    assert_eq!(a["_status"], 200, "{a}");
    let b = submit(
        &app,
        &member,
        &initiative(&w, "Theo dõi sức khoẻ trẻ mầm non trên máy tính bảng", B),
    )
    .await;
    assert_eq!(b["_status"], 200, "{b}");
    let (a_id, b_id) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());
    let (a_no, b_no) = (
        a["receipt_no"].as_str().unwrap().to_owned(),
        b["receipt_no"].as_str().unwrap().to_owned(),
    );
    let other = app.login(who::COAUTHOR_A).await;

    // Stitched: A's situation and solution, then B's scope and benefits.
    let stitched = json!({
        "title": "Ứng dụng công nghệ số trong công việc hằng ngày",
        "current_situation": A[0],
        "solution": A[1],
        "scope": B[2],
        "benefits": B[3],
    });
    wait_for_match(&app, &other, &stitched, b_id).await;
    let found = wait_for_match(&app, &other, &stitched, a_id).await;
    let (ma, mb) = (match_of(&found, a_id), match_of(&found, b_id));
    for m in [&ma, &mb] {
        assert!(
            ["duplicate", "near_duplicate", "partial_copy"]
                .contains(&m["verdict"].as_str().unwrap()),
            "every source is flagged: {found}"
        );
    }
    assert_eq!(mb["verdict"], "partial_copy", "{found}");
    let copied = mb["copied"].as_str().unwrap();
    assert!(copied.ends_with(&format!("của {b_no}")), "{copied}");
    assert!(mb["copied_share"].as_f64().unwrap() > 0.2, "{mb}");
    assert!(ma["copied_share"].as_f64().unwrap() > mb["copied_share"].as_f64().unwrap());

    // Submitted, both sources are recorded for the reviewers.
    let mut draft = complete_draft(&w, "Ứng dụng công nghệ số trong công việc hằng ngày");
    for key in ["current_situation", "solution", "scope", "benefits"] {
        draft[key] = stitched[key].clone();
    }
    let filed = submit(&app, &other, &draft).await;
    assert_eq!(filed["_status"], 200, "{filed}");
    let admin = app.login(who::ADMIN).await;
    let recorded = crate::helpers::json(
        app.get(
            &format!("/api/v1/initiatives/{}/duplicates", filed["_id"]),
            &admin,
        )
        .await,
    )
    .await;
    let verdict_of = |id: i64| {
        recorded
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["initiative_id"] == id)
            .map(|c| c["verdict"].as_str().unwrap().to_owned())
    };
    assert!(verdict_of(a_id).is_some(), "{recorded}");
    assert_eq!(
        verdict_of(b_id).as_deref(),
        Some("partial_copy"),
        "{recorded}"
    );

    // Transplanted: A's solution between a new situation and benefits, under a new title.
    let transplant = json!({
        "title": "Giảm thời gian chờ của đơn vị khi làm thủ tục",
        "current_situation": "Các đơn vị trường học trên địa bàn xã phải đi lại nhiều lần để hoàn thiện hồ sơ chi thường xuyên vì sai sót nhỏ trong chứng từ, có tháng một trường đi tới bốn lần.",
        "solution": A[1],
        "scope": "Các trường học và trạm y tế trên địa bàn xã.",
        "benefits": "Mỗi trường bớt được ba lượt đi lại mỗi tháng, kế toán trường có thêm thời gian cho công việc chuyên môn, hồ sơ được duyệt ngay trong ngày nộp.",
    });
    let found = wait_for_match(&app, &other, &transplant, a_id).await;
    let m = match_of(&found, a_id);
    assert_eq!(m["verdict"], "partial_copy", "{found}");
    assert_eq!(found["matches"][0]["initiative_id"], a_id, "{found}");
    assert_eq!(
        m["copied"].as_str().unwrap(),
        format!("100% nội dung giải pháp của {a_no}"),
        "{m}"
    );

    // The same topic, described in one's own words, with another solution is not a copy.
    let own = json!({
        "title": "Nhắc lịch nộp hồ sơ kiểm soát chi qua tin nhắn",
        "current_situation": "Các đơn vị dự toán thường mang hồ sơ đến Kho bạc vào những ngày cuối tháng nên phải xếp hàng lâu, nhiều hồ sơ thiếu giấy tờ phải mang về bổ sung.",
        "solution": "Kho bạc gửi tin nhắn nhắc lịch nộp hồ sơ và danh mục giấy tờ cần có cho từng đơn vị vào đầu tháng; đơn vị đặt lịch hẹn trước để không phải chờ, cán bộ chuẩn bị sẵn hồ sơ dự toán của đơn vị trước giờ hẹn.",
        "scope": "Các đơn vị sử dụng ngân sách của huyện.",
        "benefits": "Đơn vị không phải chờ, cán bộ chủ động bố trí thời gian tiếp nhận hồ sơ.",
    });
    let found = json_of(&app, &other, &own).await;
    if let Some(m) = found["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["initiative_id"] == a_id)
    {
        assert_eq!(m["verdict"], "similar", "{found}");
        assert!(m["copied"].is_null(), "{m}");
    }
}

async fn json_of(app: &TestApp, token: &str, body: &Value) -> Value {
    let res = app.post("/api/v1/initiatives/similar", token, body).await;
    assert_eq!(res.status(), 200);
    crate::helpers::json(res).await
}
