//! Request bodies are bounded (`http.max_body_bytes`): one past the limit is refused with 413
//! before it is read, whether it declares its length or comes in chunks; a chunked body within
//! the limit reaches its handler whole; image uploads keep their own, larger limit. Text the
//! database cannot store (a NUL) is refused at the door, 422. A request head must arrive in time
//! (408) and its request line fit in 8 KiB (414), both answered as problem+json.

use std::time::Duration;

use ocpizza::domain::Role;
use ocpizza_tests::admin::png;
use ocpizza_tests::app::{PASSWORD, problem};
use ocpizza_tests::fixtures::small_menu;
use ocpizza_tests::spawn_app_with;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const LIMIT: usize = 2048;

/// One HTTP/1.1 request on a raw connection: `head` is its request line and headers, then each
/// of `chunks` is written as it is. Returns the status and the JSON body of the answer, which
/// must come within 10 s (a server waiting for the rest of the body fails the test).
async fn raw(addr: &str, head: &str, chunks: &[Vec<u8>]) -> (u16, Value) {
    let exchange = async {
        let mut conn = TcpStream::connect(addr).await.unwrap();
        conn.write_all(format!("{head}\r\nHost: test\r\n\r\n").as_bytes())
            .await
            .unwrap();
        for chunk in chunks {
            // The server may answer and close before it has everything: later writes may fail.
            if conn.write_all(chunk).await.is_err() {
                break;
            }
        }
        let mut answer = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = conn.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
            if let Some(parsed) = parse(&answer) {
                return parsed;
            }
        }
        parse(&answer)
            .unwrap_or_else(|| panic!("no whole answer: {}", String::from_utf8_lossy(&answer)))
    };
    tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .expect("an answer without the rest of the body")
}

/// The status and JSON body of a complete answer with a `content-length`, or `None` yet.
fn parse(answer: &[u8]) -> Option<(u16, Value)> {
    let text = std::str::from_utf8(answer).ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().to_string())
        })?
        .parse()
        .ok()?;
    (body.len() >= length).then(|| (status, serde_json::from_str(&body[..length]).unwrap()))
}

fn chunk(bytes: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", bytes.len()).into_bytes();
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\r\n");
    out
}

#[tokio::test]
async fn a_body_past_the_limit_is_refused_before_it_is_read() {
    let app = spawn_app_with(|c| c.http.max_body_bytes = LIMIT).await;
    let addr = app.addr.to_string();

    // 100 MB announced, none sent: the answer comes at once.
    let (status, p) = raw(
        &addr,
        "POST /api/v1/auth/login HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 104857600",
        &[],
    )
    .await;
    assert_eq!(
        (status, p["type"].as_str()),
        (413, Some("/problems/payload-too-large")),
        "{p}"
    );
    assert_eq!(p["max_bytes"], LIMIT, "{p}");

    // Chunked, no length: refused once it grows past the limit, without waiting for its end.
    let part = vec![b' '; 1000];
    let (status, p) = raw(
        &addr,
        "POST /api/v1/auth/login HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked",
        &[chunk(&part), chunk(&part), chunk(&part)],
    )
    .await;
    assert_eq!(
        (status, p["type"].as_str()),
        (413, Some("/problems/payload-too-large")),
        "{p}"
    );

    // Within the limit, through the ordinary client: the request is served.
    let resp = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({ "email": "nobody@example.fr", "password": "x".repeat(LIMIT / 2) }),
        )
        .await;
    assert_eq!(problem(resp).await.0, 401);
}

#[tokio::test]
async fn a_chunked_body_within_the_limit_reaches_its_handler_whole() {
    let app = spawn_app_with(|c| c.http.max_body_bytes = LIMIT).await;
    app.create_user("chunked@example.fr").await;
    let body = json!({ "email": "chunked@example.fr", "password": PASSWORD }).to_string();
    let (first, rest) = body.as_bytes().split_at(10);
    let (status, tokens) = raw(
        &app.addr.to_string(),
        "POST /api/v1/auth/login HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked",
        &[chunk(first), chunk(rest), b"0\r\n\r\n".to_vec()],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens["access_token"].is_string(), "{tokens}");
}

