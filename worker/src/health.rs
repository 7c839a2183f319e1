//! The worker's `/healthz` (liveness) and `/metrics` (Prometheus), on their own port.

use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Json;
use poem::{EndpointExt, Route, Server, get, handler};
use serde_json::json;

/// The worker's metrics, with the age of the last good backup read at scrape time.
#[handler]
async fn metrics(pool: poem::web::Data<&sqlx::PgPool>) -> poem::Response {
    match ocpizza::backup::registry::age_of_latest_good(&pool).await {
        Ok(Some(age)) => ocpizza::metrics::last_good_backup_age(age.as_seconds_f64()),
        Ok(None) => {}
        Err(err) => tracing::warn!(error = %err, "reading the last good backup for /metrics"),
    }
    ocpizza::http::health::metrics_response()
}

#[handler]
fn healthz(worker: poem::web::Data<&String>) -> Json<serde_json::Value> {
    Json(json!({ "status": "ok", "worker": *worker }))
}

/// Binds now (so a bad address fails the start), serves until the task is aborted.
pub async fn serve(
    host: &str,
    port: u16,
    worker_id: String,
    pool: sqlx::PgPool,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let acceptor = TcpListener::bind(format!("{host}:{port}"))
        .into_acceptor()
        .await?;
    let addr = acceptor
        .local_addr()
        .first()
        .map(ToString::to_string)
        .unwrap_or_default();
    tracing::info!(%addr, "worker health endpoint listening");
    println!("healthz on {addr}");
    let app = Route::new()
        .at("/healthz", get(healthz))
        .at("/metrics", get(metrics))
        .data(worker_id)
        .data(pool);
    Ok(tokio::spawn(async move {
        if let Err(err) = Server::new_with_acceptor(acceptor).run(app).await {
            tracing::error!(error = %err, "health endpoint stopped");
        }
    }))
}
