//! What every finished job reports: a metric by kind and outcome, and a Sentry event when it
//! failed (with its kind; the error chain, no personal data).

pub fn finished<T, E: std::fmt::Display>(kind: &str, result: &Result<T, E>) {
    match result {
        Ok(_) => ocpizza::metrics::job_finished(kind, "ok"),
        Err(err) => {
            ocpizza::metrics::job_finished(kind, "error");
            ocpizza::telemetry::report_job_failure(kind, err);
        }
    }
}
