//! Configuration: built-in defaults → optional TOML file → `OCPIZZA_*` variables → `DATABASE_URL`.
//! The loaded [`Config`] is a plain value handed to whoever needs it; nothing is global.

mod admin;
mod checks;
mod images;
mod load;
mod sentry;

pub use admin::AdminConfig;
pub use images::ImagesConfig;
pub use sentry::SentryConfig;

pub(crate) use checks::check_production_secrets;
pub use checks::{MIN_SECRET_BYTES, ProductionCheckError};
pub use load::{ConfigError, load};

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// The development-only JWT secret: production refuses it (see [`check_production_secrets`]).
pub const DEV_JWT_SECRET: &str = "development-only-jwt-secret-never-use-in-production";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    #[default]
    Development,
    Production,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub profile: Profile,
    pub http: HttpConfig,
    pub database: DatabaseConfig,
    pub auth: AuthConfig,
    pub log: LogConfig,
    pub realtime: RealtimeConfig,
    pub delivery: DeliveryConfig,
    pub email: EmailConfig,
    pub worker: WorkerConfig,
    pub backup: BackupConfig,
    pub admin: AdminConfig,
    pub images: ImagesConfig,
    pub sentry: SentryConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupConfig {
    /// The local copy of every backup.
    pub dir: String,
    /// Backups older than this are pruned from both places (the newest good one never is).
    pub retention_days: u32,
    /// Where `pg_dump`, `pg_restore` and `psql` are (their major version must be the server's);
    /// unset: `/usr/lib/postgresql/15/bin` if present, else the `PATH`.
    pub pg_bin_dir: Option<String>,
    /// The second copy. Unset (development): the local copy alone, with a warning.
    pub s3: Option<S3Config>,
    /// How long a restore waits for every running server to confirm maintenance mode (no
    /// request left in flight) before it gives up without touching the data.
    pub restore_wait_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Config {
    /// e.g. `https://s3.fr-par.scw.cloud` or `http://127.0.0.1:9000`.
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    /// Key prefix of the backups in the bucket.
    #[serde(default = "default_s3_prefix")]
    pub prefix: String,
    pub access_key: String,
    #[serde(serialize_with = "secret::ser")]
    pub secret_key: SecretString,
    /// Path-style URLs (`endpoint/bucket/key`): MinIO and most S3-compatible stores.
    #[serde(default)]
    pub path_style: bool,
}

fn default_s3_prefix() -> String {
    "ocpizza".into()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    /// `smtp://user:password@host:587?tls=required` (STARTTLS), `smtps://…:465` (TLS), or
    /// `smtp://host:port` (plain, local relays only). Unset: messages are written as files.
    #[serde(serialize_with = "secret::ser_opt")]
    pub smtp_url: Option<SecretString>,
    /// Sender of every message.
    pub from: String,
    /// Where messages go when no SMTP server is configured (development only).
    pub file_dir: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerConfig {
    /// `/healthz` of the worker.
    pub http_host: String,
    pub http_port: u16,
    /// Emails sent at once (and held) by one worker. A worker killed while sending may send
    /// those again: at 1, at most one message per kill goes out twice.
    pub concurrency: usize,
    /// First wait before retrying a failed job; it doubles at each retry (up to a minute).
    pub retry_backoff_ms: u64,
    /// A running job whose worker has not been seen for this long is taken over by another.
    pub heartbeat_secs: u64,
    /// On SIGTERM, how long running jobs may take to finish.
    pub shutdown_timeout_secs: u64,
    /// Timezone of the schedules.
    pub timezone: String,
    pub schedules: Schedules,
}

/// Cron expressions with seconds (`sec min hour day month weekday`), in `worker.timezone`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedules {
    pub backup: String,
    /// The weekly restore drill of the latest backup.
    pub drill: String,
    pub stock_check: String,
    pub prune: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RealtimeConfig {
    /// Seconds between keep-alive comments on event streams.
    pub keep_alive_secs: u64,
    /// Events a connection may fall behind before it is dropped (it reconnects and replays).
    pub buffer: usize,
    /// Lifetime of a stream token (for EventSource, which cannot send headers).
    pub stream_token_ttl_secs: u64,
    /// Streams one subscriber (a person, or one tracking link) may have open on an instance.
    pub max_streams_per_subscriber: usize,
    /// Streams one client address may have open on an instance.
    pub max_streams_per_address: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryConfig {
    /// Average speed of a driver in town, for arrival estimates.
    pub speed_kmh: f64,
    /// Minutes to park and hand the order over, added to the estimate.
    pub handover_minutes: f64,
    /// Shortest interval between two positions of one delivery (more frequent ones get 429).
    pub min_position_interval_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Address the API binds to.
    pub host: String,
    /// Port; 0 picks a free one (tests).
    pub port: u16,
    /// Public base URL, used in links sent to customers (tracking, receipts).
    pub public_url: String,
    /// Seconds a request may take before it is answered 503 (streams excepted).
    pub request_timeout_secs: u64,
    /// Largest request body read (JSON); a larger one is answered 413 before it is read. Image
    /// uploads have their own limit, `images.max_bytes`.
    pub max_body_bytes: usize,
    /// Take the client address from the first `X-Forwarded-For` hop (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// A connection with no traffic for this long is closed (an open event stream has its
    /// keep-alives, so it is never idle that long).
    pub idle_timeout_secs: u64,
    /// A request head (request line and headers) must arrive within this long of its first
    /// byte, else 408 and the connection closes.
    pub header_read_timeout_secs: u64,
    /// When set, `/metrics` of both servers answers only `Authorization: Bearer <this>`.
    #[serde(serialize_with = "secret::ser_opt")]
    pub metrics_token: Option<SecretString>,
    /// A file holding `metrics_token`, read at start when the token itself is not set.
    pub metrics_token_file: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// Runtime role (no superuser, not owner, no BYPASSRLS): the only URL `ocpizza-app` uses.
    #[serde(serialize_with = "secret::ser_opt")]
    pub url: Option<SecretString>,
    /// Owner role: migrations, backups, cross-tenant reads (`ocpizza-admin`, `ocpizza-worker`).
    #[serde(serialize_with = "secret::ser_opt")]
    pub admin_url: Option<SecretString>,
    pub max_connections: u32,
    /// How long a request waits for a free connection before it is answered 503.
    pub acquire_timeout_secs: u64,
    /// The longest one statement of the servers (`ocpizza-app`, `ocpizza-admin serve`) may run,
    /// lock waits included, before it is cancelled and the request answered 503.
    pub statement_timeout_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// The secret every token signing key is derived from (one key per kind of token), at
    /// least 32 bytes; `ocpizza-admin secret generate`.
    #[serde(serialize_with = "secret::ser_opt")]
    pub jwt_secret: Option<SecretString>,
    /// A file holding `jwt_secret` (read at start when `jwt_secret` is unset), e.g. the one
    /// `ocpizza-admin secret ensure` wrote on a shared volume.
    pub jwt_secret_file: Option<String>,
    /// The secret being retired during a rollover: tokens signed with its keys still verify,
    /// none is signed with them (docs/OPERATIONS.md, "Security").
    #[serde(serialize_with = "secret::ser_opt")]
    pub jwt_previous_secret: Option<SecretString>,
    pub issuer: String,
    pub access_token_ttl_secs: u64,
    /// A session whose refresh token goes unused this long ends (idle limit).
    pub refresh_token_ttl_days: u32,
    /// A session ends this long after its login, however often it is refreshed.
    pub session_max_days: u32,
    /// A shared device's session (the kitchen tablet) ends this long after it was paired.
    pub device_session_max_days: u32,
    /// Login attempts allowed per email address per minute.
    pub login_attempts_per_email_per_minute: u32,
    /// Login attempts allowed per client address per minute.
    pub login_attempts_per_ip_per_minute: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// `tracing` filter, e.g. `info` or `ocpizza=debug,sqlx=warn`.
    pub level: String,
    /// `pretty` or `json`; unset: pretty in development, JSON in production.
    pub format: Option<LogFormat>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            profile: Profile::Development,
            http: HttpConfig {
                host: "127.0.0.1".into(),
                port: 8080,
                public_url: "http://127.0.0.1:8080".into(),
                request_timeout_secs: 30,
                idle_timeout_secs: 60,
                header_read_timeout_secs: 10,
                metrics_token: None,
                metrics_token_file: None,
                max_body_bytes: 1024 * 1024,
                trust_forwarded_for: false,
            },
            database: DatabaseConfig {
                url: None,
                admin_url: None,
                max_connections: 10,
                acquire_timeout_secs: 5,
                statement_timeout_secs: 15,
            },
            auth: AuthConfig {
                jwt_secret: None,
                jwt_secret_file: None,
                jwt_previous_secret: None,
                issuer: "ocpizza".into(),
                access_token_ttl_secs: 15 * 60,
                refresh_token_ttl_days: 14,
                session_max_days: 30,
                device_session_max_days: 90,
                login_attempts_per_email_per_minute: 5,
                login_attempts_per_ip_per_minute: 30,
            },
            log: LogConfig {
                level: "info".into(),
                format: None,
            },
            realtime: RealtimeConfig {
                keep_alive_secs: 15,
                buffer: 256,
                stream_token_ttl_secs: 60,
                max_streams_per_subscriber: 8,
                max_streams_per_address: 64,
            },
            delivery: DeliveryConfig {
                speed_kmh: 20.0,
                handover_minutes: 2.0,
                min_position_interval_ms: 2000,
            },
            email: EmailConfig {
                smtp_url: None,
                from: "OC Pizza <commandes@ocpizza.fr>".into(),
                file_dir: ".data/mail".into(),
            },
            backup: BackupConfig {
                dir: ".data/backups".into(),
                retention_days: 14,
                restore_wait_secs: 15,
                pg_bin_dir: None,
                s3: None,
            },
            worker: WorkerConfig {
                http_host: "127.0.0.1".into(),
                http_port: 8090,
                concurrency: 1,
                retry_backoff_ms: 1000,
                heartbeat_secs: 5,
                shutdown_timeout_secs: 20,
                timezone: "Europe/Paris".into(),
                schedules: Schedules {
                    backup: "0 0 3 * * *".into(),
                    drill: "0 0 5 * * Sun".into(),
                    stock_check: "0 0 * * * *".into(),
                    prune: "0 30 4 * * *".into(),
                },
            },
            admin: AdminConfig::default(),
            images: ImagesConfig::default(),
            sentry: SentryConfig::default(),
        }
    }
}

impl Config {
    pub(crate) fn log_format(&self) -> LogFormat {
        self.log.format.unwrap_or(match self.profile {
            Profile::Development => LogFormat::Pretty,
            Profile::Production => LogFormat::Json,
        })
    }

    /// The previous secret, during a rollover.
    pub fn jwt_previous_secret(&self) -> Option<&str> {
        use secrecy::ExposeSecret;
        self.auth
            .jwt_previous_secret
            .as_ref()
            .map(|s| s.expose_secret())
    }

    /// The JWT secret in effect: the configured one, or in development on loopback the
    /// well-known dev secret.
    pub fn jwt_secret(&self) -> Option<&str> {
        use secrecy::ExposeSecret;
        match (&self.auth.jwt_secret, self.profile) {
            (Some(s), _) => Some(s.expose_secret()),
            (None, Profile::Development) if !self.listens_beyond_loopback() => Some(DEV_JWT_SECRET),
            (None, _) => None,
        }
    }

    /// Whether a server of this configuration can be reached from another machine: then even
    /// development refuses the well-known secret.
    pub fn listens_beyond_loopback(&self) -> bool {
        let loopback = |host: &str| {
            host == "localhost"
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        };
        !loopback(&self.http.host) || !loopback(&self.admin.host)
    }
}

/// Secrets serialise as a placeholder so a dumped config never shows them.
mod secret {
    use secrecy::SecretString;
    use serde::Serializer;

    pub(crate) fn ser<S: Serializer>(_: &SecretString, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("[redacted]")
    }

    pub(crate) fn ser_opt<S: Serializer>(
        v: &Option<SecretString>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(_) => s.serialize_some("[redacted]"),
            None => s.serialize_none(),
        }
    }
}
