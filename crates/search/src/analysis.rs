//! Japanese text analysis without dictionaries.
//!
//! Text is first [normalised](normalize): NFKC (full-width ASCII, half-width
//! katakana and the like fold to their usual forms), lower case, and every
//! run of white space (and control characters) becomes one ASCII space;
//! leading and trailing white space goes. The normalised text — CJK, kana,
//! Latin, digits, punctuation alike, one character stream — is indexed as
//! character n-grams by [`NgramTokenizer`], the n-gram starting at
//! character `i` at position `i`, in three fields ([`GRAMS`]):
//!
//! - **bigrams** (frequencies, no positions),
//! - **4-grams** (frequencies and positions), and
//! - **8-grams** (documents only: no frequencies, no positions).
//!
//! Each run of text (the texts of a document are indexed as one stream
//! joined by [`SEPARATOR`]; no n-gram spans it) also ends with *tail*
//! n-grams: for each length `k` from one more than the next shorter field's
//! n-gram up to `n - 1`, the run's last `k` characters and [`PAD`] (bigrams:
//! the last character; 4-grams: the last three; 8-grams: the last seven,
//! six and five). So every substring of one character is the start of a
//! bigram, of three characters the start of a 4-gram, and of five to seven
//! the start of an 8-gram, and a query term of `m` characters is looked up
//! as ([`term_grams`]):
//!
//! | m   | lookup                                                          |
//! |-----|-----------------------------------------------------------------|
//! | 1   | the bigrams that start with it (a term range)                   |
//! | 2   | one bigram                                                      |
//! | 3   | the 4-grams that start with it (a term range)                   |
//! | 4   | one 4-gram                                                      |
//! | 5–7 | the 8-grams that start with it (a term range)                   |
//! | 8   | one 8-gram                                                      |
//! | 9+  | a phrase of the 4-grams covering it, at their offsets, checked only in the documents holding the 8-grams of its first and last 8 characters |
//!
//! which matches exactly the documents whose normalised text contains the
//! term: recall and precision against a substring search are 1.0 by
//! construction. The common Japanese query terms (two to four characters:
//! 清掃, 東京都, 業務委託) never need positions, which a phrase of bigrams
//! would read for every document holding both bigrams — for a common
//! compound, most of the index. (This is where the scheme goes beyond
//! "bigrams plus single characters": the single characters are the bigram
//! range, and the 4-grams buy speed for a common compound at about the size
//! the bigram positions would have taken.) The 8-grams do the same for
//! longer terms made of common 4-grams (一般競争入札, 参加資格を有する): a
//! phrase of 4-grams reads positions for every document holding them all,
//! while an 8-gram is looked up without positions, and a longer term's
//! phrase is only checked in the documents holding its (rare) first and
//! last 8-grams. They hold no positions, which would make them the largest
//! field; they are only for finding documents.
//!
//! Normalisation works chunk by chunk (a character and the combining marks or
//! sound marks after it), so every normalised character knows the original
//! characters it came from ([`normalize_mapped`]); snippets use that to put
//! `<mark>` around the original text.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer, TokenizerManager};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{canonical_combining_class, is_combining_mark};

/// The n-gram indexed with positions; terms longer than [`MAX_GRAM`] are
/// phrases of these.
pub const PHRASE_GRAM: usize = 4;

/// Longest n-gram indexed (documents only).
pub const MAX_GRAM: usize = 8;

