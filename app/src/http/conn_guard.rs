//! What both servers enforce on a connection before hyper parses a request, because hyper's own
//! refusals have no body and it has no head deadline here (poem runs it without a timer):
//!
//! - a request head must be complete within `http.header_read_timeout_secs` of its first byte,
//!   else 408 `request-timeout` and the connection closes (a client trickling headers cannot
//!   hold connections open);
//! - a request line longer than [`MAX_REQUEST_LINE`] is 414 `uri-too-long`, then closed.
//!
//! Both answers are problem+json written straight to the socket, before hyper has read a byte
//! of that request, and the connection then ends. An idle keep-alive connection waits under
//! `http.idle_timeout_secs` instead: the deadline starts with the first byte of a request.
//! The head of the first request, and of each request that follows a response on the same
//! connection (it starts with a method), is watched; HTTP/2 (prior knowledge) is left to hyper.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use poem::http::uri::Scheme;
use poem::listener::Acceptor;
use poem::web::{LocalAddr, RemoteAddr};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

/// The longest request line accepted (method, target and version).
pub const MAX_REQUEST_LINE: usize = 8 * 1024;

/// Wraps an acceptor so that every connection it gives is guarded.
pub(crate) struct GuardedAcceptor<A> {
    inner: A,
    head_timeout: Duration,
}

impl<A> GuardedAcceptor<A> {
    pub(crate) fn new(inner: A, head_timeout: Duration) -> Self {
        Self {
            inner,
            head_timeout,
        }
    }
}

impl<A: Acceptor<Io = TcpStream>> Acceptor for GuardedAcceptor<A> {
    type Io = Guarded;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(&mut self) -> io::Result<(Guarded, LocalAddr, RemoteAddr, Scheme)> {
        let (io, local, remote, scheme) = self.inner.accept().await?;
        Ok((Guarded::new(io, self.head_timeout), local, remote, scheme))
    }
}

/// Where the connection stands, as far as the guard can tell from the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for the first byte of a request (no deadline).
    Idle,
    /// Reading a head: `line` bytes of the request line so far (`None` once it ended), and the
    /// last bytes seen, to find the blank line that ends the head across reads.
    Head { line: Option<usize>, tail: u32 },
    /// The head is complete: the body and the answer are hyper's business. `answered`: the
    /// server has written since, so the next request may begin.
    Request { answered: bool },
    /// Not HTTP/1 (HTTP/2 prior knowledge): not watched.
    Unwatched,
}

/// What the guard told the client before ending the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    HeadTimeout,
    LineTooLong,
}

impl Refusal {
    fn response(self) -> String {
        let (status, reason, kind, detail) = match self {
            Refusal::HeadTimeout => (
                408,
                "Request Timeout",
                "request-timeout",
                "The request's headers did not arrive in time.",
            ),
            Refusal::LineTooLong => (
                414,
                "URI Too Long",
                "uri-too-long",
                "The request line is longer than 8 KiB.",
            ),
        };
        let body = serde_json::json!({
            "type": format!("/problems/{kind}"),
            "title": reason,
            "status": status,
            "detail": detail,
        })
        .to_string();
        format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: application/problem+json\r\n\
             content-length: {}\r\nconnection: close\r\nx-content-type-options: nosniff\r\n\
             cache-control: no-store\r\n\r\n{body}",
            body.len()
        )
    }
}

/// Follows a connection's bytes to tell when a request head is being read.
#[derive(Debug)]
struct HeadWatch {
    phase: Phase,
    fresh: bool,
}

impl HeadWatch {
    fn new() -> Self {
        Self {
            phase: Phase::Idle,
            fresh: true,
        }
    }

    /// Whether a head is being read (the deadline runs).
    fn in_head(&self) -> bool {
        matches!(self.phase, Phase::Head { .. })
    }

    /// The server wrote: what the client sends next may be a new request.
    fn wrote(&mut self) {
        if let Phase::Request { answered } = &mut self.phase {
            *answered = true;
        }
    }

    /// Follows the bytes just read; a refusal if the head went wrong.
    fn read(&mut self, bytes: &[u8]) -> Option<Refusal> {
        if bytes.is_empty() {
            return None;
        }
        if self.fresh {
            self.fresh = false;
            if bytes.starts_with(b"PRI * HTTP/2") {
                self.phase = Phase::Unwatched;
                return None;
            }
        }
        let (mut line, mut tail) = match self.phase {
            Phase::Unwatched | Phase::Request { answered: false } => return None,
            Phase::Request { answered: true } if !starts_like_a_request(bytes) => return None,
            Phase::Idle | Phase::Request { answered: true } => (Some(0), 0),
            Phase::Head { line, tail } => (line, tail),
        };
        for &b in bytes {
            if let Some(n) = line {
                line = if b == b'\n' { None } else { Some(n + 1) };
                if line.is_some_and(|n| n > MAX_REQUEST_LINE) {
                    return Some(Refusal::LineTooLong);
                }
            }
            tail = (tail << 8) | u32::from(b);
            // "\r\n\r\n", or a bare "\n\n" (which hyper also accepts).
            if tail == 0x0d0a_0d0a || tail & 0xffff == 0x0a0a {
                self.phase = Phase::Request { answered: false };
                return None;
            }
        }
        self.phase = Phase::Head { line, tail };
        None
    }
}

