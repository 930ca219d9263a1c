//! The query language.
//!
//! ```text
//! query   := and-seq
//! and-seq := or-seq ( [AND] or-seq | (NOT | ANDNOT | AND NOT) or-seq )*
//! or-seq  := unit ( OR unit )*
//! unit    := word | "quoted phrase" | ( query )
//! ```
//!
//! - The input is NFKC-normalised first, so full-width spaces, quotes,
//!   parentheses and letters (`ＯＲ`) work like their ASCII forms.
//! - Words are separated by white space, parentheses and quotes. Operators
//!   are the upper-case words `AND`, `OR`, `NOT`, `ANDNOT` (`and` and `or`
//!   are ordinary words). `AND NOT` is the same as `ANDNOT`.
//! - `OR` binds tightest (`清掃 OR 警備 東京` is `(清掃 OR 警備) 東京`, as in
//!   web search engines); the implicit `AND`, `AND`, and the binary `NOT` /
//!   `ANDNOT` come next and go left to right, so `a NOT b c` is `a`, without
//!   `b`, and `c`, and `清掃 OR 警備 NOT 工事` is `(清掃 OR 警備) NOT 工事`.
//! - `NOT` needs something on its left: `NOT 工事` alone is a
//!   [`QueryError::LoneOperator`] (there is no "everything but" search).
//! - A word or phrase is normalised ([`crate::analysis::normalize`]) and
//!   matches the documents whose normalised text contains it as a substring;
//!   a phrase is just a term that may contain spaces and punctuation. Terms
//!   that normalise to nothing (`""`, `()`) are dropped; an operator next to
//!   one is a lone operator.

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    And,
    Or,
    Not,
    AndNot,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Open,
    Close,
    /// A word or phrase, normalised (possibly empty).
    Term(String),
    /// An operator and how it was written.
    Op(Op, &'static str),
}

fn lex(input: &str) -> Result<Vec<Tok>, QueryError> {
    use unicode_normalization::UnicodeNormalization;
    let text: String = input.nfkc().collect();
    let mut toks = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '(' => toks.push(Tok::Open),
            ')' => toks.push(Tok::Close),
            '"' => {
                let start = i + 1;
                let mut end = None;
                for (j, d) in chars.by_ref() {
                    if d == '"' {
                        end = Some(j);
                        break;
                    }
                }
                let end = end.ok_or(QueryError::UnterminatedPhrase)?;
                toks.push(Tok::Term(crate::analysis::normalize_term(
                    &text[start..end],
                )));
            }
            _ => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_whitespace() || matches!(d, '(' | ')' | '"') {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
                let word = &text[i..end];
                toks.push(match word {
                    "AND" => Tok::Op(Op::And, "AND"),
                    "OR" => Tok::Op(Op::Or, "OR"),
                    "NOT" => Tok::Op(Op::Not, "NOT"),
                    "ANDNOT" => Tok::Op(Op::AndNot, "ANDNOT"),
                    _ => Tok::Term(crate::analysis::normalize_term(word)),
                });
            }
        }
    }
    // `AND NOT` is one operator.
    let mut merged = Vec::with_capacity(toks.len());
    let mut iter = toks.into_iter().peekable();
    while let Some(t) = iter.next() {
        if t == Tok::Op(Op::And, "AND") && iter.peek() == Some(&Tok::Op(Op::Not, "NOT")) {
            iter.next();
            merged.push(Tok::Op(Op::AndNot, "AND NOT"));
        } else {
            merged.push(t);
        }
    }
    Ok(merged)
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    /// and-seq, up to the end or a closing parenthesis (not consumed).
    fn and_seq(&mut self) -> Result<Option<Expr>, QueryError> {
        let mut acc: Option<Expr> = None;
        loop {
            match self.peek() {
                None | Some(Tok::Close) => return Ok(acc),
                Some(Tok::Op(Op::Or, name)) => {
                    return Err(QueryError::LoneOperator(name.to_string()));
                }
                Some(&Tok::Op(op, name)) => {
                    self.at += 1;
                    let Some(left) = acc.take() else {
                        return Err(QueryError::LoneOperator(name.to_string()));
                    };
                    let right = self.operand(name)?;
                    acc = Some(match op {
                        Op::And => and(left, right),
                        _ => Expr::AndNot(Box::new(left), Box::new(right)),
                    });
                }
                Some(_) => {
                    if let Some(unit) = self.or_seq()? {
                        acc = Some(match acc {
                            None => unit,
                            Some(left) => and(left, unit),
                        });
                    }
                }
            }
        }
    }

    /// The right operand of a binary operator: an or-seq that is there.
    fn operand(&mut self, name: &str) -> Result<Expr, QueryError> {
        match self.peek() {
            Some(Tok::Term(_) | Tok::Open) => self
                .or_seq()?
                .ok_or_else(|| QueryError::LoneOperator(name.to_string())),
            _ => Err(QueryError::LoneOperator(name.to_string())),
        }
    }

    /// or-seq; starts at a term or an opening parenthesis.
    fn or_seq(&mut self) -> Result<Option<Expr>, QueryError> {
        let first = self.unit()?;
        let mut items = Vec::new();
        let mut first = Some(first);
        while let Some(Tok::Op(Op::Or, name)) = self.peek() {
            let name = *name;
            self.at += 1;
            if let Some(f) = first.take() {
                items.push(f.ok_or_else(|| QueryError::LoneOperator(name.to_string()))?);
            }
            let right = match self.peek() {
                Some(Tok::Term(_) | Tok::Open) => self.unit()?,
                _ => None,
            };
            items.push(right.ok_or_else(|| QueryError::LoneOperator(name.to_string()))?);
        }
        match first {
            Some(f) => Ok(f),
            None => Ok(Some(or(items))),
        }
    }

    /// A term or a parenthesised query (`None` when it normalises to nothing).
    fn unit(&mut self) -> Result<Option<Expr>, QueryError> {
        match self.toks.get(self.at).cloned() {
            Some(Tok::Term(t)) => {
                self.at += 1;
                Ok((!t.is_empty()).then_some(Expr::Term(t)))
            }
            Some(Tok::Open) => {
                self.at += 1;
                let inner = self.and_seq()?;
                match self.peek() {
                    Some(Tok::Close) => {
                        self.at += 1;
                        Ok(inner)
                    }
                    _ => Err(QueryError::Unbalanced),
                }
            }
            _ => unreachable!("unit called on an operator or the end"),
        }
    }
}

