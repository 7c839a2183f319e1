//! Prometheus metrics. Each binary installs one recorder (the `metrics` facade is process-wide by
//! design) and serves it at `GET /metrics`; code records through the small functions below, so
//! names and labels live in one place. Labels are bounded: routes are path templates, never raw
//! paths (no ids, slugs or tokens).

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::domain::order::{Channel, Fulfilment};

pub const HTTP_DURATION: &str = "ocpizza_http_request_duration_seconds";
pub const ORDERS_PLACED: &str = "ocpizza_orders_placed_total";
pub const ORDER_TRANSITIONS: &str = "ocpizza_order_transitions_total";
pub const JOBS: &str = "ocpizza_jobs_total";
pub const LAST_GOOD_BACKUP_AGE: &str = "ocpizza_last_good_backup_age_seconds";
pub const SSE_CONNECTIONS: &str = "ocpizza_sse_connections";

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's recorder once and returns its handle (later calls return the same).
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full(HTTP_DURATION.into()),
                    &[
                        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
                    ],
                )
                .expect("static buckets are valid")
                .build_recorder();
            let handle = recorder.handle();
            // Another recorder already installed (a test harness): keep rendering ours anyway.
            let _ = metrics::set_global_recorder(recorder);
            describe();
            handle
        })
        .clone()
}

fn describe() {
    metrics::describe_histogram!(
        HTTP_DURATION,
        metrics::Unit::Seconds,
        "HTTP request duration by route template, method and status"
    );
    metrics::describe_counter!(ORDERS_PLACED, "Orders placed, by channel and fulfilment");
    metrics::describe_counter!(ORDER_TRANSITIONS, "Order status changes, by from and to");
    metrics::describe_counter!(JOBS, "Background jobs finished, by kind and outcome");
    metrics::describe_gauge!(
        LAST_GOOD_BACKUP_AGE,
        metrics::Unit::Seconds,
        "Seconds since the last backup that ended ok (absent: none yet)"
    );
    metrics::describe_gauge!(SSE_CONNECTIONS, "Live event streams, by kind");
}

/// The text exposition of every metric of the process.
pub(crate) fn render() -> String {
    install().render()
}

pub(crate) fn http_request(method: &str, route: String, status: u16, seconds: f64) {
    metrics::histogram!(HTTP_DURATION, "method" => method.to_string(), "route" => route, "status" => status.to_string())
        .record(seconds);
}

pub(crate) fn order_placed(channel: Channel, fulfilment: Fulfilment) {
    metrics::counter!(ORDERS_PLACED, "channel" => channel.as_str(), "fulfilment" => fulfilment.as_str())
        .increment(1);
}

pub(crate) fn order_transition(from: &str, to: &str) {
    metrics::counter!(ORDER_TRANSITIONS, "from" => from.to_string(), "to" => to.to_string())
        .increment(1);
}

/// `outcome`: `ok`, or `error` for a failed attempt (an email is tried again with backoff).
pub fn job_finished(kind: &str, outcome: &'static str) {
    metrics::counter!(JOBS, "kind" => kind.to_string(), "outcome" => outcome).increment(1);
}

pub fn last_good_backup_age(seconds: f64) {
    metrics::gauge!(LAST_GOOD_BACKUP_AGE).set(seconds);
}

pub(crate) fn sse_connections(kind: &'static str, live: i64) {
    // Gauges are f64; connection counts are far below 2^53.
    #[allow(clippy::cast_precision_loss)]
    metrics::gauge!(SSE_CONNECTIONS, "kind" => kind).set(live as f64);
}

/// The route template of a path, for labels: ids, slugs, tokens, days and numbers become
/// placeholders, and paths outside the APIs are `other`, so scanners cannot grow the series.
pub(crate) fn route_label(path: &str) -> String {
    const ROOTS: [&str; 7] = [
        "/api/v1",
        "/admin/v1",
        "/healthz",
        "/readyz",
        "/metrics",
        "/docs",
        "/openapi.json",
    ];
    if !ROOTS
        .iter()
        .any(|r| path == *r || path.starts_with(&format!("{r}/")))
    {
        return "other".into();
    }
    if path.starts_with("/docs/") {
        return "/docs".into();
    }
    let mut out = String::new();
    let mut previous = "";
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        let placeholder = match previous {
            "pizzerias" | "tenants" => Some("{slug}"),
            "track" => Some("{token}"),
            _ => None,
        };
        let placeholder = placeholder.or_else(|| {
            if uuid::Uuid::parse_str(segment).is_ok() {
                Some("{id}")
            } else if segment.bytes().all(|b| b.is_ascii_digit()) {
                Some("{n}")
            } else if chrono::NaiveDate::parse_from_str(segment, "%Y-%m-%d").is_ok() {
                Some("{day}")
            } else if segment.len() > 40 {
                Some("{token}")
            } else {
                None
            }
        });
        out.push_str(placeholder.unwrap_or(segment));
        previous = segment;
    }
    if out.is_empty() { "/".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_templates() {
        let id = "01a2093d-4c9c-7441-83a2-70a01f14bb86";
        assert_eq!(
            route_label(&format!(
                "/api/v1/pizzerias/paris-bastille/orders/{id}/events"
            )),
            "/api/v1/pizzerias/{slug}/orders/{id}/events"
        );
        assert_eq!(
            route_label("/admin/v1/pizzerias/roma/exceptions/2026-12-25"),
            "/admin/v1/pizzerias/{slug}/exceptions/{day}"
        );
        assert_eq!(
            route_label("/admin/v1/tenants/roma/suspend"),
            "/admin/v1/tenants/{slug}/suspend"
        );
        assert_eq!(route_label("/api/v1/track/abcdef"), "/api/v1/track/{token}");
        assert_eq!(route_label("/healthz"), "/healthz");
        assert_eq!(route_label("/docs/swagger-ui.css"), "/docs");
        assert_eq!(route_label("/wp-admin/setup.php"), "other");
        assert_eq!(route_label("/api/v10"), "other");
    }

    #[test]
    fn recorded_figures_are_rendered() {
        install();
        order_placed(Channel::Web, Fulfilment::Delivery);
        job_finished("emails", "ok");
        let text = render();
        assert!(
            text.contains("ocpizza_orders_placed_total{channel=\"web\",fulfilment=\"delivery\"}"),
            "{text}"
        );
        assert!(
            text.contains("ocpizza_jobs_total{kind=\"emails\",outcome=\"ok\"}"),
            "{text}"
        );
    }
}
