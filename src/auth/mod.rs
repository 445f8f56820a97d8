//! Authentication's means: password hashing and signed tokens (access tokens and links).
//! The extractor that turns a request into an identity is `routes::identity`.

pub mod password;
pub mod token;

pub use token::{LinkPurpose, TokenKeys};