#[tokio::test]
async fn image_uploads_keep_their_own_limit() {
    let app = spawn_app_with(|c| {
        c.http.max_body_bytes = LIMIT;
        c.images.max_bytes = 4 * LIMIT;
    })
    .await;
    let admin = app.spawn_admin().await;
    let tenant = app.create_pizzeria("grande").await;
    let menu = small_menu(&app, tenant).await;
    let owner = admin
        .staff(&app, tenant, "owner@grande.test", Role::Owner)
        .await;
    let path = format!("/pizzerias/grande/products/{}/image", menu.margherita);
    let resp = admin
        .upload(&path, &owner, png(3 * LIMIT, 7), "image/png")
        .await;
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());

    // A JSON body past the limit is refused on the admin API too.
    let resp = admin
        .request(Method::POST, "/auth/login", None)
        .header("content-type", "application/json")
        .body(" ".repeat(LIMIT + 1))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(resp).await.0, 413);
}

#[tokio::test]
async fn text_the_database_cannot_store_is_refused_as_invalid_input_not_a_500() {
    let app = ocpizza_tests::spawn_app().await;
    let admin = app.spawn_admin().await;
    let (tenant, m) = crate::orders::shop(&app, "octets").await;
    let owner = admin
        .staff(&app, tenant, "owner@octets.test", Role::Owner)
        .await;
    let ops = admin.platform_admin(&app, "ops@octets.test").await;

    // A NUL in a guest's note: 422, nothing written.
    let mut body = crate::orders::takeaway(&m);
    body["guest"] = crate::orders::guest(1);
    body["note"] = serde_json::json!("a\u{0}b");
    let (status, p) = problem(
        app.post("/api/v1/pizzerias/octets/orders", None, &body)
            .await,
    )
    .await;
    assert_eq!((status, p["field"].as_str()), (422, Some("body")), "{p}");
    assert_eq!(ocpizza_tests::fixtures::order_rows(&app).await[0], 0);
    // In the admin API too (the audit log's JSON column included), and in a query string.
    let resp = admin
        .post(
            "/pizzerias/octets/categories",
            &owner,
            &serde_json::json!({ "name": "Piz\u{0}zas" }),
        )
        .await;
    let (status, p) = problem(resp).await;
    assert_eq!((status, p["field"].as_str()), (422, Some("body")), "{p}");
    let (status, p) = problem(admin.get("/tenants?q=a%00", &ops).await).await;
    assert_eq!((status, p["field"].as_str()), (422, Some("query")), "{p}");

    // A size code outside its rule: 422 naming it, not the database's check.
    let category: serde_json::Value = admin
        .post(
            "/pizzerias/octets/categories",
            &owner,
            &serde_json::json!({ "name": "Grandes" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let product = serde_json::json!({
        "category_id": category["id"], "kind": "pizza", "name": "Géante", "vat_class": "food",
        "sizes": [{ "code": "XL pizza", "label": "Très grande", "price_cents": 2000, "recipe": [] }],
    });
    let (status, p) = problem(
        admin
            .post("/pizzerias/octets/products", &owner, &product)
            .await,
    )
    .await;
    assert_eq!((status, p["field"].as_str()), (422, Some("code")), "{p}");
}

#[tokio::test]
async fn three_hundred_refused_requests_in_a_row_on_one_connection_all_get_their_answer() {
    let app = ocpizza_tests::spawn_app().await;
    // One kept-alive connection; each request has a body and is refused (no token) before any
    // handler would read it.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .unwrap();
    let body = json!({ "label": "x".repeat(8 * 1024), "line": "1 rue de la Paix", "postcode": "75002", "city": "Paris" });
    let mut failures = Vec::new();
    for i in 0..300 {
        match client
            .post(app.url("/api/v1/me/addresses"))
            .bearer_auth("not-a-token")
            .json(&body)
            .send()
            .await
        {
            Ok(resp) if resp.status() == 401 => {
                resp.bytes().await.unwrap();
            }
            Ok(resp) => failures.push(format!("{i}: {}", resp.status())),
            Err(err) => failures.push(format!("{i}: {err}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed: {failures:?}",
        failures.len()
    );
}

#[tokio::test]
async fn an_idle_connection_is_closed() {
    let app = spawn_app_with(|c| c.http.idle_timeout_secs = 1).await;
    let mut socket = TcpStream::connect(app.addr).await.unwrap();
    // Nothing sent: the server closes the connection after the idle timeout.
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(10), socket.read(&mut buf))
        .await
        .expect("closed within 10 s");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
}

/// Reads until the server ends the connection (or 10 s pass): everything it sent.
async fn until_closed(socket: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let read_all = async {
        loop {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read_all)
        .await
        .expect("the server ends the connection within 10 s");
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_client_trickling_its_headers_gets_408_and_loses_the_connection() {
    let app = spawn_app_with(|c| {
        c.http.header_read_timeout_secs = 1;
        c.http.idle_timeout_secs = 30;
    })
    .await;
    let mut socket = TcpStream::connect(app.addr).await.unwrap();
    socket
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n")
        .await
        .unwrap();
    // One header line every 200 ms: traffic enough to beat the idle timeout, never a whole head.
    let trickle = async {
        for i in 0..50 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if socket
                .write_all(format!("X-Slow-{i}: 1\r\n").as_bytes())
                .await
                .is_err()
            {
                break;
            }
        }
    };
    let started = std::time::Instant::now();
    trickle.await;
    let answer = until_closed(&mut socket).await;
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("/problems/request-timeout"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_keep_alive_connection_may_idle_between_requests_longer_than_the_head_deadline() {
    let app = spawn_app_with(|c| {
        c.http.header_read_timeout_secs = 1;
        c.http.idle_timeout_secs = 30;
    })
    .await;
    let mut socket = TcpStream::connect(app.addr).await.unwrap();
    let request = b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n";
    for round in 0..2 {
        socket.write_all(request).await.unwrap();
        let mut buf = [0u8; 1024];
        let n = tokio::time::timeout(Duration::from_secs(10), socket.read(&mut buf))
            .await
            .expect("an answer")
            .unwrap();
        let answer = String::from_utf8_lossy(&buf[..n]);
        assert!(
            answer.starts_with("HTTP/1.1 200 "),
            "round {round}: {answer}"
        );
        // Idle (no request begun) past the head deadline: the connection stays open.
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
}

#[tokio::test]
async fn a_request_line_too_long_is_refused_as_a_problem() {
    let app = spawn_app_with(|_| {}).await;
    let mut socket = TcpStream::connect(app.addr).await.unwrap();
    let line = format!(
        "GET /api/v1/pizzerias?q={} HTTP/1.1\r\nHost: test\r\n\r\n",
        "a".repeat(9000)
    );
    // The server may close before it has read everything.
    let _ = socket.write_all(line.as_bytes()).await;
    let answer = until_closed(&mut socket).await;
    let (status, body) = parse(answer.as_bytes()).unwrap_or_else(|| panic!("{answer}"));
    assert_eq!(status, 414, "{answer}");
    assert_eq!(body["type"], "/problems/uri-too-long");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("content-type: application/problem+json")
    );
    // A long line within the limit still reaches the router.
    let (status, _) = raw(
        &app.addr.to_string(),
        &format!("GET /nowhere?q={} HTTP/1.1", "a".repeat(7000)),
        &[],
    )
    .await;
    assert_eq!(status, 404);
}
