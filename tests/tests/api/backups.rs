//! Backups: two verified copies, the drill, tampered and missing copies, retention.

use std::time::Duration;

use ocpizza_tests::backup::{Rig, flip_a_byte, latest_migration, poll, sha256, shop_with_orders};
use ocpizza_tests::bins::{stderr, stdout};
use ocpizza_tests::mail::{SmtpServer, free_port};
use ocpizza_tests::worker::spawn_worker;
use serde_json::Value;

// Generous: a scheduled backup is a dump, an upload and a verifying restore, and the suite runs
// them while every core is busy; the polls end as soon as the thing is seen.
const WITHIN: Duration = Duration::from_secs(90);

#[tokio::test]
async fn a_backup_is_written_to_both_places_verified_and_registered() {
    let rig = Rig::new().await;
    shop_with_orders(&rig.app, "deux-copies", 2).await;

    let out = rig.admin_ok(&["backup", "run"]).await;
    assert!(out.contains("s3:    nightly/ocpizza_"), "{out}");
    let rows = rig.registry().await;
    assert_eq!(rows.len(), 1);
    let b = &rows[0];
    assert_eq!(
        (b.kind.as_str(), b.outcome.as_str(), b.local_ok, b.s3_ok),
        ("manual", "ok", true, true)
    );
    let stem = b.file.strip_suffix(".dump").unwrap();
    let stamp = stem.strip_prefix("ocpizza_").unwrap();
    assert!(
        stamp.len() == 13 && stamp.chars().nth(8) == Some('_'),
        "ocpizza_YYYYMMDD_HHMM.dump: {}",
        b.file
    );

    let local = rig.local(&b.file).expect("the local copy");
    let remote = rig.s3.object(&b.file).await.expect("the S3 copy");
    assert_eq!(sha256(&local), *b.sha256.as_ref().unwrap());
    assert_eq!(sha256(&remote), sha256(&local));
    let manifest_name = format!("{stem}.manifest.json");
    let roles_name = format!("{stem}.roles.sql");
    let mut expected = vec![b.file.clone(), manifest_name.clone(), roles_name.clone()];
    expected.sort();
    assert_eq!(rig.s3.names().await, expected);

    let manifest: Value = serde_json::from_slice(&rig.local(&manifest_name).unwrap()).unwrap();
    assert_eq!(
        rig.s3.object(&manifest_name).await.as_deref(),
        rig.local(&manifest_name).as_deref()
    );
    assert_eq!(manifest["sha256"], b.sha256.clone().unwrap());
    assert_eq!(manifest["tables"]["public.orders"], 2);
    assert_eq!(manifest["tables"]["public.tenants"], 1);
    assert_eq!(manifest["migration_version"], latest_migration());
    assert!(
        manifest["server_version"]
            .as_str()
            .unwrap()
            .starts_with(char::is_numeric)
    );
    assert!(
        manifest["pg_dump_version"]
            .as_str()
            .unwrap()
            .contains("pg_dump")
    );
    let roles = String::from_utf8(rig.local(&roles_name).unwrap()).unwrap();
    assert!(roles.contains("CREATE ROLE ocpizza_runtime"), "{roles}");
    assert!(
        !roles.contains("SCRAM-SHA-256"),
        "no password hash: {roles}"
    );

    // The drill restores it into a scratch database and finds it equal to its manifest.
    let out = rig.admin_ok(&["backup", "verify"]).await;
    assert!(out.contains("matches its manifest"), "{out}");
    let (verified, error): (Option<chrono::DateTime<chrono::Utc>>, Option<String>) =
        sqlx::query_as("SELECT verified_at, verify_error FROM ops.backups WHERE id = $1")
            .bind(b.id)
            .fetch_one(&rig.app.db.owner)
            .await
            .unwrap();
    assert!(verified.is_some() && error.is_none(), "{error:?}");
    let list = rig.admin_ok(&["backup", "list"]).await;
    let line = list.lines().find(|l| l.contains(&b.file)).unwrap();
    assert!(line.contains(" ok      ok "), "{list}");
}

