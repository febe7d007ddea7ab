//! A real SMTP server on loopback for the mail tests: a small tokio listener speaking enough
//! SMTP for a client such as `lettre` (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeping
//! every message it accepts. [`Parsed`] reads what arrived: headers, and the decoded parts of a
//! `multipart/alternative` body (base64, quoted-printable or plain).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One accepted message: the envelope and the raw data (dot-stuffing undone).
#[derive(Debug, Clone)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub data: String,
}

/// A listening server; stops when dropped.
pub struct SmtpServer {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    task: JoinHandle<()>,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding the SMTP port");
        let addr = listener.local_addr().expect("SMTP address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, store.clone()));
            }
        });
        SmtpServer {
            addr,
            received,
            task,
        }
    }

    /// The URL the host is configured with.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until `n` messages have arrived (see [`crate::poll`]) and answers them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        crate::poll(
            Duration::from_secs(10),
            "mail at the SMTP server",
            || async {
                let got = self.received();
                (got.len() >= n).then_some(got)
            },
        )
        .await
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A loopback address where nothing listens: an SMTP server that is down.
pub async fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binding");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    format!("smtp://{addr}")
}

async fn session(stream: TcpStream, store: Arc<Mutex<Vec<Received>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 localhost test SMTP\r\n").await;
    let mut current: Option<Received> = None;
    while let Ok(Some(line)) = lines.next_line().await {
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" | "HELO" | "NOOP" => "250 localhost",
            "RSET" => {
                current = None;
                "250 OK"
            }
            "MAIL" => {
                current = Some(Received {
                    mail_from: address(&line),
                    rcpt_to: Vec::new(),
                    data: String::new(),
                });
                "250 OK"
            }
            "RCPT" => match current.as_mut() {
                Some(mail) => {
                    mail.rcpt_to.push(address(&line));
                    "250 OK"
                }
                None => "503 MAIL first",
            },
            "DATA" => match current.take() {
                Some(mut mail) => {
                    let _ = write
                        .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        .await;
                    while let Ok(Some(data_line)) = lines.next_line().await {
                        if data_line == "." {
                            break;
                        }
                        let unstuffed = data_line.strip_prefix('.').unwrap_or(&data_line);
                        mail.data.push_str(unstuffed);
                        mail.data.push('\n');
                    }
                    store.lock().unwrap().push(mail);
                    "250 2.0.0 OK: queued"
                }
                None => "503 MAIL first",
            },
            "QUIT" => {
                let _ = write.write_all(b"221 Bye\r\n").await;
                return;
            }
            _ => "502 Command not implemented",
        };
        if write
            .write_all(format!("{answer}\r\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

/// The address inside `<…>` of a MAIL or RCPT line.
fn address(line: &str) -> String {
    let start = line.find('<').map_or(0, |i| i + 1);
    let end = line[start..].find('>').map_or(line.len(), |i| start + i);
    line[start..end].to_owned()
}

/// A received message, read: its headers and its decoded text and HTML parts.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub headers: Vec<(String, String)>,
    pub content_type: String,
    pub text: Option<String>,
    pub html: Option<String>,
}

impl Parsed {
    pub fn of(data: &str) -> Parsed {
        let (headers, body) = split_headers(data);
        let content_type = header(&headers, "content-type").unwrap_or_default();
        let mut parsed = Parsed {
            headers,
            content_type: content_type.clone(),
            text: None,
            html: None,
        };
        let Some(boundary) = parameter(&content_type, "boundary") else {
            return parsed;
        };
        for part in body.split(&format!("--{boundary}")).skip(1) {
            if part.starts_with("--") {
                break;
            }
            let (part_headers, part_body) = split_headers(part.trim_start_matches('\n'));
            let kind = header(&part_headers, "content-type").unwrap_or_default();
            let encoding = header(&part_headers, "content-transfer-encoding").unwrap_or_default();
            let decoded = decode(&encoding, part_body);
            if kind.starts_with("text/plain") {
                parsed.text = Some(decoded);
            } else if kind.starts_with("text/html") {
                parsed.html = Some(decoded);
            }
        }
        parsed
    }

    /// The first header of that (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<String> {
        header(&self.headers, name)
    }
}

fn split_headers(data: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = data.split_once("\n\n").unwrap_or((data, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    (headers, body)
}

fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n == &name.to_ascii_lowercase())
        .map(|(_, v)| v.clone())
}

fn parameter(value: &str, name: &str) -> Option<String> {
    value.split(';').find_map(|p| {
        let (key, v) = p.trim().split_once('=')?;
        (key.eq_ignore_ascii_case(name)).then(|| v.trim_matches('"').to_owned())
    })
}

fn decode(encoding: &str, body: &str) -> String {
    match encoding.to_ascii_lowercase().as_str() {
        "base64" => String::from_utf8_lossy(&base64(body)).into_owned(),
        "quoted-printable" => String::from_utf8_lossy(&quoted_printable(body)).into_owned(),
        _ => body.to_owned(),
    }
}

fn base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut bits, mut acc) = (0u32, 0u32);
    for c in text.bytes() {
        let Some(v) = ALPHABET.iter().position(|a| *a == c) else {
            continue;
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn quoted_printable(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for line in text.split('\n') {
        let (line, soft) = match line.strip_suffix('=') {
            Some(l) => (l, true),
            None => (line, false),
        };
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'='
                && i + 2 < bytes.len()
                && let Ok(v) = u8::from_str_radix(&line[i + 1..i + 3], 16)
            {
                out.push(v);
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        if !soft {
            out.push(b'\n');
        }
    }
    out
}
