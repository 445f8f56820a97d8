//! Organising-committee review: stage decisions, the rubric and its arithmetic, conflicts of
//! interest, routing to a committee and choosing reviewers. Pure rules; no I/O.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::FieldErrors;

/// What a committee decides at a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Thông qua: on to the next stage, or approved after the last.
    Approve,
    /// Không thông qua, with a reason.
    Reject,
    /// Trả lại để chỉnh sửa, with what to fix.
    Return,
    /// Trùng lặp with an earlier initiative; never counted.
    Duplicate,
}

impl Decision {
    /// Every decision.
    pub const ALL: [Self; 4] = [Self::Approve, Self::Reject, Self::Return, Self::Duplicate];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Return => "return",
            Self::Duplicate => "duplicate",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// The Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Approve => "Thông qua",
            Self::Reject => "Không thông qua",
            Self::Return => "Trả lại để chỉnh sửa",
            Self::Duplicate => "Trùng lặp",
        }
    }
}

/// The standard reasons for not approving an initiative (plus free text).
pub const REJECT_REASONS: [(&str, &str); 6] = [
    ("trung-lap", "Trùng lặp với sáng kiến đã có"),
    ("khong-co-tinh-moi", "Không có tính mới"),
    ("ngoai-thoi-gian-ap-dung", "Ngoài thời gian áp dụng"),
    ("khong-kha-thi", "Không có khả năng áp dụng"),
    ("chua-chung-minh-hieu-qua", "Chưa chứng minh được hiệu quả"),
    ("khac", "Lý do khác"),
];

/// The Vietnamese label of a standard reason.
pub fn reason_label(code: &str) -> Option<&'static str> {
    REJECT_REASONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
}

/// Where a case is: being reviewed, decided but not yet published, or done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Đang xét.
    Open,
    /// Đã quyết định, chờ công bố.
    Pending,
    /// Đã công bố (or replaced by the next round).
    Closed,
}

impl CaseState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Pending => "pending",
            Self::Closed => "closed",
        }
    }

    /// From the stored name (unknown reads as closed: nothing more may happen to it).
    pub fn parse(s: &str) -> Self {
        match s {
            "open" => Self::Open,
            "pending" => Self::Pending,
            _ => Self::Closed,
        }
    }

    /// The Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Đang xét",
            Self::Pending => "Chờ công bố",
            Self::Closed => "Đã công bố",
        }
    }
}

/// Where one reviewer's work on a case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentState {
    /// Được phân công, chưa chấm.
    Assigned,
    /// Đã chấm.
    Scored,
    /// Đã từ chối do xung đột lợi ích.
    Recused,
}

impl AssignmentState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Assigned => "assigned",
            Self::Scored => "scored",
            Self::Recused => "recused",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Self {
        match s {
            "scored" => Self::Scored,
            "recused" => Self::Recused,
            _ => Self::Assigned,
        }
    }
}

/// Why someone may not review an initiative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConflictReason {
    /// Tác giả hoặc đồng tác giả.
    Author,
    /// Thủ trưởng đơn vị nộp sáng kiến.
    HeadOfUnit,
    /// Tự khai báo xung đột lợi ích.
    Declared,
}

impl ConflictReason {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Author => "author",
            Self::HeadOfUnit => "head_of_unit",
            Self::Declared => "declared",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Self {
        match s {
            "author" => Self::Author,
            "head_of_unit" => Self::HeadOfUnit,
            _ => Self::Declared,
        }
    }

    /// The Vietnamese explanation.
    pub fn label(self) -> &'static str {
        match self {
            Self::Author => "Là tác giả hoặc đồng tác giả",
            Self::HeadOfUnit => "Là thủ trưởng đơn vị nộp sáng kiến",
            Self::Declared => "Tự khai báo xung đột lợi ích",
        }
    }
}

