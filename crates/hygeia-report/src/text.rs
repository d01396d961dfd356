//! Text for a terminal line.

/// `text` on one line of at most `width` characters: control characters (line breaks, escape
/// sequences a hostile subject could carry) become spaces, and a longer text ends with "…".
pub fn shorten(text: &str, width: usize) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() <= width {
        return clean;
    }
    let mut short: String = clean.chars().take(width.saturating_sub(1)).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn long_text_is_cut_and_control_characters_blanked() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("ab\u{1b}[2Jc", 10), "ab [2Jc");
        assert_eq!(shorten("", 3), "");
    }
}
