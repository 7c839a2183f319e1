//! Jobs that used up their retries: listing them and queueing one again (the CLI's
//! `jobs failed|retry` and the admin API). Job ids are ULIDs in the queue; the admin API shows
//! them as the UUIDs of the same 128 bits.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

pub struct FailedJob {
    pub id: String,
    pub queue: String,
    pub attempts: i32,
    pub failed_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

pub async fn list(
    conn: &mut PgConnection,
    limit: i64,
    offset: i64,
) -> Result<(Vec<FailedJob>, i64), sqlx::Error> {
    let rows = sqlx::query_as!(
        FailedJob,
        r#"SELECT id, job_type AS queue, attempts, done_at AS failed_at, last_result::text AS "error?"
           FROM apalis.jobs WHERE status IN ('Failed', 'Killed')
           ORDER BY done_at DESC NULLS LAST, id LIMIT $1 OFFSET $2"#,
        limit,
        offset
    )
    .fetch_all(&mut *conn)
    .await?;
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM apalis.jobs WHERE status IN ('Failed', 'Killed')"#
    )
    .fetch_one(conn)
    .await?;
    Ok((rows, total))
}

/// Puts a failed job back in its queue; `false` when there is no failed job with that id.
pub async fn retry(conn: &mut PgConnection, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"UPDATE apalis.jobs SET status = 'Pending', attempts = 0, run_at = now(), done_at = NULL,
               lock_by = NULL, lock_at = NULL
           WHERE id = $1 AND status IN ('Failed', 'Killed')"#,
        id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The UUID of a ULID's 128 bits; `None` for anything that is not a ULID.
pub(crate) fn ulid_to_uuid(ulid: &str) -> Option<Uuid> {
    if ulid.len() != 26 {
        return None;
    }
    let mut value: u128 = 0;
    for (i, c) in ulid.bytes().enumerate() {
        let digit = CROCKFORD
            .iter()
            .position(|&d| d == c.to_ascii_uppercase())?;
        if i == 0 && digit > 7 {
            return None;
        }
        value = (value << 5) | digit as u128;
    }
    Some(Uuid::from_u128(value))
}

pub fn uuid_to_ulid(id: Uuid) -> String {
    let mut value = id.as_u128();
    let mut out = [0u8; 26];
    for slot in out.iter_mut().rev() {
        *slot = CROCKFORD[(value & 31) as usize];
        value >>= 5;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ulids_and_uuids_are_the_same_bits() {
        let ulid = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
        let id = ulid_to_uuid(ulid).unwrap();
        assert_eq!(uuid_to_ulid(id), ulid);
        assert_eq!(ulid_to_uuid("01arz3ndektsv4rrffq69g5fav"), Some(id));
        assert_eq!(
            ulid_to_uuid("8ZZZZZZZZZZZZZZZZZZZZZZZZZ"),
            None,
            "overflows 128 bits"
        );
        assert_eq!(ulid_to_uuid("01ARZ3NDEKTSV4RRFFQ69G5FA"), None);
        assert_eq!(
            ulid_to_uuid("01ARZ3NDEKTSV4RRFFQ69G5FAU"),
            None,
            "U is not Crockford"
        );
    }
}
