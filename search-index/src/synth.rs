//! Synthetic initiatives (seeded, deterministic) and the copy generators (unaccented, NFD,
//! TCVN3, VNI, Windows-1258, Telex, edits, truncation, letterhead, noise...) used by the
//! evaluation, the benchmark and the tests.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::legacy::{encode_tcvn3, encode_telex, encode_vni, encode_windows1258_as_cp1252};
use crate::syllable::letter_info;

/// Small deterministic random generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5851_f42d_4c95_7f2d)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::shingle::mix(self.0)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    /// A random element.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// Shuffles in place.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// An initiative text: title and the four sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitiativeText {
    /// Field (lĩnh vực).
    #[serde(default)]
    pub sector: String,
    /// Title.
    pub title: String,
    /// hiện trạng, nội dung giải pháp, phạm vi áp dụng, hiệu quả và lợi ích.
    pub sections: Vec<String>,
}

impl InitiativeText {
    /// Body as indexed (sections joined by blank lines).
    pub fn body(&self) -> String {
        crate::index::join_sections(&self.sections)
    }
}

struct Sector {
    name: &'static str,
    units: &'static [&'static str],
    objects: &'static [&'static str],
    tools: &'static [&'static str],
    problems: &'static [&'static str],
    steps: &'static [&'static str],
    benefits: &'static [&'static str],
}

