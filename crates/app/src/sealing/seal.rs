//! Bid contents encrypted at rest under the tender's key.
//!
//! A sealed bid is `0x01 ‖ nonce (24) ‖ ciphertext ‖ tag (16)`
//! (XChaCha20-Poly1305), authenticated together with a [`BidAad`]: the
//! tender, the round (再入札) and the bidder. A blob copied into another
//! bid, round or tender does not open.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use super::error::SealError;
use super::keys::{KEY_LEN, TenderKey};
use super::random_bytes;

pub(super) const NONCE_LEN: usize = 24;
pub(super) const TAG_LEN: usize = 16;

const SEALED_VERSION: u8 = 1;
const SEALED_AAD_DOMAIN: &[u8] = b"musubi-sealed-bid-v1\n";

/// What a sealed bid is bound to: the same values must be given to open it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BidAad {
    pub tender_id: i64,
    /// 1 for the first round, 2… for each 再入札.
    pub round: u32,
    pub bidder_org_id: i64,
}

impl BidAad {
    /// `"musubi-sealed-bid-v1\n" ‖ 0x01 ‖ tender_id (8) ‖ round (4) ‖ bidder_org_id (8)`,
    /// integers big-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut aad = Vec::with_capacity(SEALED_AAD_DOMAIN.len() + 1 + 8 + 4 + 8);
        aad.extend_from_slice(SEALED_AAD_DOMAIN);
        aad.push(SEALED_VERSION);
        aad.extend_from_slice(&self.tender_id.to_be_bytes());
        aad.extend_from_slice(&self.round.to_be_bytes());
        aad.extend_from_slice(&self.bidder_org_id.to_be_bytes());
        aad
    }
}

impl TenderKey {
    /// `plaintext` encrypted and bound to `aad`, with a fresh random nonce:
    /// `0x01 ‖ nonce (24) ‖ ciphertext ‖ tag (16)`.
    pub fn seal(&self, plaintext: &[u8], aad: &BidAad) -> Vec<u8> {
        aead_seal(&self.bytes, &[SEALED_VERSION], &aad.to_bytes(), plaintext)
    }

    /// The plaintext of `sealed`, if it was sealed with this key for exactly
    /// this tender, round and bidder, and not altered since.
    pub fn open(&self, sealed: &[u8], aad: &BidAad) -> Result<Vec<u8>, SealError> {
        const WHAT: &str = "sealed bid";
        let Some(&version) = sealed.first() else {
            return Err(SealError::Truncated { what: WHAT, len: 0 });
        };
        if version != SEALED_VERSION {
            return Err(SealError::UnsupportedVersion {
                what: WHAT,
                version,
            });
        }
        if sealed.len() < 1 + NONCE_LEN + TAG_LEN {
            return Err(SealError::Truncated {
                what: WHAT,
                len: sealed.len(),
            });
        }
        aead_open(&self.bytes, 1, &aad.to_bytes(), sealed).map_err(|()| SealError::Decrypt {
            what: WHAT,
            binding: "tender, round or bidder",
        })
    }
}

/// `header ‖ nonce ‖ ciphertext ‖ tag`, the ciphertext authenticated with `aad`
/// (which should include the header).
pub(super) fn aead_seal(
    key: &[u8; KEY_LEN],
    header: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(key.into());
    let nonce = XNonce::from(random_bytes::<NONCE_LEN>());
    let ciphertext = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad,
            },
        )
        // Only a message over 256 GiB fails.
        .expect("XChaCha20-Poly1305 encrypts any message that fits in memory");
    let mut out = Vec::with_capacity(header.len() + NONCE_LEN + ciphertext.len());
    out.extend_from_slice(header);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext);
    out
}

