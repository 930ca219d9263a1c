//! A small migration runner shared by both databases: each backend lists its
//! own SQL files, applies each pending one in its own transaction, and
//! refuses to start if an applied file was edited afterwards.

/// One migration file, embedded in the binary.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

impl Migration {
    /// FNV-1a over the SQL with line endings normalised, so a checkout with
    /// CRLF files does not look like an edited migration.
    pub fn checksum(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in self.sql.bytes().filter(|&b| b != b'\r') {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{hash:016x}")
    }
}

/// What `migrate` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationReport {
    /// Migrations applied by this call, as `NNNN_name`.
    pub applied: Vec<String>,
    /// Migrations that were already in place.
    pub already_applied: usize,
}

/// Checks what the database has applied against what this build ships and
/// returns the migrations still to apply.
pub(crate) fn pending(
    known: &'static [Migration],
    applied: &[(i64, String)],
) -> crate::Result<Vec<&'static Migration>> {
    for (version, checksum) in applied {
        let Some(m) = known.iter().find(|m| m.version == *version) else {
            return Err(crate::StorageError::UnknownMigration(*version));
        };
        if &m.checksum() != checksum {
            return Err(crate::StorageError::MigrationChanged {
                version: m.version,
                name: m.name.to_owned(),
                applied: checksum.clone(),
                current: m.checksum(),
            });
        }
    }
    Ok(known
        .iter()
        .filter(|m| !applied.iter().any(|(v, _)| *v == m.version))
        .collect())
}

impl Migration {
    pub fn label(&self) -> String {
        format!("{:04}_{}", self.version, self.name)
    }
}
