//! The W3C WebDriver protocol on the wire: JSON over HTTP to chromedriver.

use std::fmt;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

/// The key under which W3C WebDriver returns an element reference.
pub(super) const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One chromedriver's HTTP endpoint.
#[derive(Clone)]
pub(super) struct Wire {
    http: reqwest::Client,
    /// `http://127.0.0.1:<port>`
    root: String,
}

/// A failed WebDriver command.
#[derive(Debug, Clone)]
pub(super) enum WdError {
    /// No answer: connection refused, timeout, a body that is not JSON.
    Transport(String),
    /// chromedriver answered with a W3C error (`no such element`, …).
    Driver { error: String, message: String },
}

impl WdError {
    /// The W3C error code (`"no such element"`, …), if chromedriver gave one.
    pub(super) fn code(&self) -> Option<&str> {
        match self {
            WdError::Driver { error, .. } => Some(error),
            WdError::Transport(_) => None,
        }
    }
}

impl fmt::Display for WdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WdError::Transport(m) => write!(f, "no answer from chromedriver: {m}"),
            WdError::Driver { error, message } => {
                // chromedriver repeats a long "(Session info: …)" tail; the first line is enough.
                let first = message.lines().next().unwrap_or_default();
                write!(f, "{error}: {first}")
            }
        }
    }
}

impl Wire {
    pub(super) fn new(port: u16) -> Wire {
        let http = reqwest::Client::builder()
            // Longer than the page-load timeout we give the session, so that a
            // slow page reports chromedriver's own error, not ours.
            .timeout(Duration::from_secs(90))
            .connect_timeout(Duration::from_secs(5))
            .no_proxy()
            .build()
            .expect("build the WebDriver HTTP client");
        Wire {
            http,
            root: format!("http://127.0.0.1:{port}"),
        }
    }

    pub(super) fn root(&self) -> &str {
        &self.root
    }

    /// Sends one command; `Ok` holds the response's `value`.
    pub(super) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, WdError> {
        let url = format!("{}{path}", self.root);
        let mut req = self.http.request(method.clone(), &url);
        if method == Method::POST {
            // WebDriver wants a JSON object on every POST, even an empty one.
            req = req.json(&body.unwrap_or_else(|| json!({})));
        }
        let resp = req
            .send()
            .await
            .map_err(|e| WdError::Transport(format!("{method} {path}: {e}")))?;
        let status = resp.status();
        let text = resp
            .text()
            .await
            .map_err(|e| WdError::Transport(format!("{method} {path}: {e}")))?;
        let mut json: Value = serde_json::from_str(&text).map_err(|e| {
            WdError::Transport(format!(
                "{method} {path}: HTTP {status}, not JSON ({e}): {text:.300}"
            ))
        })?;
        let value = json
            .get_mut("value")
            .map(Value::take)
            .unwrap_or(Value::Null);
        if let Some(error) = value.get("error").and_then(Value::as_str) {
            return Err(WdError::Driver {
                error: error.to_owned(),
                message: value
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            });
        }
        if !status.is_success() {
            return Err(WdError::Transport(format!(
                "{method} {path}: HTTP {status}: {text:.300}"
            )));
        }
        Ok(value)
    }

    pub(super) async fn get(&self, path: &str) -> Result<Value, WdError> {
        self.call(Method::GET, path, None).await
    }

    pub(super) async fn post(&self, path: &str, body: Value) -> Result<Value, WdError> {
        self.call(Method::POST, path, Some(body)).await
    }

    pub(super) async fn delete(&self, path: &str) -> Result<Value, WdError> {
        self.call(Method::DELETE, path, None).await
    }
}

/// Decodes standard base64 (with or without padding; whitespace ignored), as
/// WebDriver returns screenshots. `None` on a character outside the alphabet.
pub(super) fn base64_decode(input: &str) -> Option<Vec<u8>> {
    fn sextet(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in input.bytes() {
        if c.is_ascii_whitespace() {
            continue;
        }
        if c == b'=' {
            break;
        }
        acc = (acc << 6) | sextet(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::base64_decode;

    #[test]
    fn decodes_base64() {
        assert_eq!(base64_decode("").unwrap(), b"");
        assert_eq!(base64_decode("Zg==").unwrap(), b"f");
        assert_eq!(base64_decode("Zm8=").unwrap(), b"fo");
        assert_eq!(base64_decode("Zm9v").unwrap(), b"foo");
        assert_eq!(base64_decode("Zm9vYmFy").unwrap(), b"foobar");
        assert_eq!(base64_decode("Zm9v\nYmE=").unwrap(), b"fooba");
        assert_eq!(base64_decode("iVBORw0KGgo=").unwrap(), b"\x89PNG\r\n\x1a\n");
        assert!(base64_decode("Zm9v!").is_none());
    }
}