const SECTORS: &[Sector] = &[
    Sector {
        name: "Cải cách hành chính",
        units: &[
            "UBND xã Hưng Đạo",
            "Bộ phận một cửa huyện Hòa An",
            "Sở Tư pháp tỉnh",
            "UBND phường Sông Hiến",
            "Văn phòng HĐND và UBND huyện",
            "Trung tâm Phục vụ hành chính công tỉnh",
        ],
        objects: &[
            "hồ sơ hộ tịch",
            "thủ tục chứng thực bản sao",
            "hồ sơ đất đai",
            "việc tiếp nhận phản ánh kiến nghị",
            "thủ tục cấp giấy phép kinh doanh",
            "quy trình luân chuyển văn bản",
        ],
        tools: &[
            "phiếu hẹn có mã QR",
            "sổ theo dõi điện tử",
            "bảng hướng dẫn thủ tục bằng hình ảnh",
            "tổ hỗ trợ lưu động",
            "quy trình nội bộ rút gọn",
            "mẫu tờ khai điền sẵn",
        ],
        problems: &[
            "người dân phải đi lại nhiều lần",
            "hồ sơ bị trả lại do thiếu giấy tờ",
            "thời gian chờ kéo dài",
            "cán bộ mất nhiều thời gian tra cứu",
            "khó theo dõi tiến độ giải quyết",
        ],
        steps: &[
            "rà soát toàn bộ thành phần hồ sơ",
            "xây dựng danh mục giấy tờ cần chuẩn bị",
            "phân công cán bộ đầu mối",
            "niêm yết công khai tại trụ sở",
            "tổ chức tập huấn cho công chức",
            "lấy ý kiến đánh giá của người dân",
        ],
        benefits: &[
            "mức độ hài lòng của người dân tăng rõ rệt",
            "giảm số lần đi lại",
            "không còn hồ sơ trễ hạn",
            "công khai minh bạch quy trình",
        ],
    },
    Sector {
        name: "Chuyển đổi số",
        units: &[
            "Văn phòng Sở Thông tin và Truyền thông",
            "Trung tâm Công nghệ thông tin tỉnh",
            "Phòng Văn hóa huyện",
            "Viễn thông Cao Bằng",
            "Bưu điện tỉnh",
            "Văn phòng Liên đoàn Lao động tỉnh",
        ],
        objects: &[
            "dữ liệu đoàn viên",
            "văn bản đi đến",
            "lịch công tác",
            "báo cáo thống kê",
            "hồ sơ lưu trữ",
            "công tác họp trực tuyến",
        ],
        tools: &[
            "phần mềm dùng chung",
            "ứng dụng trên điện thoại",
            "chữ ký số",
            "biểu mẫu trực tuyến",
            "kho dữ liệu tập trung",
            "bảng điều khiển số liệu",
        ],
        problems: &[
            "dữ liệu phân tán ở nhiều nơi",
            "tổng hợp báo cáo thủ công",
            "văn bản giấy tốn kém",
            "khó tra cứu thông tin",
            "số liệu không thống nhất giữa các phòng",
        ],
        steps: &[
            "chuẩn hóa danh mục dùng chung",
            "số hóa dữ liệu cũ",
            "phân quyền người dùng theo vai trò",
            "kết nối với hệ thống của tỉnh",
            "hướng dẫn sử dụng cho cán bộ",
            "sao lưu dữ liệu định kỳ",
        ],
        benefits: &[
            "giảm chi phí in ấn",
            "tra cứu nhanh chóng",
            "số liệu cập nhật theo thời gian thực",
            "lãnh đạo theo dõi được tiến độ",
        ],
    },
    Sector {
        name: "Kỹ thuật sản xuất",
        units: &[
            "Phân xưởng cơ khí",
            "Nhà máy xi măng",
            "Công ty cổ phần gạch ngói",
            "Xưởng may số 2",
            "Nhà máy chế biến gỗ",
            "Phân xưởng sửa chữa thiết bị",
        ],
        objects: &[
            "dây chuyền đóng bao",
            "máy nghiền",
            "khuôn ép",
            "băng tải",
            "lò sấy",
            "hệ thống khí nén",
        ],
        tools: &[
            "bộ gá kẹp tự chế",
            "cảm biến tiệm cận",
            "bộ điều khiển tần số",
            "tấm chắn giảm mài mòn",
            "van một chiều",
            "đồ gá định vị",
        ],
        problems: &[
            "thường xuyên dừng máy",
            "tỷ lệ sản phẩm lỗi cao",
            "tiêu hao điện năng lớn",
            "chi tiết mau mòn",
            "công nhân phải thao tác thủ công",
        ],
        steps: &[
            "đo đạc và khảo sát thực tế",
            "thiết kế lại chi tiết",
            "gia công tại xưởng",
            "lắp đặt thử nghiệm",
            "hiệu chỉnh thông số vận hành",
            "xây dựng hướng dẫn vận hành",
        ],
        benefits: &[
            "năng suất tăng",
            "giảm thời gian dừng máy",
            "tiết kiệm vật tư",
            "giảm tỷ lệ phế phẩm",
        ],
    },
    Sector {
        name: "An toàn vệ sinh lao động",
        units: &[
            "Công ty than",
            "Công ty xây dựng công trình giao thông",
            "Nhà máy thủy điện",
            "Xí nghiệp khai thác đá",
            "Công ty điện lực",
            "Khu công nghiệp Đề Thám",
        ],
        objects: &[
            "công tác kiểm tra an toàn",
            "việc sử dụng phương tiện bảo vệ cá nhân",
            "huấn luyện an toàn",
            "quản lý thiết bị nâng",
            "phòng cháy chữa cháy",
            "làm việc trên cao",
        ],
        tools: &[
            "thẻ kiểm tra trước ca",
            "camera giám sát",
            "biển cảnh báo phản quang",
            "dây an toàn hai móc",
            "bảng phân công trực",
            "sổ tay an toàn bỏ túi",
        ],
        problems: &[
            "còn xảy ra tai nạn nhẹ",
            "công nhân chủ quan",
            "thiếu kiểm tra định kỳ",
            "khó giám sát khu vực rộng",
            "thiết bị không được ghi chép",
        ],
        steps: &[
            "nhận diện mối nguy",
            "lập danh mục kiểm tra",
            "phân công an toàn vệ sinh viên",
            "tổ chức diễn tập",
            "đánh giá sau mỗi ca",
            "khen thưởng tổ thực hiện tốt",
        ],
        benefits: &[
            "không để xảy ra tai nạn",
            "ý thức người lao động nâng lên",
            "giảm chi phí khắc phục sự cố",
            "môi trường làm việc an toàn hơn",
        ],
    },
    Sector {
        name: "Giáo dục",
        units: &[
            "Trường Tiểu học Hợp Giang",
            "Trường THCS Sông Bằng",
            "Trường THPT Chuyên",
            "Trường Mầm non Hoa Sen",
            "Trung tâm Giáo dục thường xuyên",
            "Trường Phổ thông dân tộc nội trú",
        ],
        objects: &[
            "việc dạy đọc cho học sinh lớp 1",
            "công tác chủ nhiệm",
            "việc ôn thi tốt nghiệp",
            "tổ chức bán trú",
            "hoạt động thư viện",
            "kiểm tra đánh giá thường xuyên",
        ],
        tools: &[
            "bộ thẻ chữ",
            "nhóm học tập",
            "ngân hàng câu hỏi",
            "góc đọc sách lớp học",
            "sổ liên lạc điện tử",
            "phiếu học tập phân hóa",
        ],
        problems: &[
            "học sinh người dân tộc còn hạn chế tiếng Việt",
            "kết quả học tập chưa đồng đều",
            "phụ huynh ít phối hợp",
            "giáo viên mất nhiều thời gian soạn đề",
            "học sinh ít đọc sách",
        ],
        steps: &[
            "khảo sát trình độ đầu năm",
            "chia nhóm theo năng lực",
            "thiết kế tài liệu phù hợp",
            "tổ chức sinh hoạt chuyên môn",
            "trao đổi với phụ huynh hằng tháng",
            "đánh giá tiến bộ cuối kỳ",
        ],
        benefits: &[
            "tỷ lệ học sinh khá giỏi tăng",
            "học sinh tự tin hơn",
            "giảm tỷ lệ bỏ học",
            "giáo viên tiết kiệm thời gian",
        ],
    },
    Sector {
        name: "Y tế",
        units: &[
            "Bệnh viện đa khoa tỉnh",
            "Trung tâm Y tế huyện",
            "Trạm y tế xã",
            "Khoa Khám bệnh",
            "Khoa Hồi sức cấp cứu",
            "Khoa Dược",
        ],
        objects: &[
            "quy trình đón tiếp người bệnh",
            "cấp phát thuốc",
            "quản lý hồ sơ bệnh án",
            "tiêm chủng mở rộng",
            "theo dõi bệnh nhân tăng huyết áp",
            "kiểm soát nhiễm khuẩn",
        ],
        tools: &[
            "số thứ tự tự động",
            "tủ thuốc trực có mã màu",
            "sổ theo dõi điện tử",
            "tin nhắn nhắc lịch",
            "bảng kiểm",
            "xe đẩy dụng cụ cải tiến",
        ],
        problems: &[
            "người bệnh chờ đợi lâu",
            "dễ nhầm lẫn thuốc",
            "hồ sơ thất lạc",
            "bỏ sót lịch tái khám",
            "nguy cơ lây nhiễm chéo",
        ],
        steps: &[
            "phân luồng người bệnh",
            "sắp xếp lại khu vực chờ",
            "tập huấn cho điều dưỡng",
            "kiểm tra chéo giữa các ca",
            "thống kê số liệu hằng tuần",
            "lấy phản hồi của người bệnh",
        ],
        benefits: &[
            "giảm thời gian chờ",
            "không có sai sót chuyên môn",
            "người bệnh hài lòng hơn",
            "tiết kiệm vật tư y tế",
        ],
    },
    Sector {
        name: "Nông nghiệp",
        units: &[
            "Hợp tác xã nông nghiệp",
            "Trạm Khuyến nông huyện",
            "Chi cục Chăn nuôi và Thú y",
            "Ban quản lý rừng phòng hộ",
            "Công ty chè",
            "Trung tâm giống cây trồng",
        ],
        objects: &[
            "canh tác lúa nước",
            "chăm sóc cây thạch đen",
            "chăn nuôi bò vỗ béo",
            "ươm giống cây lâm nghiệp",
            "phòng trừ sâu bệnh hại ngô",
            "bảo quản hạt giống",
        ],
        tools: &[
            "chế phẩm sinh học",
            "lưới che nắng",
            "máy gieo hạt cải tiến",
            "hệ thống tưới nhỏ giọt",
            "bẫy đèn",
            "túi bầu tự hủy",
        ],
        problems: &[
            "năng suất thấp",
            "chi phí phân bón cao",
            "cây giống chết nhiều",
            "dịch bệnh phát sinh",
            "thiếu nước vào mùa khô",
        ],
        steps: &[
            "chọn hộ làm mô hình điểm",
            "hướng dẫn kỹ thuật tại ruộng",
            "theo dõi sinh trưởng",
            "so sánh với ruộng đối chứng",
            "tổng kết và nhân rộng",
            "ghi chép nhật ký sản xuất",
        ],
        benefits: &[
            "năng suất tăng",
            "thu nhập của hộ dân tăng",
            "giảm sử dụng thuốc hóa học",
            "bảo vệ môi trường",
        ],
    },
    Sector {
        name: "Hải quan",
        units: &[
            "Cục Hải quan Cao Bằng",
            "Chi cục Hải quan cửa khẩu Tà Lùng",
            "Chi cục Hải quan cửa khẩu Trà Lĩnh",
            "Đội Kiểm soát Hải quan",
            "Chi cục Kiểm tra sau thông quan",
            "Phòng Nghiệp vụ",
        ],
        objects: &[
            "thủ tục thông quan hàng hóa",
            "kiểm tra hồ sơ xuất nhập khẩu",
            "giám sát phương tiện qua cửa khẩu",
            "thu nộp thuế",
            "phân loại hàng hóa",
            "quản lý rủi ro",
        ],
        tools: &[
            "sổ tay tra cứu mã HS",
            "seal định vị điện tử",
            "bảng tổng hợp rủi ro",
            "phần mềm cảnh báo",
            "quy trình phối hợp liên ngành",
            "kênh hỗ trợ doanh nghiệp trực tuyến",
        ],
        problems: &[
            "ùn tắc phương tiện",
            "doanh nghiệp khai sai mã",
            "thời gian thông quan kéo dài",
            "khó phát hiện vi phạm",
            "thiếu thông tin giữa các lực lượng",
        ],
        steps: &[
            "phân tích dữ liệu tờ khai",
            "lập danh sách doanh nghiệp trọng điểm",
            "phối hợp với biên phòng",
            "hướng dẫn doanh nghiệp khai báo",
            "cập nhật văn bản mới",
            "đánh giá định kỳ",
        ],
        benefits: &[
            "rút ngắn thời gian thông quan",
            "tăng thu ngân sách",
            "phát hiện nhiều vụ vi phạm",
            "doanh nghiệp đánh giá cao",
        ],
    },
    Sector {
        name: "Kho bạc",
        units: &[
            "Kho bạc Nhà nước Cao Bằng",
            "Kho bạc Nhà nước huyện Trùng Khánh",
            "Phòng Kiểm soát chi",
            "Phòng Kế toán nhà nước",
            "Kho bạc khu vực",
            "Phòng Thanh tra kiểm tra",
        ],
        objects: &[
            "kiểm soát chi thường xuyên",
            "đối chiếu số dư tài khoản",
            "thanh toán vốn đầu tư",
            "quản lý quỹ tiền mặt",
            "lưu trữ chứng từ",
            "giải ngân vốn sự nghiệp",
        ],
        tools: &[
            "dịch vụ công trực tuyến",
            "bảng kiểm hồ sơ",
            "mẫu đối chiếu tự động",
            "tủ chứng từ theo mã",
            "tệp tính toán lập sẵn",
            "lịch giao dịch cố định",
        ],
        problems: &[
            "đơn vị sử dụng ngân sách phải đến trực tiếp",
            "sai sót khi nhập liệu",
            "chậm giải ngân",
            "chứng từ khó tìm",
            "đối chiếu mất nhiều công",
        ],
        steps: &[
            "chuẩn hóa hồ sơ đầu vào",
            "hướng dẫn đơn vị giao dịch",
            "kiểm tra chéo trước khi thanh toán",
            "sắp xếp chứng từ theo ngày",
            "tổng hợp sai sót thường gặp",
            "trao đổi qua nhóm hỗ trợ",
        ],
        benefits: &[
            "giải ngân đúng hạn",
            "giảm sai sót",
            "đơn vị không phải đi lại",
            "tiết kiệm thời gian xử lý",
        ],
    },
];

