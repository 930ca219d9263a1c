//! One error type for the whole web layer, modelled on crates.io's
//! `util/errors.rs`: every error has an HTTP status, a stable snake_case
//! `code` (for clients and logs) and a message in Japanese and in English.
//!
//! Handlers return `Result<_, AppError>`. [`AppError::into_response`] does not
//! know the request, so it only marks the response; the
//! [`crate::middleware::render_errors`] middleware then renders it as JSON
//! (`{"error":{"code":…,"message":…}}`) for paths under `/api/`, and as an
//! HTML page in the user's language otherwise.

use std::borrow::Cow;

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use musubi_storage::StorageError;

use crate::i18n::Lang;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError {
    status: StatusCode,
    code: &'static str,
    message_ja: Cow<'static, str>,
    message_en: Cow<'static, str>,
    /// Field-level problems: (field, Japanese, English).
    fields: Vec<(String, String, String)>,
    /// The stable code of each field-level problem: (field, code).
    field_codes: Vec<(String, &'static str)>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// An error with its own status, code and messages.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message_ja: impl Into<Cow<'static, str>>,
        message_en: impl Into<Cow<'static, str>>,
    ) -> Self {
        debug_assert!(
            code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "error codes are snake_case"
        );
        AppError {
            status,
            code,
            message_ja: message_ja.into(),
            message_en: message_en.into(),
            fields: Vec::new(),
            field_codes: Vec::new(),
        }
    }

    /// Adds field-level messages (shown beside the fields, listed in the API).
    pub fn with_fields(mut self, fields: Vec<(String, String, String)>) -> Self {
        self.fields = fields;
        self
    }

    /// Adds the stable code of each field-level problem (listed in the API
    /// as `field_codes`).
    pub fn with_field_codes(mut self, codes: Vec<(String, &'static str)>) -> Self {
        self.field_codes = codes;
        self
    }

    pub fn bad_request(
        code: &'static str,
        message_ja: impl Into<Cow<'static, str>>,
        message_en: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message_ja, message_en)
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "お探しのページは見つかりませんでした。URLに誤りがないか、ご確認ください。",
            "The page you requested could not be found. Please check the address.",
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "このURLでは、要求された操作を利用できません。",
            "This address does not support the requested method.",
        )
    }

    pub fn payload_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "送信されたデータが上限を超えています。データの大きさをご確認のうえ、再度お試しください。",
            "The data you sent exceeds the size limit. Please check its size and try again.",
        )
    }

    pub fn conflict() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "conflict",
            "他の処理と競合したため、処理を完了できませんでした。再度お試しください。",
            "The request conflicted with another change and could not be completed. Please try again.",
        )
    }

    /// The request took longer than [`crate::WebConfig::request_timeout`].
    pub fn timeout() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "処理に時間がかかりすぎたため、中断しました。しばらく時間をおいてから、再度お試しください。",
            "The request took too long and was stopped. Please try again later.",
        )
    }

    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "ただいまサービスをご利用いただけません。しばらく時間をおいてから、再度お試しください。",
            "The service is temporarily unavailable. Please try again later.",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "システムエラーが発生しました。しばらく時間をおいてから、再度お試しください。",
            "A system error occurred. Please try again later.",
        )
    }

    /// A generic error for a bare status produced outside a handler (e.g. an
    /// empty 405 from the router or a 413 from the body limit).
    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::not_found(),
            StatusCode::METHOD_NOT_ALLOWED => Self::method_not_allowed(),
            StatusCode::PAYLOAD_TOO_LARGE => Self::payload_too_large(),
            StatusCode::CONFLICT => Self::conflict(),
            StatusCode::REQUEST_TIMEOUT | StatusCode::GATEWAY_TIMEOUT => Self::timeout(),
            StatusCode::SERVICE_UNAVAILABLE => Self::unavailable(),
            s if s.is_client_error() => Self::new(
                s,
                "bad_request",
                "リクエストの内容に誤りがあります。",
                "The request is not valid.",
            ),
            _ => Self::internal(),
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.message_ja,
            Lang::En => &self.message_en,
        }
    }

    /// The JSON body: `{"error":{"code":…,"message":…,"fields":{…},"field_codes":{…}}}`
    /// (`fields` only when there are field-level problems: one message per
    /// field, several problems of one field joined; `field_codes` lists
    /// each field's codes).
    pub fn to_json(&self, lang: Lang) -> serde_json::Value {
        use serde_json::{Map, Value};
        let mut error = serde_json::json!({ "code": self.code, "message": self.message(lang) });
        if !self.fields.is_empty() {
            let mut fields: Map<String, Value> = Map::new();
            for (f, ja, en) in &self.fields {
                let m = if lang == Lang::Ja { ja } else { en };
                match fields.get_mut(f) {
                    Some(Value::String(s)) => {
                        if lang == Lang::En {
                            s.push(' ');
                        }
                        s.push_str(m);
                    }
                    _ => {
                        fields.insert(f.clone(), Value::String(m.clone()));
                    }
                }
            }
            error["fields"] = Value::Object(fields);
        }
        if !self.field_codes.is_empty() {
            let mut codes: Map<String, Value> = Map::new();
            for (f, c) in &self.field_codes {
                if let Value::Array(list) = codes
                    .entry(f.clone())
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    list.push(Value::from(*c));
                }
            }
            error["field_codes"] = Value::Object(codes);
        }
        serde_json::json!({ "error": error })
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message_en)
    }
}

