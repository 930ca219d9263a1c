//! Attachments (仕様書, 図面): type and size limits, content-addressed
//! storage, replacement that keeps the old file, download for signed-in
//! people only.

use musubi_domain::{Access, Principal, authz};
use musubi_storage::{Attachment, NewAttachment, StorageError, TenderId};
use serde_json::json;

use super::{audit, not_found};
use crate::blobs::BlobStore;
use crate::error::{FieldErrors, ServiceError, ServiceResult};
use crate::{RequestCtx, Services};

/// Largest file accepted: 20 MiB (large 図面 PDFs fit; anything larger
/// belongs split into parts).
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;

/// Accepted types: extension, MIME type, and the bytes the file must start
/// with (checked, so a renamed executable is refused).
pub const ALLOWED_TYPES: &[(&str, &str, &[u8])] = &[
    ("pdf", "application/pdf", b"%PDF-"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04",
    ),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        b"PK\x03\x04",
    ),
    ("zip", "application/zip", b"PK\x03\x04"),
    ("doc", "application/msword", b"\xD0\xCF\x11\xE0"),
    ("xls", "application/vnd.ms-excel", b"\xD0\xCF\x11\xE0"),
    ("png", "image/png", b"\x89PNG"),
    ("jpg", "image/jpeg", b"\xFF\xD8\xFF"),
    ("jpeg", "image/jpeg", b"\xFF\xD8\xFF"),
    ("dwg", "image/vnd.dwg", b"AC10"),
    ("dxf", "image/vnd.dxf", b""),
    ("txt", "text/plain", b""),
    ("csv", "text/csv", b""),
];

/// A file as uploaded.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Shown name, e.g. 仕様書; the file name when empty.
    pub title: String,
    pub filename: String,
    pub bytes: Vec<u8>,
    /// The attachment this file replaces.
    pub replaces: Option<i64>,
}

/// The MIME type for `filename` and `bytes`, or the error to show.
pub(super) fn checked_type(filename: &str, bytes: &[u8]) -> ServiceResult<&'static str> {
    let allowed: Vec<&str> = ALLOWED_TYPES.iter().map(|t| t.0).collect();
    let extension = filename
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    let Some((_, mime, magic)) = ALLOWED_TYPES.iter().find(|t| t.0 == extension) else {
        return Err(ServiceError::field(
            "file",
            "attachment_type_refused",
            format!(
                "この形式のファイルは添付できません。添付できる形式：{}",
                allowed.join("、")
            ),
            format!(
                "This file type cannot be attached. Allowed: {}.",
                allowed.join(", ")
            ),
        ));
    };
    let text = mime.starts_with("text/") || extension == "dxf";
    let content_ok = if text {
        std::str::from_utf8(bytes).is_ok() || bytes.iter().all(|b| *b != 0)
    } else {
        bytes.starts_with(magic)
    };
    if !content_ok {
        return Err(ServiceError::field(
            "file",
            "attachment_content_mismatch",
            format!("ファイルの内容が拡張子（.{extension}）と一致しません。"),
            format!("The file's content does not match its extension (.{extension})."),
        ));
    }
    Ok(mime)
}

/// A file name without directories or control characters.
pub(super) fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    base.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_owned()
}

impl Services {
    fn blobs(&self) -> BlobStore {
        BlobStore::in_data_dir(&self.config.data_dir)
    }