const NUMBERS: &[&str] = &[
    "2", "3", "4", "5", "6", "8", "10", "12", "15", "20", "25", "30", "40", "50", "60", "100",
    "120", "200",
];

const PLACES: &[&str] = &[
    "Hòa An",
    "Trùng Khánh",
    "Quảng Hòa",
    "Hạ Lang",
    "Bảo Lạc",
    "Bảo Lâm",
    "Nguyên Bình",
    "Thạch An",
    "Hà Quảng",
    "Sông Hiến",
    "Hợp Giang",
    "Đề Thám",
    "Tân Giang",
    "Ngọc Xuân",
    "Duyệt Trung",
    "Hưng Đạo",
    "Chu Trinh",
    "Vĩnh Quang",
    "Lạng Sơn",
    "Bắc Kạn",
    "Thái Nguyên",
    "Hà Giang",
    "Tuyên Quang",
    "Lào Cai",
    "Yên Bái",
    "Phú Thọ",
    "Bắc Giang",
    "Quảng Ninh",
    "Hải Dương",
    "Nam Định",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Quảng Bình",
    "Huế",
    "Đà Nẵng",
    "Quảng Nam",
    "Bình Định",
    "Gia Lai",
    "Đắk Lắk",
    "Lâm Đồng",
    "Khánh Hòa",
    "Bình Dương",
    "Đồng Nai",
    "Long An",
    "Tiền Giang",
    "Cần Thơ",
    "An Giang",
    "Cà Mau",
    "Kiên Giang",
    "Tà Lùng",
    "Trà Lĩnh",
    "Sóc Giang",
    "Pò Peo",
    "Lý Vạn",
    "Thông Nông",
    "Xuân Trường",
];
const NOUNS: &[&str] = &[
    "sổ tay",
    "bảng biểu",
    "máy bơm",
    "tủ điện",
    "kho vật tư",
    "bàn giao ca",
    "phiếu theo dõi",
    "đường ống",
    "mái che",
    "hàng rào",
    "giá đỡ",
    "bộ lọc",
    "thùng chứa",
    "xe đẩy",
    "đèn chiếu sáng",
    "camera",
    "máy tính bảng",
    "hộp thư góp ý",
    "bảng tin",
    "nhóm trực tuyến",
    "lịch trực",
    "quy chế",
    "mẫu biểu",
    "tài liệu hướng dẫn",
    "cẩm nang",
    "biên bản",
    "danh mục",
    "hồ sơ gốc",
    "dụng cụ cầm tay",
    "bình chữa cháy",
    "tấm cách nhiệt",
    "van điều áp",
    "động cơ",
    "bánh răng",
    "dây curoa",
    "ổ bi",
    "tấm lót",
    "bàn thao tác",
    "ghế chờ",
    "biển chỉ dẫn",
    "sơ đồ",
    "phần mềm",
    "bảng tính",
    "máy in",
    "máy quét",
    "thẻ từ",
    "mã vạch",
    "tem nhãn",
    "hộp đựng",
    "kệ hồ sơ",
];
const VERBS: &[&str] = &[
    "bố trí lại",
    "thay thế",
    "bổ sung",
    "sửa chữa",
    "cải tạo",
    "lắp thêm",
    "sắp xếp",
    "rà soát",
    "thống kê",
    "kiểm đếm",
    "chuẩn hóa",
    "gia cố",
    "làm mới",
    "tháo dỡ",
    "đánh số",
    "dán nhãn",
    "cập nhật",
    "niêm yết",
    "phân loại",
    "bảo dưỡng",
];

