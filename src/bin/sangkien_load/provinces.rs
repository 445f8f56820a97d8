//! Vietnam's provinces before and after the reorganisation of 1 July 2025 (Nghị quyết
//! 202/2025/QH15): 63 provinces and centrally-run cities merged into 34. Shared by the load
//! seeder (the tree as it stands since) and the reorganisation bench (the tree before, and
//! the national plan that changed it).

/// The 34 provinces since 1 July 2025, each with the provinces it was formed from before (the
/// first kept its name and seat; the others merged into it). The first eleven did not change.
pub const MERGERS: [(&str, &[&str]); 34] = [
    ("Hà Nội", &["Hà Nội"]),
    ("Huế", &["Huế"]),
    ("Lai Châu", &["Lai Châu"]),
    ("Điện Biên", &["Điện Biên"]),
    ("Sơn La", &["Sơn La"]),
    ("Lạng Sơn", &["Lạng Sơn"]),
    ("Quảng Ninh", &["Quảng Ninh"]),
    ("Thanh Hóa", &["Thanh Hóa"]),
    ("Nghệ An", &["Nghệ An"]),
    ("Hà Tĩnh", &["Hà Tĩnh"]),
    ("Cao Bằng", &["Cao Bằng"]),
    ("Tuyên Quang", &["Tuyên Quang", "Hà Giang"]),
    ("Lào Cai", &["Lào Cai", "Yên Bái"]),
    ("Thái Nguyên", &["Thái Nguyên", "Bắc Kạn"]),
    ("Phú Thọ", &["Phú Thọ", "Vĩnh Phúc", "Hòa Bình"]),
    ("Bắc Ninh", &["Bắc Ninh", "Bắc Giang"]),
    ("Hưng Yên", &["Hưng Yên", "Thái Bình"]),
    ("Hải Phòng", &["Hải Phòng", "Hải Dương"]),
    ("Ninh Bình", &["Ninh Bình", "Hà Nam", "Nam Định"]),
    ("Quảng Trị", &["Quảng Trị", "Quảng Bình"]),
    ("Đà Nẵng", &["Đà Nẵng", "Quảng Nam"]),
    ("Quảng Ngãi", &["Quảng Ngãi", "Kon Tum"]),
    ("Gia Lai", &["Gia Lai", "Bình Định"]),
    ("Khánh Hòa", &["Khánh Hòa", "Ninh Thuận"]),
    ("Lâm Đồng", &["Lâm Đồng", "Đắk Nông", "Bình Thuận"]),
    ("Đắk Lắk", &["Đắk Lắk", "Phú Yên"]),
    (
        "Thành phố Hồ Chí Minh",
        &["Thành phố Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"],
    ),
    ("Đồng Nai", &["Đồng Nai", "Bình Phước"]),
    ("Tây Ninh", &["Tây Ninh", "Long An"]),
    ("Cần Thơ", &["Cần Thơ", "Sóc Trăng", "Hậu Giang"]),
    ("Vĩnh Long", &["Vĩnh Long", "Bến Tre", "Trà Vinh"]),
    ("Đồng Tháp", &["Đồng Tháp", "Tiền Giang"]),
    ("Cà Mau", &["Cà Mau", "Bạc Liêu"]),
    ("An Giang", &["An Giang", "Kiên Giang"]),
];

/// The centrally-run cities (thành phố trực thuộc trung ương), before and after.
const CITIES: [&str; 6] = [
    "Hà Nội",
    "Huế",
    "Hải Phòng",
    "Đà Nẵng",
    "Cần Thơ",
    "Thành phố Hồ Chí Minh",
];

/// "tỉnh Lào Cai", "thành phố Hà Nội", "Thành phố Hồ Chí Minh".
pub fn with_kind(name: &str) -> String {
    if name.starts_with("Thành phố") {
        name.to_owned()
    } else if CITIES.contains(&name) {
        format!("thành phố {name}")
    } else {
        format!("tỉnh {name}")
    }
}
