//! Japanese text analysis without dictionaries. (Skeleton: being written.)

/// Normalises text for indexing and querying: NFKC (full-width ASCII and
/// half-width katakana fold), lower case.
pub fn normalize(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfkc().collect::<String>().to_lowercase()
}
