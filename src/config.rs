//! Typed, layered settings: the built-in `config/default.toml`, an optional environment file,
//! then `SANGKIEN__SECTION__KEY` variables.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::{Deserialize, Serialize};

use crate::domain::throttle::ThrottlePolicy;

/// The built-in defaults (the same file the repository documents).
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// Every setting of the service.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// HTTP server.
    pub server: ServerSettings,
    /// Database.
    pub database: DatabaseSettings,
    /// Runtime data folder.
    pub data: DataSettings,
    /// Tokens.
    pub auth: AuthSettings,
    /// Attachments.
    pub uploads: UploadSettings,
    /// Demo data.
    pub demo: DemoSettings,
    /// Logging.
    pub log: LogSettings,
    /// Email.
    pub mail: MailSettings,
}

/// `[server]`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServerSettings {
    /// Listen address.
    pub bind: String,
    /// Worker threads (0 = per core).
    pub workers: usize,
    /// Public base URL.
    pub public_url: String,
    /// Largest JSON body.
    pub json_limit_bytes: usize,
    /// Take the client's address from the last `X-Forwarded-For` hop (only behind a proxy
    /// that sets it); otherwise the peer's address is used.
    #[serde(default)]
    pub trust_forwarded_for: bool,
}

/// `[database]`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatabaseSettings {
    /// `sqlite://…` or `postgres://…`.
    pub url: String,
    /// Pool size.
    pub pool_size: u32,
    /// Migrate at start.
    pub migrate_on_start: bool,
}

/// `[data]`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DataSettings {
    /// Runtime data folder.
    pub dir: PathBuf,
}

/// `[auth]`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthSettings {
    /// Token issuer.
    pub issuer: String,
    /// Token audience.
    pub audience: String,
    /// Token lifetime in minutes: a session's absolute limit.
    pub token_ttl_minutes: i64,
    /// Minutes without a request after which a session ends (pages and bearer tokens alike).
    #[serde(default = "AuthSettings::default_idle_timeout_minutes")]
    pub idle_timeout_minutes: i64,
    /// HMAC key (environment only).
    #[serde(default)]
    pub jwt_secret: Option<String>,
    /// Keys rotated out, which still verify what they signed (environment only; separated by
    /// commas or spaces).
    #[serde(default)]
    pub jwt_previous_secrets: Option<String>,
    /// Refuse to start without a configured key.
    pub require_secret: bool,
    /// `[auth.lockout]`: failed sign-ins per login.
    #[serde(default = "AuthSettings::default_lockout")]
    pub lockout: ThrottlePolicy,
    /// `[auth.address_limit]`: failed sign-ins per client address.
    #[serde(default = "AuthSettings::default_address_limit")]
    pub address_limit: ThrottlePolicy,
}

impl AuthSettings {
    /// An hour: long enough to write a review without a request, short enough for a shared
    /// office computer left signed in.
    pub fn default_idle_timeout_minutes() -> i64 {
        60
    }

    /// The idle timeout (at least a minute).
    pub fn idle_timeout(&self) -> chrono::TimeDelta {
        chrono::TimeDelta::minutes(self.idle_timeout_minutes.max(1))
    }

    /// Five failures lock a login for a minute, doubling up to half an hour; an hour's quiet
    /// forgets them.
    pub fn default_lockout() -> ThrottlePolicy {
        ThrottlePolicy {
            max_failures: 5,
            lock_seconds: 60,
            max_lock_seconds: 1800,
            reset_minutes: 60,
        }
    }

    /// Thirty failures lock an address for a quarter of an hour, doubling up to an hour.
    pub fn default_address_limit() -> ThrottlePolicy {
        ThrottlePolicy {
            max_failures: 30,
            lock_seconds: 900,
            max_lock_seconds: 3600,
            reset_minutes: 15,
        }
    }
}

/// `[uploads]`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UploadSettings {
    /// Largest attachment in bytes.
    pub max_bytes: u64,
    /// Most attachments per initiative.
    pub max_files_per_initiative: i64,
    /// Accepted extensions.
    pub allowed_extensions: Vec<String>,
}

/// `[demo]`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoSettings {
    /// Seed demo data into an empty database at start.
    pub seed_on_first_start: bool,
}

/// `[log]`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogSettings {
    /// tracing filter.
    pub filter: String,
    /// `pretty` or `json`.
    pub format: String,
}