fn detail(r: &mut Rng) -> String {
    let verb: &str = r.pick::<&str>(VERBS);
    format!(
        "{} {} và {} ở {} từ năm {}, sau đó {} {} tại {}.",
        sentence_case(verb),
        r.pick(NOUNS),
        r.pick(NOUNS),
        r.pick(PLACES),
        2010 + r.below(15),
        r.pick(VERBS),
        r.pick(NOUNS),
        r.pick(PLACES)
    )
}

fn sentence_case(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Deterministic generator of realistic synthetic initiatives.
pub struct Generator {
    rng: Rng,
}

impl Generator {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Generator {
        Generator {
            rng: Rng::new(seed),
        }
    }

    /// The next synthetic initiative.
    pub fn next_initiative(&mut self) -> InitiativeText {
        let r = &mut self.rng;
        let s = &SECTORS[r.below(SECTORS.len())];
        let unit = *r.pick(s.units);
        let object = *r.pick(s.objects);
        let tool = *r.pick(s.tools);
        let tool2 = *r.pick(s.tools);
        let title = match r.below(6) {
            0 => format!("Ứng dụng {tool} trong {object} tại {unit}"),
            1 => format!("Giải pháp cải tiến {object} bằng {tool}"),
            2 => format!("Nâng cao chất lượng {object} tại {unit}"),
            3 => format!("Sử dụng {tool} và {tool2} cho {object}"),
            4 => format!("Cách làm mới trong {object} ở {unit}"),
            _ => format!("Đổi mới {object} thông qua {tool}"),
        };
        let p1 = *r.pick(s.problems);
        let p2 = *r.pick(s.problems);
        let n1 = *r.pick(NUMBERS);
        let n2 = *r.pick(NUMBERS);
        let period = *r.pick(&["tháng", "quý", "năm", "tuần"]);
        let mut current: Vec<String> = vec![
            match r.below(4) {
                0 => format!("Tại {unit}, {object} hiện nay vẫn làm theo cách cũ nên {p1}."),
                1 => format!("Thời gian qua, {object} ở {unit} gặp nhiều khó khăn vì {p1}."),
                2 => format!(
                    "{} {object} còn nhiều bất cập: {p1}, {p2}.",
                    sentence_case(unit)
                ),
                _ => format!("Qua theo dõi tại {unit} cho thấy {p1} khi thực hiện {object}."),
            },
            match r.below(3) {
                0 => format!(
                    "Mỗi {period} có khoảng {n1}0 lượt việc, trong đó {n2}% trường hợp {p2}."
                ),
                1 => format!("Số liệu {period} gần nhất ghi nhận {n1} lần {p2}."),
                _ => format!("Có tới {n2} phần trăm ý kiến phản ánh rằng {p2}."),
            },
        ];
        if r.chance(0.5) {
            current.push(
                (*r.pick(&[
                    "Tập thể người lao động đã nhiều lần đề xuất cần thay đổi.",
                    "Yêu cầu đổi mới cách làm ngày càng cấp thiết.",
                    "Lãnh đạo đơn vị giao tổ công đoàn nghiên cứu giải pháp.",
                    "Tình trạng này kéo dài nhiều năm chưa được khắc phục.",
                ]))
                .to_string(),
            );
        }
        current.push(
            match r.below(5) {
                0 => format!("Hậu quả là {} và ảnh hưởng đến tiến độ chung của {unit}.", p2),
                1 => format!("Cán bộ phụ trách phải làm thêm giờ, nhất là vào cuối {period}."),
                2 => format!("Nhiều đoàn viên cho rằng {object} cần được đổi mới sớm."),
                3 => format!("Các biện pháp trước đây như nhắc nhở, họp rút kinh nghiệm chưa mang lại kết quả vì {p1}."),
                _ => format!("Chi phí cho {object} mỗi {period} lên tới hàng chục triệu đồng."),
            },
        );
        current.push(detail(r));
        let mut steps: Vec<&str> = s.steps.to_vec();
        r.shuffle(&mut steps);
        let k = 2 + r.below(3);
        let listed = steps[..k].join(", ");
        let mut solution = vec![
            match r.below(4) {
                0 => format!("Tác giả đề xuất dùng {tool} kết hợp {tool2} cho {object}."),
                1 => format!("Giải pháp sử dụng {tool} để khắc phục tình trạng {p1}."),
                2 => format!("Nhóm tác giả xây dựng {tool} áp dụng vào {object}."),
                _ => format!("Nội dung chính là đưa {tool} vào {object}, có bổ sung {tool2}."),
            },
            match r.below(3) {
                0 => format!("Cách làm cụ thể: {listed}."),
                1 => format!("Các bước gồm {listed}."),
                _ => format!("Khi triển khai, đơn vị lần lượt {listed}."),
            },
        ];
        if r.chance(0.6) {
            solution.push(format!(
                "Thử nghiệm kéo dài {} tháng với {} người tham gia.",
                r.pick(NUMBERS),
                r.pick(NUMBERS)
            ));
        }
        solution.push(match r.below(4) {
            0 => format!("Ngoài ra, tổ công đoàn phân công {} đoàn viên theo dõi việc {}.", r.pick(NUMBERS), steps[k % steps.len()]),
            1 => format!("Điểm mới của giải pháp là {tool2} được dùng thay cho cách làm thủ công trước đây."),
            2 => format!("Trong quá trình thực hiện, nhóm tác giả thường xuyên trao đổi với {} để điều chỉnh.", r.pick(s.units)),
            _ => format!("Mọi thay đổi được ghi lại để làm căn cứ đánh giá {object}."),
        });
        solution.push(detail(r));
        r.shuffle(&mut solution[1..]);
        let other = *r.pick(s.units);
        let scope = match r.below(3) {
            0 => format!("Áp dụng tại {unit}, có thể nhân rộng ra {other}."),
            1 => format!(
                "Phù hợp với các đơn vị thuộc lĩnh vực {} như {other}.",
                s.name.to_lowercase()
            ),
            _ => format!("Đã áp dụng ở {unit} và đang mở rộng sang {other}."),
        };
        let b1 = *r.pick(s.benefits);
        let b2 = *r.pick(s.benefits);
        let mut effect = vec![
            match r.below(3) {
                0 => format!("Sau khi áp dụng, {b1}."),
                1 => format!("Kết quả bước đầu cho thấy {b1} và {b2}."),
                _ => format!("Hiệu quả rõ nhất là {b1}."),
            },
            match r.below(3) {
                0 => format!(
                    "Thời gian giảm từ {} ngày còn {} ngày.",
                    r.pick(NUMBERS),
                    r.pick(&["1", "2", "nửa"])
                ),
                1 => format!("Mỗi năm làm lợi khoảng {} triệu đồng.", r.pick(NUMBERS)),
                _ => format!("Chi phí giảm {}%.", r.pick(NUMBERS)),
            },
        ];
        effect.push(
            (*r.pick(&[
                "Giải pháp dễ làm, chi phí thấp, có thể nhân rộng.",
                "Người lao động phấn khởi, tích cực tham gia phong trào thi đua.",
                "Đơn vị được cấp trên ghi nhận và biểu dương.",
                "Cách làm này góp phần thực hiện tốt nhiệm vụ được giao.",
                "Không phát sinh thêm biên chế hay kinh phí lớn.",
            ]))
            .to_string(),
        );
        effect.push(detail(r));
        r.shuffle(&mut effect);
        InitiativeText {
            sector: s.name.to_string(),
            title,
            sections: vec![
                current.join(" "),
                solution.join(" "),
                scope,
                effect.join(" "),
            ],
        }
    }
}

/// The kinds of generated copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CopyKind {
    /// Same text typed without diacritics.
    Unaccented,
    /// Decomposed Unicode.
    Nfd,
    /// TCVN3 / ABC pasted as Latin-1.
    Tcvn3,
    /// VNI-Windows pasted as Latin-1.
    Vni,
    /// Windows-1258 mis-decoded as Windows-1252.
    Windows1258,
    /// Raw Telex keystrokes.
    Telex,
    /// Paragraphs (sections) in another order.
    Reordered,
    /// 10% of words replaced, deleted or inserted.
    Edit10,
    /// 30% of words replaced, deleted or inserted.
    Edit30,
    /// Only the first ~55% of the text.
    Truncated,
    /// Wrapped in an official letterhead and closing.
    Letterhead,
    /// Only the title changed.
    TitleChanged,
    /// Upper case.
    Uppercase,
    /// Whitespace, punctuation and invisible-character noise.
    Noise,
}

