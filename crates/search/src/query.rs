//! The query language. (Skeleton: being written.)

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A word or a quoted phrase, normalised; matched as a substring.
    Term(String),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    /// `a NOT b` / `a ANDNOT b`: the left side without the right.
    AndNot(Box<Expr>, Box<Expr>),
}

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;

/// Why a query cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("unbalanced parentheses")]
    Unbalanced,
    #[error("operator {0} has nothing on one side")]
    LoneOperator(String),
    #[error("unterminated phrase")]
    UnterminatedPhrase,
    #[error("query longer than {MAX_QUERY_CHARS} characters")]
    TooLong,
}

impl QueryError {
    pub fn code(&self) -> &'static str {
        match self {
            QueryError::Unbalanced => "query_unbalanced",
            QueryError::LoneOperator(_) => "query_lone_operator",
            QueryError::UnterminatedPhrase => "query_unterminated_phrase",
            QueryError::TooLong => "query_too_long",
        }
    }

    pub fn message_ja(&self) -> String {
        match self {
            QueryError::Unbalanced => "検索語の括弧の対応が取れていません。".into(),
            QueryError::LoneOperator(op) => format!("「{op}」の前後に検索語を入れてください。"),
            QueryError::UnterminatedPhrase => "「\"」で始めた語句を「\"」で閉じてください。".into(),
            QueryError::TooLong => format!("検索語は{MAX_QUERY_CHARS}文字以内で入力してください。"),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            QueryError::Unbalanced => "The parentheses in the query do not match.".into(),
            QueryError::LoneOperator(op) => format!("Put search words on both sides of {op}."),
            QueryError::UnterminatedPhrase => "Close the quoted phrase with \".".into(),
            QueryError::TooLong => format!("Queries may be at most {MAX_QUERY_CHARS} characters."),
        }
    }
}

/// Parses a query; `Ok(None)` for an empty one (match everything).
pub fn parse(_input: &str) -> Result<Option<Expr>, QueryError> {
    Ok(None)
}