fn and(left: Expr, right: Expr) -> Expr {
    let mut items = match left {
        Expr::And(items) => items,
        other => vec![other],
    };
    match right {
        Expr::And(more) => items.extend(more),
        other => items.push(other),
    }
    Expr::And(items)
}

fn or(items: Vec<Expr>) -> Expr {
    let mut flat = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Expr::Or(more) => flat.extend(more),
            other => flat.push(other),
        }
    }
    Expr::Or(flat)
}

/// Parses a query; `Ok(None)` for an empty one (match everything).
///
/// Errors are checked in this order: [`QueryError::TooLong`] (more than
/// [`MAX_QUERY_CHARS`] characters), [`QueryError::UnterminatedPhrase`],
/// [`QueryError::Unbalanced`], then [`QueryError::LoneOperator`].
pub fn parse(input: &str) -> Result<Option<Expr>, QueryError> {
    if input.chars().nth(MAX_QUERY_CHARS).is_some() {
        return Err(QueryError::TooLong);
    }
    let toks = lex(input)?;
    let mut depth = 0usize;
    for t in &toks {
        match t {
            Tok::Open => depth += 1,
            Tok::Close => depth = depth.checked_sub(1).ok_or(QueryError::Unbalanced)?,
            _ => {}
        }
    }
    if depth != 0 {
        return Err(QueryError::Unbalanced);
    }
    let mut parser = Parser { toks, at: 0 };
    let expr = parser.and_seq()?;
    if parser.at != parser.toks.len() {
        // Only a closing parenthesis stops the top level early; balanced
        // input never gets here.
        return Err(QueryError::Unbalanced);
    }
    Ok(expr)
}

impl Expr {
    /// Whether a document whose searchable fields have these normalised
    /// texts matches: the reference semantics the index implements (a term
    /// matches when one of the fields contains it).
    pub fn matches(&self, normalized_fields: &[&str]) -> bool {
        match self {
            Expr::Term(t) => normalized_fields.iter().any(|f| f.contains(t.as_str())),
            Expr::And(items) => items.iter().all(|e| e.matches(normalized_fields)),
            Expr::Or(items) => items.iter().any(|e| e.matches(normalized_fields)),
            Expr::AndNot(a, b) => a.matches(normalized_fields) && !b.matches(normalized_fields),
        }
    }

