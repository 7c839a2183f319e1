//! The OpenAPI documents are a contract with clients: each is committed under `docs/openapi/`
//! and a test fails when the code's document differs. After an intended change, regenerate
//! them with `UPDATE_OPENAPI=1 cargo test -p ocpizza openapi_document` and commit the diff with
//! the change.

use std::path::PathBuf;

use serde_json::Value;

/// Compares `spec` with `docs/openapi/{name}` (or writes it with `UPDATE_OPENAPI=1`).
pub(crate) fn check(spec: &str, name: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/openapi")
        .join(name);
    let current: Value = serde_json::from_str(spec).expect("the document is JSON");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        let text = serde_json::to_string_pretty(&current).expect("serialisable") + "\n";
        std::fs::write(&path, text).expect("docs/openapi is writable");
        return;
    }
    let committed: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).expect("the committed document exists"),
    )
    .expect("the committed document is JSON");
    if let Some(at) = first_difference(&committed, &current, String::new()) {
        panic!(
            "the OpenAPI document differs from {} at {at}: if the change is intended, run \
             UPDATE_OPENAPI=1 cargo test -p ocpizza openapi_document and commit the diff",
            path.display()
        );
    }
}

/// The JSON pointer of the first place where `a` and `b` differ.
fn first_difference(a: &Value, b: &Value, at: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys = x.keys().chain(y.keys().filter(|k| !x.contains_key(*k)));
            keys.filter_map(|k| match (x.get(k), y.get(k)) {
                (Some(v), Some(w)) => first_difference(v, w, format!("{at}/{k}")),
                _ => Some(format!("{at}/{k}")),
            })
            .next()
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (v, w))| first_difference(v, w, format!("{at}/{i}"))),
        _ if a == b => None,
        _ => Some(if at.is_empty() { "/".into() } else { at }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::first_difference;

    #[test]
    fn the_first_difference_is_named_by_its_path() {
        let a = json!({ "paths": { "/menu": { "get": { "summary": "Menu" } } }, "n": [1, 2] });
        let b = json!({ "paths": { "/menu": { "get": { "summary": "Carte" } } }, "n": [1, 2] });
        assert_eq!(
            first_difference(&a, &b, String::new()).as_deref(),
            Some("/paths//menu/get/summary")
        );
        assert_eq!(first_difference(&a, &a, String::new()), None);
        assert_eq!(
            first_difference(&json!([1]), &json!([1, 2]), String::new()).as_deref(),
            Some("/")
        );
    }
}
