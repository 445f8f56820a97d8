//! The officer's pages for the union tree and its members, within the officer's subtree:
//! the tree as an expandable list with member counts and a search by name or code; create,
//! rename, move, deactivate a union, its emulation cluster and its head (thủ trưởng); members
//! listed and searched, created, edited, disabled, invited by email; roles granted and revoked
//! with their scope. Every form calls the same checks and services as the API, and every
//! destructive action passes a confirmation step first.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::admin::{Confirmation, confirm, form_problems, refusal_text};
use super::form::{Done, Gate, NoFields, SignedInForm, answer, back, notice};
use super::member::Pager;
use super::{Chrome, FieldProblems, PageError, Visitor, render, see_other};
use crate::domain::permissions::{Area, PAGE_GRANTABLE_ROLES, grant_names_program, may_enter};
use crate::domain::{Action, Resource, Role, UnionPath, UserStatus, can};
use crate::error::{AppError, ErrorCode};
use crate::format;
use crate::routes::identity::Identity;
use crate::service;
use crate::service::input::unions::{CreateUnion, UpdateUnion};
use crate::service::input::users::{CreateUser, UpdateUser};
use crate::service::unions::UnionView;
use crate::service::users::{GrantInput, UserDetail};
use crate::service::{PageRequest, programs::ProgramView};
use crate::state::AppState;

mod member_accounts;
mod unions;

pub use member_accounts::*;
pub use unions::*;

fn require_officer(me: &Identity) -> Result<(), PageError> {
    Officers::check(me)
}

/// The gate of the union and member administration: union officers and system
/// administrators.
#[derive(Debug)]
pub struct Officers;

impl Gate for Officers {
    fn check(me: &Identity) -> Result<(), PageError> {
        if may_enter(&me.actor, Area::UnionAdministration) {
            Ok(())
        } else {
            Err(AppError::forbidden()
                .with_message("Chỉ cán bộ công đoàn mới quản lý được đơn vị và đoàn viên.")
                .into())
        }
    }
}

fn number_or_zero(problems: &mut BTreeProblems, name: &str, v: &str) -> i32 {
    let digits: String = v.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
    if digits.is_empty() {
        return 0;
    }
    digits.parse().unwrap_or_else(|_| {
        problems.insert(name.to_owned(), "Nhập một số nguyên.".to_owned());
        -1
    })
}

type BTreeProblems = std::collections::BTreeMap<String, String>;
