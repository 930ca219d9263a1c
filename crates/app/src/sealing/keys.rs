//! The master key, per-tender data keys and the key files they live in.
//!
//! The master key never enters the database: it comes from
//! `MUSUBI_MASTER_KEY` or `<data-dir>/keys/master.key`. Each tender gets its
//! own random [`TenderKey`]; the database holds it only as a [`WrappedKey`]
//! (encrypted under the master key, bound to the tender id). Formats: see the
//! [module documentation](super).

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD_INDIFFERENT};
use zeroize::Zeroizing;

use super::error::{KeyError, SealError};
use super::seal::{aead_open, aead_seal};
use super::{from_hex, random_bytes, to_hex};

/// The environment variable that, when set, holds the master key.
pub const MASTER_KEY_ENV: &str = "MUSUBI_MASTER_KEY";
/// The directory under the data directory that holds key files.
pub const KEYS_DIR: &str = "keys";
/// The master key's file name in [`KEYS_DIR`].
pub const MASTER_KEY_FILE: &str = "master.key";
/// Bytes in every symmetric key and Ed25519 secret key.
pub const KEY_LEN: usize = 32;

const WRAPPED_VERSION: u8 = 1;
const WRAPPED_AAD_DOMAIN: &[u8] = b"musubi-tender-key-v1\n";
/// Version and master key id.
const WRAPPED_HEADER_LEN: usize = 1 + 8;

/// Where a key came from, for the start-up log ("created … — back it up").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// The named environment variable.
    Environment(&'static str),
    /// An existing key file.
    File(PathBuf),
    /// A key file created just now.
    Created(PathBuf),
    /// Made in memory (tests, tools).
    Memory,
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Environment(var) => write!(f, "environment variable {var}"),
            KeySource::File(path) => write!(f, "{}", path.display()),
            KeySource::Created(path) => write!(f, "{} (created now)", path.display()),
            KeySource::Memory => f.write_str("memory"),
        }
    }
}

/// The key that wraps every tender key. 32 bytes, wiped on drop; `Debug`
/// shows only its id.
pub struct MasterKey {
    bytes: Zeroizing<[u8; KEY_LEN]>,
    id: [u8; 8],
    source: KeySource,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey")
            .field("key_id", &self.key_id())
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl MasterKey {
    /// The master key from `MUSUBI_MASTER_KEY` if it is set, else from
    /// `<data_dir>/keys/master.key`, created if missing.
    pub fn load_or_create(data_dir: &Path) -> Result<MasterKey, KeyError> {
        match std::env::var_os(MASTER_KEY_ENV) {
            None => Self::resolve(None, data_dir),
            Some(value) => match value.to_str() {
                Some(text) => Self::resolve(Some(text), data_dir),
                None => Err(KeyError::EnvNotUnicode {
                    var: MASTER_KEY_ENV,
                }),
            },
        }
    }

    /// [`load_or_create`](Self::load_or_create) with the environment
    /// variable's value given (`None`: not set), so tests leave the process
    /// environment alone. A value that is set is used even if a file exists;
    /// a set but malformed (or empty) value is an error, never a fallback.
    pub fn resolve(env_value: Option<&str>, data_dir: &Path) -> Result<MasterKey, KeyError> {
        match env_value {
            Some(text) => {
                let bytes = parse_key_text(text).ok_or(KeyError::EnvMalformed {
                    var: MASTER_KEY_ENV,
                    chars: text.trim().chars().count(),
                })?;
                Ok(Self::new(bytes, KeySource::Environment(MASTER_KEY_ENV)))
            }
            None => {
                let path = data_dir.join(KEYS_DIR).join(MASTER_KEY_FILE);
                let (bytes, source) = load_or_create_key_file(&path)?;
                Ok(Self::new(bytes, source))
            }
        }
    }

    /// A master key from its bytes (tools and tests).
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> MasterKey {
        Self::new(Zeroizing::new(bytes), KeySource::Memory)
    }

    fn new(bytes: Zeroizing<[u8; KEY_LEN]>, source: KeySource) -> MasterKey {
        let mut id = [0u8; 8];
        id.copy_from_slice(&sha2_prefix(bytes.as_slice()));
        MasterKey { bytes, id, source }
    }

    /// The first 8 bytes of SHA-256 of the key, as 16 hex digits. Recorded in
    /// every [`WrappedKey`] so a wrong master key is named, not guessed.
    pub fn key_id(&self) -> String {
        to_hex(&self.id)
    }

    /// A 32-byte key for another purpose (`label`), derived one way from this
    /// one: it reveals nothing of the master key and needs no file of its own.
    pub fn derive(&self, label: &str) -> [u8; KEY_LEN] {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"musubi-derive-v1\0");
        h.update(label.as_bytes());
        h.update(b"\0");
        h.update(self.bytes.as_slice());
        h.finalize().into()
    }