/// `[mail]`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MailSettings {
    /// `file` (under `<data.dir>/mail`), `smtp` or `log`.
    pub transport: MailTransportKind,
    /// The sender, e.g. `Sáng kiến <no-reply@example.vn>`.
    pub from: String,
    /// How often the sender looks for due emails, in milliseconds.
    pub poll_interval_ms: u64,
    /// Emails claimed at a time.
    pub batch_size: i64,
    /// Attempts before an email is marked failed.
    pub max_attempts: i32,
    /// Delay before the first retry, in milliseconds; doubled on each attempt.
    pub retry_base_ms: u64,
    /// Longest delay between retries, in milliseconds.
    pub retry_max_ms: u64,
    /// How long a claimed email is reserved for the claiming instance, in seconds.
    pub lease_seconds: i64,
    /// `[mail.smtp]`
    pub smtp: SmtpSettings,
    /// `[mail.schedule]`
    pub schedule: ScheduleSettings,
}

/// Where email goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransportKind {
    /// An SMTP relay.
    Smtp,
    /// `.eml` files under `<data.dir>/mail`.
    File,
    /// Only a log line per email.
    Log,
}

/// `[mail.smtp]`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SmtpSettings {
    /// Relay host name (also the name its certificate must carry).
    pub host: String,
    /// Port (587 for STARTTLS, 465 for TLS).
    pub port: u16,
    /// `starttls`, `tls` or `none` (loopback relays only).
    pub security: SmtpSecurity,
    /// User name (environment only).
    #[serde(default)]
    pub username: Option<String>,
    /// Password (environment only).
    #[serde(default)]
    pub password: Option<String>,
    /// Timeout of each SMTP command, in seconds.
    pub timeout_seconds: u64,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required).
    Starttls,
    /// TLS from the first byte (SMTPS).
    Tls,
    /// No encryption.
    None,
}

/// `[mail.schedule]`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScheduleSettings {
    /// Run the scheduled emails (digests, reminders) in this instance.
    pub enabled: bool,
    /// How often the schedule is looked at, in seconds.
    pub interval_seconds: u64,
    /// Hour (Vietnam time) from which the day's digests go out.
    pub digest_hour: u32,
    /// Day of the weekly attainment digest: 1 = Monday … 7 = Sunday.
    pub weekly_day: u32,
}

impl Settings {
    /// Loads the layers: built-in defaults, the optional file, then the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Toml::string(DEFAULT_TOML));
        let file = file
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("SANGKIEN_CONFIG").map(PathBuf::from));
        if let Some(path) = file {
            if !path.exists() {
                anyhow::bail!("configuration file {} does not exist", path.display());
            }
            figment = figment.merge(Toml::file(path));
        }
        figment = figment.merge(Env::prefixed("SANGKIEN__").split("__"));
        let settings: Settings = figment
            .extract()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks what types alone cannot: the URL scheme, key length, sane numbers.
    pub fn validate(&self) -> anyhow::Result<()> {
        DatabaseUrl::parse(&self.database.url).map_err(|e| anyhow::anyhow!("database.url: {e}"))?;
        if let Some(secret) = &self.auth.jwt_secret
            && secret.len() < 32
        {
            anyhow::bail!("auth.jwt_secret must be at least 32 bytes long");
        }
        if self.auth.require_secret && self.auth.jwt_secret.is_none() {
            anyhow::bail!(
                "auth.require_secret is set but no key is configured: set SANGKIEN__AUTH__JWT_SECRET"
            );
        }
        if let Some(list) = &self.auth.jwt_previous_secrets
            && list
                .split(|c: char| c == ',' || c.is_whitespace())
                .any(|s| !s.is_empty() && s.len() < 32)
        {
            anyhow::bail!("auth.jwt_previous_secrets: each key must be at least 32 bytes long");
        }
        if self.auth.token_ttl_minutes <= 0 {
            anyhow::bail!("auth.token_ttl_minutes must be positive");
        }
        if self.mail.from.parse::<lettre::message::Mailbox>().is_err() {
            anyhow::bail!("mail.from is not a valid address: {:?}", self.mail.from);
        }
        if self.mail.schedule.digest_hour > 23 || !(1..=7).contains(&self.mail.schedule.weekly_day)
        {
            anyhow::bail!("mail.schedule: digest_hour is 0–23 and weekly_day 1–7");
        }
        if self.mail.max_attempts < 1 || self.mail.batch_size < 1 || self.mail.lease_seconds < 1 {
            anyhow::bail!("mail: max_attempts, batch_size and lease_seconds must be positive");
        }
        if self.uploads.max_bytes == 0 {
            anyhow::bail!("uploads.max_bytes must be positive");
        }
        Ok(())
    }

    /// The database URL, checked.
    pub fn database_url(&self) -> anyhow::Result<DatabaseUrl> {
        DatabaseUrl::parse(&self.database.url).map_err(|e| anyhow::anyhow!("database.url: {e}"))
    }

    /// The effective configuration as TOML with secrets redacted.
    pub fn redacted_toml(&self) -> anyhow::Result<String> {
        let mut copy = self.clone();
        if copy.auth.jwt_secret.is_some() {
            copy.auth.jwt_secret = Some("[redacted]".to_owned());
        }
        if copy.auth.jwt_previous_secrets.is_some() {
            copy.auth.jwt_previous_secrets = Some("[redacted]".to_owned());
        }
        copy.database.url = redact_url_password(&copy.database.url);
        if copy.mail.smtp.password.is_some() {
            copy.mail.smtp.password = Some("[redacted]".to_owned());
        }
        Ok(toml::to_string_pretty(&copy)?)
    }
}