#[tokio::test]
async fn a_tampered_dump_is_refused_before_the_database_is_touched() {
    let rig = Rig::new().await;
    shop_with_orders(&rig.app, "alteree", 1).await;
    let b = rig.backup().await;
    flip_a_byte(&rig.dir.join(&b.file));
    sqlx::query("DELETE FROM order_events")
        .execute(&rig.app.db.owner)
        .await
        .unwrap();

    let list = rig.admin_ok(&["backup", "list"]).await;
    assert!(list.contains("CHECKSUM MISMATCH"), "{list}");

    let out = rig.admin(&["backup", "restore", &b.id.to_string()]).await;
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));

    let out = rig
        .admin(&["backup", "restore", &b.id.to_string(), "--yes"])
        .await;
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("corrupt or was tampered with"),
        "{}",
        stderr(&out)
    );
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM order_events")
        .fetch_one(&rig.app.db.owner)
        .await
        .unwrap();
    assert_eq!(events, 0, "nothing was restored");
    assert_eq!(rig.registry().await.len(), 1, "no safety backup was taken");
    let maintenance: bool = sqlx::query_scalar("SELECT enabled FROM ops.maintenance")
        .fetch_one(&rig.app.db.owner)
        .await
        .unwrap();
    assert!(!maintenance);

    // The drill says so too, and records it.
    let out = rig.admin(&["backup", "verify", &b.id.to_string()]).await;
    assert!(!out.status.success());
    assert!(stderr(&out).contains("tampered"), "{}", stderr(&out));
    let error: Option<String> =
        sqlx::query_scalar("SELECT verify_error FROM ops.backups WHERE id = $1")
            .bind(b.id)
            .fetch_one(&rig.app.db.owner)
            .await
            .unwrap();
    assert!(error.unwrap().contains("tampered"));
    let list = rig.admin_ok(&["backup", "list"]).await;
    assert!(list.contains("FAILED"), "{list}");
}

#[tokio::test]
async fn retention_prunes_exactly_the_backups_older_than_14_days_in_both_places() {
    let rig = Rig::new().await;
    let mut backups = Vec::new();
    for _ in 0..4 {
        backups.push(rig.backup().await);
    }
    let age = |days: i64, i: usize| {
        let id = backups[i].id;
        let db = rig.app.db.owner.clone();
        async move {
            sqlx::query("UPDATE ops.backups SET started_at = now() - make_interval(days => $2::int) WHERE id = $1")
                .bind(id)
                .bind(days as i32)
                .execute(&db)
                .await
                .unwrap();
        }
    };
    age(20, 0).await;
    age(20, 1).await;
    age(13, 2).await;
    let files = |i: usize| {
        let stem = backups[i].file.trim_end_matches(".dump").to_string();
        [
            backups[i].file.clone(),
            format!("{stem}.manifest.json"),
            format!("{stem}.roles.sql"),
        ]
    };

    let out = rig.admin_ok(&["backup", "prune"]).await;
    assert!(out.contains("2 backup(s) pruned"), "{out}");
    let names = rig.s3.names().await;
    for (i, b) in backups.iter().enumerate() {
        let kept = i >= 2;
        assert!(out.contains(&b.file) != kept, "{out}");
        for f in files(i) {
            assert_eq!(rig.dir.join(&f).exists(), kept, "local {f}");
            assert_eq!(names.contains(&f), kept, "S3 {f}: {names:?}");
        }
    }
    let pruned: Vec<String> = sqlx::query_scalar(
        "SELECT file_name FROM ops.backups WHERE pruned_at IS NOT NULL ORDER BY file_name",
    )
    .fetch_all(&rig.app.db.owner)
    .await
    .unwrap();
    let mut expected = vec![backups[0].file.clone(), backups[1].file.clone()];
    expected.sort();
    assert_eq!(pruned, expected);

    // Everything old: the newest good backup stays all the same.
    age(20, 2).await;
    age(20, 3).await;
    let out = rig.admin_ok(&["backup", "prune"]).await;
    assert!(out.contains("1 backup(s) pruned"), "{out}");
    assert!(rig.local(&backups[3].file).is_some());
    assert!(rig.s3.object(&backups[3].file).await.is_some());
    assert!(rig.local(&backups[2].file).is_none());
}