impl CopyKind {
    /// Every kind, in report order.
    pub const ALL: [CopyKind; 14] = [
        CopyKind::Unaccented,
        CopyKind::Nfd,
        CopyKind::Tcvn3,
        CopyKind::Vni,
        CopyKind::Windows1258,
        CopyKind::Telex,
        CopyKind::Reordered,
        CopyKind::Edit10,
        CopyKind::Edit30,
        CopyKind::Truncated,
        CopyKind::Letterhead,
        CopyKind::TitleChanged,
        CopyKind::Uppercase,
        CopyKind::Noise,
    ];

    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            CopyKind::Unaccented => "unaccented",
            CopyKind::Nfd => "nfd",
            CopyKind::Tcvn3 => "tcvn3",
            CopyKind::Vni => "vni",
            CopyKind::Windows1258 => "windows1258",
            CopyKind::Telex => "telex",
            CopyKind::Reordered => "reordered",
            CopyKind::Edit10 => "edit10",
            CopyKind::Edit30 => "edit30",
            CopyKind::Truncated => "truncated",
            CopyKind::Letterhead => "letterhead",
            CopyKind::TitleChanged => "title_changed",
            CopyKind::Uppercase => "uppercase",
            CopyKind::Noise => "noise",
        }
    }

    /// Whether the kind is a mechanical transformation (target: recall@1 ≥ 0.99).
    pub fn is_mechanical(self) -> bool {
        !matches!(self, CopyKind::Edit30 | CopyKind::Truncated)
    }
}

