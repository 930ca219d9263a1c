use thiserror::Error;

#[derive(Debug, Error)]
pub enum StorageError {
    /// The database could not be reached or refused the connection.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error(
        "migration {version:04}_{name} was changed after it was applied (checksum {applied} in the database, {current} now)"
    )]
    MigrationChanged {
        version: i64,
        name: String,
        applied: String,
        current: String,
    },
    #[error(
        "the database has migration {0}, which this build does not know: it was written by a newer Musubi"
    )]
    UnknownMigration(i64),
    /// The job's lease expired and another worker claimed it.
    #[error("lease lost for job {0}")]
    LeaseLost(i64),
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("corrupt stored value in {field}: {message}")]
    Corrupt {
        field: &'static str,
        message: String,
    },
}

impl From<sqlx::Error> for StorageError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => StorageError::Unavailable(e.to_string()),
            sqlx::Error::RowNotFound => StorageError::NotFound,
            other => StorageError::Database(other),
        }
    }
}