/// A guarded connection.
pub struct Guarded {
    io: TcpStream,
    watch: HeadWatch,
    head_timeout: Duration,
    deadline: Option<Pin<Box<Sleep>>>,
    refused: Option<Refusal>,
}

impl Guarded {
    fn new(io: TcpStream, head_timeout: Duration) -> Self {
        Self {
            io,
            watch: HeadWatch::new(),
            head_timeout,
            deadline: None,
            refused: None,
        }
    }

    /// Answers the client and ends the connection: the write is best effort (a few hundred
    /// bytes into an empty socket buffer), and hyper sees the end of the stream.
    fn refuse(&mut self, refusal: Refusal) {
        tracing::info!(?refusal, "connection refused before its request was read");
        let _ = self.io.try_write(refusal.response().as_bytes());
        self.refused = Some(refusal);
        self.deadline = None;
    }
}

/// Whether bytes after an answer begin a new request (`GET /…`, `POST /…`): a method of capital
/// letters and a space. Anything else is the rest of a body the server answered early.
fn starts_like_a_request(bytes: &[u8]) -> bool {
    let method = bytes.iter().take_while(|b| b.is_ascii_uppercase()).count();
    (3..=7).contains(&method) && bytes.get(method).is_none_or(|b| *b == b' ')
}

impl AsyncRead for Guarded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.refused.is_some() {
            return Poll::Ready(Ok(())); // the end of the stream
        }
        if let Some(deadline) = this.deadline.as_mut()
            && deadline.as_mut().poll(cx).is_ready()
        {
            this.refuse(Refusal::HeadTimeout);
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.io).poll_read(cx, buf))?;
        if let Some(refusal) = this.watch.read(&buf.filled()[before..]) {
            this.refuse(refusal);
            buf.set_filled(before);
        } else if !this.watch.in_head() {
            this.deadline = None;
        } else if this.deadline.is_none() {
            let deadline = tokio::time::sleep_until(Instant::now() + this.head_timeout);
            this.deadline = Some(Box::pin(deadline));
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.refused.is_some() {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        this.watch.wrote();
        Pin::new(&mut this.io).poll_write(cx, data)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.refused.is_some() {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        this.watch.wrote();
        Pin::new(&mut this.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_told_from_the_rest_of_a_body() {
        assert!(starts_like_a_request(b"GET /healthz HTTP/1.1\r\n"));
        assert!(starts_like_a_request(b"DELETE /x"));
        assert!(starts_like_a_request(b"POS"), "a method cut by the read");
        assert!(!starts_like_a_request(b"{\"note\":1}"));
        assert!(!starts_like_a_request(b"GE"));
        assert!(!starts_like_a_request(b"PROPPATCHX /"));
    }

    #[test]
    fn a_head_is_watched_from_its_first_byte_to_its_blank_line() {
        let mut w = HeadWatch::new();
        assert!(!w.in_head(), "idle: no deadline");
        assert_eq!(w.read(b"GET /healthz HTTP/1.1\r\nHost: x\r"), None);
        assert!(w.in_head());
        assert_eq!(w.read(b"\n\r"), None);
        assert!(w.in_head(), "the blank line may come in pieces");
        assert_eq!(w.read(b"\n"), None);
        assert!(!w.in_head());
        // A body is not a head; after the answer, the next request is.
        assert_eq!(w.read(&[b'x'; 20_000]), None);
        assert!(!w.in_head());
        w.wrote();
        assert_eq!(w.read(b"{\"rest\": \"of a body answered early\"}"), None);
        assert!(!w.in_head());
        assert_eq!(w.read(b"POST /api HTTP/1.1\r\n"), None);
        assert!(w.in_head());
    }

    #[test]
    fn a_request_line_past_the_limit_is_refused_even_in_pieces() {
        let mut w = HeadWatch::new();
        assert_eq!(w.read(b"GET /"), None);
        assert_eq!(w.read(&vec![b'a'; MAX_REQUEST_LINE - 100]), None);
        assert_eq!(w.read(&[b'a'; 200]), Some(Refusal::LineTooLong));
        let mut ok = HeadWatch::new();
        let line = format!("GET /{} HTTP/1.1\r\n", "a".repeat(MAX_REQUEST_LINE - 20));
        assert_eq!(
            ok.read(line.as_bytes()),
            None,
            "long headers are hyper's to judge"
        );
        assert_eq!(ok.read(&[b'h'; 2 * MAX_REQUEST_LINE]), None);
    }

    #[test]
    fn http2_prior_knowledge_is_not_watched() {
        let mut w = HeadWatch::new();
        assert_eq!(w.read(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), None);
        w.wrote();
        assert_eq!(w.read(&[0u8; 100]), None);
        assert!(!w.in_head());
    }

    #[test]
    fn the_refusals_are_problem_documents() {
        let text = Refusal::LineTooLong.response();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 414 URI Too Long\r\n"));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["type"], "/problems/uri-too-long");
        assert_eq!(problem["status"], 414);
        assert!(Refusal::HeadTimeout.response().starts_with("HTTP/1.1 408 "));
    }
}