/// Removes every diacritic, keeping case (what typing without a Vietnamese keyboard gives).
pub fn strip_accents(text: &str) -> String {
    text.chars()
        .map(|c| letter_info(c).map_or(c, |i| i.folded))
        .collect()
}

const EDIT_WORDS: &[&str] = &[
    "rất",
    "các",
    "những",
    "việc",
    "thêm",
    "đã",
    "cũng",
    "nhằm",
    "nhiều",
    "mới",
    "hiệu quả",
    "cụ thể",
    "thực tế",
    "kịp thời",
    "đồng thời",
    "chủ động",
    "thường xuyên",
    "đơn vị",
    "cán bộ",
    "người dân",
    "bước đầu",
    "tổng thể",
    "phù hợp",
    "toàn bộ",
    "nội dung",
];

/// Replaces, deletes or inserts words with probability `rate` each word.
pub fn edit_words(text: &str, rate: f64, rng: &mut Rng) -> String {
    let mut out: Vec<String> = Vec::new();
    for w in text.split(' ') {
        if !rng.chance(rate) || w.is_empty() {
            out.push(w.to_string());
            continue;
        }
        match rng.below(3) {
            0 => out.push((*rng.pick(EDIT_WORDS)).to_string()),
            1 => {
                // Deletion keeps the punctuation and line breaks glued to the word.
                let tail: String = w.chars().filter(|c| !c.is_alphanumeric()).collect();
                if !tail.is_empty() {
                    out.push(tail);
                }
            }
            _ => {
                out.push(w.to_string());
                out.push((*rng.pick(EDIT_WORDS)).to_string());
            }
        }
    }
    out.join(" ")
}

