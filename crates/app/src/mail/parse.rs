//! A small reader for the mail Musubi writes: RFC 5322 headers (unfolded,
//! RFC 2047 encoded-words decoded) and a single-part text body (base64,
//! quoted-printable or 7/8-bit). Enough for the dev mailbox and tests; not a
//! general MIME parser.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use chrono::{DateTime, Utc};

/// Base64 that accepts missing or present padding.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A message, decoded for people.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedMail {
    /// Headers in order, names as written, values unfolded and decoded.
    pub headers: Vec<(String, String)>,
    /// The text body, decoded, with `\n` line ends.
    pub text_body: String,
}

impl ParsedMail {
    pub fn parse(raw: &[u8]) -> ParsedMail {
        let (head, body) = split_head_body(raw);
        let head = String::from_utf8_lossy(head);
        let mut folded: Vec<(String, String)> = Vec::new();
        for line in head.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.starts_with([' ', '\t']) {
                // Unfolding removes the line break and keeps the white space.
                if let Some((_, value)) = folded.last_mut() {
                    value.push_str(line);
                }
            } else if let Some((name, value)) = line.split_once(':') {
                folded.push((name.trim().to_owned(), value.to_owned()));
            }
        }
        let headers: Vec<(String, String)> = folded
            .into_iter()
            .map(|(name, value)| (name, decode_encoded_words(value.trim())))
            .collect();
        let encoding = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("Content-Transfer-Encoding"))
            .map(|(_, v)| v.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let text_body = decode_body(body, &encoding);
        ParsedMail { headers, text_body }
    }

    /// The first header called `name` (case-insensitive), decoded.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `Date` header, if it parses.
    pub fn date(&self) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc2822(self.header("Date")?.trim())
            .ok()
            .map(|d| d.with_timezone(&Utc))
    }
}

fn split_head_body(raw: &[u8]) -> (&[u8], &[u8]) {
    if raw.starts_with(b"\r\n") {
        return (&[], &raw[2..]);
    }
    if raw.starts_with(b"\n") {
        return (&[], &raw[1..]);
    }
    if let Some(i) = find(raw, b"\r\n\r\n") {
        return (&raw[..i], &raw[i + 4..]);
    }
    if let Some(i) = find(raw, b"\n\n") {
        return (&raw[..i], &raw[i + 2..]);
    }
    (raw, &[])
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn decode_body(body: &[u8], encoding: &str) -> String {
    let bytes: Vec<u8> = match encoding {
        "base64" => {
            let compact: Vec<u8> = body
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            BASE64.decode(&compact).unwrap_or_else(|_| body.to_vec())
        }
        "quoted-printable" => {
            // The line break that closes the body is not part of the text.
            let body = strip_final_line_break(body);
            quoted_printable::decode(body, quoted_printable::ParseMode::Robust)
                .unwrap_or_else(|_| body.to_vec())
        }
        _ => strip_final_line_break(body).to_vec(),
    };
    String::from_utf8_lossy(&bytes).replace("\r\n", "\n")
}

fn strip_final_line_break(body: &[u8]) -> &[u8] {
    body.strip_suffix(b"\r\n")
        .or_else(|| body.strip_suffix(b"\n"))
        .unwrap_or(body)
}

/// Decodes RFC 2047 encoded-words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) in a
/// header value. White space between adjacent encoded-words is dropped, and
/// their bytes are joined before decoding, so a character split across two
/// words survives. Text that is not an encoded-word is kept as it is.
pub fn decode_encoded_words(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    // Bytes of the encoded-words seen since the last plain text, and their charset.
    let mut pending: Vec<u8> = Vec::new();
    let mut pending_charset = String::new();
    let mut rest = value;
    while let Some((start, end, charset, bytes)) = next_encoded_word(rest) {
        let before = &rest[..start];
        let adjacent = !pending.is_empty() && before.chars().all(char::is_whitespace);
        if !adjacent || charset != pending_charset {
            flush(&mut out, &mut pending, &pending_charset);
            if !adjacent {
                out.push_str(before);
            }
            pending_charset = charset;
        }
        pending.extend_from_slice(&bytes);
        rest = &rest[end..];
    }
    flush(&mut out, &mut pending, &pending_charset);
    out.push_str(rest);
    out
}

fn flush(out: &mut String, pending: &mut Vec<u8>, charset: &str) {
    if pending.is_empty() {
        return;
    }
    if matches!(charset, "iso-8859-1" | "latin1" | "windows-1252") {
        out.extend(pending.iter().map(|&b| char::from(b)));
    } else {
        out.push_str(&String::from_utf8_lossy(pending));
    }
    pending.clear();
}

/// The next well-formed encoded-word in `s`: (start, end, charset, bytes).
fn next_encoded_word(s: &str) -> Option<(usize, usize, String, Vec<u8>)> {
    let mut from = 0;
    while let Some(offset) = s[from..].find("=?") {
        let start = from + offset;
        if let Some((len, charset, bytes)) = parse_encoded_word(&s[start..]) {
            return Some((start, start + len, charset, bytes));
        }
        from = start + 2;
    }
    None
}

/// Parses `=?charset?E?text?=` at the start of `s`; returns its length.
fn parse_encoded_word(s: &str) -> Option<(usize, String, Vec<u8>)> {
    let body = s.strip_prefix("=?")?;
    let (charset, body) = body.split_once('?')?;
    let (encoding, body) = body.split_once('?')?;
    let end = body.find("?=")?;
    let text = &body[..end];
    let token = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_graphic());
    if !token(charset) || !(text.is_empty() || token(text)) {
        return None;
    }
    let bytes = match encoding {
        "b" | "B" => BASE64.decode(text).ok()?,
        "q" | "Q" => decode_q(text)?,
        _ => return None,
    };
    let len = 2 + charset.len() + 1 + encoding.len() + 1 + end + 2;
    // RFC 2231 allows a language after the charset: `utf-8*ja`.
    let charset = charset
        .split('*')
        .next()
        .unwrap_or(charset)
        .to_ascii_lowercase();
    Some((len, charset, bytes))
}

