//! The opening endpoint and the pizzeria's operating switches, against the real clock.
//! (Past-midnight periods, service days and DST weekends are unit-tested in domain::opening.)

use chrono::{Datelike, Duration, NaiveTime, Timelike, Utc};
use ocpizza::domain::Role;
use ocpizza::settings::store::{self as settings, ExceptionRow, HoursRow};
use ocpizza_tests::app::problem;
use ocpizza_tests::{TestApp, spawn_app};
use serde_json::{Value, json};
use uuid::Uuid;

/// Opens the pizzeria from an hour ago to an hour from now (Paris time); the period runs past
/// midnight when now is late, and belongs to the day it opened.
async fn open_around_now(app: &TestApp, tenant: Uuid) -> chrono::NaiveDate {
    let local = Utc::now().with_timezone(&chrono_tz::Europe::Paris);
    let opened = local - Duration::hours(1);
    let closes = local + Duration::hours(1);
    let minute = |t: chrono::DateTime<chrono_tz::Tz>| {
        NaiveTime::from_hms_opt(t.hour(), t.minute(), 0).unwrap()
    };
    let hours = [HoursRow {
        weekday: i16::try_from(opened.weekday().number_from_monday()).unwrap(),
        opens: minute(opened),
        closes: minute(closes),
    }];
    let mut conn = app.db.owner.acquire().await.unwrap();
    settings::replace_weekly_hours(&mut conn, tenant, &hours)
        .await
        .unwrap();
    opened.date_naive()
}

#[tokio::test]
async fn open_now_with_slots_and_pause_and_busy_switches() {
    let app = spawn_app().await;
    let tenant = app.create_pizzeria("ouvert").await;
    let service_day = open_around_now(&app, tenant).await;

    let opening: Value = app
        .get("/api/v1/pizzerias/ouvert/opening", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(opening["open_now"], true, "{opening}");
    assert_eq!(opening["accepting_orders"], true);
    assert_eq!(opening["service_day"], service_day.to_string());
    assert_eq!(opening["timezone"], "Europe/Paris");
    assert_eq!(opening["estimated_ready_minutes"], 20);
    let slots = opening["next_slots"].as_array().unwrap();
    assert!(
        !slots.is_empty(),
        "slots within the next hour after preparation: {opening}"
    );
    assert_eq!(slots[0]["capacity"], 8);

    // The public list says so too.
    let list: Vec<Value> = app
        .get("/api/v1/pizzerias", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            list[0]["open_now"].as_bool(),
            list[0]["accepting_orders"].as_bool()
        ),
        (Some(true), Some(true))
    );

    // Pause: still open, not taking online orders; the message is shown.
    let manager = app
        .staff_token(tenant, "manager@ouvert.test", Role::Manager)
        .await;
    let resp = app
        .request(
            reqwest::Method::PUT,
            "/api/v1/pizzerias/ouvert/operations/pause",
        )
        .bearer_auth(&manager)
        .json(&json!({ "message": "Four en panne, de retour vers 20 h" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let opening: Value = app
        .get("/api/v1/pizzerias/ouvert/opening", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            opening["open_now"].as_bool(),
            opening["accepting_orders"].as_bool()
        ),
        (Some(true), Some(false))
    );
    assert_eq!(
        opening["pause_message"],
        "Four en panne, de retour vers 20 h"
    );

    // Busy: 25 more minutes on every estimate; slots move accordingly.
    let cook = app
        .staff_token(tenant, "cook@ouvert.test", Role::Pizzaiolo)
        .await;
    let resp = app
        .request(
            reqwest::Method::PUT,
            "/api/v1/pizzerias/ouvert/operations/busy",
        )
        .bearer_auth(&cook)
        .json(&json!({ "extra_minutes": 25, "note": "rush" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (status, body) = problem(
        app.request(
            reqwest::Method::PUT,
            "/api/v1/pizzerias/ouvert/operations/busy",
        )
        .bearer_auth(&cook)
        .json(&json!({ "extra_minutes": 500 }))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("extra_minutes"))
    );
    let resp = app
        .request(
            reqwest::Method::DELETE,
            "/api/v1/pizzerias/ouvert/operations/pause",
        )
        .bearer_auth(&manager)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let opening: Value = app
        .get("/api/v1/pizzerias/ouvert/opening", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(opening["accepting_orders"], true);
    assert_eq!(opening["busy_extra_minutes"], 25);
    assert_eq!(opening["estimated_ready_minutes"], 45);
    let earliest = Utc::now() + Duration::minutes(44);
    for slot in opening["next_slots"].as_array().unwrap() {
        let start: chrono::DateTime<Utc> = slot["start"].as_str().unwrap().parse().unwrap();
        assert!(
            start >= earliest,
            "slot {start} before now + preparation + busy"
        );
    }

    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM tenant_audit_log WHERE tenant_id = $1 AND action NOT LIKE 'staff.%' ORDER BY id")
            .bind(tenant)
            .fetch_all(&app.db.owner)
            .await
            .unwrap();
    assert_eq!(actions, ["online.pause", "kitchen.busy", "online.resume"]);
}

#[tokio::test]
async fn an_exceptional_closure_closes_the_service_day() {
    let app = spawn_app().await;
    let tenant = app.create_pizzeria("ferme").await;
    let service_day = open_around_now(&app, tenant).await;
    let mut conn = app.db.owner.acquire().await.unwrap();
    settings::add_exception(
        &mut conn,
        tenant,
        &ExceptionRow {
            day: service_day,
            opens: None,
            closes: None,
            note: "inventaire".into(),
        },
    )
    .await
    .unwrap();

    let opening: Value = app
        .get("/api/v1/pizzerias/ferme/opening", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(opening["open_now"], false, "{opening}");
    assert_eq!(opening["accepting_orders"], false);
    assert_eq!(opening["current"], Value::Null);
    // Next week, same weekday, it opens again.
    let next = opening["next_opening"]["service_day"].as_str().unwrap();
    assert_eq!(next, (service_day + Duration::days(7)).to_string());
}

#[tokio::test]
async fn a_pizzeria_without_hours_is_closed_and_says_so() {
    let app = spawn_app().await;
    app.create_pizzeria("sans-horaires").await;
    let opening: Value = app
        .get("/api/v1/pizzerias/sans-horaires/opening", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(opening["open_now"], false);
    assert_eq!(opening["next_opening"], Value::Null);
    assert_eq!(opening["next_slots"], json!([]));
    let one: Value = app
        .get("/api/v1/pizzerias/sans-horaires", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["open_now"], false);
}