#[tokio::test]
async fn the_worker_backs_up_and_drills_on_schedule_and_reports_failures_to_the_admins() {
    let rig = Rig::new().await;
    let out = rig
        .admin_ok(&["user", "create-admin", "--email", "ops@ocpizza.test"])
        .await;
    assert!(out.contains("ops@ocpizza.test"), "{out}");
    rig.backup().await; // a drill before any backup exists is a failure, rightly
    let smtp = SmtpServer::start().await;
    let every_second = "* * * * * *";
    let mut env = rig.env();
    env.push(("OCPIZZA_WORKER__SCHEDULES__BACKUP", every_second.into()));
    env.push(("OCPIZZA_WORKER__SCHEDULES__DRILL", every_second.into()));
    let extra: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let worker = spawn_worker(&rig.app.db, &smtp.url(), &extra).await;
    poll("a scheduled backup, verified", WITHIN, async || {
        let verified: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM ops.backups WHERE kind = 'scheduled' AND outcome = 'ok' AND s3_ok AND verified_at IS NOT NULL AND verify_error IS NULL",
        )
        .fetch_one(&rig.app.db.owner)
        .await
        .unwrap();
        (verified > 0).then_some(())
    })
    .await;
    drop(worker);
    assert!(smtp.messages().is_empty(), "{:?}", smtp.messages());

    // S3 unreachable: the backup fails, is recorded as failed, and the admins hear of it.
    let mut broken = env.clone();
    broken.retain(|(k, _)| {
        *k != "OCPIZZA_BACKUP__S3__ENDPOINT" && *k != "OCPIZZA_WORKER__SCHEDULES__DRILL"
    });
    let closed = format!("http://127.0.0.1:{}", free_port());
    broken.push(("OCPIZZA_BACKUP__S3__ENDPOINT", closed));
    let extra: Vec<(&str, &str)> = broken.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let _worker = spawn_worker(&rig.app.db, &smtp.url(), &extra).await;
    let mail = smtp.wait_for(1, WITHIN).await;
    assert_eq!(mail[0].to, "ops@ocpizza.test");
    assert!(
        mail[0].subject.contains("sauvegarde"),
        "{}",
        mail[0].subject
    );
    assert!(mail[0].text.contains("backup"), "{}", mail[0].text);
    let error: Option<String> = sqlx::query_scalar(
        "SELECT error FROM ops.backups WHERE outcome = 'failed' ORDER BY started_at LIMIT 1",
    )
    .fetch_one(&rig.app.db.owner)
    .await
    .unwrap();
    assert!(error.unwrap().contains("uploading"));
}

#[tokio::test]
async fn production_migrations_take_a_backup_first_and_stop_if_it_fails() {
    let rig = Rig::new().await;
    shop_with_orders(&rig.app, "migration", 1).await;
    rig.admin_ok(&["migrate", "down"]).await; // development: no backup needed
    let applied = async || -> i64 {
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations")
            .fetch_one(&rig.app.db.owner)
            .await
            .unwrap()
    };
    assert!(applied().await < latest_migration());
    let mut production = rig.env();
    production.push(("OCPIZZA_PROFILE", "production".into()));

    let mut broken = production.clone();
    broken.retain(|(k, _)| *k != "OCPIZZA_BACKUP__S3__ENDPOINT");
    broken.push((
        "OCPIZZA_BACKUP__S3__ENDPOINT",
        format!("http://127.0.0.1:{}", free_port()),
    ));
    let out = rig.admin_with(&["migrate", "up"], &broken).await;
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("the backup before migrating failed: nothing was migrated"),
        "{}",
        stderr(&out)
    );
    assert!(applied().await < latest_migration());

    let out = rig.admin_with(&["migrate", "up"], &production).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let file = text
        .split_whitespace()
        .find_map(|w| w.trim_matches(['(', ')']).strip_suffix(".dump"))
        .map(|stem| format!("{stem}.dump"))
        .unwrap_or_else(|| panic!("no backup named in {text}"));
    assert!(
        text.find("backup before migrating") < text.find("applied"),
        "{text}"
    );
    let dump = rig.s3.object(&file).await.expect("the backup is in S3");
    assert_eq!(Some(dump), rig.local(&file));
    assert_eq!(applied().await, latest_migration());
}
