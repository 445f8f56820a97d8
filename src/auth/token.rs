//! Access tokens: HS256 JWTs with issuer, audience and expiry checked on every request.

use std::path::Path;

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::config::AuthSettings;
use crate::error::{AppError, ErrorCode};

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id, as a string.
    pub sub: String,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Issued at (unix seconds).
    pub iat: i64,
    /// Expires at (unix seconds).
    pub exp: i64,
    /// A unique token id.
    pub jti: String,
}

/// What a signed link from an email lets its holder do; each purpose is its own audience, so
/// that no link opens another door, and none is an access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Choose a new password (single use: bound to the current password hash).
    PasswordReset,
    /// Set the first password of an imported account (single use likewise).
    Invitation,
    /// Turn digests off without signing in.
    Unsubscribe,
}

impl LinkPurpose {
    fn audience(self) -> &'static str {
        match self {
            Self::PasswordReset => "sangkien-link:password-reset",
            Self::Invitation => "sangkien-link:invitation",
            Self::Unsubscribe => "sangkien-link:unsubscribe",
        }
    }
}

/// The claims of a signed link.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LinkClaims {
    sub: String,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
    /// A fingerprint of the state the link may change (the password hash), so that it works
    /// once: after use the state differs and the link is refused.
    #[serde(default)]
    fp: String,
}

/// A checked link: whose, and the fingerprint it was issued against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSubject {
    /// The user's id.
    pub user_id: i64,
    /// The fingerprint the link carries.
    pub fingerprint: String,
}

/// Keys and rules for issuing and checking tokens.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_seconds: i64,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl TokenKeys {
    /// Keys from a secret.
    pub fn new(secret: &[u8], settings: &AuthSettings) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            ttl_seconds: settings.token_ttl_minutes * 60,
        }
    }

    /// Keys from the configured secret, or (development) from `<data_dir>/jwt.key`, generated
    /// once with 64 random bytes.
    pub fn load(settings: &AuthSettings, data_dir: &Path) -> anyhow::Result<Self> {
        if let Some(secret) = &settings.jwt_secret {
            return Ok(Self::new(secret.as_bytes(), settings));
        }
        let path = data_dir.join("jwt.key");
        let secret = match std::fs::read_to_string(&path) {
            Ok(s) if s.trim().len() >= 64 => s.trim().to_owned(),
            _ => {
                std::fs::create_dir_all(data_dir)?;
                let mut bytes = [0u8; 64];
                rand::rng().fill_bytes(&mut bytes);
                let s = hex::encode(bytes);
                write_private(&path, &s)?;
                tracing::info!(path = %path.display(), "generated a development JWT key");
                s
            }
        };
        Ok(Self::new(secret.as_bytes(), settings))
    }

    /// Issues a token for a user; returns it with its lifetime in seconds.
    pub fn issue(&self, user_id: i64) -> Result<(String, i64), AppError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            exp: now + self.ttl_seconds,
            jti: uuid::Uuid::new_v4().to_string(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AppError::internal(format!("signing a token: {e}")))?;
        Ok((token, self.ttl_seconds))
    }

    /// Checks a token's signature, algorithm, issuer, audience and expiry; returns the user id.
    pub fn verify(&self, token: &str) -> Result<i64, AppError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| {
                tracing::debug!(error = %e, "rejected a token");
                AppError::new(ErrorCode::Unauthenticated)
                    .with_message("Phiên đăng nhập không hợp lệ hoặc đã hết hạn.")
            })?;
        data.claims
            .sub
            .parse()
            .map_err(|_| AppError::new(ErrorCode::Unauthenticated))
    }
}

impl TokenKeys {
    /// Signs a link for `purpose` valid `ttl_seconds`, bound to `fingerprint`.
    pub fn issue_link(
        &self,
        purpose: LinkPurpose,
        user_id: i64,
        fingerprint: &str,
        ttl_seconds: i64,
    ) -> Result<String, AppError> {
        let now = Utc::now().timestamp();
        let claims = LinkClaims {
            sub: user_id.to_string(),
            iss: self.issuer.clone(),
            aud: purpose.audience().to_owned(),
            iat: now,
            exp: now + ttl_seconds,
            fp: fingerprint.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AppError::internal(format!("signing a link: {e}")))
    }

    /// Checks a link's signature, purpose and expiry (no leeway).
    pub fn verify_link(&self, token: &str, purpose: LinkPurpose) -> Result<LinkSubject, AppError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[purpose.audience()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 0;
        let data = jsonwebtoken::decode::<LinkClaims>(token.trim(), &self.decoding, &validation)
            .map_err(|e| {
                tracing::debug!(error = %e, "rejected a link");
                AppError::new(ErrorCode::InvalidLink)
            })?;
        let user_id = data
            .claims
            .sub
            .parse()
            .map_err(|_| AppError::new(ErrorCode::InvalidLink))?;
        Ok(LinkSubject {
            user_id,
            fingerprint: data.claims.fp,
        })
    }
}

/// The fingerprint of a password hash (or of its absence) that single-use links carry.
pub fn password_fingerprint(hash: Option<&str>) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(hash.unwrap_or("no-password").as_bytes());
    hex::encode(&digest[..12])
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> AuthSettings {
        AuthSettings {
            issuer: "sangkien".into(),
            audience: "sangkien-api".into(),
            token_ttl_minutes: 10,
            jwt_secret: None,
            require_secret: false,
        }
    }

    #[test]
    fn issue_and_verify() {
        let keys = TokenKeys::new(&[7u8; 32], &settings());
        let (token, ttl) = keys.issue(42).unwrap();
        assert_eq!(ttl, 600);
        assert_eq!(keys.verify(&token).unwrap(), 42);
        let other = TokenKeys::new(&[8u8; 32], &settings());
        assert!(other.verify(&token).is_err());
        let mut wrong_aud = settings();
        wrong_aud.audience = "else".into();
        assert!(
            TokenKeys::new(&[7u8; 32], &wrong_aud)
                .verify(&token)
                .is_err()
        );
    }

    #[test]
    fn links_have_one_purpose_and_are_no_access_tokens() {
        let keys = TokenKeys::new(&[7u8; 32], &settings());
        let fp = password_fingerprint(Some("$argon2id$…"));
        let link = keys
            .issue_link(LinkPurpose::PasswordReset, 9, &fp, 600)
            .unwrap();
        let subject = keys.verify_link(&link, LinkPurpose::PasswordReset).unwrap();
        assert_eq!(subject.user_id, 9);
        assert_eq!(subject.fingerprint, fp);
        assert!(keys.verify_link(&link, LinkPurpose::Unsubscribe).is_err());
        assert!(keys.verify(&link).is_err());
        let (access, _) = keys.issue(9).unwrap();
        assert!(
            keys.verify_link(&access, LinkPurpose::PasswordReset)
                .is_err()
        );
        let expired = keys
            .issue_link(LinkPurpose::Invitation, 9, &fp, -10)
            .unwrap();
        assert!(keys.verify_link(&expired, LinkPurpose::Invitation).is_err());
        assert_ne!(password_fingerprint(None), fp);
    }

    #[test]
    fn dev_key_is_generated_once() {
        let dir = tempfile::tempdir().unwrap();
        let a = TokenKeys::load(&settings(), dir.path()).unwrap();
        let b = TokenKeys::load(&settings(), dir.path()).unwrap();
        let (token, _) = a.issue(1).unwrap();
        assert_eq!(b.verify(&token).unwrap(), 1);
    }
}
