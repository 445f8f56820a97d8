//! The counting rules every dashboard states and the arithmetic of attainment.

/// The counting rules, shown on every dashboard.
pub const COUNTING_RULE: &str = "Lượt tham gia: mọi sáng kiến đã nộp (trừ bản nháp). Đang xét: \
đã nộp, đang xét duyệt hoặc trả lại để chỉnh sửa. Chỉ sáng kiến được thông qua mới tính vào chỉ \
tiêu, một lần cho đơn vị nộp và mọi đơn vị cấp trên; sáng kiến trùng lặp và bị thu hồi không \
được tính.";

/// How the current reading places figures, shown with it: the tree as it is now, each union
/// with its predecessors' and its moved-in units' whole history.
pub const CURRENT_STRUCTURE_RULE: &str = "Theo cơ cấu tổ chức hiện nay: số liệu của mỗi đơn vị \
gồm cả sáng kiến của các đơn vị tiền thân (hợp nhất, chia tách) và của các đơn vị đã chuyển đến, \
tính từ đầu chương trình.";

/// How a reading as of a past day places figures, shown with it.
pub fn as_of_rule(day: chrono::NaiveDate) -> String {
    format!(
        "Theo cơ cấu tổ chức ngày {}: cây đơn vị, tên gọi và số liệu đúng như cuối ngày đó; báo cáo \
         đã lập cho ngày ấy được in lại với cùng con số.",
        day.format("%d/%m/%Y")
    )
}

/// The rule the quarterly leaderboard follows, shown with it.
pub const LEADERBOARD_RULE: &str = "Xếp hạng theo số sáng kiến được thông qua trong quý so với \
chỉ tiêu quý (chỉ tiêu của chương trình chia theo số ngày của quý nằm trong thời gian chương \
trình). Đơn vị xếp đầu chỉ được công nhận dẫn đầu cụm khi đạt từ 100% chỉ tiêu quý trở lên.";

/// `part` as a percentage of `whole`, to one decimal place.
pub fn percent(part: i64, whole: i64) -> f64 {
    // Counts stay far below 2^52: exact as f64.
    #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    let (p, w) = (part as f64, whole as f64);
    (p / w * 1000.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounds_to_one_decimal() {
        assert!((percent(1, 3) - 33.3).abs() < 1e-9);
        assert!((percent(2, 3) - 66.7).abs() < 1e-9);
        assert!((percent(5, 4) - 125.0).abs() < 1e-9);
    }
}
