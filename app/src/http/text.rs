//! Text the database cannot store: PostgreSQL refuses the NUL character in `text` and `jsonb`,
//! so a `\u0000` anywhere in a JSON body, or a `%00` in the query string, would reach the
//! database and fail there. Refused at the door instead, for every route of both servers: 422
//! `validation` naming `body` or `query`.

use std::sync::Arc;

use poem::{Endpoint, IntoResponse, Request, Response};

use super::Problem;
use crate::domain::InvalidInput;

pub(crate) async fn refuse_nul<E: Endpoint>(
    ep: Arc<E>,
    mut req: Request,
) -> poem::Result<Response> {
    if req.uri().query().is_some_and(query_has_nul) {
        let err = InvalidInput::new("query", "may not contain the NUL character (%00)");
        return Ok(Problem::invalid(&err).into_response());
    }
    let json = req
        .content_type()
        .is_some_and(|t| t.to_ascii_lowercase().contains("json"));
    if json {
        // The body was bounded by `limit_body` (outside this layer).
        let body = req.take_body().into_bytes().await?;
        if json_has_nul(&body) {
            let err = InvalidInput::new("body", "text may not contain the NUL character (\\u0000)");
            return Ok(Problem::invalid(&err).into_response());
        }
        req.set_body(body);
    }
    ep.call(req).await.map(IntoResponse::into_response)
}

/// Whether a JSON text has a `\u0000` escape (an escaped backslash followed by `u0000` is text,
/// not an escape). A raw NUL is not valid JSON at all and counts too.
fn json_has_nul(json: &[u8]) -> bool {
    let mut backslashes = 0usize;
    for (i, &b) in json.iter().enumerate() {
        match b {
            0 => return true,
            b'\\' => {
                backslashes += 1;
                continue;
            }
            b'u' if backslashes % 2 == 1 && json[i + 1..].starts_with(b"0000") => return true,
            _ => {}
        }
        backslashes = 0;
    }
    false
}

fn query_has_nul(query: &str) -> bool {
    query.as_bytes().windows(3).any(|w| w == b"%00") || query.contains('\0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_escape_is_found_and_an_escaped_backslash_is_not_one() {
        assert!(json_has_nul(br#"{"note":"a\u0000b"}"#));
        assert!(
            json_has_nul(br#"{"note":"\\\u0000"}"#),
            "a backslash, then the escape"
        );
        assert!(
            !json_has_nul(br#"{"note":"\\u0000"}"#),
            "an escaped backslash, then the text u0000"
        );
        assert!(!json_has_nul(br#"{"note":"\u00e9\u0001"}"#));
        assert!(json_has_nul(b"{\"note\":\"a\0\"}"));
    }

    #[test]
    fn a_nul_in_the_query_is_found() {
        assert!(query_has_nul("q=a%00b"));
        assert!(!query_has_nul("q=a%2500"));
        assert!(!query_has_nul("page=2&q=pizza"));
    }
}