/// Replaces the password in `scheme://user:password@host` with `[redacted]`.
pub fn redact_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:[redacted]@{host}"),
        None => url.to_owned(),
    }
}

/// Which database the URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `postgres://` or `postgresql://`
    Postgres,
    /// `sqlite://PATH`
    Sqlite,
}

/// A database URL whose scheme has been checked.
#[derive(Debug, Clone)]
pub struct DatabaseUrl {
    /// The backend the scheme selects.
    pub backend: Backend,
    /// What the driver is given: the URL itself for PostgreSQL, the file path for SQLite.
    pub target: String,
}

impl DatabaseUrl {
    /// Parses a database URL; anything but `sqlite://…` or `postgres(ql)://…` is an error, so a
    /// mistyped PostgreSQL URL never silently becomes an SQLite file.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self {
                backend: Backend::Postgres,
                target: url.to_owned(),
            })
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("the SQLite URL names no file: use sqlite://PATH".to_owned());
            }
            Ok(Self {
                backend: Backend::Sqlite,
                target: path.to_owned(),
            })
        } else {
            let scheme = url.split("://").next().unwrap_or_default();
            Err(format!(
                "unsupported database URL scheme {scheme:?}: use sqlite://PATH or postgres://USER@HOST/DB"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_load_and_validate() {
        let s: Settings = Figment::from(Toml::string(DEFAULT_TOML)).extract().unwrap();
        s.validate().unwrap();
        assert_eq!(s.server.bind, "127.0.0.1:8080");
        assert!(s.database.url.starts_with("sqlite://"));
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url_password("postgres://app:s3cret@db:5432/sk"),
            "postgres://app:[redacted]@db:5432/sk"
        );
        assert_eq!(
            redact_url_password("postgres://app@db/sk"),
            "postgres://app@db/sk"
        );
    }

    #[test]
    fn mail_defaults_and_secrets() {
        let mut s: Settings = Figment::from(Toml::string(DEFAULT_TOML)).extract().unwrap();
        assert_eq!(s.mail.transport, MailTransportKind::File);
        assert_eq!(s.mail.smtp.security, SmtpSecurity::Starttls);
        s.mail.smtp.username = Some("sangkien".into());
        s.mail.smtp.password = Some("mat-khau-smtp".into());
        let shown = s.redacted_toml().unwrap();
        assert!(!shown.contains("mat-khau-smtp"), "{shown}");
        assert!(shown.contains("[redacted]"));
        s.mail.from = "not an address".into();
        assert!(s.validate().is_err());
        s.mail.from = "Sáng kiến <no-reply@example.vn>".into();
        s.mail.schedule.weekly_day = 8;
        assert!(s.validate().is_err());
    }

    #[test]
    fn bad_scheme_is_refused() {
        let mut s: Settings = Figment::from(Toml::string(DEFAULT_TOML)).extract().unwrap();
        s.database.url = "mysql://x".into();
        assert!(s.validate().is_err());
    }
}
