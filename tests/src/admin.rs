//! The admin API server (`ocpizza-admin serve`), built in-process like the app with
//! `AdminApplication::build`, on the test's database: the runtime role for a pizzeria's own
//! requests, the owner role for platform-wide ones.

use ocpizza::config::Config;
use ocpizza::domain::{Email, Role};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;
use uuid::Uuid;

use crate::app::{PASSWORD, TestApp, current_code};

pub struct AdminServer {
    pub base: String,
    pub client: reqwest::Client,
    pub config: Config,
    /// The test database (owner role), to read second factors at login.
    owner: sqlx::PgPool,
}

impl TestApp {
    pub async fn spawn_admin(&self) -> AdminServer {
        self.spawn_admin_with(|_| {}).await
    }

    /// The admin server with its own temporary directories for images and exports.
    pub async fn spawn_admin_with(&self, adjust: impl FnOnce(&mut Config)) -> AdminServer {
        let mut config = self.config.clone();
        config.database.admin_url = Some(self.db.owner_url.clone().into());
        config.admin.port = 0;
        let scratch = std::env::temp_dir().join(format!("ocpizza-admin-{}", Uuid::new_v4()));
        config.images.dir = scratch.join("images").to_string_lossy().into_owned();
        config.admin.export_dir = scratch.join("exports").to_string_lossy().into_owned();
        config.backup.dir = scratch.join("backups").to_string_lossy().into_owned();
        adjust(&mut config);
        let server = ocpizza::admin_api::AdminApplication::build(config.clone())
            .await
            .expect("admin API builds");
        let addr = server.addr();
        tokio::spawn(server.run_until(std::future::pending()));
        AdminServer {
            base: format!("http://{addr}/admin/v1"),
            client: reqwest::Client::new(),
            config,
            owner: self.db.owner.clone(),
        }
    }

    /// A platform administrator (created with [`PASSWORD`]), with the second factor platform
    /// administrators must have ([`AdminServer::login`] sends its codes).
    pub async fn create_platform_admin(&self, email: &str) -> Uuid {
        let user = self.create_user(email).await;
        let mut conn = self.db.owner.acquire().await.expect("conn");
        ocpizza::accounts::admins::create_platform_admin(
            &mut conn,
            &Email::parse(email).expect("email"),
            "Ops",
        )
        .await
        .expect("platform admin");
        let secret = ocpizza::auth::totp::TotpSecret::generate();
        ocpizza::accounts::second_factor::install(&mut conn, user, &secret)
            .await
            .expect("second factor");
        user
    }
}

/// Bytes that start like a PNG, `len` long.
pub fn png(len: usize, fill: u8) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(len, fill);
    bytes
}

impl AdminServer {
    /// A multipart image upload (`PUT`, one `file` part) as the admin front end sends it.
    pub async fn upload(
        &self,
        path: &str,
        token: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Response {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name("photo")
            .mime_str(content_type)
            .expect("content type");
        self.request(Method::PUT, path, Some(token))
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .expect("upload")
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let req = self.client.request(method, format!("{}{path}", self.base));
        match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self.request(method, path, token);
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await.expect("admin request")
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.send(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Response {
        self.send(Method::POST, path, Some(token), Some(body)).await
    }

    /// Logs in to the admin API (with a code of the account's second factor, if it has one);
    /// returns the access token.
    pub async fn login(&self, email: &str) -> String {
        let totp = current_code(&self.owner, email).await;
        let body = serde_json::json!({ "email": email, "password": PASSWORD, "totp": totp });
        let resp = self
            .send(Method::POST, "/auth/login", None, Some(&body))
            .await;
        assert_eq!(resp.status(), 200, "admin login of {email}");
        let tokens: Value = resp.json().await.expect("tokens");
        tokens["access_token"]
            .as_str()
            .expect("access token")
            .to_string()
    }

    /// A new account with `role` in `tenant`, logged in to the admin API.
    pub async fn staff(&self, app: &TestApp, tenant: Uuid, email: &str, role: Role) -> String {
        let user = app.create_user(email).await;
        app.grant(tenant, user, role).await;
        self.login(email).await
    }

    /// A new platform administrator, logged in to the admin API.
    pub async fn platform_admin(&self, app: &TestApp, email: &str) -> String {
        app.create_platform_admin(email).await;
        self.login(email).await
    }
}
