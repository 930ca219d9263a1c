//! Content-addressed file store for attachments: each file is kept once,
//! under its SHA-256, in `<data dir>/blobs/sha256/ab/cdef…`. The database
//! keeps names and metadata; a replaced file stays because its row does.
//!
//! Writes go to a temporary file in the same directory and are renamed into
//! place, so a crash never leaves a half-written blob under a real name.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

impl BlobStore {
    /// A store under `data_dir/blobs`.
    pub fn in_data_dir(data_dir: &Path) -> Self {
        BlobStore {
            root: data_dir.join("blobs").join("sha256"),
        }
    }

    /// Lower-case hex SHA-256 of `bytes`.
    pub fn digest(bytes: &[u8]) -> String {
        hex(&Sha256::digest(bytes))
    }

    /// Stores `bytes` (if not already there) and returns their digest.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let digest = Self::digest(bytes);
        let path = self.path(&digest);
        if path.exists() {
            return Ok(digest);
        }
        let dir = path.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(".{digest}.{}.tmp", std::process::id()));
        {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        Ok(digest)
    }

    /// The bytes stored under `digest`, checked against it.
    pub fn get(&self, digest: &str) -> std::io::Result<Vec<u8>> {
        if !is_digest(digest) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a SHA-256 digest",
            ));
        }
        let bytes = std::fs::read(self.path(digest))?;
        if Self::digest(&bytes) != digest {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("blob {digest} is corrupt: its content no longer matches its digest"),
            ));
        }
        Ok(bytes)
    }

    fn path(&self, digest: &str) -> PathBuf {
        self.root.join(&digest[..2]).join(digest)
    }
}

fn is_digest(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_once_by_digest_and_detects_corruption() {
        let dir = std::env::temp_dir().join(format!("musubi-blobs-{}", std::process::id()));
        let store = BlobStore::in_data_dir(&dir);
        let digest = store.put("仕様書".as_bytes()).unwrap();
        assert_eq!(digest, BlobStore::digest("仕様書".as_bytes()));
        assert_eq!(store.put("仕様書".as_bytes()).unwrap(), digest);
        assert_eq!(store.get(&digest).unwrap(), "仕様書".as_bytes());
        std::fs::write(store.path(&digest), b"tampered").unwrap();
        assert_eq!(
            store.get(&digest).unwrap_err().kind(),
            std::io::ErrorKind::InvalidData
        );
        assert!(store.get("../../etc/passwd").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
