//! Authentication: password hashing, access tokens, and the extractor that turns a request
//! into an [`Identity`].

pub mod identity;
pub mod password;
pub mod token;

pub use identity::Identity;
pub use token::{LinkPurpose, TokenKeys};