/// The n-gram lengths indexed, each in its own field, shortest first.
pub const GRAMS: [usize; 3] = [2, PHRASE_GRAM, MAX_GRAM];

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
    /// A term longer than [`MAX_GRAM`].
    Phrase {
        /// [`PHRASE_GRAM`]-grams with their offsets, covering every
        /// character at its place (offsets 0, 4, 8, … and the last one), so
        /// the phrase they make matches exactly where the term occurs.
        parts: Vec<(usize, String)>,
        /// The [`MAX_GRAM`]-grams of its first and last [`MAX_GRAM`]
        /// characters (one when they are the same): every document holding the term holds
        /// them, so the phrase need only be checked where they both are.
        guards: Vec<String>,
    },
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
    let len = chars.len();
    if GRAMS.contains(&len) {
        return TermGrams::Gram(len);
    }
    if let Some(&n) = GRAMS.iter().find(|&&n| n > len) {
        // Shorter than an indexed length: the start of those n-grams (the
        // tails make every substring of this length the start of one).
        return TermGrams::Prefix {
            n,
            from: term.to_owned(),
            to: prefix_end(term),
        };
    }
    let last = len - PHRASE_GRAM;
    let mut offsets: Vec<usize> = (0..=last).step_by(PHRASE_GRAM).collect();
    if offsets.last() != Some(&last) {
        offsets.push(last);
    }
    let gram = |i: usize, n: usize| chars[i..i + n].iter().collect::<String>();
    let mut guards = vec![gram(0, MAX_GRAM), gram(len - MAX_GRAM, MAX_GRAM)];
    guards.dedup();
    TermGrams::Phrase {
        parts: offsets
            .into_iter()
            .map(|i| (i, gram(i, PHRASE_GRAM)))
            .collect(),
        guards,
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
/// spans a [`SEPARATOR`]), and at the end of each run of text its tails:
/// for each `k` from [`shortest_tail`] up to `n - 1`, its last `k`
/// characters and [`PAD`], at the position of the first of them (longest
/// first, so positions never go back).
#[derive(Debug, Clone, Copy)]
pub struct NgramTokenizer {
    /// One of [`GRAMS`].
    pub n: usize,
}

/// The shortest tail of the `n`-gram field: one character more than the
/// next shorter indexed n-gram (1 for the shortest), the lengths of terms
/// looked up as prefixes of `n`-grams.
pub fn shortest_tail(n: usize) -> usize {
    GRAMS
        .iter()
        .take_while(|&&g| g < n)
        .last()
        .map_or(1, |g| g + 1)
}

/// The token stream of [`NgramTokenizer`].
pub struct NgramStream<'a> {
    text: &'a str,
    chars: std::str::CharIndices<'a>,
    n: usize,
    shortest_tail: usize,
    /// Byte offsets of the last [`MAX_GRAM`] characters (a ring indexed by
    /// position; `n` and every tail fit).
    starts: [usize; MAX_GRAM],
    /// Characters read (separators included): the next one's position.
    read: usize,
    /// Characters of the current run read so far.
    run: usize,
    /// Byte offset where the current run ends (after its last character).
    run_end: usize,
    /// Length of the next tail of the run that just ended, while it is at
    /// least `shortest_tail`.
    tail: usize,
    /// Position just after the run that just ended.
    tail_end: usize,
    done: bool,
    token: Token,
}

impl Tokenizer for NgramTokenizer {
    type TokenStream<'a> = NgramStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> NgramStream<'a> {
        assert!(
            GRAMS.contains(&self.n),
            "n-grams of the lengths in {GRAMS:?}"
        );
        NgramStream {
            text,
            chars: text.char_indices(),
            n: self.n,
            shortest_tail: shortest_tail(self.n),
            starts: [0; MAX_GRAM],
            read: 0,
            run: 0,
            run_end: 0,
            tail: 0,
            tail_end: 0,
            done: false,
            token: Token::default(),
        }
    }
}

impl NgramStream<'_> {
    /// Queues the tails of the run that just ended (those it is long
    /// enough for). They are emitted before the next character is read, so
    /// the ring still holds their starts.
    fn end_run(&mut self) {
        self.tail = self.run.min(self.n - 1);
        self.tail_end = self.read;
    }

    /// Makes the token of the `k` characters before position `end`, which
    /// ends at byte `end_byte`.
    fn set_token(&mut self, k: usize, end: usize, end_byte: usize) {
        let first = end - k;
        let start = self.starts[first % MAX_GRAM];
        self.token.text.clear();
        self.token.text.push_str(&self.text[start..end_byte]);
        self.token.offset_from = start;
        self.token.offset_to = end_byte;
        self.token.position = first;
    }
}