    /// Stores a file for the buyer's tender; with `replaces`, the old one
    /// stays listed as superseded.
    pub async fn upload_attachment(
        &self,
        principal: &Principal,
        id: TenderId,
        upload: Upload,
        ctx: &RequestCtx,
    ) -> ServiceResult<i64> {
        let tender = self.own_tender(principal, id).await?;
        if tender.status.is_final() {
            return Err(super::refused_status(
                "tender_not_editable",
                tender.status,
                "終了した案件には添付できません。",
                "Files cannot be attached to a finished tender",
            ));
        }
        let filename = clean_filename(&upload.filename);
        let mut e = FieldErrors::new();
        if filename.is_empty() {
            e.add(
                "file",
                "required",
                "添付するファイルを選択してください。",
                "Please choose a file.",
            );
            return Err(ServiceError::Invalid(e));
        }
        if upload.bytes.is_empty() {
            e.add(
                "file",
                "attachment_empty",
                "空のファイルは添付できません。",
                "The file is empty.",
            );
            return Err(ServiceError::Invalid(e));
        }
        if upload.bytes.len() > MAX_ATTACHMENT_BYTES {
            e.add(
                "file",
                "attachment_too_large",
                format!(
                    "ファイルが大きすぎます（{:.1} MB）。{} MB以下にしてください。",
                    upload.bytes.len() as f64 / 1_048_576.0,
                    MAX_ATTACHMENT_BYTES / 1_048_576
                ),
                format!(
                    "The file is too large; the limit is {} MB.",
                    MAX_ATTACHMENT_BYTES / 1_048_576
                ),
            );
            return Err(ServiceError::Invalid(e));
        }
        let content_type = checked_type(&filename, &upload.bytes)?;
        let title = if upload.title.trim().is_empty() {
            filename.clone()
        } else {
            upload.title.trim().to_owned()
        };
        e.text("title", "資料名", "title", &title, 100);
        e.into_result()?;
        let store = self.blobs();
        let bytes = upload.bytes;
        let sha256 = tokio::task::spawn_blocking(move || store.put(&bytes))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?
            .map_err(|e| ServiceError::Internal(format!("storing the attachment: {e}")))?;
        let size = self.blobs_len(&sha256)?;
        let attachment = NewAttachment {
            title,
            filename,
            content_type: content_type.to_owned(),
            size,
            sha256: sha256.clone(),
            replaces: upload.replaces,
        };
        self.storage
            .add_attachment(
                id,
                &attachment,
                principal.user_id,
                self.clock.now(),
                audit("tender.attach", Some(id), principal, ctx)
                    .detail(json!({ "sha256": sha256, "replaces": upload.replaces })),
            )
            .await
            .map_err(|e| match e {
                StorageError::NotFound => ServiceError::field(
                    "replaces",
                    "attachment_unknown",
                    "差し替える添付ファイルが見つかりません。",
                    "The attachment to replace was not found.",
                ),
                e => e.into(),
            })
    }

    fn blobs_len(&self, sha256: &str) -> ServiceResult<i64> {
        self.blobs()
            .get(sha256)
            .map(|b| b.len() as i64)
            .map_err(|e| ServiceError::Internal(format!("reading attachment {sha256}: {e}")))
    }

    /// A tender's attachments (superseded ones included), if the viewer may
    /// see the tender.
    pub async fn attachments_for(
        &self,
        principal: Option<&Principal>,
        id: TenderId,
    ) -> ServiceResult<Vec<Attachment>> {
        self.tender_for(principal, id).await?;
        Ok(self.storage.attachments(id).await?)
    }

    /// The file, for signed-in people who may see the tender.
    pub async fn download_attachment(
        &self,
        principal: &Principal,
        id: TenderId,
        attachment: i64,
    ) -> ServiceResult<(Attachment, Vec<u8>)> {
        authz::check(Some(principal), Access::SignedIn)?;
        self.tender_for(Some(principal), id).await?;
        let a = self
            .storage
            .attachment(id, attachment)
            .await?
            .ok_or_else(not_found)?;
        let store = self.blobs();
        let digest = a.sha256.clone();
        let bytes = tokio::task::spawn_blocking(move || store.get(&digest))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?
            .map_err(|e| ServiceError::Internal(format!("reading attachment {}: {e}", a.sha256)))?;
        Ok((a, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_checked_by_extension_and_content() {
        assert_eq!(
            checked_type("仕様書.PDF", b"%PDF-1.7 ...").unwrap(),
            "application/pdf"
        );
        assert!(checked_type("仕様書.pdf", b"MZ\x90\x00").is_err());
        assert!(checked_type("setup.exe", b"MZ").is_err());
        assert!(checked_type("noextension", b"%PDF-").is_err());
        assert_eq!(
            checked_type("質問.txt", "テキスト".as_bytes()).unwrap(),
            "text/plain"
        );
        assert_eq!(clean_filename("C:\\Users\\a\\図面.pdf"), "図面.pdf");
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
    }
}
