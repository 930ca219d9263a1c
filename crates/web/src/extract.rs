//! Request body extractors whose failures speak our error language:
//! malformed JSON, a wrong content type or a bad form answer with the
//! standard error shape and a stable code instead of axum's plain text.

use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{FromRequest, Request};
use http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// JSON body (`Content-Type: application/json`).
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Content-Type は application/json を指定してください。",
                "Send the body as JSON with Content-Type: application/json.",
            )),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(AppError::bad_request(
                "invalid_json",
                format!("JSONの形式に誤りがあります: {}", e.body_text()),
                format!("The body is not valid JSON: {}", e.body_text()),
            )),
            Err(JsonRejection::JsonDataError(e)) => Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                format!("項目の型または必須項目に誤りがあります: {}", e.body_text()),
                format!(
                    "The body does not have the expected fields: {}",
                    e.body_text()
                ),
            )),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::payload_too_large())
            }
            Err(e) => Err(AppError::bad_request(
                "invalid_body",
                "リクエストの本文を読み取れませんでした。",
                format!("The body could not be read: {}", e.body_text()),
            )),
        }
    }
}

/// URL-encoded form body.
pub struct WebForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for WebForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(WebForm(v)),
            Err(FormRejection::InvalidFormContentType(_)) => Err(AppError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "フォームの送信形式が正しくありません。",
                "The form was not sent as a form.",
            )),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::payload_too_large())
            }
            Err(e) => Err(AppError::bad_request(
                "invalid_form",
                "フォームの内容を読み取れませんでした。",
                format!("The form could not be read: {}", e.body_text()),
            )),
        }
    }
}

/// The first value of `key` in a query string (empty when absent).
pub fn query_value(query: Option<&str>, key: &str) -> String {
    form_pairs(query.unwrap_or_default())
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

/// Decodes `application/x-www-form-urlencoded` text (a query string or a
/// form body) into pairs, keeping repeated keys and their order; `+` is a
/// space and bad percent escapes are kept as they are.
pub fn form_pairs(q: &str) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < b.len() => {
                    let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                    match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        Some(v) => {
                            out.push(v);
                            i += 2;
                        }
                        None => out.push(b'%'),
                    }
                }
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    q.split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k), decode(v))
        })
        .collect()
}
