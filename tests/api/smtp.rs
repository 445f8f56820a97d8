//! A small SMTP server on loopback for the mail tests: it speaks enough ESMTP for lettre
//! (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps every message it accepts, refuses chosen
//! recipients with a permanent 550, and can be stopped and started again on the same port to
//! play a relay that is down for a while. It also decodes what tests read: the subject
//! (RFC 2047), the text part (quoted-printable or base64) and headers.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

/// A message as the sink received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

#[derive(Default)]
struct Inner {
    messages: Mutex<Vec<Received>>,
    refused: Mutex<Vec<String>>,
    arrived: Notify,
}

/// The sink.
pub struct SmtpSink {
    pub port: u16,
    inner: Arc<Inner>,
    task: Mutex<Option<JoinHandle<()>>>,
}

fn listener(port: u16) -> TcpListener {
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_reuseaddr(true).expect("reuseaddr");
    socket
        .bind(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
        .expect("bind the SMTP sink");
    socket.listen(64).expect("listen")
}

impl SmtpSink {
    /// Starts on a free loopback port.
    pub async fn start() -> Self {
        let l = listener(0);
        let port = l.local_addr().unwrap().port();
        let sink = Self {
            port,
            inner: Arc::new(Inner::default()),
            task: Mutex::new(None),
        };
        sink.serve(l);
        sink
    }

    fn serve(&self, l: TcpListener) {
        let inner = self.inner.clone();
        let task = tokio::spawn(async move {
            // Connections live in this set: stopping the sink drops it and so cuts them too.
            let mut connections = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = l.accept() => {
                        if let Ok((stream, _)) = accepted {
                            connections.spawn(session(stream, inner.clone()));
                        }
                    }
                    Some(_) = connections.join_next(), if !connections.is_empty() => {}
                }
            }
        });
        *self.task.lock().unwrap() = Some(task);
    }

    /// Stops listening and cuts open connections: connecting is refused from now on.
    pub async fn stop(&self) {
        let task = self.task.lock().unwrap().take();
        if let Some(t) = task {
            t.abort();
            let _ = t.await;
        }
    }

    /// Listens again on the same port.
    pub fn resume(&self) {
        self.serve(listener(self.port));
    }

    /// Refuses recipients containing `needle` with a permanent 550 (empty: refuse none).
    pub fn refuse(&self, needle: &str) {
        let mut r = self.inner.refused.lock().unwrap();
        r.clear();
        if !needle.is_empty() {
            r.push(needle.to_owned());
        }
    }

    /// Everything received so far.
    pub fn messages(&self) -> Vec<Received> {
        self.inner.messages.lock().unwrap().clone()
    }

    /// Waits until `pred` holds of the messages (at most `secs` seconds); returns them.
    pub async fn wait_until(&self, secs: u64, pred: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let notified = self.inner.arrived.notified();
            let now = self.messages();
            if pred(&now) {
                return now;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let now = self.messages();
                assert!(
                    pred(&now),
                    "timed out waiting for mail; received: {:#?}",
                    now.iter().map(Received::subject).collect::<Vec<_>>()
                );
                return now;
            }
        }
    }

    /// Waits for a message to `to` whose subject contains `subject`.
    pub async fn wait_for(&self, to: &str, subject: &str) -> Received {
        let all = self
            .wait_until(20, |m| {
                m.iter()
                    .any(|r| r.is_to(to) && r.subject().contains(subject))
            })
            .await;
        all.into_iter()
            .find(|r| r.is_to(to) && r.subject().contains(subject))
            .unwrap()
    }
}

async fn reply(w: &mut tokio::net::tcp::OwnedWriteHalf, line: &str) -> std::io::Result<()> {
    w.write_all(line.as_bytes()).await?;
    w.write_all(b"\r\n").await
}

fn address(arg: &str) -> String {
    let start = arg.find('<').map_or(0, |i| i + 1);
    let end = arg.rfind('>').unwrap_or(arg.len());
    arg[start..end].to_owned()
}

async fn session(stream: TcpStream, inner: Arc<Inner>) {
    let _ = converse(stream, inner).await;
}

