//! A bid's attachments: the 内訳書 of a quotation or sealed bid, the
//! documents of a proposal. They are part of the sealed bid:
//!
//! - each file is encrypted under the tender's data key, bound to the
//!   tender, round and bidder like the bid itself, and only that ciphertext
//!   goes to the blob store — never the file in the clear;
//! - its name, type, size and SHA-256 live inside the sealed content, and
//!   the digests are in the commitment (`attachments_sha256`, in upload
//!   order), so nobody learns even the file names before the opening and the
//!   opening proves the files are those submitted;
//! - the bidder alone gets the list (names and digests) with its receipt.
//!
//! After the opening the record lists each file, and it can be downloaded
//! (decrypted on the fly and checked against its digest) by:
//!
//! - anyone, for a quotation or sealed bid: Japanese bodies publish the
//!   入札書内訳書 (工事費内訳書) with the amounts after the opening — the
//!   breakdown is what lets others see that a price was really estimated
//!   (the point of demanding it: to deter 談合 and reckless low bids), so it
//!   is as public as the amount it explains;
//! - the buyer and the bidder only, for a proposal or need: a proposal's
//!   documents (the 企画提案書 itself) carry the bidder's know-how and are
//!   withheld from publication, as Japanese bodies do (情報公開 exempts
//!   法人等の競争上の地位を害するおそれのある情報); the public sees their
//!   names and digests in the record, and the proposal's short text, which
//!   the record publishes as before.

use musubi_domain::Principal;
use musubi_domain::tender::TenderKind;
use musubi_storage::{BidState, TenderId};
use serde::{Deserialize, Serialize};

use super::SealedContent;
use crate::Services;
use crate::blobs::BlobStore;
use crate::error::{FieldError, FieldErrors, ServiceError, ServiceResult};
use crate::sealing::{BidAad, TenderKey};
use crate::tenders::attachments::{checked_type, clean_filename};
use crate::tenders::not_found;

/// Files a quotation or sealed bid may carry: one, the 内訳書.
pub const MAX_BID_FILES_PRICED: usize = 1;
/// Files a proposal may carry.
pub const MAX_BID_FILES_PROPOSAL: usize = 5;
/// The largest file, as for a tender's own attachments.
pub const MAX_BID_FILE_BYTES: usize = crate::tenders::MAX_ATTACHMENT_BYTES;
/// All files of one bid together: they are sealed in memory.
pub const MAX_BID_FILES_TOTAL_BYTES: usize = 40 * 1024 * 1024;

/// A file as uploaded with a bid.
#[derive(Debug, Clone)]
pub struct BidFile {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// A checked file: its clean name, its type and its bytes.
#[derive(Debug)]
pub(super) struct CheckedFile {
    name: String,
    content_type: &'static str,
    bytes: Vec<u8>,
}

/// An attachment as the sealed content keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct SealedFile {
    pub name: String,
    pub content_type: String,
    pub size: i64,
    /// SHA-256 of the file (64 lower-case hex digits), as committed.
    pub sha256: String,
    /// The blob holding the file sealed under the tender key.
    pub blob: String,
}

/// An attachment as the bidder's receipt and the opening record list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BidAttachment {
    /// 1, 2, … in upload order (the order of the commitment).
    pub index: usize,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

/// The list shown to the bidder and published at the opening.
pub(super) fn listed(files: &[SealedFile]) -> Vec<BidAttachment> {
    files
        .iter()
        .enumerate()
        .map(|(i, f)| BidAttachment {
            index: i + 1,
            name: f.name.clone(),
            content_type: f.content_type.clone(),
            size: f.size,
            sha256: f.sha256.clone(),
        })
        .collect()
}

fn priced(kind: TenderKind) -> bool {
    matches!(kind, TenderKind::Rfq | TenderKind::SealedBid)
}

