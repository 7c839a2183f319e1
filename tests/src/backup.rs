//! For the backup tests: a rig of an app, an S3 server and a backup directory, the real
//! `ocpizza-admin` run against them, and a fingerprint of the application's tables.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use crate::bins::{run, stderr, stdout};
use crate::fixtures::{SmallMenu, open_for_orders, small_menu};
use crate::s3::S3Server;
use crate::{TestApp, spawn_app};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

/// An app, an S3 server and a backup directory of its own.
pub struct Rig {
    pub app: TestApp,
    pub s3: S3Server,
    pub dir: PathBuf,
}

#[derive(sqlx::FromRow)]
pub struct Registered {
    pub id: Uuid,
    pub kind: String,
    pub file: String,
    pub sha256: Option<String>,
    pub outcome: String,
    pub local_ok: bool,
    pub s3_ok: bool,
}

impl Rig {
    pub async fn new() -> Self {
        Self {
            app: spawn_app().await,
            s3: S3Server::start().await,
            dir: std::env::temp_dir().join(format!("ocpizza-backups-{}", Uuid::new_v4())),
        }
    }

    pub fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = self.s3.env();
        env.push(("OCPIZZA_DATABASE__ADMIN_URL", self.app.db.owner_url.clone()));
        env.push((
            "OCPIZZA_BACKUP__DIR",
            self.dir.to_string_lossy().into_owned(),
        ));
        env
    }

    pub async fn admin_with(&self, args: &[&str], env: &[(&'static str, String)]) -> Output {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        run("ocpizza-admin", args, &env).await
    }

    pub async fn admin(&self, args: &[&str]) -> Output {
        self.admin_with(args, &self.env()).await
    }

    /// Runs the command, asserts it succeeded, returns its output.
    pub async fn admin_ok(&self, args: &[&str]) -> String {
        let out = self.admin(args).await;
        assert!(
            out.status.success(),
            "ocpizza-admin {args:?} failed:\n{}{}",
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    }

    /// The registry, newest first.
    pub async fn registry(&self) -> Vec<Registered> {
        sqlx::query_as(
            "SELECT id, kind, file_name AS file, sha256, outcome, local_ok, s3_ok FROM ops.backups ORDER BY started_at DESC, id DESC",
        )
        .fetch_all(&self.app.db.owner)
        .await
        .expect("registry")
    }

    pub async fn backup(&self) -> Registered {
        self.admin_ok(&["backup", "run"]).await;
        self.registry().await.remove(0)
    }

    pub fn local(&self, file: &str) -> Option<Vec<u8>> {
        std::fs::read(self.dir.join(file)).ok()
    }
}

pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Row count and a digest of the content of every application table.
pub async fn fingerprint(db: &PgPool) -> BTreeMap<String, (i64, String)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    )
    .fetch_all(db)
    .await
    .expect("tables");
    let mut out = BTreeMap::new();
    for table in tables {
        let sql = format!(
            r#"SELECT count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text), '')) FROM public."{table}" t"#
        );
        let row: (i64, String) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_one(db)
            .await
            .expect("table digest");
        out.insert(table, row);
    }
    out
}

/// A pizzeria with a menu, open, and `orders` takeaway orders from one customer.
pub async fn shop_with_orders(app: &TestApp, slug: &str, orders: usize) -> (Uuid, SmallMenu) {
    let tenant = app.create_pizzeria(slug).await;
    let m = small_menu(app, tenant).await;
    open_for_orders(app, tenant, 20).await;
    let customer = app.customer_token(&format!("client@{slug}.test")).await;
    for _ in 0..orders {
        place(app, slug, &customer, &m).await;
    }
    (tenant, m)
}

pub async fn place(app: &TestApp, slug: &str, token: &str, m: &SmallMenu) -> Value {
    let body = json!({ "fulfilment": "takeaway", "payment_method": "cash", "contact_phone": "06 12 34 56 78", "lines": [{ "product_id": m.margherita, "size_id": m.margherita_m, "quantity": 1 }] });
    let resp = app
        .post(
            &format!("/api/v1/pizzerias/{slug}/orders"),
            Some(token),
            &body,
        )
        .await;
    let status = resp.status();
    let order: Value = resp.json().await.expect("order");
    assert_eq!(status, 201, "{order}");
    order
}

pub async fn poll<T>(what: &str, within: Duration, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn flip_a_byte(path: &Path) {
    let mut bytes = std::fs::read(path).expect("dump file");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(path, bytes).expect("dump file");
}

pub fn latest_migration() -> i64 {
    ocpizza::db::MIGRATOR
        .iter()
        .map(|m| m.version)
        .max()
        .expect("migrations")
}
