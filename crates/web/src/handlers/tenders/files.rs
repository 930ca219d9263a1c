//! Attachments (仕様書, 図面): upload by the buyer — a multipart form from
//! the page or the API, or the raw file with `?filename=&title=` — and
//! download for signed-in people, with the file name in RFC 5987 form.
//!
//! These two routes alone take bodies up to [`UPLOAD_BODY_LIMIT`]; a file
//! over [`MAX_ATTACHMENT_BYTES`] is refused with 413 `attachment_too_large`
//! as soon as it is seen to be too large.

use std::pin::Pin;

use axum::body::{Body, HttpBody as _};
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::{HeaderValue, StatusCode, header};
use musubi_app::tenders::{MAX_ATTACHMENT_BYTES, Upload};
use musubi_app::{RequestCtx, ServiceError};
use musubi_domain::Access;

use super::pages::render_show;
use super::{Failure, attachment_json};
use crate::WebState;
use crate::auth::{Caller, CsrfToken};
use crate::error::{AppError, AppResult};
use crate::extract::query_value;
use crate::views::Chrome;

/// The body limit of the upload routes: the largest file plus room for the
/// multipart framing and the other fields.
pub const UPLOAD_BODY_LIMIT: usize = MAX_ATTACHMENT_BYTES + 1024 * 1024;

/// 413 for a file over [`MAX_ATTACHMENT_BYTES`].
pub fn attachment_too_large() -> AppError {
    let mb = MAX_ATTACHMENT_BYTES / 1_048_576;
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "attachment_too_large",
        format!(
            "添付ファイルが大きすぎます。1ファイルあたり{mb} MB以下にしてください。大きな資料は分割して添付してください。"
        ),
        format!(
            "The file is too large. Each attachment may be at most {mb} MB; split larger documents into parts."
        ),
    )
}

fn unreadable(detail: &str) -> AppError {
    AppError::bad_request(
        "invalid_body",
        "送信されたファイルを読み取れませんでした。もう一度お試しください。",
        format!("The upload could not be read: {detail}"),
    )
}

/// "12" → the attachment to replace; empty → none; otherwise a field error.
fn replaces(raw: &str) -> Result<Option<i64>, ServiceError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse().map(Some).map_err(|_| {
        ServiceError::field(
            "replaces",
            "attachment_unknown",
            "差し替える添付ファイルが見つかりません。",
            "The attachment to replace was not found.",
        )
    })
}

/// Reads the upload: a multipart form (fields `title`, `file`, `replaces`),
/// or the raw file with `?filename=&title=&replaces=`. The outer error is
/// the answer to give at once (too large, unreadable); the inner one a
/// field problem to show beside the form.
async fn receive(state: &WebState, req: Request) -> Result<Result<Upload, ServiceError>, AppError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut upload = Upload {
        title: String::new(),
        filename: String::new(),
        bytes: Vec::new(),
        replaces: None,
    };
    let mut replaces_raw = String::new();
    if multipart {
        let mut form = Multipart::from_request(req, state)
            .await
            .map_err(|e| unreadable(&e.body_text()))?;
        let failed = |e: axum::extract::multipart::MultipartError| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                attachment_too_large()
            } else {
                unreadable(&e.body_text())
            }
        };
        let mut seen_file = false;
        while let Some(mut field) = form.next_field().await.map_err(failed)? {
            match field.name().unwrap_or_default() {
                "file" => {
                    // One file per upload: parts must not be glued together
                    // behind the first part's type check.
                    if std::mem::replace(&mut seen_file, true) {
                        return Err(AppError::bad_request(
                            "attachment_one_file",
                            "一度に添付できるファイルは1つです。",
                            "Attach one file at a time.",
                        ));
                    }
                    upload.filename = field.file_name().unwrap_or_default().to_owned();
                    while let Some(chunk) = field.chunk().await.map_err(failed)? {
                        if upload.bytes.len() + chunk.len() > MAX_ATTACHMENT_BYTES {
                            return Err(attachment_too_large());
                        }
                        upload.bytes.extend_from_slice(&chunk);
                    }
                }
                "title" => upload.title = field.text().await.map_err(failed)?,
                "replaces" => replaces_raw = field.text().await.map_err(failed)?,
                _ => {}
            }
        }
    } else {
        let query = req.uri().query().map(str::to_owned);
        upload.filename = query_value(query.as_deref(), "filename");
        upload.title = query_value(query.as_deref(), "title");
        replaces_raw = query_value(query.as_deref(), "replaces");
        let mut body: Body = req.into_body();
        while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await
        {
            let frame = frame.map_err(|e| {
                if upload.bytes.len() >= MAX_ATTACHMENT_BYTES {
                    attachment_too_large()
                } else {
                    unreadable(&e.to_string())
                }
            })?;
            if let Ok(data) = frame.into_data() {
                if upload.bytes.len() + data.len() > MAX_ATTACHMENT_BYTES {
                    return Err(attachment_too_large());
                }
                upload.bytes.extend_from_slice(&data);
            }
        }
    }
    Ok(replaces(&replaces_raw).map(|r| {
        upload.replaces = r;
        upload
    }))
}

