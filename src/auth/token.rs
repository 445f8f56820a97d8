//! Access tokens and signed links: HS256 JWTs whose header names their key (`kid`), with
//! issuer, audience and expiry checked on every request. Keys rotate: the current one signs,
//! previous ones still verify until what they signed has expired.

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

/// One HMAC key with its id (`kid`): the first 16 hex digits of a SHA-256 of the secret, so
/// every instance given the same secret names it the same without being told.
struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl SigningKey {
    fn new(secret: &[u8]) -> Self {
        use sha2::Digest;
        let mut hasher = sha2::Sha256::new();
        hasher.update(b"sangkien-jwt-kid\0");
        hasher.update(secret);
        let kid = hex::encode(&hasher.finalize()[..8]);
        Self {
            kid,
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }
}

/// A checked access token: whose, and which session it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSubject {
    /// The user's id.
    pub user_id: i64,
    /// The session (the token's `jti`).
    pub session_id: String,
}

/// Keys and rules for issuing and checking tokens: the current key signs (its `kid` in the
/// header); previous keys only verify, so tokens and links signed before a rotation keep
/// working until they expire.
pub struct TokenKeys {
    current: SigningKey,
    previous: Vec<SigningKey>,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_seconds: i64,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("kid", &self.current.kid)
            .field(
                "previous",
                &self.previous.iter().map(|k| &k.kid).collect::<Vec<_>>(),
            )
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

/// The file under the data folder that holds the development key.
const DEV_KEY_FILE: &str = "jwt.key";
/// The file under the data folder that holds the development keys rotated out, one per line.
const DEV_PREVIOUS_FILE: &str = "jwt.previous";

fn random_secret() -> String {
    let mut bytes = [0u8; 64];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The secrets in a list separated by commas, spaces or new lines.
fn split_secrets(list: &str) -> Vec<&str> {
    list.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect()
}

impl TokenKeys {
    /// Keys from a secret.
    pub fn new(secret: &[u8], settings: &AuthSettings) -> Self {
        Self::with_previous(secret, &[], settings)
    }

    /// Keys from the current secret and those rotated out (verify only).
    pub fn with_previous(secret: &[u8], previous: &[&[u8]], settings: &AuthSettings) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        let current = SigningKey::new(secret);
        let previous = previous
            .iter()
            .map(|s| SigningKey::new(s))
            .filter(|k| k.kid != current.kid)
            .collect();
        Self {
            current,
            previous,
            validation,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            ttl_seconds: settings.token_ttl_minutes * 60,
        }
    }

    /// Keys from the configured secrets (`auth.jwt_secret`, `auth.jwt_previous_secrets`), or
    /// (development) from `<data_dir>/jwt.key`, generated once with 64 random bytes, and the
    /// keys `rotate_dev_key` moved to `<data_dir>/jwt.previous`.
    pub fn load(settings: &AuthSettings, data_dir: &Path) -> anyhow::Result<Self> {
        if let Some(secret) = &settings.jwt_secret {
            let previous = settings.jwt_previous_secrets.as_deref().unwrap_or("");
            let previous: Vec<&[u8]> = split_secrets(previous)
                .into_iter()
                .map(str::as_bytes)
                .collect();
            return Ok(Self::with_previous(secret.as_bytes(), &previous, settings));
        }
        let path = data_dir.join(DEV_KEY_FILE);
        let secret = match std::fs::read_to_string(&path) {
            Ok(s) if s.trim().len() >= 64 => s.trim().to_owned(),
            _ => {
                std::fs::create_dir_all(data_dir)?;
                let s = random_secret();
                write_private(&path, &s)?;
                tracing::info!(path = %path.display(), "generated a development JWT key");
                s
            }
        };
        let previous =
            std::fs::read_to_string(data_dir.join(DEV_PREVIOUS_FILE)).unwrap_or_default();
        let previous: Vec<&[u8]> = split_secrets(&previous)
            .into_iter()
            .map(str::as_bytes)
            .collect();
        Ok(Self::with_previous(secret.as_bytes(), &previous, settings))
    }

    /// Rotates the development key: a new `jwt.key`, the old one kept in `jwt.previous` (with
    /// at most `keep` older ones) so that tokens it signed keep working until they expire.
    /// Returns the new key's id. Running instances pick it up when restarted.
    pub fn rotate_dev_key(data_dir: &Path, keep: usize) -> anyhow::Result<String> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join(DEV_KEY_FILE);
        let previous_path = data_dir.join(DEV_PREVIOUS_FILE);
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        let older = std::fs::read_to_string(&previous_path).unwrap_or_default();
        let mut kept: Vec<&str> = Vec::new();
        if old.trim().len() >= 64 {
            kept.push(old.trim());
        }
        kept.extend(split_secrets(&older));
        kept.truncate(keep);
        let secret = random_secret();
        write_private(&previous_path, &(kept.join("\n") + "\n"))?;
        write_private(&path, &secret)?;
        Ok(SigningKey::new(secret.as_bytes()).kid)
    }

