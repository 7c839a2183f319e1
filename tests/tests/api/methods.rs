//! A method a path does not take is 405 with `Allow` naming the ones it does, on every path of
//! both servers' OpenAPI documents (a new route is covered without touching this test).

use std::collections::BTreeSet;

use ocpizza_tests::spawn_app;
use reqwest::Method;
use serde_json::Value;
use uuid::Uuid;

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

async fn check_every_path(client: &reqwest::Client, base: &str, spec: &Value) -> usize {
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let mut declared: BTreeSet<String> = item
            .as_object()
            .unwrap()
            .keys()
            .map(|m| m.to_uppercase())
            .collect();
        let Some(other) = METHODS.iter().find(|m| !declared.contains(**m)) else {
            continue;
        };
        if declared.contains("GET") {
            declared.insert("HEAD".into());
        }
        let mut concrete = path.clone();
        while let Some(start) = concrete.find('{') {
            let end = concrete[start..].find('}').unwrap() + start;
            concrete.replace_range(start..=end, &Uuid::new_v4().to_string());
        }
        let resp = client
            .request(
                other.parse::<Method>().unwrap(),
                format!("{base}{concrete}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 405, "{other} {path}");
        let allow: BTreeSet<String> = resp
            .headers()
            .get("allow")
            .unwrap_or_else(|| panic!("{other} {path}: no Allow"))
            .to_str()
            .unwrap()
            .split(',')
            .map(|m| m.trim().to_string())
            .collect();
        assert_eq!(allow, declared, "{other} {path}");
        let kind = resp.headers()["content-type"].to_str().unwrap().to_string();
        assert!(
            kind.starts_with("application/problem+json"),
            "{path}: {kind}"
        );
        checked += 1;
    }
    checked
}

#[tokio::test]
async fn every_path_answers_an_unknown_method_with_405_and_allow() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    let client = reqwest::Client::new();
    let spec: Value = app.get("/openapi.json", None).await.json().await.unwrap();
    let checked = check_every_path(&client, &app.url("/api/v1"), &spec).await;
    assert!(checked >= 30, "only {checked} paths of the app");
    let root = admin.base.trim_end_matches("/admin/v1").to_string();
    let spec: Value = client
        .get(format!("{root}/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let checked = check_every_path(&client, &admin.base, &spec).await;
    assert!(checked >= 30, "only {checked} paths of the admin API");
}
