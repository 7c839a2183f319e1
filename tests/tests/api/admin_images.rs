//! Product images through a real S3 server: uploaded by the owner, checked (type and size),
//! stored in the bucket, served to customers through a presigned URL; a refused upload stores
//! nothing, a replaced or removed image leaves no object behind.

use ocpizza::domain::Role;
use ocpizza_tests::admin::png;
use ocpizza_tests::app::problem;
use ocpizza_tests::fixtures::small_menu;
use ocpizza_tests::s3::S3Server;
use ocpizza_tests::spawn_app_with;
use reqwest::Method;
use serde_json::Value;

#[tokio::test]
async fn images_go_to_the_bucket_and_reach_customers_through_a_presigned_url() {
    let s3 = S3Server::start().await;
    let app = spawn_app_with(|c| {
        c.images.s3 = Some(s3.config());
        c.images.max_bytes = 4096;
    })
    .await;
    let admin = app.spawn_admin().await;
    let tenant = app.create_pizzeria("roma").await;
    let menu = small_menu(&app, tenant).await;
    let owner = admin
        .staff(&app, tenant, "owner@roma.test", Role::Owner)
        .await;
    let path = format!("/pizzerias/roma/products/{}/image", menu.margherita);

    // Refused uploads store nothing.
    let resp = admin
        .upload(&path, &owner, b"GIF89a not a png".to_vec(), "image/png")
        .await;
    assert_eq!(problem(resp).await.0, 415, "bytes that are no PNG");
    let resp = admin.upload(&path, &owner, png(100, 1), "image/jpeg").await;
    assert_eq!(problem(resp).await.0, 415, "a PNG declared as a JPEG");
    let resp = admin.upload(&path, &owner, png(4097, 1), "image/png").await;
    let (status, p) = problem(resp).await;
    assert_eq!(
        (status, p["type"].as_str()),
        (413, Some("/problems/payload-too-large"))
    );
    // Far beyond the limit: refused from its Content-Length, before the body is read.
    let resp = admin
        .upload(&path, &owner, png(200 * 1024, 1), "image/png")
        .await;
    let (status, p) = problem(resp).await;
    assert_eq!(status, 413, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("4096"), "{p}");
    assert_eq!(s3.names().await, Vec::<String>::new(), "nothing stored");

    // A good one lands in the bucket, byte for byte.
    let first = png(4096, 7);
    let resp = admin
        .upload(&path, &owner, first.clone(), "image/png")
        .await;
    assert_eq!(resp.status(), 200);
    let view: Value = resp.json().await.unwrap();
    let names = s3.names().await;
    assert_eq!(names.len(), 1, "{names:?}");
    assert_eq!(
        s3.object(&names[0]).await.as_deref(),
        Some(first.as_slice())
    );

    // Customers see it through the app: a redirect to a short-lived presigned URL.
    let customer_menu: Value = app
        .get("/api/v1/pizzerias/roma/menu", None)
        .await
        .json()
        .await
        .unwrap();
    let listed = customer_menu.to_string();
    assert!(
        listed.contains(&format!("/products/{}/image", menu.margherita)),
        "{listed}"
    );
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let app_path = format!(
        "http://{}/api/v1/pizzerias/roma/products/{}/image",
        app.addr, menu.margherita
    );
    let resp = no_redirects.get(&app_path).send().await.unwrap();
    assert_eq!(resp.status(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with(&format!("http://127.0.0.1:{}/", s3.port))
            && location.contains("X-Amz-Expires=600"),
        "{location}"
    );
    let fetched = reqwest::get(&location).await.unwrap();
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.bytes().await.unwrap().as_ref(), first.as_slice());
    assert!(view["url"].as_str().unwrap().ends_with(&format!(
        "/api/v1/pizzerias/roma/products/{}/image",
        menu.margherita
    )));

    // Replacing it leaves only the new object; removing it leaves none.
    let second = png(300, 9);
    let resp = admin
        .upload(&path, &owner, second.clone(), "image/png")
        .await;
    assert_eq!(resp.status(), 200);
    let names = s3.names().await;
    assert_eq!(names.len(), 1, "the replaced image is deleted: {names:?}");
    assert_eq!(
        s3.object(&names[0]).await.as_deref(),
        Some(second.as_slice())
    );
    let resp = admin.send(Method::DELETE, &path, Some(&owner), None).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(s3.names().await, Vec::<String>::new());
    let resp = no_redirects.get(&app_path).send().await.unwrap();
    assert_eq!(resp.status(), 404);

    // Another pizzeria's owner cannot touch it.
    let other = app.create_pizzeria("napoli").await;
    let stranger = admin
        .staff(&app, other, "owner@napoli.test", Role::Owner)
        .await;
    let resp = admin
        .upload(&path, &stranger, png(100, 1), "image/png")
        .await;
    assert_eq!(problem(resp).await.0, 404);
    assert_eq!(s3.names().await, Vec::<String>::new());
}