async fn converse(stream: TcpStream, inner: Arc<Inner>) -> std::io::Result<()> {
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    reply(&mut w, "220 sink.test ESMTP").await?;
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end();
        let upper = cmd.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            reply(&mut w, "250-sink.test").await?;
            reply(&mut w, "250-8BITMIME").await?;
            reply(&mut w, "250 SMTPUTF8").await?;
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            reply(&mut w, "250 OK").await?;
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&cmd[10..]);
            to.clear();
            reply(&mut w, "250 OK").await?;
        } else if upper.starts_with("RCPT TO:") {
            let rcpt = address(&cmd[8..]);
            let refused = inner
                .refused
                .lock()
                .unwrap()
                .iter()
                .any(|n| rcpt.contains(n.as_str()));
            if refused {
                reply(&mut w, "550 5.1.1 No such mailbox here").await?;
            } else {
                to.push(rcpt);
                reply(&mut w, "250 OK").await?;
            }
        } else if upper == "DATA" {
            if to.is_empty() {
                reply(&mut w, "554 5.5.1 No valid recipients").await?;
                continue;
            }
            reply(&mut w, "354 End data with <CR><LF>.<CR><LF>").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                let l = line.trim_end_matches(['\r', '\n']);
                if l == "." {
                    break;
                }
                data.push_str(
                    l.strip_prefix('.')
                        .filter(|_| l.starts_with(".."))
                        .unwrap_or(l),
                );
                data.push('\n');
            }
            inner.messages.lock().unwrap().push(Received {
                from: from.clone(),
                to: std::mem::take(&mut to),
                data,
            });
            inner.arrived.notify_waiters();
            reply(&mut w, "250 2.0.0 Queued").await?;
        } else if upper.starts_with("RSET") {
            to.clear();
            reply(&mut w, "250 OK").await?;
        } else if upper.starts_with("QUIT") {
            reply(&mut w, "221 Bye").await?;
            return Ok(());
        } else {
            reply(&mut w, "502 5.5.2 Command not recognised").await?;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Reading messages

fn b64(input: &str) -> Vec<u8> {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in input.bytes() {
        let Some(v) = T.iter().position(|&t| t == c) else {
            continue;
        };
        buf = (buf << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    out
}

fn quoted_printable(input: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let bytes = input.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'=' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'=');
                        i += 1;
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

fn split_head(part: &str) -> (&str, &str) {
    match part.find("\n\n") {
        Some(i) => (&part[..i], &part[i + 2..]),
        None => (part, ""),
    }
}

/// A header of a header block (unfolded), by name.
fn header_in(head: &str, name: &str) -> Option<String> {
    let mut value: Option<String> = None;
    let mut current = false;
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if current && let Some(v) = value.as_mut() {
                v.push_str(line);
            }
            continue;
        }
        current = false;
        if value.is_some() {
            break;
        }
        if let Some((n, v)) = line.split_once(':')
            && n.eq_ignore_ascii_case(name)
        {
            value = Some(v.trim().to_owned());
            current = true;
        }
    }
    value
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`).
fn decode_words(v: &str) -> String {
    let mut out = Vec::new();
    let mut rest = v;
    let mut last_was_word = false;
    while !rest.is_empty() {
        if let Some(start) = rest.find("=?") {
            let between = &rest[..start];
            if !(last_was_word && between.trim().is_empty()) {
                out.extend_from_slice(between.as_bytes());
            }
            let word = &rest[start + 2..];
            let mut parts = word.splitn(3, '?');
            let (_charset, enc, tail) = (parts.next(), parts.next(), parts.next());
            let (Some(enc), Some(tail)) = (enc, tail) else {
                out.extend_from_slice(rest.as_bytes());
                break;
            };
            let Some(end) = tail.find("?=") else {
                out.extend_from_slice(rest.as_bytes());
                break;
            };
            let text = &tail[..end];
            if enc.eq_ignore_ascii_case("b") {
                out.extend(b64(text));
            } else {
                out.extend(quoted_printable(&text.replace('_', " ")));
            }
            rest = &tail[end + 2..];
            last_was_word = true;
        } else {
            out.extend_from_slice(rest.as_bytes());
            break;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Received {
    fn head_and_body(&self) -> (String, String) {
        let data = self.data.replace("\r\n", "\n");
        let (h, b) = split_head(&data);
        (h.to_owned(), b.to_owned())
    }

    /// A top-level header, decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let (head, _) = self.head_and_body();
        header_in(&head, name).map(|v| decode_words(&v))
    }

    /// The decoded subject.
    pub fn subject(&self) -> String {
        self.header("Subject").unwrap_or_default()
    }

    /// Is it addressed to `email` (envelope)?
    pub fn is_to(&self, email: &str) -> bool {
        self.to.iter().any(|t| t == email)
    }

    fn part(&self, mime: &str) -> String {
        let (head, body) = self.head_and_body();
        let ctype = header_in(&head, "Content-Type").unwrap_or_default();
        let boundary = ctype
            .split("boundary=")
            .nth(1)
            .map(|b| {
                b.trim_matches('"')
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim_matches('"')
                    .to_owned()
            })
            .expect("a multipart message");
        for part in body.split(&format!("--{boundary}")) {
            let part = part.trim_start_matches('\n');
            let (h, b) = split_head(part);
            let ct = header_in(h, "Content-Type").unwrap_or_default();
            if !ct.to_ascii_lowercase().starts_with(mime) {
                continue;
            }
            let cte = header_in(h, "Content-Transfer-Encoding")
                .unwrap_or_default()
                .to_ascii_lowercase();
            let bytes = match cte.as_str() {
                "base64" => b64(b),
                "quoted-printable" => quoted_printable(b),
                _ => b.as_bytes().to_vec(),
            };
            return String::from_utf8(bytes).expect("UTF-8 text");
        }
        panic!("no {mime} part in {}", self.data);
    }

    /// The plain-text part, decoded.
    pub fn text(&self) -> String {
        self.part("text/plain")
    }

    /// The HTML part, decoded.
    pub fn html(&self) -> String {
        self.part("text/html")
    }

    /// The links of the text part that start with `base`.
    pub fn links(&self, base: &str) -> Vec<String> {
        self.text()
            .split_whitespace()
            .filter(|w| w.starts_with(base))
            .map(|w| w.trim_end_matches(['.', ',', ')']).to_owned())
            .collect()
    }
}

#[test]
fn decoders_read_what_lettre_writes() {
    assert_eq!(b64("xJDDoyBuaOG6rW4="), "Đã nhận".as_bytes());
    assert_eq!(
        decode_words("=?utf-8?b?xJDDoyBuaOG6rW4=?= =?utf-8?b?IHPDoW5n?="),
        "Đã nhận sáng"
    );
    assert_eq!(
        String::from_utf8(quoted_printable("=C4=90=C3=A3 nh=\n=E1=BA=ADn")).unwrap(),
        "Đã nhận"
    );
}
