//! Error reporting to Sentry: off unless a DSN is given.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentryConfig {
    /// The project's DSN; unset: nothing is sent.
    #[serde(serialize_with = "super::secret::ser_opt")]
    pub dsn: Option<SecretString>,
    /// `environment` of the events; unset: the profile (`development`, `production`).
    pub environment: Option<String>,
}
