//! Static assets, embedded in the binary (so it runs from any working
//! directory) and served under `/static/{name}`.
//!
//! Each asset has an ETag (FNV-1a 64 hash of its content, computed at
//! compile time): `If-None-Match` answers 304. Pages link assets as
//! `/static/{name}?v={hash}` ([`url`]); such versioned requests are cached
//! for a year as immutable, unversioned ones for five minutes.

use axum::extract::{Path, RawQuery};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderMap, HeaderValue, StatusCode, header};

use http::Method;
use musubi_domain::Access;

use crate::error::AppError;
use crate::routes::{RouteDef, route};

pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
    pub hash: u64,
}

macro_rules! asset {
    ($name:literal, $content_type:literal) => {{
        const BYTES: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/", $name));
        Asset {
            name: $name,
            content_type: $content_type,
            bytes: BYTES,
            hash: fnv1a64(BYTES),
        }
    }};
}

pub static ASSETS: &[Asset] = &[
    asset!("musubi.css", "text/css; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
];

/// FNV-1a, 64 bits: a content fingerprint, not a security measure.
pub const fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

pub fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

impl Asset {
    pub fn version(&self) -> String {
        format!("{:016x}", self.hash)
    }

    /// A weak validator: the compression layer may gzip the body, so the
    /// bytes on the wire are not always the same representation.
    pub fn etag(&self) -> String {
        format!("W/\"{}\"", self.version())
    }
}

/// The versioned URL of an embedded asset.
///
/// # Panics
/// If `name` is not an embedded asset (a programming error).
pub fn url(name: &str) -> String {
    let asset = find(name).unwrap_or_else(|| panic!("unknown asset {name}"));
    format!("/static/{}?v={}", asset.name, asset.version())
}

pub fn routes() -> Vec<RouteDef> {
    vec![route(
        Method::GET,
        "/static/{name}",
        Access::Public,
        get(serve_asset),
    )]
}

/// Whether an `If-None-Match` value matches `etag` (weak comparison).
fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.trim_start_matches("W/") == etag.trim_start_matches("W/")
    })
}

/// `GET /static/{name}`.
pub async fn serve_asset(
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let asset = find(&name).ok_or_else(AppError::not_found)?;
    let etag = asset.etag();
    let versioned = query.as_deref().is_some_and(|q| {
        q.split('&')
            .any(|pair| pair.strip_prefix("v=") == Some(asset.version().as_str()))
    });
    let cache_control = if versioned {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    let mut res = if headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| etag_matches(v, &etag))
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut res = asset.bytes.into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
        );
        res
    };
    let h = res.headers_mut();
    h.insert(
        header::ETAG,
        HeaderValue::try_from(etag).expect("hex is a valid header value"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_known_values() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn if_none_match() {
        assert!(etag_matches("\"abc\"", "\"abc\""));
        assert!(etag_matches("W/\"abc\"", "\"abc\""));
        assert!(etag_matches("\"abc\"", "W/\"abc\""));
        assert!(etag_matches("\"x\", \"abc\"", "\"abc\""));
        assert!(etag_matches("*", "\"abc\""));
        assert!(!etag_matches("\"abd\"", "\"abc\""));
    }

    #[test]
    fn urls_are_versioned() {
        let u = url("musubi.css");
        assert!(u.starts_with("/static/musubi.css?v="));
        assert_eq!(u.len(), "/static/musubi.css?v=".len() + 16);
    }
}
