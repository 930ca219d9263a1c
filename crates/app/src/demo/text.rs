//! Small text helpers: katakana → romaji (for demo domain names), kanji
//! numerals (for 丁目), base 36, and 和暦 years.

/// Romaji of one katakana character, or `None` for small kana, ッ, ー and
/// anything else (handled by the caller).
fn romaji_of(c: char) -> Option<&'static str> {
    Some(match c {
        'ア' => "a",
        'イ' => "i",
        'ウ' => "u",
        'エ' => "e",
        'オ' => "o",
        'カ' => "ka",
        'キ' => "ki",
        'ク' => "ku",
        'ケ' => "ke",
        'コ' => "ko",
        'ガ' => "ga",
        'ギ' => "gi",
        'グ' => "gu",
        'ゲ' => "ge",
        'ゴ' => "go",
        'サ' => "sa",
        'シ' => "shi",
        'ス' => "su",
        'セ' => "se",
        'ソ' => "so",
        'ザ' => "za",
        'ジ' => "ji",
        'ズ' => "zu",
        'ゼ' => "ze",
        'ゾ' => "zo",
        'タ' => "ta",
        'チ' => "chi",
        'ツ' => "tsu",
        'テ' => "te",
        'ト' => "to",
        'ダ' => "da",
        'ヂ' => "ji",
        'ヅ' => "zu",
        'デ' => "de",
        'ド' => "do",
        'ナ' => "na",
        'ニ' => "ni",
        'ヌ' => "nu",
        'ネ' => "ne",
        'ノ' => "no",
        'ハ' => "ha",
        'ヒ' => "hi",
        'フ' => "fu",
        'ヘ' => "he",
        'ホ' => "ho",
        'バ' => "ba",
        'ビ' => "bi",
        'ブ' => "bu",
        'ベ' => "be",
        'ボ' => "bo",
        'パ' => "pa",
        'ピ' => "pi",
        'プ' => "pu",
        'ペ' => "pe",
        'ポ' => "po",
        'マ' => "ma",
        'ミ' => "mi",
        'ム' => "mu",
        'メ' => "me",
        'モ' => "mo",
        'ヤ' => "ya",
        'ユ' => "yu",
        'ヨ' => "yo",
        'ラ' => "ra",
        'リ' => "ri",
        'ル' => "ru",
        'レ' => "re",
        'ロ' => "ro",
        'ワ' => "wa",
        'ヲ' => "o",
        'ン' => "n",
        'ヴ' => "vu",
        _ => return None,
    })
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'i' | b'u' | b'e' | b'o')
}

/// Hepburn-style romaji of a katakana reading, as Japanese firms write it in
/// domain names: long vowels are dropped (トウヨウ → toyo, コウギョウ →
/// kogyo, オオタ → ota), ー is ignored. Appends to `out`.
pub(crate) fn push_romaji(kana: &str, out: &mut String) {
    let start = out.len();
    let mut double_next = false;
    let mut prev = '\0';
    for c in kana.chars() {
        match c {
            'ッ' => double_next = true,
            'ー' | '・' => {}
            'ャ' | 'ュ' | 'ョ' => {
                let v = match c {
                    'ャ' => 'a',
                    'ュ' => 'u',
                    _ => 'o',
                };
                // キ+ャ → kya; シ/チ/ジ+ャ → sha/cha/ja.
                if out.ends_with('i') && out.len() > start {
                    out.pop();
                    if !(out.ends_with("sh") || out.ends_with("ch") || out.ends_with('j')) {
                        out.push('y');
                    }
                }
                out.push(v);
            }
            'ァ' | 'ィ' | 'ゥ' | 'ェ' | 'ォ' => {
                let v = match c {
                    'ァ' => 'a',
                    'ィ' => 'i',
                    'ゥ' => 'u',
                    'ェ' => 'e',
                    _ => 'o',
                };
                if prev == 'ウ' {
                    out.pop();
                    out.push('w');
                } else if out.len() > start && out.as_bytes().last().copied().is_some_and(is_vowel)
                {
                    out.pop();
                }
                out.push(v);
            }
            _ => {
                if let Some(r) = romaji_of(c) {
                    if double_next {
                        if r.starts_with("ch") {
                            out.push('t');
                        } else if let Some(first) = r.chars().next() {
                            out.push(first);
                        }
                        double_next = false;
                    }
                    out.push_str(r);
                }
            }
        }
        prev = c;
    }
    collapse_long_vowels(out, start);
}