/// Words the public searches the gallery for (with and without diacritics), as the load
/// generator and `search-bench` play them.
pub const GALLERY_QUERIES: &[&str] = &[
    "hồ sơ hộ tịch",
    "chu ky so",
    "phần mềm dùng chung",
    "ma QR",
    "tiết kiệm điện",
    "an toan lao dong",
    "cải tiến quy trình",
    "bo ga kep",
    "ứng dụng trên điện thoại",
    "sang kien",
];

/// The official letterhead and closing used to wrap copies.
pub const LETTERHEAD: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n\
    ĐƠN ĐỀ NGHỊ CÔNG NHẬN SÁNG KIẾN\nKính gửi: Ban Tổ chức Chương trình 1 triệu sáng kiến\n\n";
/// Closing formula of the official request form.
pub const CLOSING: &str = "\n\nTôi xin cam đoan mọi thông tin nêu trong đơn là trung thực, \
    đúng sự thật và hoàn toàn chịu trách nhiệm trước pháp luật.\nNgười viết đơn";

fn add_noise(text: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        out.push(c);
        if c == ' ' {
            match rng.below(12) {
                0 => out.push(' '),
                1 => out.push('\t'),
                2 => out.push('\u{200B}'),
                3 => out.push_str("- "),
                4 => out.push('\n'),
                _ => {}
            }
        } else if c == ',' && rng.chance(0.3) {
            out.push_str(" ;");
        } else if c == '.' && rng.chance(0.3) {
            out.push_str("..");
        }
    }
    format!("  {out}  ")
}