    /// The id of the key that signs.
    pub fn current_kid(&self) -> &str {
        &self.current.kid
    }

    /// The ids of the keys that only verify.
    pub fn previous_kids(&self) -> Vec<&str> {
        self.previous.iter().map(|k| k.kid.as_str()).collect()
    }

    fn header(&self) -> Header {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.current.kid.clone());
        header
    }

    /// The key a token names by its `kid`; a token without one, or naming an unknown key, is
    /// refused.
    fn key_of(&self, token: &str) -> Option<&SigningKey> {
        let kid = jsonwebtoken::decode_header(token).ok()?.kid?;
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.kid == kid)
    }

    /// Issues a token for a user's session `session_id`; returns it with its lifetime in
    /// seconds.
    pub fn issue(&self, user_id: i64, session_id: &str) -> Result<(String, i64), AppError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            exp: now + self.ttl_seconds,
            jti: session_id.to_owned(),
        };
        let token = jsonwebtoken::encode(&self.header(), &claims, &self.current.encoding)
            .map_err(|e| AppError::failed("signing a token", e))?;
        Ok((token, self.ttl_seconds))
    }

    /// The lifetime of an access token, in seconds.
    pub fn ttl_seconds(&self) -> i64 {
        self.ttl_seconds
    }

    /// Checks a token's key, signature, algorithm, issuer, audience and expiry; returns whose
    /// it is and its session. Whether the session is still live is the caller's question.
    pub fn verify(&self, token: &str) -> Result<TokenSubject, AppError> {
        let refused = || {
            AppError::new(ErrorCode::Unauthenticated)
                .with_message("Phiên đăng nhập không hợp lệ hoặc đã hết hạn.")
        };
        let key = self.key_of(token).ok_or_else(refused)?;
        let data = jsonwebtoken::decode::<Claims>(token, &key.decoding, &self.validation).map_err(
            |e| {
                tracing::debug!(error = %e, "rejected a token");
                refused()
            },
        )?;
        let user_id = data.claims.sub.parse().map_err(|_| refused())?;
        if data.claims.jti.is_empty() || data.claims.jti.len() > 64 {
            return Err(refused());
        }
        Ok(TokenSubject {
            user_id,
            session_id: data.claims.jti,
        })
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
        jsonwebtoken::encode(&self.header(), &claims, &self.current.encoding)
            .map_err(|e| AppError::failed("signing a link", e))
    }

    /// Checks a link's signature, purpose and expiry (no leeway).
    pub fn verify_link(&self, token: &str, purpose: LinkPurpose) -> Result<LinkSubject, AppError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[purpose.audience()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 0;
        let token = token.trim();
        let key = self
            .key_of(token)
            .ok_or_else(|| AppError::new(ErrorCode::InvalidLink))?;
        let data =
            jsonwebtoken::decode::<LinkClaims>(token, &key.decoding, &validation).map_err(|e| {
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
            idle_timeout_minutes: 60,
            jwt_secret: None,
            jwt_previous_secrets: None,
            require_secret: false,
            lockout: crate::config::AuthSettings::default_lockout(),
            address_limit: crate::config::AuthSettings::default_address_limit(),
        }
    }

    #[test]
    fn issue_and_verify() {
        let keys = TokenKeys::new(&[7u8; 32], &settings());
        let (token, ttl) = keys.issue(42, "s1").unwrap();
        assert_eq!(ttl, 600);
        let subject = keys.verify(&token).unwrap();
        assert_eq!(subject.user_id, 42);
        assert_eq!(subject.session_id, "s1");
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
        let (access, _) = keys.issue(9, "s").unwrap();
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
        let (token, _) = a.issue(1, "s").unwrap();
        assert_eq!(b.verify(&token).unwrap().user_id, 1);
    }

    #[test]
    fn rotated_keys_verify_what_they_signed_until_dropped() {
        let old = TokenKeys::new(b"old-secret-old-secret-old-secret-0", &settings());
        let (token, _) = old.issue(5, "s").unwrap();
        let link = old
            .issue_link(LinkPurpose::Unsubscribe, 5, "", 600)
            .unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.kid.as_deref(), Some(old.current_kid()));

        let rotated = TokenKeys::with_previous(
            b"new-secret-new-secret-new-secret-0",
            &[b"old-secret-old-secret-old-secret-0"],
            &settings(),
        );
        assert_ne!(rotated.current_kid(), old.current_kid());
        assert_eq!(rotated.previous_kids(), vec![old.current_kid()]);
        assert_eq!(rotated.verify(&token).unwrap().user_id, 5);
        assert!(rotated.verify_link(&link, LinkPurpose::Unsubscribe).is_ok());
        let (fresh, _) = rotated.issue(5, "t").unwrap();
        assert_eq!(
            jsonwebtoken::decode_header(&fresh).unwrap().kid.as_deref(),
            Some(rotated.current_kid())
        );
        assert!(
            old.verify(&fresh).is_err(),
            "the old key never knew the new one"
        );

        let dropped = TokenKeys::new(b"new-secret-new-secret-new-secret-0", &settings());
        assert!(dropped.verify(&token).is_err());
        assert!(
            dropped
                .verify_link(&link, LinkPurpose::Unsubscribe)
                .is_err()
        );
    }

    #[test]
    fn a_token_without_a_known_kid_is_refused() {
        let keys = TokenKeys::new(&[7u8; 32], &settings());
        let claims = Claims {
            sub: "1".into(),
            iss: "sangkien".into(),
            aud: "sangkien-api".into(),
            iat: Utc::now().timestamp(),
            exp: Utc::now().timestamp() + 600,
            jti: "s".into(),
        };
        let bare = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(&[7u8; 32]),
        )
        .unwrap();
        assert!(keys.verify(&bare).is_err(), "same secret, but no kid");
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("0000000000000000".into());
        let unknown =
            jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(&[7u8; 32])).unwrap();
        assert!(keys.verify(&unknown).is_err());
    }

    #[test]
    fn rotating_the_dev_key_keeps_the_old_one_for_verifying() {
        let dir = tempfile::tempdir().unwrap();
        let before = TokenKeys::load(&settings(), dir.path()).unwrap();
        let (token, _) = before.issue(3, "s").unwrap();
        let kid = TokenKeys::rotate_dev_key(dir.path(), 2).unwrap();
        let after = TokenKeys::load(&settings(), dir.path()).unwrap();
        assert_eq!(after.current_kid(), kid);
        assert_eq!(after.previous_kids(), vec![before.current_kid()]);
        assert_eq!(after.verify(&token).unwrap().user_id, 3);
        TokenKeys::rotate_dev_key(dir.path(), 2).unwrap();
        TokenKeys::rotate_dev_key(dir.path(), 2).unwrap();
        let last = TokenKeys::load(&settings(), dir.path()).unwrap();
        assert_eq!(last.previous_kids().len(), 2);
        assert!(
            last.verify(&token).is_err(),
            "rotated out after two more rotations"
        );
    }
}