    /// The terms that can make a document match (not those on the right of
    /// a `NOT`): what snippets highlight.
    pub fn positive_terms(&self) -> Vec<&str> {
        fn walk<'a>(e: &'a Expr, out: &mut Vec<&'a str>) {
            match e {
                Expr::Term(t) => {
                    if !out.contains(&t.as_str()) {
                        out.push(t);
                    }
                }
                Expr::And(items) | Expr::Or(items) => items.iter().for_each(|i| walk(i, out)),
                Expr::AndNot(a, _) => walk(a, out),
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Expr {
        Expr::Term(s.to_string())
    }

    fn p(s: &str) -> Expr {
        parse(s).unwrap_or_else(|e| panic!("{s}: {e}")).unwrap()
    }

    fn err(s: &str) -> QueryError {
        parse(s).expect_err(s)
    }

    #[test]
    fn empty_queries_match_everything() {
        assert_eq!(parse(""), Ok(None));
        assert_eq!(parse("  \u{3000} "), Ok(None));
        assert_eq!(parse("\"\""), Ok(None));
        assert_eq!(parse("()"), Ok(None));
    }

    #[test]
    fn terms_are_normalised() {
        assert_eq!(p("清掃"), t("清掃"));
        assert_eq!(p("ＡＢＣ"), t("abc"));
        assert_eq!(p("ｶﾀｶﾅ"), t("カタカナ"));
        assert_eq!(p("Tokyo"), t("tokyo"));
    }

    #[test]
    fn implicit_and_and_full_width_space() {
        assert_eq!(p("東京 清掃"), Expr::And(vec![t("東京"), t("清掃")]));
        assert_eq!(p("東京\u{3000}清掃"), Expr::And(vec![t("東京"), t("清掃")]));
        assert_eq!(
            p("東京 AND 清掃 印刷"),
            Expr::And(vec![t("東京"), t("清掃"), t("印刷")])
        );
    }

    #[test]
    fn or_binds_tighter_than_and() {
        assert_eq!(
            p("清掃 OR 警備 東京"),
            Expr::And(vec![Expr::Or(vec![t("清掃"), t("警備")]), t("東京")])
        );
        assert_eq!(p("a OR b OR c"), Expr::Or(vec![t("a"), t("b"), t("c")]));
        assert_eq!(p("a ＯＲ b"), Expr::Or(vec![t("a"), t("b")]));
        // Lower-case operators are words.
        assert_eq!(p("a or b"), Expr::And(vec![t("a"), t("or"), t("b")]));
    }

    #[test]
    fn not_and_andnot_take_the_left_without_the_right() {
        let want = Expr::AndNot(Box::new(t("清掃")), Box::new(t("工事")));
        assert_eq!(p("清掃 NOT 工事"), want);
        assert_eq!(p("清掃 ANDNOT 工事"), want);
        assert_eq!(p("清掃 AND NOT 工事"), want);
        assert_eq!(
            p("清掃 OR 警備 NOT 工事"),
            Expr::AndNot(
                Box::new(Expr::Or(vec![t("清掃"), t("警備")])),
                Box::new(t("工事"))
            )
        );
        assert_eq!(
            p("a NOT b c"),
            Expr::And(vec![
                Expr::AndNot(Box::new(t("a")), Box::new(t("b"))),
                t("c")
            ])
        );
        assert_eq!(
            p("a NOT b NOT c"),
            Expr::AndNot(
                Box::new(Expr::AndNot(Box::new(t("a")), Box::new(t("b")))),
                Box::new(t("c"))
            )
        );
    }

    #[test]
    fn parentheses_group() {
        assert_eq!(
            p("(清掃 OR 警備) (東京 OR 大阪)"),
            Expr::And(vec![
                Expr::Or(vec![t("清掃"), t("警備")]),
                Expr::Or(vec![t("東京"), t("大阪")])
            ])
        );
        assert_eq!(
            p("a NOT (b OR c)"),
            Expr::AndNot(Box::new(t("a")), Box::new(Expr::Or(vec![t("b"), t("c")])))
        );
        assert_eq!(p("（清掃）"), t("清掃"));
        assert_eq!(p("((((a))))"), t("a"));
        assert_eq!(p("a () b"), Expr::And(vec![t("a"), t("b")]));
    }

    #[test]
    fn quoted_phrases_are_terms_with_spaces() {
        assert_eq!(p("\"東京都  清掃\""), t("東京都 清掃"));
        assert_eq!(p("＂ＯＲ＂"), t("or"));
        assert_eq!(p("\"a OR b\" c"), Expr::And(vec![t("a or b"), t("c")]));
        assert_eq!(p("\"(株)\""), t("(株)"));
        assert_eq!(p("x\"y z\""), Expr::And(vec![t("x"), t("y z")]));
    }

    #[test]
    fn errors_have_codes() {
        for q in [
            "OR",
            "清掃 OR",
            "OR 清掃",
            "AND NOT",
            "AND",
            "NOT",
            "NOT 工事",
            "a OR OR b",
            "a NOT",
            "(OR)",
            "a OR ()",
            "\"\" OR a",
            "a NOT NOT b",
            "ANDNOT b",
            "(a OR) b",
        ] {
            let e = err(q);
            assert!(matches!(e, QueryError::LoneOperator(_)), "{q}: {e:?}");
            assert_eq!(e.code(), "query_lone_operator");
        }
        assert_eq!(err("AND NOT"), QueryError::LoneOperator("AND NOT".into()));
        assert_eq!(err("清掃 OR"), QueryError::LoneOperator("OR".into()));
        for q in ["(a", "a)", ")(", "((a)", "(a))", "a (b OR c"] {
            assert_eq!(err(q), QueryError::Unbalanced, "{q}");
        }
        assert_eq!(err("(a").code(), "query_unbalanced");
        assert_eq!(err("\"abc"), QueryError::UnterminatedPhrase);
        assert_eq!(err("a \"b\" \"c").code(), "query_unterminated_phrase");
        let long = "あ".repeat(5_000);
        assert_eq!(err(&long), QueryError::TooLong);
        assert_eq!(err(&long).code(), "query_too_long");
        assert!(parse(&"あ".repeat(MAX_QUERY_CHARS)).is_ok());
        assert_eq!(err(&"a".repeat(MAX_QUERY_CHARS + 1)), QueryError::TooLong);
        for e in [
            QueryError::Unbalanced,
            QueryError::TooLong,
            QueryError::UnterminatedPhrase,
            QueryError::LoneOperator("OR".into()),
        ] {
            assert!(!e.message_ja().is_empty() && !e.message_en().is_empty());
        }
    }

    #[test]
    fn deep_nesting_is_fine() {
        let q = format!("{}a{}", "(".repeat(240), ")".repeat(240));
        assert_eq!(p(&q), t("a"));
        let q = "(a OR ".repeat(70) + "b" + &")".repeat(70);
        assert!(parse(&q).is_ok());
    }

    #[test]
    fn matches_and_positive_terms() {
        let e = p("(清掃 OR 警備) NOT 工事");
        assert!(e.matches(&["庁舎清掃業務"]));
        assert!(e.matches(&["タイトル", "警備"]));
        assert!(!e.matches(&["清掃工事"]));
        assert_eq!(e.positive_terms(), vec!["清掃", "警備"]);
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,80}") {
            let _ = parse(&s);
        }

        #[test]
        fn parse_never_panics_on_query_like_input(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("OR".to_string()),
                    proptest::strategy::Just("AND".to_string()),
                    proptest::strategy::Just("NOT".to_string()),
                    proptest::strategy::Just("ANDNOT".to_string()),
                    proptest::strategy::Just("(".to_string()),
                    proptest::strategy::Just(")".to_string()),
                    proptest::strategy::Just("\"".to_string()),
                    proptest::strategy::Just("\u{3000}".to_string()),
                    proptest::strategy::Just("（".to_string()),
                    "[a-cあ清掃ｶﾞ ]{0,4}",
                ],
                0..30,
            )
        ) {
            let q = parts.join(" ");
            if let Ok(Some(e)) = parse(&q) {
                fn no_empty_terms(e: &Expr) -> bool {
                    match e {
                        Expr::Term(t) => !t.is_empty(),
                        Expr::And(v) | Expr::Or(v) => v.len() >= 2 && v.iter().all(no_empty_terms),
                        Expr::AndNot(a, b) => no_empty_terms(a) && no_empty_terms(b),
                    }
                }
                proptest::prop_assert!(no_empty_terms(&e), "{q:?} -> {e:?}");
            }
        }
    }
}