/// An upload's service error for the API: a problem with the file answers
/// with the file's own code (`attachment_type_refused`, …; 413 for
/// `attachment_too_large`).
fn upload_error(e: ServiceError) -> AppError {
    if let ServiceError::Invalid(fields) = &e
        && let Some(f) = fields.get("file").or_else(|| fields.get("replaces"))
        && f.code != "required"
    {
        let status = if f.code == "attachment_too_large" {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return AppError::new(status, f.code, f.message_ja.clone(), f.message_en.clone())
            .with_fields(vec![(
                f.field.to_owned(),
                f.message_ja.clone(),
                f.message_en.clone(),
            )])
            .with_field_codes(vec![(f.field.to_owned(), f.code)]);
    }
    e.into()
}

async fn store(
    state: &WebState,
    caller: &Caller,
    ctx: &RequestCtx,
    id: i64,
    req: Request,
) -> Result<Result<i64, ServiceError>, AppError> {
    let auth = caller.require(Access::ApprovedBuyer)?;
    let upload = match receive(state, req).await? {
        Ok(u) => u,
        Err(e) => return Ok(Err(e)),
    };
    Ok(state
        .services
        .upload_attachment(&auth.principal(), id, upload, ctx)
        .await)
}

/// `POST /tenders/{id}/attachments`: the upload form of the tender page.
pub async fn upload_submit(
    State(state): State<WebState>,
    chrome: Chrome,
    csrf: CsrfToken,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    req: Request,
) -> AppResult<Response> {
    let lang = chrome.lang;
    // A file too large answers 413 with its own page (every 413 is an
    // error page); other problems show the tender page again.
    let result = store(&state, &caller, &ctx, id, req).await?;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/tenders/{id}#attachments")).into_response()),
        Err(e) => {
            let failure = Failure::from_service(lang, "attachment", e, String::new())?;
            render_show(&state, chrome, csrf.0, &caller, id, Some(failure)).await
        }
    }
}

/// `POST /api/v1/tenders/{id}/attachments`.
pub async fn api_upload(
    State(state): State<WebState>,
    caller: Caller,
    ctx: RequestCtx,
    Path(id): Path<i64>,
    req: Request,
) -> AppResult<Response> {
    let auth = caller.require(Access::ApprovedBuyer)?;
    let aid = store(&state, &caller, &ctx, id, req)
        .await?
        .map_err(upload_error)?;
    let list = state
        .services
        .attachments_for(Some(&auth.principal()), id)
        .await?;
    let a = list
        .iter()
        .find(|a| a.id == aid)
        .ok_or_else(AppError::internal)?;
    Ok((StatusCode::CREATED, axum::Json(attachment_json(a))).into_response())
}

/// The `Content-Disposition` of a download: an ASCII name for old clients
/// and the real one as RFC 5987 `filename*`.
pub fn content_disposition(id: i64, filename: &str) -> String {
    let plain = filename
        .chars()
        .all(|c| (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ');
    let ascii = if plain && !filename.is_empty() {
        filename.to_owned()
    } else {
        match filename.rsplit_once('.') {
            Some((_, ext)) if ext.chars().all(|c| c.is_ascii_alphanumeric()) => {
                format!("attachment-{id}.{ext}")
            }
            _ => format!("attachment-{id}"),
        }
    };
    let encoded: String = filename
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'!'
            | b'#'
            | b'$'
            | b'&'
            | b'+'
            | b'-'
            | b'.'
            | b'^'
            | b'_'
            | b'`'
            | b'|'
            | b'~' => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// `GET /tenders/{id}/attachments/{aid}` and its API twin: the file, for
/// signed-in people who may see the tender.
pub async fn download(
    State(state): State<WebState>,
    caller: Caller,
    Path((id, aid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let auth = caller.require(Access::SignedIn)?;
    let (a, bytes) = state
        .services
        .download_attachment(&auth.principal(), id, aid)
        .await?;
    let mut res = Body::from(bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&a.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(a.id, &a.filename)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", a.sha256)) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names() {
        assert_eq!(
            content_disposition(3, "仕様書 第2版.pdf"),
            "attachment; filename=\"attachment-3.pdf\"; filename*=UTF-8''%E4%BB%95%E6%A7%98%E6%9B%B8%20%E7%AC%AC2%E7%89%88.pdf"
        );
        assert_eq!(
            content_disposition(4, "spec.pdf"),
            "attachment; filename=\"spec.pdf\"; filename*=UTF-8''spec.pdf"
        );
        assert_eq!(
            content_disposition(5, "a\"b.txt"),
            "attachment; filename=\"attachment-5.txt\"; filename*=UTF-8''a%22b.txt"
        );
    }

    #[test]
    fn file_problems_answer_with_their_own_code() {
        let e = upload_error(ServiceError::field(
            "file",
            "attachment_type_refused",
            "形式",
            "type",
        ));
        assert_eq!(
            (e.status(), e.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "attachment_type_refused")
        );
        let e = upload_error(ServiceError::field(
            "file",
            "attachment_too_large",
            "大きい",
            "large",
        ));
        assert_eq!(e.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let e = upload_error(ServiceError::field("file", "required", "必須", "required"));
        assert_eq!(e.code(), "validation_failed");
        assert_eq!(attachment_too_large().code(), "attachment_too_large");
    }
}