/// Award levels the owning union gives outstanding (tiêu biểu) initiatives.
pub const AWARD_LEVELS: [(&str, &str); 5] = [
    ("tieu-bieu", "Sáng kiến tiêu biểu"),
    ("giai-nhat", "Giải Nhất"),
    ("giai-nhi", "Giải Nhì"),
    ("giai-ba", "Giải Ba"),
    ("khuyen-khich", "Giải Khuyến khích"),
];

/// The Vietnamese label of an award level.
pub fn award_label(code: &str) -> Option<&'static str> {
    AWARD_LEVELS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
}

/// How reviewers' totals are combined into the committee's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Trung bình cộng.
    Mean,
    /// Trung vị.
    Median,
}

impl Aggregation {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mean => "mean",
            Self::Median => "median",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "mean" => Some(Self::Mean),
            "median" => Some(Self::Median),
            _ => None,
        }
    }

    /// Combines totals; `None` when there are none.
    pub fn combine(self, totals: &[f64]) -> Option<f64> {
        if totals.is_empty() {
            return None;
        }
        let mut v = totals.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        Some(match self {
            Self::Mean => v.iter().sum::<f64>() / n as f64,
            Self::Median if n % 2 == 1 => v[n / 2],
            Self::Median => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        })
    }
}

/// A band of a criterion's scale with what it means (e.g. novelty 0–0: copied).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Band {
    pub min: i32,
    pub max: i32,
    pub description: String,
}

/// One criterion of the rubric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Criterion {
    /// Stable code, e.g. `tinh-moi`.
    pub code: String,
    /// Vietnamese name.
    pub name: String,
    /// What the reviewer should judge.
    #[serde(default)]
    pub description: String,
    /// Scores run 0..=max_score.
    pub max_score: i32,
    /// Weight in the weighted sum.
    pub weight: f64,
    /// Optional bands with descriptions.
    #[serde(default)]
    pub bands: Vec<Band>,
}

impl Criterion {
    /// The band a score falls in.
    pub fn band_of(&self, score: i32) -> Option<&Band> {
        self.bands.iter().find(|b| (b.min..=b.max).contains(&score))
    }
}

/// The default rubric of the national initiative regulation.
pub fn default_rubric() -> Vec<Criterion> {
    vec![
        Criterion {
            code: "tinh-moi".to_owned(),
            name: "Tính mới".to_owned(),
            description: "Chưa được áp dụng, công bố ở đơn vị trước ngày nộp.".to_owned(),
            max_score: 30,
            weight: 1.0,
            bands: vec![
                Band {
                    min: 0,
                    max: 0,
                    description: "Sao chép, đã có trước".to_owned(),
                },
                Band {
                    min: 1,
                    max: 15,
                    description: "Cải tiến một phần giải pháp đã có".to_owned(),
                },
                Band {
                    min: 16,
                    max: 30,
                    description: "Giải pháp mới tại đơn vị".to_owned(),
                },
            ],
        },
        Criterion {
            code: "kha-nang-ap-dung".to_owned(),
            name: "Khả năng áp dụng".to_owned(),
            description: "Đã áp dụng hoặc áp dụng thử, có thể nhân rộng.".to_owned(),
            max_score: 30,
            weight: 1.0,
            bands: Vec::new(),
        },
        Criterion {
            code: "hieu-qua".to_owned(),
            name: "Hiệu quả và lợi ích".to_owned(),
            description: "Lợi ích kinh tế, xã hội, an toàn mang lại.".to_owned(),
            max_score: 40,
            weight: 1.0,
            bands: Vec::new(),
        },
    ]
}