/// oo → o, uu → u, and ou → o unless a lone e follows (so イノウエ keeps
/// "inoue" and コウエイ becomes "koei"; ジョウエツ becomes "jouetsu", as
/// many real domains write it).
fn collapse_long_vowels(out: &mut String, start: usize) {
    let bytes = out.as_bytes()[start..].to_vec();
    let mut result = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        result.push(b);
        let next = bytes.get(i + 1).copied();
        let after = bytes.get(i + 2).copied();
        let long = match (b, next) {
            (b'o', Some(b'o')) | (b'u', Some(b'u')) => true,
            // …ウエ (上) keeps its u, …ウエイ (栄) does not.
            (b'o', Some(b'u')) => after != Some(b'e') || bytes.get(i + 3) == Some(&b'i'),
            _ => false,
        };
        i += if long { 2 } else { 1 };
    }
    out.truncate(start);
    // Only ASCII letters were pushed since `start`.
    out.push_str(std::str::from_utf8(&result).unwrap_or_default());
}

/// Kanji numeral for 1..=10, used for 丁目 (一丁目 … 十丁目).
pub(crate) fn kanji_numeral(n: u32) -> &'static str {
    match n {
        1 => "一",
        2 => "二",
        3 => "三",
        4 => "四",
        5 => "五",
        6 => "六",
        7 => "七",
        8 => "八",
        9 => "九",
        _ => "十",
    }
}

/// Lower-case base 36.
pub(crate) fn push_base36(mut n: u64, out: &mut String) {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut buf = [0u8; 13];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = DIGITS[(n % 36) as usize];
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

/// 和暦 year for a founding year, e.g. 1973 → "昭和48年", 1990 → "平成2年";
/// `None` for years an era changed in (1989, 2019), where the year alone
/// does not say which era.
pub(crate) fn wareki_year(year: i32) -> Option<String> {
    match year {
        1927..=1988 => Some(format!("昭和{}年", year - 1925)),
        1990..=2018 => Some(format!("平成{}年", year - 1988)),
        2020.. => Some(format!("令和{}年", year - 2018)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn romaji(kana: &str) -> String {
        let mut s = String::new();
        push_romaji(kana, &mut s);
        s
    }

    #[test]
    fn romaji_examples() {
        assert_eq!(romaji("トウヨウ"), "toyo");
        assert_eq!(romaji("セイキ"), "seiki");
        assert_eq!(romaji("キョウワ"), "kyowa");
        assert_eq!(romaji("オオタ"), "ota");
        assert_eq!(romaji("イノウエ"), "inoue");
        assert_eq!(romaji("ヨッカイチ"), "yokkaichi");
        assert_eq!(romaji("ハッチョウ"), "hatcho");
        assert_eq!(romaji("シュウナン"), "shunan");
        assert_eq!(romaji("ジョウエツ"), "jouetsu");
        assert_eq!(romaji("オオイタ"), "oita");
        assert_eq!(romaji("トウア"), "toa");
        assert_eq!(romaji("コウエイ"), "koei");
        assert_eq!(romaji("ファーム"), "famu");
        assert_eq!(romaji("ミヤコノジョウ"), "miyakonojo");
        assert_eq!(romaji("チュウオウ"), "chuo");
        assert_eq!(romaji("ヒュウガ"), "hyuga");
    }

    #[test]
    fn base36_and_numerals() {
        let mut s = String::new();
        push_base36(0, &mut s);
        s.push('-');
        push_base36(36 * 36 + 35, &mut s);
        s.push('-');
        push_base36(u64::MAX, &mut s);
        assert_eq!(s, "0-10z-3w5e11264sgsf");
        assert_eq!(kanji_numeral(3), "三");
    }

    #[test]
    fn wareki() {
        assert_eq!(wareki_year(1973).as_deref(), Some("昭和48年"));
        assert_eq!(wareki_year(1990).as_deref(), Some("平成2年"));
        assert_eq!(wareki_year(2023).as_deref(), Some("令和5年"));
        assert_eq!(wareki_year(1989), None);
        assert_eq!(wareki_year(2019), None);
    }
}
