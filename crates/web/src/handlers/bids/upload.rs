//! A submission as it arrives — a form, a multipart form with files (the
//! page's form and the API), or JSON (the API) — and an opened bid's
//! attachment as a download.
//!
//! The submission routes take bodies up to [`super::BID_BODY_LIMIT`]; files
//! over [`MAX_BID_FILES_TOTAL_BYTES`] together are refused with 413
//! `attachment_too_large` as soon as they are seen to be too large.

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use musubi_app::tenders::BidInput;
use musubi_app::tenders::bids::{BidFile, MAX_BID_FILES_TOTAL_BYTES};

use crate::WebState;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};

/// What a submission carries.
#[derive(Debug, Default)]
pub struct Submission {
    pub input: BidInput,
    pub files: Vec<BidFile>,
}

/// 413 for files too large together.
pub fn files_too_large() -> AppError {
    let mb = MAX_BID_FILES_TOTAL_BYTES / 1_048_576;
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "attachment_too_large",
        format!("添付ファイルが大きすぎます。添付ファイルは合計{mb} MB以下にしてください。"),
        format!("The files are too large: at most {mb} MB may be attached in all."),
    )
}

fn unreadable(detail: &str) -> AppError {
    AppError::bad_request(
        "invalid_body",
        "送信された内容を読み取れませんでした。もう一度お試しください。",
        format!("The submission could not be read: {detail}"),
    )
}

/// Whether the request is a multipart form.
pub fn is_multipart(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// Reads a multipart submission: the fields `amount`, `lottery_number`,
/// `proposal` and any number of files in `attachments` (the service decides
/// how many are allowed). Other fields (`_csrf`) are ignored.
pub async fn read_multipart(state: &WebState, req: Request) -> AppResult<Submission> {
    let mut form = Multipart::from_request(req, state)
        .await
        .map_err(|e| unreadable(&e.body_text()))?;
    let failed = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            files_too_large()
        } else {
            unreadable(&e.body_text())
        }
    };
    let mut s = Submission::default();
    let mut total = 0usize;
    while let Some(mut field) = form.next_field().await.map_err(failed)? {
        match field.name().unwrap_or_default() {
            "attachments" => {
                let mut file = BidFile {
                    filename: field.file_name().unwrap_or_default().to_owned(),
                    bytes: Vec::new(),
                };
                while let Some(chunk) = field.chunk().await.map_err(failed)? {
                    total += chunk.len();
                    if total > MAX_BID_FILES_TOTAL_BYTES {
                        return Err(files_too_large());
                    }
                    file.bytes.extend_from_slice(&chunk);
                }
                s.files.push(file);
            }
            "amount" => s.input.amount = field.text().await.map_err(failed)?,
            "lottery_number" => s.input.lottery_number = field.text().await.map_err(failed)?,
            "proposal" => s.input.proposal = field.text().await.map_err(failed)?,
            _ => {}
        }
    }
    Ok(s)
}

/// `GET /tenders/{id}/bids/{bid}/attachments/{index}` and its API twin: an
/// opened bid's attachment, decrypted and checked against its committed
/// digest; for anyone (内訳書) or the buyer and the bidder (proposals).
pub async fn download(
    State(state): State<WebState>,
    caller: Caller,
    Path((id, bid, index)): Path<(i64, i64, usize)>,
) -> AppResult<Response> {
    let p = caller.principal();
    let (a, bytes) = state
        .services
        .bid_attachment(p.as_ref(), id, bid, index)
        .await?;
    let mut res = Body::from(bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&a.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) =
        HeaderValue::from_str(&crate::handlers::tenders::content_disposition(bid, &a.name))
    {
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
