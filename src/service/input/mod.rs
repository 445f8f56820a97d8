//! What the API and the pages send, checked into each use case's input: the request bodies
//! (one type per form of input, with its OpenAPI schema) and the parse that turns them into
//! the service's input types, so that a page and an API operation validate alike.

pub mod audit;
pub mod initiatives;
pub mod programs;
pub mod reorganisations;
pub mod search;
pub mod unions;
pub mod users;

use serde::{Deserialize, Deserializer};

use crate::domain::{FieldErrors, text};
use crate::error::AppError;

/// Deserialises a field that may be absent (`None`), `null` (`Some(None)`) or a value.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// Collects per-field problems while a request is parsed into domain input.
#[derive(Debug, Default)]
pub struct Checker {
    errors: FieldErrors,
}

impl Checker {
    /// Records a problem with `field`.
    pub fn fail(&mut self, field: &str, problem: impl Into<String>) {
        self.errors
            .entry(field.to_owned())
            .or_insert(problem.into());
    }

    /// A cleaned single-line text within `limit`.
    pub fn line(&mut self, field: &str, value: &str, limit: text::Limit) -> String {
        let v = text::clean_line(value);
        if let Err(e) = limit.check(&v) {
            self.fail(field, e);
        }
        v
    }

    /// A cleaned multi-line text within `limit`.
    pub fn text(&mut self, field: &str, value: &str, limit: text::Limit) -> String {
        let v = text::clean(value);
        if let Err(e) = limit.check(&v) {
            self.fail(field, e);
        }
        v
    }

    /// An optional single-line text: blank becomes `None`.
    pub fn opt_line(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let v = text::clean_line(value?);
        if v.is_empty() {
            return None;
        }
        if v.chars().count() > max {
            self.fail(field, format!("Tối đa {max} ký tự."));
        }
        Some(v)
    }

    /// A code.
    pub fn code(&mut self, field: &str, value: &str) -> String {
        let v = value.trim().to_owned();
        if let Err(e) = text::check_code(&v) {
            self.fail(field, e);
        }
        v
    }

    /// Done: the problems, if any, as one `validation_failed`.
    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::validation(self.errors))
        }
    }
}
