//! The union tree (công đoàn): kinds of union, which kind may hold which, and materialised
//! paths.

use serde::{Deserialize, Serialize};

/// A union's kind (stored as `level`): its own attribute, not its depth in the tree. Since
/// 2025 a grassroots union may sit directly under a provincial federation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnionKind {
    /// 0 — Tổng Liên đoàn Lao động Việt Nam.
    National,
    /// 1 — LĐLĐ tỉnh, thành phố; Công đoàn ngành trung ương.
    Province,
    /// 2 — Công đoàn cấp trên trực tiếp cơ sở.
    DirectUpper,
    /// 3 — Công đoàn cơ sở (CĐCS).
    Grassroots,
    /// 4 — Tổ công đoàn.
    Group,
}

impl UnionKind {
    /// From the stored number.
    pub fn from_i32(n: i32) -> Option<Self> {
        Some(match n {
            0 => Self::National,
            1 => Self::Province,
            2 => Self::DirectUpper,
            3 => Self::Grassroots,
            4 => Self::Group,
            _ => return None,
        })
    }

    /// The stored number.
    pub fn as_i32(self) -> i32 {
        self as i32
    }

    /// The kind a new child gets when none is asked for: the next one down.
    pub fn child(self) -> Option<Self> {
        Self::from_i32(self.as_i32() + 1)
    }

    /// Whether a union of this kind may hold one of `child` directly: the national level
    /// holds federations; a federation holds direct upper-level unions and, since 2025,
    /// grassroots unions; a direct upper-level union holds grassroots unions; a grassroots
    /// union holds groups.
    pub fn may_hold(self, child: Self) -> bool {
        matches!(
            (self, child),
            (Self::National, Self::Province)
                | (Self::Province, Self::DirectUpper | Self::Grassroots)
                | (Self::DirectUpper, Self::Grassroots)
                | (Self::Grassroots, Self::Group)
        )
    }

    /// The kind's name in the API and in plan files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::National => "national",
            Self::Province => "federation",
            Self::DirectUpper => "direct_upper",
            Self::Grassroots => "grassroots",
            Self::Group => "group",
        }
    }

    /// From its name in the API.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::National,
            Self::Province,
            Self::DirectUpper,
            Self::Grassroots,
            Self::Group,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// The Vietnamese name of the level.
    pub fn label(self) -> &'static str {
        match self {
            Self::National => "Tổng Liên đoàn",
            Self::Province => "LĐLĐ tỉnh, thành phố / Công đoàn ngành trung ương",
            Self::DirectUpper => "Công đoàn cấp trên trực tiếp cơ sở",
            Self::Grassroots => "Công đoàn cơ sở",
            Self::Group => "Tổ công đoàn",
        }
    }
}

/// A materialised path of union ids, `/1/5/23/`: a union's subtree is every path that starts
/// with its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UnionPath(String);

impl UnionPath {
    /// The path of a root union.
    pub fn root(id: i64) -> Self {
        Self(format!("/{id}/"))
    }

    /// The path of a child of `self`.
    pub fn child(&self, id: i64) -> Self {
        Self(format!("{}{id}/", self.0))
    }

    /// Wraps a stored path (trusted: written only by [`UnionPath::root`] and
    /// [`UnionPath::child`]).
    pub fn from_stored(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `other` is `self` or lies below it.
    pub fn covers(&self, other: &UnionPath) -> bool {
        other.0.starts_with(&self.0)
    }

    /// The ids from the root down to this union.
    pub fn ids(&self) -> Vec<i64> {
        self.0
            .split('/')
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_is_by_whole_segments() {
        let root = UnionPath::root(1);
        let cb = root.child(5);
        let grass = cb.child(23);
        assert!(root.covers(&grass));
        assert!(cb.covers(&grass));
        assert!(cb.covers(&cb));
        assert!(!grass.covers(&cb));
        assert!(!cb.covers(&root.child(50)));
        assert_eq!(grass.ids(), vec![1, 5, 23]);
    }

    #[test]
    fn each_kind_holds_only_the_kinds_below_it_that_the_rule_names() {
        use UnionKind::*;
        let all = [National, Province, DirectUpper, Grassroots, Group];
        let allowed = [
            (National, Province),
            (Province, DirectUpper),
            (Province, Grassroots),
            (DirectUpper, Grassroots),
            (Grassroots, Group),
        ];
        for parent in all {
            for child in all {
                assert_eq!(
                    parent.may_hold(child),
                    allowed.contains(&(parent, child)),
                    "{parent:?} holding {child:?}"
                );
                // Whatever holds a kind ranks above it: a tree never loops through kinds.
                if parent.may_hold(child) {
                    assert!(parent < child);
                }
            }
            assert_eq!(UnionKind::parse(parent.as_str()), Some(parent));
        }
        assert_eq!(UnionKind::parse("province"), None);
    }

    #[test]
    fn levels_round_trip_and_stop_at_groups() {
        for n in 0..=4 {
            assert_eq!(UnionKind::from_i32(n).unwrap().as_i32(), n);
        }
        assert!(UnionKind::from_i32(5).is_none());
        assert_eq!(UnionKind::Grassroots.child(), Some(UnionKind::Group));
        assert_eq!(UnionKind::Group.child(), None);
    }
}