/// Checks the files for a bid of `kind`: how many, their sizes and types.
/// Every problem is reported on the field `attachments`, naming the file.
pub(super) fn check_files(
    kind: TenderKind,
    files: Vec<BidFile>,
) -> ServiceResult<Vec<CheckedFile>> {
    let mut e = FieldErrors::new();
    let files: Vec<BidFile> = files
        .into_iter()
        .filter(|f| !(f.filename.trim().is_empty() && f.bytes.is_empty()))
        .collect();
    let max = if priced(kind) {
        MAX_BID_FILES_PRICED
    } else {
        MAX_BID_FILES_PROPOSAL
    };
    if files.len() > max {
        e.add(
            "attachments",
            "too_many_attachments",
            if priced(kind) {
                "添付できる内訳書は1ファイルです。複数の資料はZIP形式にまとめてください。"
                    .to_owned()
            } else {
                format!("添付できるファイルは{max}件までです。")
            },
            format!("At most {max} file(s) may be attached."),
        );
    }
    let total: usize = files.iter().map(|f| f.bytes.len()).sum();
    if total > MAX_BID_FILES_TOTAL_BYTES {
        let mb = MAX_BID_FILES_TOTAL_BYTES / 1_048_576;
        e.add(
            "attachments",
            "attachments_too_large",
            format!("添付ファイルの合計が大きすぎます。合計{mb} MB以下にしてください。"),
            format!("The files are too large together; the limit is {mb} MB in all."),
        );
    }
    let mut checked = Vec::with_capacity(files.len());
    for f in files {
        let name = clean_filename(&f.filename);
        let label = if name.is_empty() {
            "（名前なし）"
        } else {
            &name
        };
        let mut problem = |code: &'static str, ja: String, en: String| {
            e.0.push(FieldError {
                field: "attachments",
                code,
                message_ja: format!("{label}：{ja}"),
                message_en: format!("{label}: {en}"),
            });
        };
        if f.bytes.is_empty() {
            problem(
                "attachment_empty",
                "空のファイルは添付できません。".into(),
                "the file is empty.".into(),
            );
            continue;
        }
        if f.bytes.len() > MAX_BID_FILE_BYTES {
            let mb = MAX_BID_FILE_BYTES / 1_048_576;
            problem(
                "attachment_too_large",
                format!("ファイルが大きすぎます。1ファイル{mb} MB以下にしてください。"),
                format!("the file is larger than {mb} MB."),
            );
            continue;
        }
        match checked_type(&name, &f.bytes) {
            Ok(content_type) => checked.push(CheckedFile {
                name,
                content_type,
                bytes: f.bytes,
            }),
            Err(ServiceError::Invalid(errors)) => {
                for err in errors.0 {
                    problem(err.code, err.message_ja, err.message_en);
                }
            }
            Err(other) => return Err(other),
        }
    }
    e.into_result()?;
    Ok(checked)
}

impl Services {
    fn bid_blobs(&self) -> BlobStore {
        BlobStore::in_data_dir(&self.config.data_dir)
    }

    /// Seals each file under the tender key and stores the ciphertext.
    pub(super) async fn seal_files(
        &self,
        key: &TenderKey,
        aad: &BidAad,
        files: Vec<CheckedFile>,
    ) -> ServiceResult<Vec<SealedFile>> {
        let mut sealed = Vec::with_capacity(files.len());
        for f in files {
            let sha256 = BlobStore::digest(&f.bytes);
            let size = f.bytes.len() as i64;
            // The same binding as the bid's content: a file moved to another
            // bid does not open, and its digest is checked when it is read.
            let ciphertext = key.seal(&f.bytes, aad);
            let store = self.bid_blobs();
            let blob = tokio::task::spawn_blocking(move || store.put(&ciphertext))
                .await
                .map_err(|e| ServiceError::Internal(e.to_string()))?
                .map_err(|e| ServiceError::Internal(format!("storing a sealed attachment: {e}")))?;
            sealed.push(SealedFile {
                name: f.name,
                content_type: f.content_type.to_owned(),
                size,
                sha256,
                blob,
            });
        }
        Ok(sealed)
    }

