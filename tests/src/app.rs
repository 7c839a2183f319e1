//! The app in-process on port 0 against a fresh database, with fixture helpers.

use std::net::SocketAddr;

use ocpizza::config::Config;
use ocpizza::domain::{Email, Role};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;
use uuid::Uuid;

use crate::db::TestDb;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub db: TestDb,
    pub config: Config,
    pub client: reqwest::Client,
}

/// The configuration tests run with: development profile, a random secret, generous throttles.
pub fn test_config(db: &TestDb) -> Config {
    let mut config = Config::default();
    config.http.port = 0;
    config.database.url = Some(db.app_url.clone().into());
    config.auth.jwt_secret = Some(format!("test-secret-{}", Uuid::new_v4()).into());
    config.auth.login_attempts_per_email_per_minute = 1000;
    config.auth.login_attempts_per_ip_per_minute = 1000;
    config
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], with a chance to adjust the configuration first.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let db = TestDb::new().await;
    let mut config = test_config(&db);
    adjust(&mut config);
    let app = ocpizza::Application::build(config.clone())
        .await
        .expect("application builds");
    let addr = app.addr();
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp {
        addr,
        base: format!("http://{addr}"),
        db,
        config,
        client: reqwest::Client::new(),
    }
}

impl TestApp {
    /// Starts another instance of the app on the same database (as another replica would) and
    /// returns its base URL.
    pub async fn another_instance(&self) -> String {
        self.another_instance_with(|_| {}).await
    }

    /// Another instance on the same database with `adjust`ed configuration (e.g. a replica
    /// already rolled over to a new secret).
    pub async fn another_instance_with(&self, adjust: impl FnOnce(&mut Config)) -> String {
        let mut config = self.config.clone();
        adjust(&mut config);
        let app = ocpizza::Application::build(config)
            .await
            .expect("second instance builds");
        let addr = app.addr();
        tokio::spawn(app.run_until(std::future::pending()));
        format!("http://{addr}")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut req = self.request(Method::GET, path);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request sent")
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        let mut req = self.request(Method::POST, path).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request sent")
    }

    /// Creates a pizzeria (owner role, as the operator CLI does) and returns its id.
    pub async fn create_pizzeria(&self, slug: &str) -> Uuid {
        let mut tx = self.db.owner.begin().await.expect("tx");
        let created = ocpizza::provisioning::create_pizzeria(
            &mut tx,
            &ocpizza::provisioning::NewPizzeria {
                slug: slug.into(),
                name: format!("Pizzeria {slug}"),
                address_line: "1 rue de Test".into(),
                postcode: "75011".into(),
                city: "Paris".into(),
                phone: "+33100000000".into(),
                latitude: None,
                longitude: None,
                timezone: "Europe/Paris".into(),
                owner_email: format!("owner@{slug}.test"),
            },
            None,
        )
        .await
        .expect("pizzeria created");
        tx.commit().await.expect("commit");
        created.tenant_id
    }

    /// Creates an account with [`PASSWORD`] and returns its id.
    pub async fn create_user(&self, email: &str) -> Uuid {
        let hash = ocpizza::auth::password_hash::hash(PASSWORD.into())
            .await
            .expect("hash");
        let email = Email::parse(email).expect("email");
        let mut conn = self.db.owner.acquire().await.expect("conn");
        ocpizza::accounts::store::insert(
            &mut conn,
            &ocpizza::accounts::store::NewUser {
                email: &email,
                password_hash: Some(&hash),
                name: "Test",
                phone: "",
                locale: "fr",
            },
        )
        .await
        .expect("insert user")
        .expect("email free")
    }

    pub async fn grant(&self, tenant: Uuid, user: Uuid, role: Role) {
        let mut conn = self.db.owner.acquire().await.expect("conn");
        ocpizza::tenancy::memberships::grant(&mut conn, tenant, user, role)
            .await
            .expect("grant");
    }

    /// Logs in (with a code of the account's second factor, if it has one) and returns the
    /// whole token response.
    pub async fn login(&self, email: &str, password: &str) -> Value {
        let totp = current_code(&self.db.owner, email).await;
        let resp = self
            .post(
                "/api/v1/auth/login",
                None,
                &serde_json::json!({ "email": email, "password": password, "totp": totp }),
            )
            .await;
        assert_eq!(resp.status(), 200, "login of {email} failed");
        resp.json().await.expect("json")
    }

    /// A user with `role` in `tenant`, logged in: returns the access token.
    pub async fn staff_token(&self, tenant: Uuid, email: &str, role: Role) -> String {
        let user = self.create_user(email).await;
        self.grant(tenant, user, role).await;
        self.login(email, PASSWORD).await["access_token"]
            .as_str()
            .expect("token")
            .to_string()
    }

    /// A customer account, logged in: returns the access token.
    pub async fn customer_token(&self, email: &str) -> String {
        self.create_user(email).await;
        self.login(email, PASSWORD).await["access_token"]
            .as_str()
            .expect("token")
            .to_string()
    }
}

/// Reads a problem answer, checking its content type; returns (status, body).
pub async fn problem(resp: Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert_eq!(
        ct, "application/problem+json",
        "status {status} is not a problem"
    );
    (status, resp.json().await.expect("problem json"))
}

/// A code of `email`'s confirmed second factor that has not been used yet (the one of the
/// current step, or of the next one when it was), as the person's authenticator app would show.
pub async fn current_code(owner: &sqlx::PgPool, email: &str) -> Option<String> {
    let row: Option<(Vec<u8>, Option<i64>)> = sqlx::query_as(
        "SELECT f.secret, f.last_step FROM totp_factors f JOIN users u ON u.id = f.user_id
         WHERE u.email = $1 AND f.confirmed_at IS NOT NULL",
    )
    .bind(email.to_lowercase())
    .fetch_optional(owner)
    .await
    .expect("reading a second factor");
    let (secret, used) = row?;
    let secret = ocpizza::auth::totp::TotpSecret::from_bytes(secret);
    let now = ocpizza::auth::totp::step_of(chrono::Utc::now().timestamp());
    let step = (now..=now + 1)
        .find(|s| used.is_none_or(|u| *s > u))
        .expect("at most two logins of one account per 30 s in a test");
    Some(secret.code_at(step))
}
