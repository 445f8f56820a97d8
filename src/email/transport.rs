//! Delivery with lettre, chosen by `mail.transport`: an SMTP relay (STARTTLS, TLS, or plain on
//! loopback; credentials from the environment), `.eml` files under `<data.dir>/mail`, or a log
//! line. Errors say whether trying again may help.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{MailSettings, MailTransportKind, SmtpSecurity};

use super::letters::Letter;

/// Why a delivery did not happen.
#[derive(Debug)]
pub enum DeliveryError {
    /// May succeed later (relay down, 4xx, timeout, disk).
    Transient(String),
    /// Will never succeed as it is (5xx refusal, bad address).
    Permanent(String),
}

impl DeliveryError {
    /// The message kept in `mail_outbox.last_error`.
    pub fn message(&self) -> &str {
        match self {
            Self::Transient(m) | Self::Permanent(m) => m,
        }
    }
}

/// A configured transport.
pub enum Mailer {
    /// An SMTP relay.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Files in a folder.
    File(AsyncFileTransport<Tokio1Executor>, PathBuf),
    /// Log only.
    Log,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp(_) => f.write_str("Mailer::Smtp"),
            Self::File(_, dir) => write!(f, "Mailer::File({})", dir.display()),
            Self::Log => f.write_str("Mailer::Log"),
        }
    }
}

impl Mailer {
    /// Builds the configured transport (inside the Tokio runtime: lettre needs it).
    pub fn from_settings(
        settings: &MailSettings,
        data_dir: &std::path::Path,
    ) -> anyhow::Result<Self> {
        match settings.transport {
            MailTransportKind::Smtp => {
                let smtp = &settings.smtp;
                let builder = match smtp.security {
                    SmtpSecurity::Starttls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)?
                    }
                    SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)?,
                    SmtpSecurity::None => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
                    }
                };
                let mut builder = builder
                    .port(smtp.port)
                    .timeout(Some(Duration::from_secs(smtp.timeout_seconds.max(1))));
                if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
                    builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
                }
                Ok(Self::Smtp(builder.build()))
            }
            MailTransportKind::File => {
                let dir = data_dir.join("mail");
                std::fs::create_dir_all(&dir)?;
                Ok(Self::File(AsyncFileTransport::new(&dir), dir))
            }
            MailTransportKind::Log => Ok(Self::Log),
        }
    }

    /// Delivers one message.
    pub async fn send(&self, message: Message) -> Result<(), DeliveryError> {
        match self {
            Self::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    DeliveryError::Permanent(format!("SMTP: {e}"))
                } else {
                    DeliveryError::Transient(format!("SMTP: {e}"))
                }
            }),
            Self::File(t, _) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| DeliveryError::Transient(format!("writing the mail file: {e}"))),
            Self::Log => {
                let to: Vec<String> = message
                    .envelope()
                    .to()
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                // Addresses are personal data: only at debug.
                tracing::debug!(to = ?to, "mail recipients (log only)");
                tracing::info!(
                    recipients = to.len(),
                    bytes = message.formatted().len(),
                    "mail (log only)"
                );
                Ok(())
            }
        }
    }
}

/// Builds the MIME message: plain text and HTML alternatives, a stable `Message-ID` (so that
/// a message sent again after a crash can be recognised), and `List-Unsubscribe` for digests.
pub fn message(
    from: &Mailbox,
    to_email: &str,
    to_name: &str,
    letter: &Letter,
    message_id: &str,
) -> Result<Message, DeliveryError> {
    let address = to_email
        .parse()
        .map_err(|e| DeliveryError::Permanent(format!("invalid recipient {to_email:?}: {e}")))?;
    let to = Mailbox::new(Some(to_name.to_owned()), address);
    let text = letter
        .text()
        .map_err(|e| DeliveryError::Permanent(e.to_string()))?;
    let html = letter
        .html()
        .map_err(|e| DeliveryError::Permanent(e.to_string()))?;
    let mut message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(letter.subject.clone())
        .message_id(Some(message_id.to_owned()))
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| DeliveryError::Permanent(format!("building the message: {e}")))?;
    if let Some(url) = &letter.unsubscribe {
        message.headers_mut().insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{url}>"),
        ));
        message.headers_mut().insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_owned(),
        ));
    }
    Ok(message)
}
