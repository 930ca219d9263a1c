//! A plain HTTP/1.1 client for the commands that talk to a running portal:
//! the benchmarks' load clients and `musubi verify` / `musubi audit`.
//!
//! No TLS on purpose (no TLS crate in the binary): an `https://` portal is
//! reached through a local TLS-terminating proxy.

use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// How long one request of `verify`/`audit` may take before it is given up.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A minimal HTTP/1.1 keep-alive client: GET, read the status, the headers
/// and a `Content-Length` or chunked body.
pub(super) struct Conn {
    stream: BufReader<TcpStream>,
    host: String,
}

impl Conn {
    pub(super) async fn open(addr: std::net::SocketAddr) -> Result<Conn> {
        Self::connect(&addr.to_string()).await
    }

    /// Connects to `host:port` (a name is resolved).
    pub(super) async fn connect(host_port: &str) -> Result<Conn> {
        let stream = TcpStream::connect(host_port).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream: BufReader::new(stream),
            host: host_port.to_owned(),
        })
    }

    pub(super) async fn get(&mut self, path: &str) -> Result<u16> {
        Ok(self.get_body(path).await?.0)
    }

    /// GET `path` as a browser would: the status and the body.
    pub(super) async fn get_body(&mut self, path: &str) -> Result<(u16, Vec<u8>)> {
        self.request("GET", path, "text/html", None, None).await
    }

    /// Sends a request (with a bearer token and a JSON body when given) and
    /// reads the status and the body (`Content-Length` or chunks joined).
    pub(super) async fn request(
        &mut self,
        method: &str,
        path: &str,
        accept: &str,
        bearer: Option<&str>,
        json: Option<&str>,
    ) -> Result<(u16, Vec<u8>)> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAccept: {accept}\r\n",
            self.host
        );
        if let Some(token) = bearer {
            head.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        let body = json.unwrap_or_default();
        if json.is_some() {
            head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        head.push_str(body);
        self.stream.get_mut().write_all(head.as_bytes()).await?;
        let mut line = String::new();
        if self.stream.read_line(&mut line).await? == 0 {
            bail!("the server closed the connection");
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| anyhow!("bad status line {line:?}"))?;
        let mut length = None;
        let mut chunked = false;
        loop {
            line.clear();
            if self.stream.read_line(&mut line).await? == 0 {
                bail!("connection closed in the headers");
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let name = name.trim().to_ascii_lowercase();
                if name == "content-length" {
                    length = value.trim().parse::<usize>().ok();
                } else if name == "transfer-encoding"
                    && value.to_ascii_lowercase().contains("chunked")
                {
                    chunked = true;
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.stream.read_line(&mut line).await?;
                let size = usize::from_str_radix(line.trim(), 16)
                    .map_err(|_| anyhow!("bad chunk size {line:?}"))?;
                let mut chunk = vec![0; size + 2];
                self.stream.read_exact(&mut chunk).await?;
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else {
            body = vec![0; length.unwrap_or(0)];
            self.stream.read_exact(&mut body).await?;
        }
        Ok((status, body))
    }
}

/// A portal's address as given on the command line: `http://host[:port][/prefix]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ServerUrl {
    /// `host:port`, the port defaulting to 80.
    pub host_port: String,
    /// The path prefix, without a trailing `/` (empty at the root).
    pub prefix: String,
}

impl ServerUrl {
    pub(super) fn parse(url: &str) -> Result<ServerUrl> {
        let url = url.trim();
        if url
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        {
            bail!(
                "{url}: https is not supported here; run a local TLS-terminating proxy \
                 (e.g. `socat TCP-LISTEN:8080,fork OPENSSL:host:443`) and pass its \
                 http://127.0.0.1:PORT address / https には対応していません。TLS を終端する\
                 ローカルのプロキシを起動し、その http:// のアドレスを指定してください。"
            );
        }
        let rest = url
            .get(..7)
            .filter(|s| s.eq_ignore_ascii_case("http://"))
            .map(|_| &url[7..])
            .ok_or_else(|| {
                anyhow!("{url}: the server must be an http://host:port URL / サーバーは http://ホスト:ポート の形式で指定してください")
            })?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.is_empty() || authority.contains('@') {
            bail!(
                "{url}: no host, or credentials in the URL / ホスト名がないか、URL に認証情報が含まれています"
            );
        }
        let host_port = if authority
            .rsplit_once(':')
            .is_some_and(|(_, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            authority.to_owned()
        } else if authority.ends_with(':') {
            bail!("{url}: the port is missing after ':' / ポート番号がありません");
        } else {
            format!("{authority}:80")
        };
        Ok(ServerUrl {
            host_port,
            prefix: path.trim_end_matches('/').to_owned(),
        })
    }
}

/// A portal's JSON API over one keep-alive connection (reopened once when
/// the server closed it between requests).
pub(super) struct ApiClient {
    url: ServerUrl,
    conn: Option<Conn>,
}

impl ApiClient {
    pub(super) fn new(url: ServerUrl) -> ApiClient {
        ApiClient { url, conn: None }
    }

    /// GET `path` (below the URL's prefix): the status and the JSON body
    /// (`Null` when the body is not JSON).
    pub(super) async fn get_json(&mut self, path: &str) -> Result<(u16, Value)> {
        let full = format!("{}{path}", self.url.prefix);
        let mut last = None;
        for _ in 0..2 {
            let conn = match self.conn.as_mut() {
                Some(c) => c,
                None => {
                    let c = Conn::connect(&self.url.host_port).await.with_context(|| {
                        format!(
                            "cannot connect to {} / サーバーに接続できません",
                            self.url.host_port
                        )
                    })?;
                    self.conn.insert(c)
                }
            };
            let answer = tokio::time::timeout(
                REQUEST_TIMEOUT,
                conn.request("GET", &full, "application/json", None, None),
            )
            .await
            .map_err(|_| anyhow!("GET {full}: no answer within {REQUEST_TIMEOUT:?}"))
            .and_then(|r| r);
            match answer {
                Ok((status, body)) => {
                    let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    return Ok((status, json));
                }
                Err(e) => {
                    self.conn = None;
                    last = Some(e);
                }
            }
        }
        Err(last
            .unwrap_or_else(|| anyhow!("no answer"))
            .context(format!("GET {full}")))
    }

    /// GET `path`, expecting 200 and a JSON body of type `T`.
    pub(super) async fn get_ok<T: serde::de::DeserializeOwned>(&mut self, path: &str) -> Result<T> {
        let (status, body) = self.get_json(path).await?;
        if status != 200 {
            bail!("GET {path}: HTTP {status} {}", error_text(&body));
        }
        serde_json::from_value(body).with_context(|| format!("GET {path}: unexpected answer"))
    }
}

/// The API's `{"error":{"code","message"}}` as one line.
pub(super) fn error_text(body: &Value) -> String {
    match (
        body["error"]["code"].as_str(),
        body["error"]["message"].as_str(),
    ) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls() {
        let u = ServerUrl::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(
            (u.host_port.as_str(), u.prefix.as_str()),
            ("127.0.0.1:8080", "")
        );
        let u = ServerUrl::parse("HTTP://portal.example.jp/musubi/").unwrap();
        assert_eq!(
            (u.host_port.as_str(), u.prefix.as_str()),
            ("portal.example.jp:80", "/musubi")
        );
        let e = ServerUrl::parse("https://portal.example.jp").unwrap_err();
        assert!(e.to_string().contains("TLS-terminating proxy"), "{e}");
        assert!(ServerUrl::parse("portal.example.jp").is_err());
        assert!(ServerUrl::parse("http://").is_err());
        assert!(ServerUrl::parse("http://host:").is_err());
    }
}
