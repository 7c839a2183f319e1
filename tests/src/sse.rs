//! A small Server-Sent Events client for tests: reads frames with a deadline.

use std::time::Duration;

use serde_json::Value;

#[derive(Debug, Clone)]
pub struct SseEvent {
    pub id: Option<String>,
    pub event: String,
    pub data: Value,
}

pub struct Sse {
    resp: reqwest::Response,
    buf: String,
}

impl Sse {
    /// Opens a stream; panics unless it answers 200 with `text/event-stream`.
    pub async fn open(req: reqwest::RequestBuilder) -> Self {
        let resp = req
            .header("accept", "text/event-stream")
            .send()
            .await
            .expect("stream request");
        assert_eq!(
            resp.status(),
            200,
            "stream refused: {}",
            resp.text().await.unwrap_or_default()
        );
        let ct = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert!(ct.starts_with("text/event-stream"), "content type {ct}");
        Self {
            resp,
            buf: String::new(),
        }
    }

    /// The next event (keep-alive comments skipped), or `None` if none came within `within`.
    pub async fn next(&mut self, within: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(event) = self.take_frame() {
                return Some(event);
            }
            let chunk = tokio::time::timeout_at(deadline, self.resp.chunk())
                .await
                .ok()?
                .ok()??;
            self.buf
                .push_str(&String::from_utf8_lossy(&chunk).replace("\r\n", "\n"));
        }
    }

    /// The next `n` events, failing the test if they do not all come within `within`.
    pub async fn take(&mut self, n: usize, within: Duration) -> Vec<SseEvent> {
        let deadline = tokio::time::Instant::now() + within;
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Some(e) => out.push(e),
                None => panic!(
                    "only {} of {n} events within {within:?}: {out:?}",
                    out.len()
                ),
            }
        }
        out
    }

    fn take_frame(&mut self) -> Option<SseEvent> {
        loop {
            let end = self.buf.find("\n\n")?;
            let frame: String = self.buf.drain(..end + 2).collect();
            let (mut id, mut event, mut data) = (None, "message".to_string(), String::new());
            for line in frame.lines() {
                if let Some(v) = line.strip_prefix("id:") {
                    id = Some(v.trim().to_string());
                } else if let Some(v) = line.strip_prefix("event:") {
                    event = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            if data.is_empty() {
                continue; // a keep-alive comment
            }
            let data = serde_json::from_str(&data).unwrap_or(Value::String(data));
            return Some(SseEvent { id, event, data });
        }
    }
}
