//! Logs: human-readable in development, one JSON object per line in production.

use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};

/// Installs the global subscriber. `OCPIZZA_LOG` / `RUST_LOG`-style filters come from `log.level`.
pub fn init(config: &Config) {
    let filter = EnvFilter::try_new(&config.log.level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true);
    let _ = match config.log_format() {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
}

/// Starts error reporting when `sentry.dsn` is set: panics, our 5xx and failed jobs become
/// events (see [`report_error`]), never request bodies or personal data. Keep the guard alive
/// for the life of the process: dropping it flushes what is queued.
pub fn init_sentry(config: &Config, binary: &'static str) -> Option<sentry::ClientInitGuard> {
    use secrecy::ExposeSecret;
    let dsn = config.sentry.dsn.as_ref()?;
    // sentry's HTTP transport uses rustls without choosing a provider: ours is ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dsn = match dsn.expose_secret().parse::<sentry::types::Dsn>() {
        Ok(dsn) => dsn,
        Err(err) => {
            tracing::error!(error = %err, "sentry.dsn is not a valid DSN: error reporting is off");
            return None;
        }
    };
    let mut options = sentry::ClientOptions::default();
    options.dsn = Some(dsn);
    options.release = Some(format!("{binary}@{}", env!("CARGO_PKG_VERSION")).into());
    options.environment = Some(
        config
            .sentry
            .environment
            .clone()
            .unwrap_or_else(|| format!("{:?}", config.profile).to_lowercase())
            .into(),
    );
    options.send_default_pii = false;
    options.attach_stacktrace = true;
    let guard = sentry::init(options);
    sentry::configure_scope(|scope| scope.set_tag("binary", binary));
    tracing::info!("error reporting to Sentry is on");
    Some(guard)
}

/// Reports one of our faults (a 5xx, a failed job) with its cause chain to the current hub,
/// which carries the request's id and pizzeria (set by the request middleware) or the job's.
/// Does nothing without Sentry.
pub(crate) fn report_error(err: &anyhow::Error) {
    sentry::capture_message(&format!("{err:#}"), sentry::Level::Error);
}

/// Reports a job that failed, tagged with its kind.
pub fn report_job_failure(kind: &str, err: &dyn std::fmt::Display) {
    sentry::with_scope(
        |scope| scope.set_tag("job", kind),
        || sentry::capture_message(&format!("job {kind} failed: {err}"), sentry::Level::Error),
    );
}