impl TokenStream for NgramStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            if self.tail >= self.shortest_tail {
                let k = self.tail;
                self.tail -= 1;
                self.set_token(k, self.tail_end, self.run_end);
                self.token.text.push(PAD);
                return true;
            }
            if self.done {
                return false;
            }
            let Some((i, c)) = self.chars.next() else {
                self.done = true;
                self.end_run();
                continue;
            };
            if c == SEPARATOR {
                self.end_run();
                self.read += 1;
                self.run = 0;
                continue;
            }
            self.starts[self.read % MAX_GRAM] = i;
            self.read += 1;
            self.run += 1;
            self.run_end = i + c.len_utf8();
            if self.run < self.n {
                continue;
            }
            self.set_token(self.n, self.read, self.run_end);
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
        // 8-grams: a tail for each of the last seven, six and five
        // characters, as far as the run is long enough.
        assert_eq!(
            grams(8, "一般競争入札参加"),
            owned(&[
                (0, "一般競争入札参加"),
                (1, "般競争入札参加\u{1}"),
                (2, "競争入札参加\u{1}"),
                (3, "争入札参加\u{1}")
            ])
        );
        assert_eq!(
            grams(8, "123456789"),
            owned(&[
                (0, "12345678"),
                (1, "23456789"),
                (2, "3456789\u{1}"),
                (3, "456789\u{1}"),
                (4, "56789\u{1}")
            ])
        );
        assert_eq!(
            grams(8, "入札参加資格"),
            owned(&[(0, "入札参加資格\u{1}"), (1, "札参加資格\u{1}")])
        );
        assert_eq!(grams(8, "入札参加資"), owned(&[(0, "入札参加資\u{1}")]));
        assert!(grams(8, "入札参加").is_empty());
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
        // Each run's tails come before the next run's grams, at their
        // positions (the separator takes one).
        let text = format!("abcdefg{SEPARATOR}hijklmnop{SEPARATOR}qrstu");
        assert_eq!(
            grams(8, &text),
            owned(&[
                (0, "abcdefg\u{1}"),
                (1, "bcdefg\u{1}"),
                (2, "cdefg\u{1}"),
                (8, "hijklmno"),
                (9, "ijklmnop"),
                (10, "jklmnop\u{1}"),
                (11, "klmnop\u{1}"),
                (12, "lmnop\u{1}"),
                (18, "qrstu\u{1}")
            ])
        );
        // The 4-grams keep their one tail and their positions.
        assert_eq!(
            grams(4, &text),
            owned(&[
                (0, "abcd"),
                (1, "bcde"),
                (2, "cdef"),
                (3, "defg"),
                (4, "efg\u{1}"),
                (8, "hijk"),
                (9, "ijkl"),
                (10, "jklm"),
                (11, "klmn"),
                (12, "lmno"),
                (13, "mnop"),
                (14, "nop\u{1}"),
                (18, "qrst"),
                (19, "rstu"),
                (20, "stu\u{1}")
            ])
        );
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
        assert_eq!(
            term_grams("一般競争入"),
            prefix(8, "一般競争入", "一般競争\u{5166}")
        );
        assert_eq!(
            term_grams("一般競争入札"),
            prefix(8, "一般競争入札", "一般競争入\u{672e}")
        );
        assert_eq!(term_grams("1234567"), prefix(8, "1234567", "1234568"));
        assert_eq!(term_grams("参加資格を有する"), TermGrams::Gram(8));
        let phrase = |v: &[(usize, &str)], guards: &[&str]| TermGrams::Phrase {
            parts: owned(v),
            guards: guards.iter().map(|g| g.to_string()).collect(),
        };
        assert_eq!(
            term_grams("123456789"),
            phrase(
                &[(0, "1234"), (4, "5678"), (5, "6789")],
                &["12345678", "23456789"]
            )
        );
        assert_eq!(
            term_grams("123456789abc"),
            phrase(
                &[(0, "1234"), (4, "5678"), (8, "9abc")],
                &["12345678", "56789abc"]
            )
        );
        // The same first and last 8 characters: one guard.
        assert_eq!(
            term_grams("aaaaaaaaa"),
            phrase(&[(0, "aaaa"), (4, "aaaa"), (5, "aaaa")], &["aaaaaaaa"])
        );
        assert_eq!(prefix_end("a\u{d7ff}"), Some("a\u{e000}".into()));
        assert_eq!(prefix_end("a\u{10ffff}"), Some("b".into()));
        assert_eq!(prefix_end("\u{10ffff}"), None);
    }

    /// The n-grams a text is indexed with: per field (sorted), and the
    /// phrase field's with their positions.
    struct Indexed {
        fields: Vec<Vec<String>>,
        positions: std::collections::HashSet<(usize, String)>,
    }

    fn indexed(text: &str) -> Indexed {
        let fields = GRAMS
            .iter()
            .map(|&n| {
                let mut v: Vec<String> = grams(n, text).into_iter().map(|(_, g)| g).collect();
                v.sort();
                v
            })
            .collect();
        Indexed {
            fields,
            positions: grams(PHRASE_GRAM, text).into_iter().collect(),
        }
    }

    /// Whether the lookup of `term` ([`term_grams`]) finds the text, as the
    /// index does it.
    fn found(ix: &Indexed, term: &str) -> bool {
        let field = |n: usize| &ix.fields[GRAMS.iter().position(|&g| g == n).unwrap()];
        let has = |n: usize, g: &str| field(n).binary_search_by(|t| t.as_str().cmp(g)).is_ok();
        match term_grams(term) {
            TermGrams::Gram(n) => has(n, term),
            TermGrams::Prefix { n, from, to } => {
                let f = field(n);
                let i = f.partition_point(|t| *t < from);
                i < f.len() && to.is_none_or(|to| f[i] < to)
            }
            TermGrams::Phrase { parts, guards } => {
                guards.iter().all(|g| has(MAX_GRAM, g))
                    && ix.positions.iter().any(|(p, _)| {
                        parts
                            .iter()
                            .all(|(o, g)| ix.positions.contains(&(p + o, g.clone())))
                    })
            }
        }
    }

    /// Recall and precision 1.0 of the lookups against a substring search,
    /// for terms of 1 to 12 characters at the start, middle and end of
    /// texts and of runs next to a separator, texts shorter than 8
    /// characters, and terms that span a separator (never found).
    #[test]
    fn lookups_find_exactly_the_texts_containing_the_term() {
        let runs = [
            "",
            "a",
            "入札",
            "一般競争",
            "一般競争入",
            "参加資格を有",
            "参加資格を有す",
            "参加資格を有する",
            "一般競争入札参加資格を有する者",
            "aaaaaaaaaaaa",
            "abababababab",
            "ab ab ab ab abc",
            "令和7年度 庁舎清掃業務委託(単価契約)",
        ];
        let mut texts: Vec<String> = runs.iter().map(|r| r.to_string()).collect();
        for a in runs {
            for b in ["参加資格を有する", "x", "一般競争入札"] {
                texts.push(format!("{a}{SEPARATOR}{b}"));
                texts.push(format!("{b}{SEPARATOR}{a}{SEPARATOR}{b}"));
            }
        }
        let mut terms: Vec<String> = Vec::new();
        for t in &texts {
            let chars: Vec<char> = t.chars().collect();
            for i in 0..chars.len() {
                for m in 1..=12.min(chars.len() - i) {
                    let term: String = chars[i..i + m].iter().collect();
                    // A term spanning a separator, as the user could type
                    // it: with a space, or nothing, in its place.
                    for join in [" ", ""] {
                        let term = term.replace(SEPARATOR, join);
                        if !term.is_empty() && !term.starts_with(' ') && !term.ends_with(' ') {
                            terms.push(term);
                        }
                    }
                }
            }
        }
        terms.sort();
        terms.dedup();
        let lengths: std::collections::BTreeSet<usize> =
            terms.iter().map(|t| t.chars().count()).collect();
        assert_eq!(lengths, (1..=12).collect());
        let (mut hits, mut misses) = (0, 0);
        for t in &texts {
            let ix = indexed(t);
            for term in &terms {
                let want = t.split(SEPARATOR).any(|run| run.contains(term.as_str()));
                assert_eq!(found(&ix, term), want, "{term:?} in {t:?}");
                if want {
                    hits += 1;
                } else {
                    misses += 1;
                }
            }
        }
        assert!(hits > 1000 && misses > 1000, "{hits} hits, {misses} misses");
    }
}
