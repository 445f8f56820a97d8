//! Users and their roles.

use serde::{Deserialize, Serialize};

/// A role a user is granted over a union's subtree (and, for reviewers, a program).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Đoàn viên: submits and follows their own initiatives.
    Member,
    /// Thành viên Ban Tổ chức: reviews initiatives of a program within a subtree.
    Reviewer,
    /// Cán bộ công đoàn: manages unions, members and quotas of a subtree.
    UnionOfficer,
    /// Quản trị chương trình: programs, phases, fields, committees of a subtree.
    ProgramAdmin,
    /// Quản trị hệ thống: everything.
    SystemAdmin,
}

impl Role {
    /// All roles, in order of increasing reach.
    pub const ALL: [Role; 5] = [
        Role::Member,
        Role::Reviewer,
        Role::UnionOfficer,
        Role::ProgramAdmin,
        Role::SystemAdmin,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Reviewer => "reviewer",
            Self::UnionOfficer => "union_officer",
            Self::ProgramAdmin => "program_admin",
            Self::SystemAdmin => "system_admin",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Member => "Đoàn viên",
            Self::Reviewer => "Thành viên Ban Tổ chức",
            Self::UnionOfficer => "Cán bộ công đoàn",
            Self::ProgramAdmin => "Quản trị chương trình",
            Self::SystemAdmin => "Quản trị hệ thống",
        }
    }
}

/// Whether an account may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// May sign in.
    Active,
    /// May not sign in; existing tokens stop working.
    Disabled,
}

impl UserStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }

    /// From the stored name (unknown values read as disabled: fail closed).
    pub fn parse(s: &str) -> Self {
        if s == "active" {
            Self::Active
        } else {
            Self::Disabled
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
        assert_eq!(UserStatus::parse("weird"), UserStatus::Disabled);
    }
}