/// The plaintext of `sealed` (`header ‖ nonce ‖ ciphertext ‖ tag`, the header
/// `header_len` bytes long), or `Err(())` if it does not authenticate.
pub(super) fn aead_open(
    key: &[u8; KEY_LEN],
    header_len: usize,
    aad: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, ()> {
    let rest = sealed.get(header_len..).ok_or(())?;
    if rest.len() < NONCE_LEN + TAG_LEN {
        return Err(());
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let nonce = XNonce::try_from(nonce).map_err(|_| ())?;
    let cipher = XChaCha20Poly1305::new(key.into());
    cipher
        .decrypt(
            &nonce,
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    const AAD: BidAad = BidAad {
        tender_id: 7,
        round: 1,
        bidder_org_id: 1001,
    };

    #[test]
    fn seals_and_opens() {
        let key = TenderKey::generate();
        let bid = "{\"amount_yen\":1500000}".as_bytes();
        let sealed = key.seal(bid, &AAD);
        assert_eq!(sealed.len(), 1 + 24 + bid.len() + 16);
        assert_eq!(sealed[0], 1);
        assert!(!sealed.windows(bid.len()).any(|w| w == bid));
        assert_eq!(key.open(&sealed, &AAD).unwrap(), bid);

        let empty = key.seal(b"", &AAD);
        assert_eq!(empty.len(), 41);
        assert_eq!(key.open(&empty, &AAD).unwrap(), b"");

        let long = vec![0x5a; 100_000];
        assert_eq!(key.open(&key.seal(&long, &AAD), &AAD).unwrap(), long);
    }

    #[test]
    fn nonces_differ_between_seals_of_the_same_bid() {
        let key = TenderKey::generate();
        let (a, b) = (key.seal(b"same", &AAD), key.seal(b"same", &AAD));
        assert_ne!(a[1..25], b[1..25]);
        assert_ne!(a, b);
    }

    #[test]
    fn another_tender_round_bidder_or_key_does_not_open() {
        let key = TenderKey::generate();
        let sealed = key.seal(b"1500000", &AAD);
        let expected = SealError::Decrypt {
            what: "sealed bid",
            binding: "tender, round or bidder",
        };
        for aad in [
            BidAad {
                tender_id: 8,
                ..AAD
            },
            BidAad { round: 2, ..AAD },
            BidAad {
                bidder_org_id: 1002,
                ..AAD
            },
        ] {
            assert_eq!(key.open(&sealed, &aad).unwrap_err(), expected, "{aad:?}");
        }
        assert_eq!(
            TenderKey::generate().open(&sealed, &AAD).unwrap_err(),
            expected
        );
        assert!(
            expected
                .to_string()
                .starts_with("the sealed bid does not open")
        );
    }

    #[test]
    fn any_flipped_bit_or_cut_is_detected() {
        let key = TenderKey::generate();
        let sealed = key.seal(b"1500000", &AAD);
        for i in 0..sealed.len() {
            for bit in [0x01, 0x80] {
                let mut bad = sealed.clone();
                bad[i] ^= bit;
                assert!(key.open(&bad, &AAD).is_err(), "byte {i} bit {bit:#x}");
            }
        }
        assert!(key.open(&sealed[..sealed.len() - 1], &AAD).is_err());
        assert_eq!(
            key.open(&sealed[..40], &AAD).unwrap_err(),
            SealError::Truncated {
                what: "sealed bid",
                len: 40
            }
        );
        assert!(matches!(
            key.open(&[], &AAD),
            Err(SealError::Truncated { len: 0, .. })
        ));
        let mut v9 = sealed.clone();
        v9[0] = 9;
        assert_eq!(
            key.open(&v9, &AAD).unwrap_err(),
            SealError::UnsupportedVersion {
                what: "sealed bid",
                version: 9
            }
        );
    }

    #[test]
    fn aad_layout_is_as_documented() {
        let aad = BidAad {
            tender_id: 0x0102030405060708,
            round: 0x0a0b0c0d,
            bidder_org_id: -2,
        };
        let mut expected = b"musubi-sealed-bid-v1\n\x01".to_vec();
        expected.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        expected.extend_from_slice(&[0x0a, 0x0b, 0x0c, 0x0d]);
        expected.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]);
        assert_eq!(aad.to_bytes(), expected);
    }
}
