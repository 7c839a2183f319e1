//! Sending messages: SMTP when `email.smtp_url` is set, otherwise `.eml` files in
//! `email.file_dir` (development; production refuses to start without SMTP).

use std::path::PathBuf;

use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use ocpizza::config::{Config, Profile};
use ocpizza::email::Message;
use secrecy::ExposeSecret;

pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Files {
        transport: AsyncFileTransport<Tokio1Executor>,
        dir: PathBuf,
        from: Mailbox,
    },
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let from: Mailbox = config
            .email
            .from
            .parse()
            .context("email.from is not a valid address")?;
        match &config.email.smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                    .context("email.smtp_url is not a valid SMTP URL")?
                    .build();
                Ok(Mailer::Smtp { transport, from })
            }
            None if config.profile == Profile::Production => {
                anyhow::bail!(
                    "email.smtp_url is not set: production sends email over SMTP (set OCPIZZA_EMAIL__SMTP_URL)"
                )
            }
            None => {
                let dir = PathBuf::from(&config.email.file_dir);
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                tracing::info!(dir = %dir.display(), "no SMTP server configured: emails are written as files");
                Ok(Mailer::Files {
                    transport: AsyncFileTransport::new(&dir),
                    dir,
                    from,
                })
            }
        }
    }

    pub async fn send(&self, message: &Message) -> anyhow::Result<()> {
        let from = match self {
            Mailer::Smtp { from, .. } | Mailer::Files { from, .. } => from.clone(),
        };
        let email = lettre::Message::builder()
            .from(from)
            .to(message
                .to
                .parse()
                .with_context(|| format!("recipient {:?}", message.to))?)
            .subject(&message.subject)
            .multipart(MultiPart::alternative_plain_html(
                message.text.clone(),
                message.html.clone(),
            ))
            .context("building a message")?;
        match self {
            Mailer::Smtp { transport, .. } => {
                transport.send(email).await.context("sending over SMTP")?;
            }
            Mailer::Files { transport, dir, .. } => {
                let id = transport.send(email).await.context("writing the message")?;
                tracing::info!(file = %dir.join(format!("{id}.eml")).display(), to = %message.to, "email written");
            }
        }
        Ok(())
    }
}
