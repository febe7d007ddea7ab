//! Requests written byte for byte, for paths an HTTP client would normalise (`..`, `%2e%2e`).

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends `GET <target> HTTP/1.1` exactly as given and returns the status and the whole reply.
pub async fn get(addr: std::net::SocketAddr, target: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connecting");
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: text/html\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .expect("writing a request");
    let mut reply = Vec::new();
    stream
        .read_to_end(&mut reply)
        .await
        .expect("reading a reply");
    let reply = String::from_utf8_lossy(&reply).into_owned();
    let status = reply
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, reply)
}
