//! Japanese text analysis without dictionaries.
//!
//! Text is first [normalised](normalize): NFKC (full-width ASCII, half-width
//! katakana and the like fold to their usual forms), lower case, and every
//! run of white space (and control characters) becomes one ASCII space;
//! leading and trailing white space goes. The normalised text — CJK, kana,
//! Latin, digits, punctuation alike, one character stream — is indexed as
//! character n-grams by [`NgramTokenizer`], the n-gram starting at
//! character `i` at position `i`, in two fields:
//!
//! - **bigrams** (frequencies, no positions), and
//! - **4-grams** (frequencies and positions).
//!
//! Each run of text (the texts of a document are indexed as one stream
//! joined by [`SEPARATOR`]; no n-gram spans it) also ends with one *tail*
//! n-gram: its last `n - 1` characters and [`PAD`]. So every substring of
//! one character is the start of a bigram, and every substring of three
//! characters the start of a 4-gram, and a query term of `m` characters is
//! looked up as ([`term_grams`]):
//!
//! | m  | lookup                                                    |
//! |----|-----------------------------------------------------------|
//! | 1  | the bigrams that start with it (a term range)             |
//! | 2  | one bigram                                                |
//! | 3  | the 4-grams that start with it (a term range)             |
//! | 4  | one 4-gram                                                |
//! | 5+ | a phrase of the 4-grams covering it, at their offsets     |
//!
//! which matches exactly the documents whose normalised text contains the
//! term: recall and precision against a substring search are 1.0 by
//! construction. The common Japanese query terms (two to four characters:
//! 清掃, 東京都, 業務委託) never need positions, which a phrase of bigrams
//! would read for every document holding both bigrams — for a common
//! compound, most of the index. (This is where the scheme goes beyond
//! "bigrams plus single characters": the single characters are the bigram
//! range, and the 4-grams buy speed for a common compound at about the size
//! the bigram positions would have taken.)
//!
//! Normalisation works chunk by chunk (a character and the combining marks or
//! sound marks after it), so every normalised character knows the original
//! characters it came from ([`normalize_mapped`]); snippets use that to put
//! `<mark>` around the original text.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer, TokenizerManager};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{canonical_combining_class, is_combining_mark};

/// Longest n-gram indexed; longer terms are phrases of these.
pub const MAX_GRAM: usize = 4;

/// The n-gram lengths indexed, each in its own field.
pub const GRAMS: [usize; 2] = [2, MAX_GRAM];

/// Joins the texts of one document in its n-gram fields. Never in
/// normalised text (control characters become spaces), so never in a term.
pub const SEPARATOR: char = '\n';

/// Ends the tail n-gram of each run of text. Never in normalised text.
pub const PAD: char = '\u{1}';

/// Name under which the [`NgramTokenizer`] of `n` characters is registered.
pub fn tokenizer_name(n: usize) -> String {
    format!("musubi_ngram{n}")
}

/// Normalises text for indexing and querying: NFKC (full-width ASCII and
/// half-width katakana fold), lower case, white space runs collapsed to one
/// space and trimmed.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, &mut out, |_, _| {});
    out
}

/// Normalised text with, for each of its characters, the byte range of the
/// original text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    /// The normalised characters (same as [`normalize`], as characters).
    pub chars: Vec<char>,
    /// `origin[i]`: byte range in the original text of `chars[i]`.
    pub origin: Vec<(usize, usize)>,
}

/// [`normalize`], keeping track of where each character came from.
pub fn normalize_mapped(text: &str) -> Mapped {
    let mut out = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len());
    normalize_into(text, &mut out, |range, n| {
        for _ in 0..n {
            origin.push(range);
        }
    });
    let chars: Vec<char> = out.chars().collect();
    debug_assert_eq!(chars.len(), origin.len());
    Mapped { chars, origin }
}

/// Normalises a query term: [`normalize`], which also trims. May be empty.
pub fn normalize_term(term: &str) -> String {
    normalize(term)
}

/// A character that continues the chunk before it: a combining mark, or a
/// character that composes with the one before (half-width sound marks,
/// Hangul vowel and final jamo).
fn continues_chunk(c: char) -> bool {
    !c.is_ascii()
        && (matches!(c, '\u{FF9E}' | '\u{FF9F}' | '\u{1160}'..='\u{11FF}' | '\u{D7B0}'..='\u{D7FF}')
            || canonical_combining_class(c) != 0
            || is_combining_mark(c))
}

