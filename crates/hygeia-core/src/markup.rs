//! Text for HTML and XML output: the one escaper every renderer uses (reports, device
//! advisories, JUnit, SARIF-like XML), so no renderer escapes a little less than another.

/// Escapes text for HTML and XML: the five markup characters, and control characters (not
/// allowed in XML 1.0) as U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_and_control_characters_are_neutralized() {
        assert_eq!(
            escape("<a href=\"x\">Tom's & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; Jerry&#39;s&lt;/a&gt;"
        );
        assert_eq!(escape("bell\u{7}\ttab\nline"), "bell\u{FFFD}\ttab\nline");
    }
}