    /// Where the key came from.
    pub fn source(&self) -> &KeySource {
        &self.source
    }

    /// `tender_key` encrypted under this key, bound to `tender_id` and to
    /// this key's id: `0x01 ‖ key id (8) ‖ nonce (24) ‖ ciphertext (32) ‖ tag (16)`.
    pub fn wrap(&self, tender_key: &TenderKey, tender_id: i64) -> WrappedKey {
        let header = self.wrapped_header();
        let aad = wrapped_aad(&header, tender_id);
        WrappedKey(aead_seal(
            &self.bytes,
            &header,
            &aad,
            tender_key.bytes.as_slice(),
        ))
    }

    /// The tender key in `wrapped`, if it was wrapped by this master key for
    /// `tender_id` and not altered since.
    pub fn unwrap(&self, wrapped: &[u8], tender_id: i64) -> Result<TenderKey, SealError> {
        const WHAT: &str = "wrapped tender key";
        let Some(&version) = wrapped.first() else {
            return Err(SealError::Truncated { what: WHAT, len: 0 });
        };
        if version != WRAPPED_VERSION {
            return Err(SealError::UnsupportedVersion {
                what: WHAT,
                version,
            });
        }
        if wrapped.len()
            != WRAPPED_HEADER_LEN + super::seal::NONCE_LEN + KEY_LEN + super::seal::TAG_LEN
        {
            return Err(SealError::Truncated {
                what: WHAT,
                len: wrapped.len(),
            });
        }
        let header = &wrapped[..WRAPPED_HEADER_LEN];
        if header[1..] != self.id {
            return Err(SealError::WrongMasterKey {
                wrapped_by: to_hex(&header[1..]),
                in_use: self.key_id(),
            });
        }
        let aad = wrapped_aad(header, tender_id);
        let plain = Zeroizing::new(
            aead_open(&self.bytes, WRAPPED_HEADER_LEN, &aad, wrapped).map_err(|()| {
                SealError::Decrypt {
                    what: WHAT,
                    binding: "tender",
                }
            })?,
        );
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        bytes.copy_from_slice(&plain);
        Ok(TenderKey { bytes })
    }

    fn wrapped_header(&self) -> [u8; WRAPPED_HEADER_LEN] {
        let mut header = [0u8; WRAPPED_HEADER_LEN];
        header[0] = WRAPPED_VERSION;
        header[1..].copy_from_slice(&self.id);
        header
    }
}

fn wrapped_aad(header: &[u8], tender_id: i64) -> Vec<u8> {
    let mut aad = Vec::with_capacity(WRAPPED_AAD_DOMAIN.len() + header.len() + 8);
    aad.extend_from_slice(WRAPPED_AAD_DOMAIN);
    aad.extend_from_slice(header);
    aad.extend_from_slice(&tender_id.to_be_bytes());
    aad
}

fn sha2_prefix(bytes: &[u8]) -> [u8; 8] {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    let mut id = [0u8; 8];
    id.copy_from_slice(&digest[..8]);
    id
}

/// One tender's data key: 32 random bytes, wiped on drop. Seals that
/// tender's bids ([`seal`](TenderKey::seal)); stored only wrapped.
pub struct TenderKey {
    pub(super) bytes: Zeroizing<[u8; KEY_LEN]>,
}

impl std::fmt::Debug for TenderKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TenderKey(..)")
    }
}

