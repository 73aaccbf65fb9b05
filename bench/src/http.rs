//! A minimal HTTP/1.1 keep-alive client for loopback benchmarks: one request at a time per
//! connection, the whole answer read (Content-Length or chunked), no TLS, no redirects.

use base64::Engine;
use std::io;
use std::net::SocketAddr;
use tokio::net::TcpStream;

/// One keep-alive HTTP/1.1 connection, one request at a time.
pub struct Conn {
    addr: SocketAddr,
    stream: TcpStream,
    buf: Vec<u8>,
}

/// An answer: its status, its (de-chunked) body, its head, and whether the server closes the
/// connection.
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
    pub close: bool,
    /// The response head (status line and headers), for callers that need a header.
    pub head: String,
}

impl Response {
    /// The value of the first header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.split("\r\n").skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// Every value of header `name` (case-insensitive), e.g. `set-cookie`.
    pub fn headers<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.head.split("\r\n").skip(1).filter_map(move |line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

impl Conn {
    pub async fn open(addr: SocketAddr) -> io::Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            addr,
            stream,
            buf: Vec::with_capacity(4096),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub async fn reopen(&mut self) -> io::Result<()> {
        *self = Conn::open(self.addr).await?;
        Ok(())
    }

    /// Writes `request` (complete bytes) and reads the whole answer.
    pub async fn roundtrip(&mut self, request: &[u8]) -> io::Result<Response> {
        let mut rest = request;
        while !rest.is_empty() {
            match self.stream.try_write(rest) {
                Ok(n) => rest = &rest[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.stream.writable().await?,
                Err(e) => return Err(e),
            }
        }
        self.buf.clear();
        let mut chunk = [0u8; 8192];
        loop {
            self.stream.readable().await?;
            match self.stream.try_read(&mut chunk) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the server closed the connection",
                    ));
                }
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e),
            }
            match parse_response(&self.buf) {
                Ok(Some(response)) => return Ok(response),
                Ok(None) => {}
                Err(message) => return Err(io::Error::new(io::ErrorKind::InvalidData, message)),
            }
        }
    }

    /// A request built from its parts (`Host` and `Content-Length` added), answered in full;
    /// reconnects once when the server had closed the kept-alive connection.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<Response> {
        let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        for (name, value) in headers {
            request.push_str(name);
            request.push_str(": ");
            request.push_str(value);
            request.push_str("\r\n");
        }
        if method != "GET" || !body.is_empty() {
            request.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        request.push_str("\r\n");
        let mut bytes = request.into_bytes();
        bytes.extend_from_slice(body);
        let response = match self.roundtrip(&bytes).await {
            Ok(r) => r,
            Err(_) => {
                self.reopen().await?;
                self.roundtrip(&bytes).await?
            }
        };
        if response.close {
            self.reopen().await?;
        }
        Ok(response)
    }
}

/// Parses a complete response from `buf`, or `None` when more bytes are needed.
pub fn parse_response(buf: &[u8]) -> Result<Option<Response>, String> {
    let Some(head_end) = find(buf, b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| "a non-UTF-8 response head")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut content_length = None;
    let mut chunked = false;
    let mut close = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            content_length = Some(value.parse::<usize>().map_err(|_| "bad content-length")?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        } else if name.eq_ignore_ascii_case("connection") {
            close = value.eq_ignore_ascii_case("close");
        }
    }
    let body_start = head_end + 4;
    let body = &buf[body_start..];
    if chunked {
        return Ok(dechunk(body).map(|body| Response {
            status,
            body,
            close,
            head: head.to_owned(),
        }));
    }
    let length = content_length.unwrap_or(0);
    if body.len() < length {
        return Ok(None);
    }
    Ok(Some(Response {
        status,
        body: body[..length].to_vec(),
        close,
        head: head.to_owned(),
    }))
}

/// The body of a complete chunked encoding, or `None` while it is incomplete.
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = find(data, b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            // Trailers (none expected) end with an empty line.
            return find(data, b"\r\n").map(|_| body);
        }
        if data.len() < size + 2 {
            return None;
        }
        body.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `POST /api/v1/oauth/token` with the client-credentials grant: the access token, or the
/// status and body of the refusal.
pub async fn fetch_token(addr: SocketAddr, client_id: &str, secret: &str) -> Result<String, TokenRefused> {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
    let body = "grant_type=client_credentials";
    let request = format!(
        "POST /api/v1/oauth/token HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Basic {basic}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut conn = Conn::open(addr).await.map_err(|e| TokenRefused {
        status: 0,
        body: e.to_string(),
    })?;
    let response = conn
        .roundtrip(request.as_bytes())
        .await
        .map_err(|e| TokenRefused {
            status: 0,
            body: e.to_string(),
        })?;
    if response.status != 200 {
        return Err(TokenRefused {
            status: response.status,
            body: String::from_utf8_lossy(&response.body).into_owned(),
        });
    }
    let value: serde_json::Value = serde_json::from_slice(&response.body).map_err(|e| TokenRefused {
        status: response.status,
        body: e.to_string(),
    })?;
    value
        .get("access_token")
        .and_then(|t| t.as_str())
        .map(str::to_owned)
        .ok_or_else(|| TokenRefused {
            status: response.status,
            body: "the token answer has no access_token".to_owned(),
        })
}

/// A token request that was not answered with a token (status 0: no answer at all).
#[derive(Debug)]
pub struct TokenRefused {
    pub status: u16,
    pub body: String,
}

impl std::fmt::Display for TokenRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the token request failed: HTTP {}: {}", self.status, self.body)
    }
}

impl std::error::Error for TokenRefused {}