    /// Attachment `index` (1-based) of bid `bid` of tender `id`, after its
    /// round was opened, for those the module's rule allows; 404 before.
    pub async fn bid_attachment(
        &self,
        principal: Option<&Principal>,
        id: TenderId,
        bid: i64,
        index: usize,
    ) -> ServiceResult<(BidAttachment, Vec<u8>)> {
        let tender = self.tender_for(principal, id).await?;
        let b = self.storage.bid(bid).await?.ok_or_else(not_found)?;
        let opened = self.storage.opened_rounds(id).await?;
        // Before its round is opened nothing of a bid exists for anyone,
        // its bidder included; a withdrawn bid is never opened.
        if b.tender_id != id || b.round > opened || b.state != BidState::Submitted {
            return Err(not_found());
        }
        let own = principal.and_then(Principal::org_id) == Some(b.bidder);
        if !priced(tender.content.kind) && !own && !Self::is_buyer_of(principal, &tender) {
            return Err(ServiceError::refused(
                403,
                "attachment_not_public",
                "企画提案等の添付書類は、発注機関と提出した事業者のみが閲覧できます。",
                "A proposal's documents are open to the buyer and the bidder only.",
            ));
        }
        let keys = self.bid_keys()?;
        let key = self.tender_key(&keys, id).await?;
        let aad = BidAad {
            tender_id: id,
            round: b.round,
            bidder_org_id: b.bidder,
        };
        let content: SealedContent = key
            .open(&b.sealed, &aad)
            .ok()
            .and_then(|p| serde_json::from_slice(&p).ok())
            .ok_or_else(not_found)?;
        let file = index
            .checked_sub(1)
            .and_then(|i| content.attachments.get(i))
            .cloned()
            .ok_or_else(not_found)?;
        let store = self.bid_blobs();
        let blob = file.blob.clone();
        let ciphertext = tokio::task::spawn_blocking(move || store.get(&blob))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?
            .map_err(|e| ServiceError::Internal(format!("reading attachment of bid {bid}: {e}")))?;
        let bytes = key
            .open(&ciphertext, &aad)
            .ok()
            .filter(|bytes| BlobStore::digest(bytes) == file.sha256)
            .ok_or_else(|| {
                ServiceError::Internal(format!(
                    "attachment {index} of bid {bid} does not match its committed digest"
                ))
            })?;
        let listed = listed(std::slice::from_ref(&file)).remove(0);
        Ok((BidAttachment { index, ..listed }, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, bytes: &[u8]) -> BidFile {
        BidFile {
            filename: name.into(),
            bytes: bytes.to_vec(),
        }
    }

    fn codes(r: ServiceResult<Vec<CheckedFile>>) -> Vec<&'static str> {
        match r {
            Err(ServiceError::Invalid(f)) => f.0.iter().map(|e| e.code).collect(),
            Ok(_) => vec![],
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn files_are_counted_sized_and_typed() {
        let pdf = "%PDF-1.7 内訳書".as_bytes();
        let ok = check_files(TenderKind::SealedBid, vec![file("C:\\内訳書.pdf", pdf)]).unwrap();
        assert_eq!(ok[0].name, "内訳書.pdf");
        assert_eq!(ok[0].content_type, "application/pdf");
        // An empty file input (no file chosen) is no file.
        assert!(
            check_files(TenderKind::Rfq, vec![file("", b"")])
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            codes(check_files(
                TenderKind::SealedBid,
                vec![file("a.pdf", pdf), file("b.pdf", pdf)]
            )),
            ["too_many_attachments"]
        );
        let five = vec![file("a.pdf", pdf); 5];
        assert_eq!(check_files(TenderKind::Proposal, five).unwrap().len(), 5);
        assert_eq!(
            codes(check_files(
                TenderKind::Proposal,
                vec![file("a.pdf", pdf); 6]
            )),
            ["too_many_attachments"]
        );
        assert_eq!(
            codes(check_files(
                TenderKind::Need,
                vec![
                    file("a.exe", b"MZ"),
                    file("b.pdf", b"MZ"),
                    file("c.pdf", b"")
                ]
            )),
            [
                "attachment_type_refused",
                "attachment_content_mismatch",
                "attachment_empty"
            ]
        );
        let big = vec![0u8; MAX_BID_FILE_BYTES + 1];
        assert_eq!(
            codes(check_files(TenderKind::Rfq, vec![file("a.txt", &big)])),
            ["attachment_too_large"]
        );
        let Err(ServiceError::Invalid(f)) =
            check_files(TenderKind::Rfq, vec![file("setup.exe", b"MZ")])
        else {
            panic!("refused");
        };
        assert_eq!(f.0[0].field, "attachments");
        assert!(f.0[0].message_ja.starts_with("setup.exe："));
    }
}
