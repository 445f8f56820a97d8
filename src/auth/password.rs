//! Password hashing with argon2id (the crate's defaults: m=19 MiB, t=2, p=1).

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::AppError;

/// Hashes a password into a PHC string.
pub fn hash(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::unexpected(format!("hashing a password: {e}")))
}

/// Checks a password against a stored PHC string; a malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

static DUMMY: LazyLock<String> = LazyLock::new(|| hash("not-a-real-password").unwrap_or_default());

/// Spends the same time as a real check, for unknown accounts, so that timing does not tell
/// whether an account exists.
pub fn verify_dummy(password: &str) {
    let _ = verify(password, &DUMMY);
}

/// Checks a new password's strength, giving the Vietnamese problem if any.
pub fn check_strength(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < 8 {
        Err("Mật khẩu cần ít nhất 8 ký tự.".to_owned())
    } else if n > 128 {
        Err("Mật khẩu tối đa 128 ký tự.".to_owned())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash("mật khẩu đủ dài").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("mật khẩu đủ dài", &h));
        assert!(!verify("mat khau du dai", &h));
        assert!(!verify("x", "not a hash"));
        assert!(check_strength("short").is_err());
        assert!(check_strength("long enough").is_ok());
    }
}
