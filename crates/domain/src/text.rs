//! Input normalisation shared by the parsers.
//!
//! Japanese users often type with an IME left in full-width mode, so parsers
//! fold full-width ASCII (０-９, Ａ-Ｚ, －, ，, …) to ASCII and trim surrounding
//! whitespace (including the ideographic space U+3000). Nothing else is
//! forgiven: every other character is an error, never silently dropped.

/// Maps a full-width ASCII variant (U+FF01..=U+FF5E) to its ASCII character;
/// any other character is returned unchanged.
pub(crate) fn fold_fullwidth(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Trims, then folds full-width ASCII to ASCII.
pub(crate) fn normalize(input: &str) -> String {
    input.trim().chars().map(fold_fullwidth).collect()
}

/// Why a string is not a plain run of digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DigitsError {
    Empty,
    /// `position` is 1-based, counted in characters of the trimmed input.
    InvalidCharacter {
        found: char,
        position: usize,
    },
}

/// Normalises `input` and returns its digit values (0..=9), or says why it is
/// not only digits.
pub(crate) fn digits(input: &str) -> Result<Vec<u8>, DigitsError> {
    let normalized = normalize(input);
    if normalized.is_empty() {
        return Err(DigitsError::Empty);
    }
    normalized
        .chars()
        .enumerate()
        // to_digit(10) accepts ASCII digits only.
        .map(|(i, c)| match c.to_digit(10) {
            Some(d) => Ok(d as u8),
            None => Err(DigitsError::InvalidCharacter {
                found: c,
                position: i + 1,
            }),
        })
        .collect()
}

/// ASCII bytes of digit values, for types that store their canonical text.
pub(crate) fn to_ascii<const N: usize>(digits: &[u8]) -> [u8; N] {
    let mut out = [b'0'; N];
    for (o, d) in out.iter_mut().zip(digits) {
        *o = b'0' + d;
    }
    out
}

/// Views ASCII bytes that a type built itself as `&str`.
pub(crate) fn ascii_str(bytes: &[u8]) -> &str {
    // Only ever called on bytes the crate wrote from ASCII digits or letters.
    std::str::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_fullwidth_digits_and_trims() {
        assert_eq!(normalize("　０１２３４５６７８９ "), "0123456789");
        assert_eq!(normalize("ＡＢ－，"), "AB-,");
    }

    #[test]
    fn digits_reports_first_bad_character() {
        assert_eq!(digits("12３"), Ok(vec![1, 2, 3]));
        assert_eq!(digits("  "), Err(DigitsError::Empty));
        assert_eq!(
            digits("12-3"),
            Err(DigitsError::InvalidCharacter {
                found: '-',
                position: 3
            })
        );
        // Other scripts' digits are not folded: only ASCII and full-width.
        assert!(digits("١٢").is_err());
    }
}
