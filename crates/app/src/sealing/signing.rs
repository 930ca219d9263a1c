//! Ed25519 signing keys (RFC 8032), for receipts now and the transparency
//! log later. The secret key lives in `<data-dir>/keys/<file>` (32 seed
//! bytes, base64); anyone holding only the 32-byte public key can check a
//! signature with [`verify`].

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use super::error::KeyError;
use super::keys::{KEY_LEN, KEYS_DIR, KeySource, load_or_create_key_file};
use super::{random_bytes, short_id};

/// The receipt (受付票) signing key's file name in `<data-dir>/keys/`.
pub const RECEIPT_SIGNING_KEY_FILE: &str = "receipt-signing.key";
/// Bytes in an Ed25519 public key.
pub const PUBLIC_KEY_LEN: usize = 32;
/// Bytes in an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;

/// An Ed25519 key pair. The secret half is wiped on drop; `Debug` shows only
/// the key id.
pub struct SigningKeyPair {
    key: SigningKey,
    id: String,
    source: KeySource,
}

impl std::fmt::Debug for SigningKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyPair")
            .field("key_id", &self.id)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl SigningKeyPair {
    /// The key in `<data_dir>/keys/<file_name>`, created (mode 0600, random)
    /// if the file does not exist; an existing file is never replaced.
    ///
    /// # Panics
    ///
    /// If `file_name` is not a plain file name (a programming error).
    pub fn load_or_create(data_dir: &Path, file_name: &str) -> Result<SigningKeyPair, KeyError> {
        assert!(
            Path::new(file_name).file_name().and_then(|n| n.to_str()) == Some(file_name),
            "a key file name, not a path: {file_name:?}"
        );
        let path = data_dir.join(KEYS_DIR).join(file_name);
        let (secret, source) = load_or_create_key_file(&path)?;
        Ok(Self::new(&secret, source))
    }

    /// A new random key pair, kept only in memory.
    pub fn generate() -> SigningKeyPair {
        let secret = Zeroizing::new(random_bytes::<KEY_LEN>());
        Self::new(&secret, KeySource::Memory)
    }

    /// The key pair of a 32-byte secret key (RFC 8032 "private key").
    pub fn from_secret_bytes(secret: &[u8; KEY_LEN]) -> SigningKeyPair {
        Self::new(secret, KeySource::Memory)
    }

    fn new(secret: &[u8; KEY_LEN], source: KeySource) -> SigningKeyPair {
        let key = SigningKey::from_bytes(secret);
        let id = short_id(key.verifying_key().as_bytes());
        SigningKeyPair { key, id, source }
    }

    pub fn public_key_bytes(&self) -> [u8; PUBLIC_KEY_LEN] {
        self.key.verifying_key().to_bytes()
    }

    /// The public key in standard base64 with padding (44 characters).
    pub fn public_key_base64(&self) -> String {
        STANDARD.encode(self.public_key_bytes())
    }

    /// The first 8 bytes of SHA-256 of the public key, as 16 hex digits
    /// ([`key_id_of`] the public key).
    pub fn key_id(&self) -> &str {
        &self.id
    }

    /// Where the secret key came from.
    pub fn source(&self) -> &KeySource {
        &self.source
    }

    /// The 64-byte Ed25519 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.key.sign(message).to_bytes()
    }
}

/// The key id of a public key: the first 8 bytes of its SHA-256, as 16 hex
/// digits.
pub fn key_id_of(public_key: &[u8]) -> String {
    short_id(public_key)
}

/// Whether `signature` is `public_key`'s Ed25519 signature of `message`.
/// Strict (RFC 8032 §5.1.7 plus no small-order keys, no malleable
/// signatures); false for wrongly sized or invalid inputs.
pub fn verify(public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let Ok(public_key) = <&[u8; PUBLIC_KEY_LEN]>::try_from(public_key) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(public_key) else {
        return false;
    };
    let Ok(signature) = Signature::from_slice(signature) else {
        return false;
    };
    key.verify_strict(message, &signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sealing::from_hex;

    #[test]
    fn rfc8032_test_1() {
        let secret =
            from_hex::<32>("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
                .unwrap();
        let public =
            from_hex::<32>("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
                .unwrap();
        let signature = from_hex::<64>(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        )
        .unwrap();
        let pair = SigningKeyPair::from_secret_bytes(&secret);
        assert_eq!(pair.public_key_bytes(), public);
        assert_eq!(pair.sign(b""), signature);
        assert!(verify(&public, b"", &signature));
        assert!(!verify(&public, b"x", &signature));
        assert_eq!(pair.key_id(), key_id_of(&public));
        assert_eq!(
            pair.public_key_base64(),
            "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
        );
    }

    #[test]
    fn signs_and_verifies_with_the_public_key_alone() {
        let pair = SigningKeyPair::generate();
        let message = "受付票".as_bytes();
        let signature = pair.sign(message);
        let public = STANDARD.decode(pair.public_key_base64()).unwrap();
        assert!(verify(&public, message, &signature));
        assert!(!verify(&public, b"other", &signature));
        assert!(!verify(
            &SigningKeyPair::generate().public_key_bytes(),
            message,
            &signature
        ));
        let mut bad = signature;
        bad[10] ^= 1;
        assert!(!verify(&public, message, &bad));
        assert!(!verify(&public[..31], message, &signature));
        assert!(!verify(&public, message, &signature[..63]));
        assert!(!verify(&[0; 32], message, &signature));
        assert_eq!(pair.key_id().len(), 16);
        let debug = format!("{pair:?}");
        assert!(
            debug.contains(pair.key_id()) && !debug.contains("SigningKey {"),
            "{debug}"
        );
    }

    #[test]
    fn key_file_is_created_once_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = SigningKeyPair::load_or_create(dir.path(), RECEIPT_SIGNING_KEY_FILE).unwrap();
        let path = dir.path().join("keys").join(RECEIPT_SIGNING_KEY_FILE);
        assert_eq!(first.source(), &KeySource::Created(path.clone()));
        let second = SigningKeyPair::load_or_create(dir.path(), RECEIPT_SIGNING_KEY_FILE).unwrap();
        assert_eq!(second.source(), &KeySource::File(path.clone()));
        assert_eq!(first.public_key_bytes(), second.public_key_bytes());
        assert!(verify(&first.public_key_bytes(), b"m", &second.sign(b"m")));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A different file is a different key.
        let other = SigningKeyPair::load_or_create(dir.path(), "log-signing.key").unwrap();
        assert_ne!(other.public_key_bytes(), first.public_key_bytes());

        std::fs::write(&path, "c2hvcnQ=\n").unwrap();
        let err = SigningKeyPair::load_or_create(dir.path(), RECEIPT_SIGNING_KEY_FILE).unwrap_err();
        assert!(matches!(err, KeyError::FileMalformed { .. }));
        assert!(err.to_string().contains(RECEIPT_SIGNING_KEY_FILE));
    }
}
