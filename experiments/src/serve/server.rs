//! The HTTP loop: a tiny_http server answered by a few worker threads, each request handed to
//! [`super::handle`]. A request body is read up to [`super::MAX_BODY_BYTES`] (a longer one is
//! refused with 413 without reading the rest); a malformed request is answered by tiny_http
//! itself (400) and never reaches the handler. Nothing a request does can stop the loop: a
//! panic while answering one is caught and answered 500.

use std::io::Read as _;
use std::net::SocketAddr;
use std::sync::Arc;

use tiny_http::{Header, Response, Server};

use super::{MAX_BODY_BYTES, Reply, State, handle};

/// Worker threads answering requests: page loads and API calls overlap while runs compute
/// (runs themselves are bounded by [`super::Limits::concurrent_runs`]).
pub const WORKERS: usize = 4;

/// A bound server.
pub struct Serving {
    server: Arc<Server>,
    /// The address it listens on (the port chosen when 0 was asked).
    pub addr: SocketAddr,
}

/// Binds `addr` (port 0 picks a free one).
pub fn bind(addr: SocketAddr) -> Result<Serving, String> {
    let server = Server::http(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| format!("cannot listen on {addr}: not an IP address"))?;
    Ok(Serving {
        server: Arc::new(server),
        addr,
    })
}

impl Serving {
    /// Answers requests until the process ends (or [`Serving::stop`] from another thread).
    pub fn run(&self, state: Arc<State>) {
        let workers: Vec<_> = (0..WORKERS)
            .map(|_| {
                let server = Arc::clone(&self.server);
                let state = Arc::clone(&state);
                std::thread::spawn(move || {
                    while let Ok(request) = server.recv() {
                        answer(&state, request);
                    }
                })
            })
            .collect();
        for w in workers {
            let _ = w.join();
        }
    }

    /// Makes [`Serving::run`] return (its workers stop waiting for requests).
    pub fn stop(&self) {
        for _ in 0..WORKERS {
            self.server.unblock();
        }
    }
}

/// Reads the body (bounded), answers, and sends the reply; errors writing to a client that went
/// away are ignored.
fn answer(state: &State, mut request: tiny_http::Request) {
    let method = request.method().as_str().to_ascii_uppercase();
    let url = request.url().to_string();
    let mut body = Vec::new();
    let limit = MAX_BODY_BYTES as u64;
    let too_long = request.body_length().is_some_and(|n| n as u64 > limit)
        || request
            .as_reader()
            .take(limit + 1)
            .read_to_end(&mut body)
            .map_or(true, |n| n as u64 > limit);
    let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        handle(state, &method, &url, (!too_long).then_some(&body[..]))
    }))
    .unwrap_or_else(|_| Reply::error(500, "internal error while answering; the server goes on"));
    let mut response = Response::from_data(reply.body).with_status_code(reply.status);
    for (k, v) in [
        ("Content-Type", reply.content_type),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        ("Content-Security-Policy", CSP),
    ] {
        if let Ok(h) = Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
}

/// The page may load nothing from elsewhere: its own inline script and style, its own API.
const CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                   img-src data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'";
