//! Every transaction on orders and stock takes its locks in one order (docs/DESIGN.md, "Lock
//! order"): placements, line changes, cancellations, kitchen steps and stock edits racing in one
//! pizzeria never answer 5xx, and what they did to the stock adds up; a database that cannot serve
//! in time answers 503 `busy`, not 500.

use std::time::Duration;

use ocpizza::domain::Role;
use ocpizza_tests::app::problem;
use ocpizza_tests::backup::poll;
use ocpizza_tests::fixtures::{SmallMenu, on_hand, restock};
use ocpizza_tests::{TestApp, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::orders::{guest, shop};

const SLUG: &str = "verrous";

/// A guest's order of `mediums` margheritas and a cola: mozzarella, dough and a can each.
fn order_body(m: &SmallMenu, n: usize, mediums: i64) -> Value {
    json!({ "fulfilment": "takeaway", "payment_method": "cash", "guest": guest(n), "lines": [
        { "product_id": m.margherita, "size_id": m.margherita_m, "quantity": mediums },
        { "product_id": m.cola, "size_id": m.cola_unit, "quantity": 1 }
    ]})
}

struct Placed {
    id: Uuid,
    track: String,
}

async fn place(app: &TestApp, m: &SmallMenu, n: usize) -> Placed {
    let resp = app
        .post(
            &format!("/api/v1/pizzerias/{SLUG}/orders"),
            None,
            &order_body(m, n, 1),
        )
        .await;
    let status = resp.status();
    let order: Value = resp.json().await.unwrap();
    assert_eq!(status, 201, "setting up: {order}");
    let url = order["tracking_url"].as_str().unwrap();
    Placed {
        id: order["id"].as_str().unwrap().parse().unwrap(),
        track: url[url.find("/api/").unwrap()..].to_string(),
    }
}

#[tokio::test]
async fn orders_changes_cancellations_kitchen_and_stock_racing_never_answer_5xx() {
    // The default pool (10 connections) on purpose: a stalled transaction must not starve it.
    let app = spawn_app().await;
    let (tenant, m) = shop(&app, SLUG).await;
    let cook = app
        .staff_token(tenant, "cook@verrous.test", Role::Pizzaiolo)
        .await;
    let manager = app
        .staff_token(tenant, "manager@verrous.test", Role::Manager)
        .await;
    restock(&app, tenant, m.cola_can, 1_000).await;
    restock(&app, tenant, m.dough, 1_000_000).await;
    let mut n = 0;
    let mut statuses: Vec<(&'static str, u16, String)> = Vec::new();
    for round in 0..3 {
        // What is left of the mozzarella is used up by twenty orders.
        let topping_up = 20 * 200 - on_hand(&app, m.mozzarella).await;
        if topping_up != 0 {
            restock(&app, tenant, m.mozzarella, topping_up).await;
        }
        let mut existing = Vec::new();
        for _ in 0..20 {
            n += 1;
            existing.push(place(&app, &m, n).await);
        }
        let mut requests: Vec<(&'static str, reqwest::RequestBuilder)> = Vec::new();
        for (i, o) in existing.iter().enumerate() {
            match i % 4 {
                // Ten cancellations, every other one sent twice.
                0 | 1 => {
                    let times = if i % 8 == 0 { 2 } else { 1 };
                    for _ in 0..times {
                        let req = app
                            .request(Method::POST, &format!("{}/actions/cancel", o.track))
                            .json(&json!({}));
                        requests.push(("cancel", req));
                    }
                }
                // Five line changes, one of them racing a cancellation and the kitchen.
                2 => {
                    let body = json!({ "lines": [
                        { "product_id": m.margherita, "size_id": m.margherita_l, "quantity": 1 },
                        { "product_id": m.cola, "size_id": m.cola_unit, "quantity": 2 }
                    ]});
                    let req = app
                        .request(Method::PUT, &format!("{}/lines", o.track))
                        .json(&body);
                    requests.push(("change", req));
                    if i == 2 {
                        let cancel = app
                            .request(Method::POST, &format!("{}/actions/cancel", o.track))
                            .json(&json!({}));
                        requests.push(("cancel", cancel));
                        requests.push(("start", start(&app, &cook, o.id)));
                    }
                }
                // Five started by the kitchen.
                _ => requests.push(("start", start(&app, &cook, o.id))),
            }
        }
        for k in 0..60 {
            n += 1;
            let req = app
                .request(Method::POST, &format!("/api/v1/pizzerias/{SLUG}/orders"))
                .json(&order_body(&m, n, 1 + (k % 2)));
            requests.push(("place", req));
        }
        for ingredient in [m.mozzarella, m.dough, m.cola_can, m.mozzarella] {
            let req = app
                .request(
                    Method::POST,
                    &format!("/api/v1/pizzerias/{SLUG}/stock/ingredients/{ingredient}/restock"),
                )
                .bearer_auth(&manager)
                .json(&json!({ "quantity": 100, "note": "livraison" }));
            requests.push(("restock", req));
        }
        // Shuffled deterministically per round, so each kind meets every other.
        let len = requests.len();
        for i in 0..len {
            requests.swap(i, (i * 7 + round * 13 + 5) % len);
        }
        let handles: Vec<_> = requests
            .into_iter()
            .map(|(kind, req)| {
                tokio::spawn(async move {
                    let resp = req.send().await.expect("an answer");
                    let status = resp.status().as_u16();
                    (kind, status, resp.text().await.unwrap_or_default())
                })
            })
            .collect();
        for h in handles {
            statuses.push(h.await.expect("task"));
        }
    }
    let failed: Vec<_> = statuses.iter().filter(|(_, s, _)| *s >= 500).collect();
    let mut counts = std::collections::BTreeMap::new();
    for (kind, status, _) in &statuses {
        *counts.entry((*kind, *status)).or_insert(0) += 1;
    }
    eprintln!("{} racing requests: {counts:?}", statuses.len());
    let kinds: std::collections::BTreeSet<_> = failed.iter().map(|(k, _, _)| *k).collect();
    assert!(
        failed.is_empty(),
        "{} of {} answers were 5xx ({kinds:?}), the first: {:?}",
        failed.len(),
        statuses.len(),
        failed.first()
    );
    for (kind, status, body) in &statuses {
        let allowed: &[u16] = match *kind {
            "place" => &[201, 409],
            // A cancellation sent twice, or one that lost to the kitchen, is a 409.
            "cancel" | "start" | "change" => &[200, 409],
            _ => &[200],
        };
        assert!(allowed.contains(status), "{kind} answered {status}: {body}");
    }
    // Every cancellation gave back what its order held; no other order holds more than it needs.
    let held: Vec<(String, i64)> = sqlx::query_as(
        r#"SELECT o.status, coalesce(-sum(sm.delta), 0)::int8
             FROM orders o LEFT JOIN stock_movements sm ON sm.order_id = o.id AND sm.ingredient_id = $1
            WHERE o.tenant_id = $2 GROUP BY o.id, o.status"#,
    )
    .bind(m.mozzarella)
    .bind(tenant)
    .fetch_all(&app.db.owner)
    .await
    .unwrap();
    for (status, grams) in &held {
        match status.as_str() {
            "cancelled" => assert_eq!(*grams, 0, "a cancelled order still holds mozzarella"),
            _ => assert!(
                [200, 300, 400].contains(grams),
                "a {status} order holds {grams} g"
            ),
        }
    }
    assert!(on_hand(&app, m.mozzarella).await >= 0);
}

fn start(app: &TestApp, cook: &str, order: Uuid) -> reqwest::RequestBuilder {
    app.request(
        Method::POST,
        &format!("/api/v1/pizzerias/{SLUG}/orders/{order}/actions/start"),
    )
    .bearer_auth(cook)
    .json(&json!({}))
}

#[tokio::test]
async fn a_request_stuck_behind_a_lock_or_left_without_a_connection_answers_503_busy() {
    // Two connections: the live events' LISTEN holds one, requests share the other.
    let app = spawn_app_with(|c| {
        c.database.max_connections = 2;
        c.database.acquire_timeout_secs = 1;
        c.database.statement_timeout_secs = 3;
    })
    .await;
    let (_, m) = shop(&app, SLUG).await;
    let order = place(&app, &m, 1).await;
    // Another session holds the order's row, as a long transaction would.
    let mut blocker = app.db.owner.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM orders WHERE id = $1 FOR UPDATE")
        .bind(order.id)
        .execute(&mut *blocker)
        .await
        .unwrap();
    let cancel_url = format!("{}/actions/cancel", order.track);
    let cancel = tokio::spawn(
        app.request(Method::POST, &cancel_url)
            .json(&json!({}))
            .send(),
    );
    // The cancellation now waits for the row on the requests' only connection.
    poll("the cancellation waiting for the lock", Duration::from_secs(10), async || {
        // (The app's role is another user: pg_stat_activity hides its wait events, not its pid.)
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0",
        )
        .fetch_one(&app.db.owner)
        .await
        .unwrap();
        (waiting > 0).then_some(())
    })
    .await;

    // No connection is free for a second request within `acquire_timeout_secs`.
    let menu = app
        .get(&format!("/api/v1/pizzerias/{SLUG}/menu"), None)
        .await;
    assert_busy(menu).await;
    // The cancellation's statement runs out of time.
    assert_busy(cancel.await.unwrap().unwrap()).await;
    // Nothing was written: once the row is free, the same request goes through.
    blocker.rollback().await.unwrap();
    let resp = app.post(&cancel_url, None, &json!({})).await;
    assert_eq!(resp.status(), 200);
}

async fn assert_busy(resp: reqwest::Response) {
    let retry_after = resp.headers().get("retry-after").cloned();
    let (status, p) = problem(resp).await;
    assert_eq!(
        (status, p["type"].as_str()),
        (503, Some("/problems/busy")),
        "{p}"
    );
    assert!(retry_after.is_some(), "503 busy says when to retry");
}