fn decode_q(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'_' => out.push(b' '),
            b'=' => {
                let hi = hex(bytes.next()?)?;
                let lo = hex(bytes.next()?)?;
                out.push(hi << 4 | lo);
            }
            b => out.push(b),
        }
    }
    Some(out)
}

fn hex(b: u8) -> Option<u8> {
    char::from(b).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_words() {
        let d = decode_encoded_words;
        assert_eq!(d("plain text"), "plain text");
        assert_eq!(d("=?utf-8?b?57WQ44Gz?= Musubi"), "結び Musubi");
        assert_eq!(d("=?UTF-8?Q?caf=C3=A9_au_lait?="), "café au lait");
        // Adjacent words: the space between them goes; bytes are joined.
        assert_eq!(d("=?utf-8?b?57U=?=\r\n =?utf-8?b?kOOBsw==?="), "結び");
        assert_eq!(d("=?utf-8?b?57WQ?= =?utf-8?b?44Gz?="), "結び");
        // Plain text between words stays.
        assert_eq!(d("=?utf-8?q?a?= and =?utf-8?q?b?="), "a and b");
        assert_eq!(d("=?utf-8*ja?b?57WQ?="), "結");
        assert_eq!(d("=?iso-8859-1?q?=E9t=E9?="), "été");
        // Malformed words are left alone.
        assert_eq!(d("=?utf-8?x?abc?="), "=?utf-8?x?abc?=");
        assert_eq!(d("=?utf-8?q?a b?="), "=?utf-8?q?a b?=");
        assert_eq!(d("1 =? 2"), "1 =? 2");
        assert_eq!(d("=?utf-8?b?!!!?= x"), "=?utf-8?b?!!!?= x");
    }

    #[test]
    fn bodies_and_folded_headers() {
        let raw = b"Subject: =?utf-8?b?44Oh44O844Or?=\r\n =?utf-8?b?44Gu56K66KqN?=\r\n\
X-Long: one\r\n\ttwo\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
caf=C3=A9 =\r\nno break\r\nline 2\r\n";
        let m = ParsedMail::parse(raw);
        assert_eq!(m.header("subject"), Some("メールの確認"));
        assert_eq!(m.header("X-Long"), Some("one\ttwo"));
        assert_eq!(m.text_body, "café no break\nline 2");

        let m = ParsedMail::parse(b"Content-Transfer-Encoding: base64\r\n\r\n5bGx55Sw\r\n5qeY\r\n");
        assert_eq!(m.text_body, "山田様");

        let m = ParsedMail::parse(b"Subject: hi\n\nbody\nmore\n\n");
        assert_eq!(m.header("Subject"), Some("hi"));
        assert_eq!(m.text_body, "body\nmore\n");

        let m = ParsedMail::parse(b"Date: Sun, 22 Nov 2026 09:00:00 +0000\r\n");
        assert_eq!(m.text_body, "");
        assert_eq!(m.date().unwrap().to_rfc3339(), "2026-11-22T09:00:00+00:00");
    }
}
