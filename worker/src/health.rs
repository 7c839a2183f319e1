//! The worker's `/healthz`, on its own port, for liveness probes.

use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Json;
use poem::{EndpointExt, Route, Server, get, handler};
use serde_json::json;

#[handler]
fn healthz(worker: poem::web::Data<&String>) -> Json<serde_json::Value> {
    Json(json!({ "status": "ok", "worker": *worker }))
}

/// Binds now (so a bad address fails the start), serves until the task is aborted.
pub async fn serve(
    host: &str,
    port: u16,
    worker_id: String,
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
    let app = Route::new().at("/healthz", get(healthz)).data(worker_id);
    Ok(tokio::spawn(async move {
        if let Err(err) = Server::new_with_acceptor(acceptor).run(app).await {
            tracing::error!(error = %err, "health endpoint stopped");
        }
    }))
}