/// A character that NFKC and lower casing leave alone (the common case of
/// Japanese text: kanji, hiragana, full-width katakana).
fn is_stable(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}' | '\u{30FC}' | '\u{4E00}'..='\u{9FFF}' | '\u{3005}')
}

/// Normalises `text` into `out`; calls `emit(original_byte_range, n)` for
/// each chunk of the original that produced `n` characters of output.
fn normalize_into(text: &str, out: &mut String, mut emit: impl FnMut((usize, usize), usize)) {
    let mut chars = text.char_indices().peekable();
    let mut chunk: Vec<char> = Vec::new();
    let mut pending_space: Option<(usize, usize)> = None;
    let mut wrote_any = false;
    while let Some((start, c)) = chars.next() {
        chunk.clear();
        chunk.push(c);
        let mut end = start + c.len_utf8();
        while let Some(&(i, next)) = chars.peek() {
            if !continues_chunk(next) {
                break;
            }
            chunk.push(next);
            end = i + next.len_utf8();
            chars.next();
        }
        let range = (start, end);
        let mut push = |ch: char, out: &mut String, emit: &mut dyn FnMut((usize, usize), usize)| {
            if ch.is_whitespace() || ch.is_control() {
                // Collapse into one space, written only before the next
                // non-space character (so trailing space goes too).
                if wrote_any && pending_space.is_none() {
                    pending_space = Some(range);
                }
                return;
            }
            if let Some(space_range) = pending_space.take() {
                out.push(' ');
                emit(space_range, 1);
            }
            if ch.is_ascii() {
                out.push(ch.to_ascii_lowercase());
                emit(range, 1);
            } else {
                let mut n = 0;
                for l in ch.to_lowercase() {
                    out.push(l);
                    n += 1;
                }
                emit(range, n);
            }
            wrote_any = true;
        };
        if chunk.len() == 1 && is_stable(c) {
            // Kanji and kana: no case, already NFKC.
            if let Some(space_range) = pending_space.take() {
                out.push(' ');
                emit(space_range, 1);
            }
            out.push(c);
            emit(range, 1);
            wrote_any = true;
        } else if chunk.len() == 1 && c.is_ascii() {
            push(c, out, &mut emit);
        } else {
            for ch in chunk.iter().copied().nfkc() {
                push(ch, out, &mut emit);
            }
        }
    }
}

/// How a normalised query term is looked up (see the table above).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermGrams {
    /// The term is an n-gram of this length.
    Gram(usize),
    /// The term starts the n-grams of this length (`[from, to)` in term
    /// order; `to` is `None` when nothing sorts after the prefix).
    Prefix {
        n: usize,
        from: String,
        to: Option<String>,
    },
    /// [`MAX_GRAM`]-grams with their offsets, covering every character at
    /// its place (offsets 0, 4, 8, … and the last one), so the phrase they
    /// make matches exactly where the term occurs.
    Phrase(Vec<(usize, String)>),
}

/// The smallest string after every string that starts with `prefix`.
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut code = last as u32 + 1;
        if (0xD800..=0xDFFF).contains(&code) {
            code = 0xE000;
        }
        if let Some(next) = char::from_u32(code) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The n-grams a normalised, non-empty query term is matched with.
pub fn term_grams(term: &str) -> TermGrams {
    let chars: Vec<char> = term.chars().collect();
    match chars.len() {
        2 | MAX_GRAM => TermGrams::Gram(chars.len()),
        1 | 3 => TermGrams::Prefix {
            n: chars.len() + 1,
            from: term.to_owned(),
            to: prefix_end(term),
        },
        len => {
            let last = len - MAX_GRAM;
            let mut offsets: Vec<usize> = (0..=last).step_by(MAX_GRAM).collect();
            if offsets.last() != Some(&last) {
                offsets.push(last);
            }
            TermGrams::Phrase(
                offsets
                    .into_iter()
                    .map(|i| (i, chars[i..i + MAX_GRAM].iter().collect()))
                    .collect(),
            )
        }
    }
}

