use std::fmt;
use std::path::{Path, PathBuf};

/// Where the data lives: `sqlite://PATH` (or `sqlite:PATH`) or `postgres://…`.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DatabaseUrlError {
    #[error("database URL is empty")]
    Empty,
    #[error("database URL '{0}' has no file path after 'sqlite:'")]
    MissingSqlitePath(String),
    #[error("database URL '{0}' is not understood: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnknownScheme(String),
    #[error(
        "database URL '{0}' is not a valid PostgreSQL URL (expected postgres://USER[:PASSWORD]@HOST[:PORT]/DB)"
    )]
    BadPostgres(String),
}

impl DatabaseUrl {
    pub fn sqlite_in(data_dir: &Path) -> Self {
        DatabaseUrl::Sqlite(data_dir.join("musubi.db"))
    }

    pub fn parse(s: &str) -> Result<Self, DatabaseUrlError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(DatabaseUrlError::Empty);
        }
        if let Some(rest) = s
            .strip_prefix("sqlite://")
            .or_else(|| s.strip_prefix("sqlite:"))
        {
            // Query parameters (sqlx style) are not supported: the options are ours.
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(DatabaseUrlError::MissingSqlitePath(s.to_owned()));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            // Validate the shape up front so a typo fails at start-up, not at first use.
            return match s.parse::<sqlx::postgres::PgConnectOptions>() {
                Ok(_) => Ok(DatabaseUrl::Postgres(s.to_owned())),
                Err(_) => Err(DatabaseUrlError::BadPostgres(redact(s))),
            };
        }
        Err(DatabaseUrlError::UnknownScheme(redact(s)))
    }
}

/// Hides a password in a URL so it can be logged and shown in errors.
fn redact(s: &str) -> String {
    if let Some((scheme, rest)) = s.split_once("://")
        && let Some((auth, host)) = rest.split_once('@')
        && let Some((user, _)) = auth.split_once(':')
    {
        return format!("{scheme}://{user}:***@{host}");
    }
    s.to_owned()
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(p) => write!(f, "sqlite://{}", p.display()),
            DatabaseUrl::Postgres(u) => f.write_str(&redact(u)),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/musubi.db").unwrap(),
            DatabaseUrl::Sqlite("data/musubi.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db").unwrap(),
            DatabaseUrl::Sqlite("/tmp/x.db".into())
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://u:secret@localhost:5432/musubi"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert_eq!(DatabaseUrl::parse(""), Err(DatabaseUrlError::Empty));
        assert!(matches!(
            DatabaseUrl::parse("mysql://x"),
            Err(DatabaseUrlError::UnknownScheme(_))
        ));
        assert!(matches!(
            DatabaseUrl::parse("sqlite://"),
            Err(DatabaseUrlError::MissingSqlitePath(_))
        ));
        assert!(matches!(
            DatabaseUrl::parse("postgres://u:pw@host:notaport/db"),
            Err(DatabaseUrlError::BadPostgres(_))
        ));
    }

    #[test]
    fn never_shows_passwords() {
        let url = DatabaseUrl::parse("postgres://u:secret@localhost/musubi").unwrap();
        assert_eq!(url.to_string(), "postgres://u:***@localhost/musubi");
        let err = DatabaseUrl::parse("postgres://u:secret@host:x/db").unwrap_err();
        assert!(!err.to_string().contains("secret"));
    }
}