impl TenderKey {
    /// A new random key.
    pub fn generate() -> TenderKey {
        TenderKey {
            bytes: Zeroizing::new(random_bytes()),
        }
    }
}

/// A tender key encrypted under the master key: the bytes the database keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey(Vec<u8>);

impl WrappedKey {
    /// The stored form.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// The id of the master key that wrapped it, if the header is readable.
    pub fn master_key_id(&self) -> Option<String> {
        match self.0.get(..WRAPPED_HEADER_LEN) {
            Some([WRAPPED_VERSION, id @ ..]) => Some(to_hex(id)),
            _ => None,
        }
    }
}

impl From<Vec<u8>> for WrappedKey {
    fn from(bytes: Vec<u8>) -> Self {
        WrappedKey(bytes)
    }
}

impl AsRef<[u8]> for WrappedKey {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// 32 bytes from base64 (padded or not) or 64 hex digits, surrounding
/// whitespace ignored.
pub(super) fn parse_key_text(text: &str) -> Option<Zeroizing<[u8; KEY_LEN]>> {
    let text = text.trim();
    if text.len() == 2 * KEY_LEN
        && let Some(bytes) = from_hex::<KEY_LEN>(text)
    {
        return Some(Zeroizing::new(bytes));
    }
    let decoded = Zeroizing::new(STANDARD_NO_PAD_INDIFFERENT.decode(text).ok()?);
    let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
    if decoded.len() != KEY_LEN {
        return None;
    }
    bytes.copy_from_slice(&decoded);
    Some(bytes)
}

/// The key in `path`, or a new random key written there if the file does
/// not exist. An existing file is never replaced, even if malformed.
pub(super) fn load_or_create_key_file(
    path: &Path,
) -> Result<(Zeroizing<[u8; KEY_LEN]>, KeySource), KeyError> {
    if let Some(bytes) = read_key_file(path)? {
        return Ok((bytes, KeySource::File(path.to_path_buf())));
    }
    let bytes = Zeroizing::new(random_bytes::<KEY_LEN>());
    let mut text = Zeroizing::new(STANDARD.encode(bytes.as_slice()));
    text.push('\n');
    if create_key_file(path, text.as_bytes())? {
        Ok((bytes, KeySource::Created(path.to_path_buf())))
    } else {
        // Another process created it first: use theirs.
        match read_key_file(path)? {
            Some(bytes) => Ok((bytes, KeySource::File(path.to_path_buf()))),
            None => Err(KeyError::Read {
                path: path.to_path_buf(),
                source: std::io::ErrorKind::NotFound.into(),
            }),
        }
    }
}

/// `None` if the file does not exist.
fn read_key_file(path: &Path) -> Result<Option<Zeroizing<[u8; KEY_LEN]>>, KeyError> {
    let raw = match std::fs::read(path) {
        Ok(raw) => Zeroizing::new(raw),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(KeyError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    warn_if_readable_by_others(path);
    let malformed = || KeyError::FileMalformed {
        path: path.to_path_buf(),
    };
    let text = std::str::from_utf8(&raw).map_err(|_| malformed())?;
    parse_key_text(text).map(Some).ok_or_else(malformed)
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(
                path = %path.display(),
                mode = format!("{mode:o}"),
                "key file is readable by other users; chmod 600 it"
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

/// Writes `content` to a temporary file (mode 0600) beside `path`, then
/// links it to `path`, which fails rather than replace an existing file
/// (where hard links are unsupported: renames it, if `path` is still absent).
/// `Ok(false)`: `path` appeared meanwhile.
fn create_key_file(path: &Path, content: &[u8]) -> Result<bool, KeyError> {
    let create_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| KeyError::Create { path, source }
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(create_err(parent))?;
    }
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(create_err(dir)(e)),
    }

    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{file_name}.{}.tmp", to_hex(&random_bytes::<8>())));
    let written = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        file.write_all(content)?;
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(create_err(&tmp)(e));
    }
    let linked = match std::fs::hard_link(&tmp, path) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists && !path.exists() => {
            // A file system without hard links: rename, checked just before.
            std::fs::rename(&tmp, path)
        }
        other => other,
    };
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            // Make the new name durable too (best effort).
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
            tracing::warn!(
                path = %path.display(),
                "created a new key file; back it up — without it, data sealed under it cannot be read"
            );
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(create_err(path)(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_file(dir: &Path) -> PathBuf {
        dir.join(KEYS_DIR).join(MASTER_KEY_FILE)
    }

    #[test]
    fn master_key_file_is_created_once_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let first = MasterKey::resolve(None, &data).unwrap();
        assert_eq!(first.source(), &KeySource::Created(key_file(&data)));
        let second = MasterKey::resolve(None, &data).unwrap();
        assert_eq!(second.source(), &KeySource::File(key_file(&data)));
        assert_eq!(first.key_id(), second.key_id());
        assert_eq!(*first.bytes, *second.bytes);

        let text = std::fs::read_to_string(key_file(&data)).unwrap();
        assert_eq!(text.len(), 45, "44 base64 characters and a newline");
        assert_eq!(*parse_key_text(&text).unwrap(), *first.bytes);
        // No temporary file left behind.
        let names: Vec<_> = std::fs::read_dir(data.join(KEYS_DIR))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [MASTER_KEY_FILE]);

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&key_file(&data)), 0o600);
            assert_eq!(mode(&data.join(KEYS_DIR)), 0o700);
        }
    }

    #[test]
    fn an_existing_key_file_is_used_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(KEYS_DIR)).unwrap();
        let hex = "00".repeat(31) + "01";
        std::fs::write(key_file(dir.path()), format!("  {hex}\n")).unwrap();
        let key = MasterKey::resolve(None, dir.path()).unwrap();
        let mut expected = [0u8; 32];
        expected[31] = 1;
        assert_eq!(*key.bytes, expected);
        assert_eq!(
            std::fs::read_to_string(key_file(dir.path())).unwrap(),
            format!("  {hex}\n")
        );
    }

    #[test]
    fn env_value_in_base64_or_hex_wins_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let bytes: [u8; 32] = std::array::from_fn(|i| i as u8 * 7);
        let b64 = STANDARD.encode(bytes);
        let hex = to_hex(&bytes);
        for value in [
            b64.clone(),
            b64.trim_end_matches('=').to_string(),
            format!("{b64}\n"),
            hex.clone(),
            hex.to_uppercase(),
        ] {
            let key = MasterKey::resolve(Some(&value), dir.path()).unwrap();
            assert_eq!(*key.bytes, bytes, "{value}");
            assert_eq!(key.source(), &KeySource::Environment(MASTER_KEY_ENV));
        }
        assert!(
            !dir.path().join(KEYS_DIR).exists(),
            "no file is made when the variable is set"
        );
    }

    #[test]
    fn malformed_env_value_is_refused_without_echoing_it() {
        let dir = tempfile::tempdir().unwrap();
        let short = STANDARD.encode([9u8; 31]);
        let long_hex = "ab".repeat(33);
        for value in [
            "",
            "   ",
            "not a key",
            short.as_str(),
            long_hex.as_str(),
            &"zz".repeat(32),
        ] {
            let err = MasterKey::resolve(Some(value), dir.path()).unwrap_err();
            assert!(matches!(err, KeyError::EnvMalformed { .. }), "{value:?}");
            let message = err.to_string();
            assert!(
                message.starts_with("MUSUBI_MASTER_KEY is not 32 bytes of base64 or hex"),
                "{message}"
            );
            if !value.trim().is_empty() {
                assert!(!message.contains(value), "{message}");
            }
        }
    }

    #[test]
    fn truncated_or_garbled_key_file_is_refused_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = key_file(dir.path());
        MasterKey::resolve(None, dir.path()).unwrap();
        let full = std::fs::read_to_string(&path).unwrap();
        for damaged in [&full[..20], "", "\u{0}\u{1}"] {
            std::fs::write(&path, damaged).unwrap();
            let err = MasterKey::resolve(None, dir.path()).unwrap_err();
            assert!(matches!(err, KeyError::FileMalformed { .. }));
            let message = err.to_string();
            assert!(
                message.starts_with(&format!("{} does not hold a 32-byte key", path.display())),
                "{message}"
            );
            assert_eq!(std::fs::read_to_string(&path).unwrap(), damaged);
        }
        std::fs::write(&path, [0xffu8, 0xfe]).unwrap();
        assert!(matches!(
            MasterKey::resolve(None, dir.path()),
            Err(KeyError::FileMalformed { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_key_file_names_the_path() {
        // A directory where the file should be: reading it fails, and not
        // with "not found", so nothing is created.
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(key_file(dir.path())).unwrap();
        let message = MasterKey::resolve(None, dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with(&format!("cannot read {}: ", key_file(dir.path()).display())),
            "{message}"
        );
    }

    #[test]
    fn key_id_is_the_start_of_the_sha256_of_the_key() {
        // SHA-256 of 32 zero bytes = 66687aadf862bd776c8fc18b8e9f8e20….
        let key = MasterKey::from_bytes([0; 32]);
        assert_eq!(key.key_id(), "66687aadf862bd77");
        let debug = format!("{key:?}");
        assert!(debug.contains("66687aadf862bd77"), "{debug}");
        assert!(!debug.contains("[0"), "{debug}");
        assert_eq!(format!("{:?}", TenderKey::generate()), "TenderKey(..)");
    }

    #[test]
    fn wrapped_key_unwraps_only_with_its_master_key_and_tender() {
        let master = MasterKey::from_bytes(random_bytes());
        let other = MasterKey::from_bytes(random_bytes());
        let tender_key = TenderKey::generate();
        let wrapped = master.wrap(&tender_key, 42);
        assert_eq!(wrapped.as_bytes().len(), 81);
        assert_eq!(wrapped.as_bytes()[0], 1);
        assert_eq!(wrapped.master_key_id(), Some(master.key_id()));
        assert!(
            !wrapped
                .as_bytes()
                .windows(32)
                .any(|w| w == tender_key.bytes.as_slice()),
            "the key does not appear in the clear"
        );

        let unwrapped = master.unwrap(wrapped.as_bytes(), 42).unwrap();
        assert_eq!(*unwrapped.bytes, *tender_key.bytes);

        assert_eq!(
            master.unwrap(wrapped.as_bytes(), 43).unwrap_err(),
            SealError::Decrypt {
                what: "wrapped tender key",
                binding: "tender"
            }
        );
        let err = other.unwrap(wrapped.as_bytes(), 42).unwrap_err();
        assert_eq!(
            err,
            SealError::WrongMasterKey {
                wrapped_by: master.key_id(),
                in_use: other.key_id()
            }
        );
        assert!(err.to_string().contains(&master.key_id()));

        // Another master key that forges the header's key id still fails.
        let mut forged = wrapped.clone().into_bytes();
        forged[1..9].copy_from_slice(&other.id);
        assert!(matches!(
            other.unwrap(&forged, 42),
            Err(SealError::Decrypt { .. })
        ));

        for i in 0..wrapped.as_bytes().len() {
            let mut bad = wrapped.clone().into_bytes();
            bad[i] ^= 0x01;
            assert!(master.unwrap(&bad, 42).is_err(), "byte {i}");
        }
        assert!(matches!(
            master.unwrap(&wrapped.as_bytes()[..80], 42),
            Err(SealError::Truncated { len: 80, .. })
        ));
        assert!(matches!(
            master.unwrap(&[], 42),
            Err(SealError::Truncated { len: 0, .. })
        ));
        let mut v2 = wrapped.clone().into_bytes();
        v2[0] = 2;
        assert_eq!(
            master.unwrap(&v2, 42).unwrap_err(),
            SealError::UnsupportedVersion {
                what: "wrapped tender key",
                version: 2
            }
        );

        let again = master.wrap(&tender_key, 42);
        assert_ne!(again, wrapped, "a fresh nonce every time");
        assert_eq!(
            *master.unwrap(again.as_bytes(), 42).unwrap().bytes,
            *tender_key.bytes
        );
    }
}