/// Registers the [`NgramTokenizer`]s of the lengths in [`GRAMS`].
pub fn register(manager: &TokenizerManager) {
    for n in GRAMS {
        manager.register(&tokenizer_name(n), NgramTokenizer { n });
    }
}

/// Emits the n-gram starting at each character of already
/// [normalised](normalize) text at that character's position (none that
/// spans a [`SEPARATOR`]), and at the end of each run of text its last
/// `n - 1` characters and [`PAD`], at the position of the first of them.
#[derive(Debug, Clone, Copy)]
pub struct NgramTokenizer {
    /// 2 to [`MAX_GRAM`].
    pub n: usize,
}

/// The token stream of [`NgramTokenizer`].
pub struct NgramStream<'a> {
    text: &'a str,
    chars: std::str::CharIndices<'a>,
    n: usize,
    /// Byte offsets of the last `n` characters (a ring indexed by position).
    starts: [usize; MAX_GRAM],
    /// Characters read (separators included): the next one's position.
    read: usize,
    /// Characters of the current run read so far.
    run: usize,
    /// Byte offset where the current run ends (after its last character).
    run_end: usize,
    done: bool,
    token: Token,
}

impl Tokenizer for NgramTokenizer {
    type TokenStream<'a> = NgramStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> NgramStream<'a> {
        assert!(
            (2..=MAX_GRAM).contains(&self.n),
            "n-grams of 2 to {MAX_GRAM} characters"
        );
        NgramStream {
            text,
            chars: text.char_indices(),
            n: self.n,
            starts: [0; MAX_GRAM],
            read: 0,
            run: 0,
            run_end: 0,
            done: false,
            token: Token::default(),
        }
    }
}

impl NgramStream<'_> {
    /// The tail of the run that just ended, if it is long enough.
    fn tail(&mut self) -> bool {
        let k = self.n - 1;
        if self.run < k {
            return false;
        }
        let first = self.read - k;
        let start = self.starts[first % MAX_GRAM];
        self.token.text.clear();
        self.token.text.push_str(&self.text[start..self.run_end]);
        self.token.text.push(PAD);
        self.token.offset_from = start;
        self.token.offset_to = self.run_end;
        self.token.position = first;
        true
    }
}