/// Makes a copy of the given kind: (title, body text).
pub fn make_copy(kind: CopyKind, orig: &InitiativeText, rng: &mut Rng) -> (String, String) {
    let body = orig.body();
    let title = orig.title.clone();
    match kind {
        CopyKind::Unaccented => (strip_accents(&title), strip_accents(&body)),
        CopyKind::Nfd => (title.nfd().collect(), body.nfd().collect()),
        CopyKind::Tcvn3 => (encode_tcvn3(&title), encode_tcvn3(&body)),
        CopyKind::Vni => (encode_vni(&title), encode_vni(&body)),
        CopyKind::Windows1258 => (
            encode_windows1258_as_cp1252(&title),
            encode_windows1258_as_cp1252(&body),
        ),
        CopyKind::Telex => (encode_telex(&title), encode_telex(&body)),
        CopyKind::Reordered => {
            let mut s = orig.sections.clone();
            let len = s.len().max(1);
            let by = (1 + rng.below(len.max(2) - 1)) % len;
            s.rotate_left(by);
            if s == orig.sections {
                s.reverse();
            }
            (title, crate::index::join_sections(&s))
        }
        CopyKind::Edit10 => (title, edit_words(&body, 0.10, rng)),
        CopyKind::Edit30 => (edit_words(&title, 0.3, rng), edit_words(&body, 0.30, rng)),
        CopyKind::Truncated => {
            let words: Vec<&str> = body.split(' ').collect();
            let keep = (words.len() * 55).div_ceil(100);
            (title, words[..keep].join(" "))
        }
        CopyKind::Letterhead => (title, format!("{LETTERHEAD}{body}{CLOSING}")),
        CopyKind::TitleChanged => {
            let t = *rng.pick(&[
                "Một cách làm mới giúp nâng cao hiệu quả công việc tại đơn vị",
                "Sáng kiến của tổ công đoàn năm nay",
                "Đề xuất cải tiến phương pháp làm việc",
            ]);
            (t.to_string(), body)
        }
        CopyKind::Uppercase => (title.to_uppercase(), body.to_uppercase()),
        CopyKind::Noise => (add_noise(&title, rng), add_noise(&body, rng)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_is_deterministic() {
        let a = Generator::new(7).next_initiative();
        let b = Generator::new(7).next_initiative();
        assert_eq!(a, b);
        assert_eq!(a.sections.len(), 4);
        assert!(Generator::new(8).next_initiative() != a);
    }

    #[test]
    fn unaccented_copy_folds_like_the_original() {
        let a = Generator::new(1).next_initiative();
        let mut rng = Rng::new(1);
        let (_, body) = make_copy(CopyKind::Unaccented, &a, &mut rng);
        assert!(body.is_ascii() || body.chars().all(|c| letter_info(c).is_none()));
        assert_eq!(
            crate::normalize::folded_words(&body),
            crate::normalize::folded_words(&a.body())
        );
    }
}