impl std::error::Error for AppError {}

/// Renders English JSON and attaches the error itself, so that
/// `render_errors` can re-render it for the request's path and language.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut res = (self.status, Json(self.to_json(Lang::En))).into_response();
        res.extensions_mut().insert(self);
        res
    }
}

/// Storage failures never leak their details to the client: they are logged
/// here (inside the request span) and mapped to a generic error.
impl From<StorageError> for AppError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Unavailable(_) => {
                tracing::warn!(error = %e, "storage unavailable");
                AppError::unavailable()
            }
            StorageError::NotFound => AppError::not_found(),
            StorageError::Conflict(_) => {
                tracing::info!(error = %e, "storage conflict");
                AppError::conflict()
            }
            e => {
                tracing::error!(error = %e, "storage error");
                AppError::internal()
            }
        }
    }
}

/// Service errors keep their code and messages; denials become 401/403.
impl From<musubi_app::ServiceError> for AppError {
    fn from(e: musubi_app::ServiceError) -> Self {
        use musubi_app::ServiceError as S;
        match e {
            S::Invalid(fields) => AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "入力内容に誤りがあります。各項目をご確認ください。",
                "Some fields are not valid. Please check them.",
            )
            .with_field_codes(
                fields
                    .0
                    .iter()
                    .map(|f| (f.field.to_owned(), f.code))
                    .collect(),
            )
            .with_fields(
                fields
                    .0
                    .into_iter()
                    .map(|f| (f.field.to_owned(), f.message_ja, f.message_en))
                    .collect(),
            ),
            S::Denied(d) => {
                let status = if d == musubi_domain::Denial::SignInRequired {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::FORBIDDEN
                };
                AppError::new(status, d.code(), d.message_ja(), d.message_en())
            }
            S::NotFound => AppError::not_found(),
            S::Refused {
                status,
                code,
                message_ja,
                message_en,
            } => AppError::new(
                StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
                code,
                message_ja,
                message_en,
            ),
            S::Storage(e) => e.into(),
            S::Internal(msg) => {
                tracing::error!(error = %msg, "internal error");
                AppError::internal()
            }
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        tracing::error!(error = %e, "template rendering failed");
        AppError::internal()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_errors_do_not_leak() {
        let e = AppError::from(StorageError::Unavailable("secret host 10.0.0.1".into()));
        assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.code(), "service_unavailable");
        assert!(!e.message(Lang::En).contains("secret"));

        let e = AppError::from(StorageError::Corrupt {
            field: "jobs.payload",
            message: "bad json".into(),
        });
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(e.code(), "internal_error");
        assert!(!e.message(Lang::Ja).contains("jobs"));
    }

    #[test]
    fn json_shape() {
        let v = AppError::not_found().to_json(Lang::Ja);
        assert_eq!(v["error"]["code"], "not_found");
        assert!(v["error"]["message"].as_str().unwrap().contains("ページ"));
        assert_eq!(v.as_object().unwrap().len(), 1);
    }

    #[test]
    fn field_codes_and_several_problems_of_one_field() {
        let mut f = musubi_app::FieldErrors::new();
        f.add(
            "eligibility",
            "eligibility_location",
            "所在地。",
            "Location.",
        );
        f.add("eligibility", "eligibility_grade", "等級。", "Grade.");
        f.add("title", "required", "件名。", "Title.");
        let e = AppError::from(musubi_app::ServiceError::Invalid(f));
        let v = e.to_json(Lang::Ja);
        assert_eq!(v["error"]["fields"]["eligibility"], "所在地。等級。");
        assert_eq!(
            v["error"]["field_codes"]["eligibility"],
            serde_json::json!(["eligibility_location", "eligibility_grade"])
        );
        assert_eq!(
            v["error"]["field_codes"]["title"],
            serde_json::json!(["required"])
        );
        assert_eq!(
            e.to_json(Lang::En)["error"]["fields"]["eligibility"],
            "Location. Grade."
        );
    }

    #[test]
    fn into_response_carries_the_error() {
        let res = AppError::payload_too_large().into_response();
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(
            res.extensions().get::<AppError>().map(AppError::code),
            Some("payload_too_large")
        );
    }
}