impl TokenStream for NgramStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            if self.done {
                return false;
            }
            let Some((i, c)) = self.chars.next() else {
                self.done = true;
                return self.tail();
            };
            if c == SEPARATOR {
                let emitted = self.tail();
                self.read += 1;
                self.run = 0;
                if emitted {
                    return true;
                }
                continue;
            }
            self.starts[self.read % MAX_GRAM] = i;
            self.read += 1;
            self.run += 1;
            self.run_end = i + c.len_utf8();
            if self.run < self.n {
                continue;
            }
            let first = self.read - self.n;
            let start = self.starts[first % MAX_GRAM];
            self.token.text.clear();
            self.token.text.push_str(&self.text[start..self.run_end]);
            self.token.offset_from = start;
            self.token.offset_to = self.run_end;
            self.token.position = first;
            return true;
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens<T: Tokenizer>(mut t: T, text: &str) -> Vec<(usize, String)> {
        let mut s = t.token_stream(text);
        let mut v = Vec::new();
        while let Some(tok) = s.next() {
            v.push((tok.position, tok.text.clone()));
        }
        v
    }

    #[test]
    fn width_and_case_fold() {
        assert_eq!(normalize("ｶﾀｶﾅ"), "カタカナ");
        assert_eq!(normalize("ｶﾞｲﾄﾞ"), "ガイド");
        assert_eq!(normalize("ＡＢＣ"), "abc");
        assert_eq!(normalize("ABC"), "abc");
        assert_eq!(normalize("１２３"), "123");
        assert_eq!(normalize("㈱ムスビ"), "(株)ムスビ");
        assert_eq!(normalize("か\u{3099}"), "が");
        assert_eq!(normalize("  東京都\u{3000}\n 清掃  "), "東京都 清掃");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize(" \t "), "");
    }

    #[test]
    fn mapping_points_back_to_the_original() {
        let text = "ｶﾞｽ　ＡＢ㈱";
        let m = normalize_mapped(text);
        let s: String = m.chars.iter().collect();
        assert_eq!(s, normalize(text));
        assert_eq!(s, "ガス ab(株)");
        assert_eq!(&text[m.origin[0].0..m.origin[0].1], "ｶﾞ");
        assert_eq!(&text[m.origin[1].0..m.origin[1].1], "ｽ");
        assert_eq!(&text[m.origin[2].0..m.origin[2].1], "\u{3000}");
        assert_eq!(&text[m.origin[3].0..m.origin[3].1], "Ａ");
        for i in 5..8 {
            assert_eq!(&text[m.origin[i].0..m.origin[i].1], "㈱");
        }
    }

    fn grams(n: usize, text: &str) -> Vec<(usize, String)> {
        tokens(NgramTokenizer { n }, text)
    }

    fn owned(v: &[(usize, &str)]) -> Vec<(usize, String)> {
        v.iter().map(|(p, s)| (*p, s.to_string())).collect()
    }

    #[test]
    fn ngrams_at_character_positions_with_a_tail() {
        let text = normalize("入札 Ab");
        assert_eq!(
            grams(2, &text),
            owned(&[(0, "入札"), (1, "札 "), (2, " a"), (3, "ab"), (4, "b\u{1}")])
        );
        assert_eq!(
            grams(4, &text),
            owned(&[(0, "入札 a"), (1, "札 ab"), (2, " ab\u{1}")])
        );
        assert_eq!(grams(2, "栓"), owned(&[(0, "栓\u{1}")]));
        assert_eq!(grams(4, "清掃業"), owned(&[(0, "清掃業\u{1}")]));
        assert!(grams(4, "清掃").is_empty());
        assert!(grams(2, "").is_empty());
    }

    #[test]
    fn no_ngram_spans_the_separator() {
        let text = format!("ab{SEPARATOR}cde");
        assert_eq!(
            grams(2, &text),
            owned(&[
                (0, "ab"),
                (1, "b\u{1}"),
                (3, "cd"),
                (4, "de"),
                (5, "e\u{1}")
            ])
        );
        assert_eq!(grams(4, &text), owned(&[(3, "cde\u{1}")]));
        let text = format!("{SEPARATOR}{SEPARATOR}abcd{SEPARATOR}");
        assert_eq!(grams(4, &text), owned(&[(2, "abcd"), (3, "bcd\u{1}")]));
        assert_eq!(grams(2, &format!("{SEPARATOR}")), owned(&[]));
    }

    #[test]
    fn control_characters_never_reach_the_index() {
        assert_eq!(normalize("a\u{1}b\nc\u{7f}"), "a b c");
        assert!(!normalize("x\u{0}\u{1}\u{1b}y").contains(|c: char| c.is_control()));
    }

    #[test]
    fn how_terms_are_looked_up() {
        let prefix = |n: usize, from: &str, to: &str| TermGrams::Prefix {
            n,
            from: from.into(),
            to: Some(to.into()),
        };
        assert_eq!(term_grams("栓"), prefix(2, "栓", "栔"));
        assert_eq!(term_grams("清掃"), TermGrams::Gram(2));
        assert_eq!(term_grams("東京都"), prefix(4, "東京都", "東京\u{90fe}"));
        assert_eq!(term_grams("業務委託"), TermGrams::Gram(4));
        let phrase = |v: &[(usize, &str)]| TermGrams::Phrase(owned(v));
        assert_eq!(
            term_grams("一般競争入"),
            phrase(&[(0, "一般競争"), (1, "般競争入")])
        );
        assert_eq!(
            term_grams("一般競争入札"),
            phrase(&[(0, "一般競争"), (2, "競争入札")])
        );
        assert_eq!(term_grams("12345678"), phrase(&[(0, "1234"), (4, "5678")]));
        assert_eq!(
            term_grams("123456789"),
            phrase(&[(0, "1234"), (4, "5678"), (5, "6789")])
        );
        assert_eq!(prefix_end("a\u{d7ff}"), Some("a\u{e000}".into()));
        assert_eq!(prefix_end("a\u{10ffff}"), Some("b".into()));
        assert_eq!(prefix_end("\u{10ffff}"), None);
    }
}
