//! `Idempotency-Key`: the first request with a key inserts the key's row inside its own
//! transaction and stores its answer there before committing. A concurrent request with the
//! same key blocks on that row until the first ends, then replays the stored answer (or, if
//! the first failed and rolled back, goes ahead itself). Failures store nothing.

use chrono::{Duration, Utc};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::locks::{Held, Lock, LockError};
use crate::domain::InvalidInput;

pub const RETENTION_HOURS: i64 = 48;

/// A validated key: 1 to 255 visible ASCII characters.
pub(crate) fn parse_key(raw: &str) -> Result<String, InvalidInput> {
    if raw.is_empty() || raw.len() > 255 || !raw.chars().all(|c| c.is_ascii_graphic()) {
        return Err(InvalidInput::new(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters",
        ));
    }
    Ok(raw.to_string())
}

/// A digest of the request's meaning: canonical JSON (sorted keys) of the body.
pub(crate) fn request_hash(body: &serde_json::Value) -> Vec<u8> {
    Sha256::digest(body.to_string().as_bytes()).to_vec()
}

pub enum Begin {
    /// First use: go ahead, then [`save`] the answer in the same transaction.
    Fresh,
    /// Used before with this request: answer the same again.
    Replay {
        status: u16,
        body: serde_json::Value,
    },
    /// Used before with another request.
    Mismatch,
}

pub(crate) async fn begin(
    conn: &mut PgConnection,
    held: &mut Held,
    tenant_id: Uuid,
    principal: &str,
    key: &str,
    hash: &[u8],
) -> Result<Begin, LockError> {
    held.take(Lock::IdempotencyKey)?;
    sqlx::query!(
        "DELETE FROM idempotency_keys WHERE tenant_id = $1 AND principal = $2 AND key = $3 AND expires_at < now()",
        tenant_id,
        principal,
        key
    )
    .execute(&mut *conn)
    .await?;
    let inserted = sqlx::query!(
        r#"INSERT INTO idempotency_keys (tenant_id, principal, key, request_hash, expires_at)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"#,
        tenant_id,
        principal,
        key,
        hash,
        Utc::now() + Duration::hours(RETENTION_HOURS)
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(Begin::Fresh);
    }
    let row = sqlx::query!(
        "SELECT request_hash, status_code, response_body FROM idempotency_keys WHERE tenant_id = $1 AND principal = $2 AND key = $3",
        tenant_id,
        principal,
        key
    )
    .fetch_one(&mut *conn)
    .await?;
    if row.request_hash != hash {
        return Ok(Begin::Mismatch);
    }
    match (row.status_code, row.response_body) {
        (Some(status), Some(body)) => Ok(Begin::Replay {
            status: u16::try_from(status).unwrap_or(500),
            body,
        }),
        // Committed rows always carry their answer; treat anything else as a mismatch.
        _ => Ok(Begin::Mismatch),
    }
}

pub(crate) async fn save(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    principal: &str,
    key: &str,
    status: u16,
    body: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE idempotency_keys SET status_code = $4, response_body = $5 WHERE tenant_id = $1 AND principal = $2 AND key = $3",
        tenant_id,
        principal,
        key,
        i16::try_from(status).unwrap_or(500),
        body
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets expired idempotency keys.
pub async fn prune(conn: &mut PgConnection) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query!("DELETE FROM idempotency_keys WHERE expires_at < now()")
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_hashes() {
        assert!(parse_key("").is_err());
        assert!(parse_key("has space").is_err());
        assert!(parse_key(&"k".repeat(256)).is_err());
        assert!(parse_key("0b9a6c1e-8f1d-4c55-9d63-2a8f7f0e1d22").is_ok());
        let a: serde_json::Value = serde_json::from_str(r#"{"b":1,"a":[1,2]}"#).unwrap();
        let b: serde_json::Value = serde_json::from_str(r#"{"a":[1,2],"b":1}"#).unwrap();
        assert_eq!(
            request_hash(&a),
            request_hash(&b),
            "key order does not matter"
        );
        let c: serde_json::Value = serde_json::from_str(r#"{"a":[2,1],"b":1}"#).unwrap();
        assert_ne!(request_hash(&a), request_hash(&c));
    }
}
