//! A pizzeria's export: one JSON document with its row and every row of every table that holds
//! its data (`tenant_id`), read in one consistent snapshot with the owner role and streamed as
//! it is read, so an export of any size needs little memory.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sqlx::PgPool;
use tokio::sync::mpsc;
use uuid::Uuid;

pub const FORMAT: &str = "ocpizza-tenant-export/1";

type Chunk = Result<Bytes, std::io::Error>;

/// The export of `tenant_id` as a stream of JSON chunks. A failure midway ends the stream with
/// an error (the document is then incomplete, and the HTTP response is cut).
pub fn stream(owner_pool: PgPool, tenant_id: Uuid) -> impl Stream<Item = Chunk> {
    let (tx, rx) = mpsc::channel::<Chunk>(16);
    tokio::spawn(async move {
        if let Err(err) = produce(&owner_pool, tenant_id, &tx).await {
            tracing::error!(%tenant_id, error = %format!("{err:#}"), "export failed");
            let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) })
}

/// Writes the export to `path` (via a temporary name); returns its size in bytes.
pub async fn to_file(
    owner_pool: PgPool,
    tenant_id: Uuid,
    path: &std::path::Path,
) -> anyhow::Result<u64> {
    use anyhow::Context;
    use tokio::io::AsyncWriteExt;
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .with_context(|| format!("creating {}", dir.display()))?;
    }
    let partial = path.with_extension("partial");
    let mut file = tokio::fs::File::create(&partial)
        .await
        .with_context(|| format!("creating {}", partial.display()))?;
    let mut chunks = Box::pin(stream(owner_pool, tenant_id));
    let mut size = 0u64;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.context("reading the pizzeria's data")?;
        size += chunk.len() as u64;
        file.write_all(&chunk).await.context("writing the export")?;
    }
    file.sync_all().await.context("syncing the export")?;
    tokio::fs::rename(&partial, path)
        .await
        .context("naming the export")?;
    Ok(size)
}

async fn produce(pool: &PgPool, tenant_id: Uuid, tx: &mpsc::Sender<Chunk>) -> anyhow::Result<()> {
    let send = |s: String| async move {
        tx.send(Ok(Bytes::from(s)))
            .await
            .map_err(|_| anyhow::anyhow!("the reader went away"))
    };
    let mut db = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *db)
        .await?;
    let tenant: serde_json::Value =
        sqlx::query_scalar("SELECT to_jsonb(t) FROM tenants t WHERE id = $1")
            .bind(tenant_id)
            .fetch_one(&mut *db)
            .await?;
    let tables: Vec<String> = sqlx::query_scalar(
        r#"SELECT c.relname::text FROM pg_class c
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
           WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') ORDER BY 1"#,
    )
    .fetch_all(&mut *db)
    .await?;
    let head = serde_json::json!({
        "format": FORMAT,
        "exported_at": chrono::Utc::now(),
        "tenant": tenant,
    })
    .to_string();
    // The head object without its closing brace, then "tables": {...}}.
    send(format!("{},\"tables\":{{", &head[..head.len() - 1])).await?;
    for (i, table) in tables.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        send(format!(
            "{sep}{}:[",
            serde_json::Value::from(table.as_str())
        ))
        .await?;
        let sql = format!(
            r#"SELECT to_jsonb(t)::text FROM public."{table}" t WHERE tenant_id = $1 ORDER BY 1"#
        );
        let mut rows = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql))
            .bind(tenant_id)
            .fetch(&mut *db);
        let mut first = true;
        let mut buffer = String::new();
        while let Some(row) = rows.next().await {
            if !first {
                buffer.push(',');
            }
            first = false;
            buffer.push_str(&row?);
            if buffer.len() > 64 * 1024 {
                send(std::mem::take(&mut buffer)).await?;
            }
        }
        drop(rows);
        buffer.push(']');
        send(buffer).await?;
    }
    send("}}\n".into()).await?;
    db.commit().await?;
    Ok(())
}