/// Checks a rubric: 1–20 criteria, unique codes, sane scales and weights, bands inside the
/// scale and not overlapping.
pub fn check_rubric(criteria: &[Criterion]) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    if criteria.is_empty() || criteria.len() > 20 {
        errors.insert(
            "criteria".to_owned(),
            "Cần từ 1 đến 20 tiêu chí.".to_owned(),
        );
    }
    let mut codes = HashSet::new();
    for (i, c) in criteria.iter().enumerate() {
        let at = |f: &str| format!("criteria[{i}].{f}");
        if !codes.insert(c.code.as_str()) {
            errors.insert(at("code"), "Mã tiêu chí bị trùng.".to_owned());
        }
        if !(1..=1000).contains(&c.max_score) {
            errors.insert(
                at("max_score"),
                "Điểm tối đa phải từ 1 đến 1000.".to_owned(),
            );
        }
        if !(c.weight.is_finite() && c.weight > 0.0 && c.weight <= 100.0) {
            errors.insert(
                at("weight"),
                "Trọng số phải lớn hơn 0 và không quá 100.".to_owned(),
            );
        }
        let mut bands: Vec<&Band> = c.bands.iter().collect();
        bands.sort_by_key(|b| b.min);
        let overlapping = bands.windows(2).any(|w| w[1].min <= w[0].max);
        let outside = bands
            .iter()
            .any(|b| b.min < 0 || b.max > c.max_score || b.min > b.max);
        if overlapping || outside {
            errors.insert(
                at("bands"),
                "Các khoảng điểm phải nằm trong thang điểm và không chồng nhau.".to_owned(),
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Checks a reviewer's scores against the rubric (every criterion, whole numbers within its
/// scale) and returns the weighted total.
pub fn weighted_total(
    criteria: &[Criterion],
    scores: &BTreeMap<String, i32>,
) -> Result<f64, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut total = 0.0;
    for c in criteria {
        match scores.get(&c.code) {
            None => {
                errors.insert(
                    format!("scores.{}", c.code),
                    format!("Chưa chấm tiêu chí \"{}\".", c.name),
                );
            }
            Some(s) if !(0..=c.max_score).contains(s) => {
                errors.insert(
                    format!("scores.{}", c.code),
                    format!("Điểm \"{}\" phải từ 0 đến {}.", c.name, c.max_score),
                );
            }
            Some(s) => total += f64::from(*s) * c.weight,
        }
    }
    for code in scores.keys() {
        if !criteria.iter().any(|c| &c.code == code) {
            errors.insert(
                format!("scores.{code}"),
                "Không có tiêu chí này trong bảng điểm.".to_owned(),
            );
        }
    }
    if errors.is_empty() {
        Ok(total)
    } else {
        Err(errors)
    }
}

/// The highest weighted total the rubric allows.
pub fn max_total(criteria: &[Criterion]) -> f64 {
    criteria
        .iter()
        .map(|c| f64::from(c.max_score) * c.weight)
        .sum()
}

/// Chooses the committee for an initiative from its union's ancestry: the ancestor-or-self at
/// the stage's level if it has a committee, else the nearest one above it that has.
/// `ancestry` is `(union_id, level)` from the root down to the submitting union.
pub fn route(
    ancestry: &[(i64, i32)],
    stage_level: i32,
    has_committee: impl Fn(i64) -> bool,
) -> Option<i64> {
    ancestry
        .iter()
        .rev()
        .filter(|(_, level)| *level <= stage_level)
        .map(|(id, _)| *id)
        .find(|id| has_committee(*id))
}

/// A committee member as the assigner sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// The user.
    pub user_id: i64,
    /// Reviews assigned and not yet scored, across every committee.
    pub open_reviews: i64,
}

/// Chooses up to `n` reviewers: those in `preferred` first (e.g. who reviewed the earlier
/// round), then the fewest open reviews, ties by id; never anyone in `excluded` or `taken`.
pub fn pick_reviewers(
    candidates: &[Candidate],
    excluded: &HashSet<i64>,
    taken: &HashSet<i64>,
    preferred: &[i64],
    n: usize,
) -> Vec<i64> {
    let mut eligible: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| !excluded.contains(&c.user_id) && !taken.contains(&c.user_id))
        .collect();
    eligible.sort_by_key(|c| (!preferred.contains(&c.user_id), c.open_reviews, c.user_id));
    eligible.into_iter().take(n).map(|c| c.user_id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_are_weighted_and_checked() {
        let rubric = default_rubric();
        let mut scores = BTreeMap::new();
        scores.insert("tinh-moi".to_owned(), 20);
        scores.insert("kha-nang-ap-dung".to_owned(), 25);
        assert!(
            weighted_total(&rubric, &scores)
                .unwrap_err()
                .contains_key("scores.hieu-qua")
        );
        scores.insert("hieu-qua".to_owned(), 41);
        assert!(weighted_total(&rubric, &scores).is_err());
        scores.insert("hieu-qua".to_owned(), 30);
        assert_eq!(weighted_total(&rubric, &scores).unwrap(), 75.0);
        scores.insert("la".to_owned(), 1);
        assert!(
            weighted_total(&rubric, &scores)
                .unwrap_err()
                .contains_key("scores.la")
        );
        let mut weighted = default_rubric();
        weighted[2].weight = 1.5;
        scores.remove("la");
        assert_eq!(weighted_total(&weighted, &scores).unwrap(), 90.0);
        assert_eq!(max_total(&rubric), 100.0);
    }

    #[test]
    fn mean_and_median() {
        assert_eq!(Aggregation::Mean.combine(&[]), None);
        assert_eq!(Aggregation::Mean.combine(&[60.0, 90.0]), Some(75.0));
        assert_eq!(Aggregation::Median.combine(&[90.0, 10.0, 60.0]), Some(60.0));
        assert_eq!(
            Aggregation::Median.combine(&[10.0, 60.0, 90.0, 70.0]),
            Some(65.0)
        );
    }

    #[test]
    fn rubrics_are_checked() {
        assert!(check_rubric(&default_rubric()).is_ok());
        assert!(check_rubric(&[]).is_err());
        let mut bad = default_rubric();
        bad[1].code = "tinh-moi".to_owned();
        bad[2].bands = vec![
            Band {
                min: 0,
                max: 20,
                description: String::new(),
            },
            Band {
                min: 20,
                max: 40,
                description: String::new(),
            },
        ];
        bad[0].weight = 0.0;
        let errors = check_rubric(&bad).unwrap_err();
        assert!(errors.contains_key("criteria[1].code"));
        assert!(errors.contains_key("criteria[2].bands"));
        assert!(errors.contains_key("criteria[0].weight"));
        assert_eq!(
            default_rubric()[0]
                .band_of(0)
                .map(|b| b.description.as_str()),
            Some("Sao chép, đã có trước")
        );
    }

    #[test]
    fn routing_walks_up_to_the_nearest_committee() {
        // root(0) → province 5(1) → upper 9(2) → grassroots 23(3)
        let ancestry = [(1, 0), (5, 1), (9, 2), (23, 3)];
        assert_eq!(route(&ancestry, 3, |id| id == 23 || id == 5), Some(23));
        assert_eq!(route(&ancestry, 3, |id| id == 5), Some(5));
        assert_eq!(route(&ancestry, 1, |id| id == 23 || id == 5), Some(5));
        assert_eq!(route(&ancestry, 1, |_| false), None);
        // Submitted at the province itself, stage at the grassroots level.
        assert_eq!(route(&ancestry[..2], 3, |id| id == 5), Some(5));
    }

    #[test]
    fn reviewers_are_chosen_by_load_respecting_conflicts() {
        let c = |user_id, open_reviews| Candidate {
            user_id,
            open_reviews,
        };
        let members = [c(1, 5), c(2, 0), c(3, 0), c(4, 9)];
        let none = HashSet::new();
        assert_eq!(pick_reviewers(&members, &none, &none, &[], 2), vec![2, 3]);
        let excluded: HashSet<i64> = [2].into();
        assert_eq!(
            pick_reviewers(&members, &excluded, &none, &[], 2),
            vec![3, 1]
        );
        assert_eq!(pick_reviewers(&members, &excluded, &none, &[4], 1), vec![4]);
        let taken: HashSet<i64> = [3].into();
        assert_eq!(
            pick_reviewers(&members, &excluded, &taken, &[], 5),
            vec![1, 4]
        );
    }
}
