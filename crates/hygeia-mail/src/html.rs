//! A small, tolerant HTML scanner for mail bodies: links with their visible text, forms and
//! password fields, images, scripts, and text hidden from the reader. It never fails; hostile
//! markup only yields fewer facts. Input is capped at [`MAX_HTML_BYTES`].

/// HTML beyond this many bytes is not scanned.
pub const MAX_HTML_BYTES: usize = 2 * 1024 * 1024;

/// One `<a href>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// The href, entity-decoded.
    pub href: String,
    /// The text the reader sees.
    pub text: String,
}

/// What an HTML body contains.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HtmlFacts {
    /// Links.
    pub anchors: Vec<Anchor>,
    /// Text a reader sees (tags removed, entities decoded, whitespace collapsed).
    pub visible_text: String,
    /// Letters and digits of text hidden with CSS (display:none, visibility:hidden, zero size...).
    pub hidden_chars: usize,
    /// `<input type=password>` fields.
    pub password_inputs: usize,
    /// `<form action=...>` targets.
    pub form_actions: Vec<String>,
    /// `<img>` tags.
    pub images: usize,
    /// `<script>` tags.
    pub scripts: usize,
    /// `<meta http-equiv=refresh content="0;url=...">` target.
    pub meta_refresh: Option<String>,
    /// CSS that moves content thousands of pixels away from what the reader sees
    /// (`margin-top: 470500px`, `height: 10000vh`): the text below is there for mail filters only.
    pub pushed_out_of_view: bool,
}

/// Letters and punctuation written as named entities in the languages of the lure catalog
/// ("Voc&ecirc; possui", "&rsquo;").
fn named_letter(name: &str) -> Option<char> {
    let base = |accent: &str| name.strip_suffix(accent).filter(|b| b.len() == 1);
    let combine = |letter: &str, accent: &str| -> Option<char> {
        let table: &[(&str, &str)] = match accent {
            "acute" => &[
                ("a", "á"),
                ("e", "é"),
                ("i", "í"),
                ("o", "ó"),
                ("u", "ú"),
                ("A", "Á"),
                ("E", "É"),
                ("I", "Í"),
                ("O", "Ó"),
                ("U", "Ú"),
            ],
            "grave" => &[
                ("a", "à"),
                ("e", "è"),
                ("i", "ì"),
                ("o", "ò"),
                ("u", "ù"),
                ("A", "À"),
                ("E", "È"),
            ],
            "circ" => &[
                ("a", "â"),
                ("e", "ê"),
                ("i", "î"),
                ("o", "ô"),
                ("u", "û"),
                ("A", "Â"),
                ("E", "Ê"),
                ("O", "Ô"),
            ],
            "tilde" => &[
                ("a", "ã"),
                ("o", "õ"),
                ("n", "ñ"),
                ("A", "Ã"),
                ("O", "Õ"),
                ("N", "Ñ"),
            ],
            "uml" => &[
                ("a", "ä"),
                ("e", "ë"),
                ("i", "ï"),
                ("o", "ö"),
                ("u", "ü"),
                ("A", "Ä"),
                ("O", "Ö"),
                ("U", "Ü"),
            ],
            "cedil" => &[("c", "ç"), ("C", "Ç")],
            _ => &[],
        };
        table
            .iter()
            .find(|(l, _)| *l == letter)
            .and_then(|(_, c)| c.chars().next())
    };
    for accent in ["acute", "grave", "circ", "tilde", "uml", "cedil"] {
        if let Some(letter) = base(accent) {
            return combine(letter, accent);
        }
    }
    Some(match name {
        "szlig" => 'ß',
        "rsquo" => '’',
        "lsquo" => '‘',
        "rdquo" => '”',
        "ldquo" => '“',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        _ => return None,
    })
}

/// Decodes the common named entities and numeric references.
pub fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        // ';' is ASCII, so its byte position is always a character boundary.
        let end = rest.as_bytes()[..rest.len().min(12)]
            .iter()
            .position(|&b| b == b';');
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" | "#39" => Some('\''),
                "nbsp" | "ensp" | "emsp" | "thinsp" => Some(' '),
                "zwnj" => Some('\u{200C}'),
                "zwj" => Some('\u{200D}'),
                "shy" => Some('\u{AD}'),
                "lrm" => Some('\u{200E}'),
                "rlm" => Some('\u{200F}'),
                _ if !name.starts_with('#') => named_letter(name),
                _ if name.starts_with("#x") || name.starts_with("#X") => {
                    u32::from_str_radix(&name[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                }
                _ if name.starts_with('#') => {
                    name[1..].parse::<u32>().ok().and_then(char::from_u32)
                }
                _ => None,
            }?;
            Some((c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// An opening or closing tag.
struct Tag<'a> {
    name: String,
    closing: bool,
    attrs: &'a str,
}

impl Tag<'_> {
    /// The value of an attribute (case-insensitive name), entity-decoded.
    fn attr(&self, name: &str) -> Option<String> {
        let lower = self.attrs.to_ascii_lowercase();
        let mut search = 0;
        while let Some(found) = lower[search..].find(name) {
            let start = search + found;
            let before_ok = start == 0
                || !lower.as_bytes()[start - 1].is_ascii_alphanumeric()
                    && lower.as_bytes()[start - 1] != b'-';
            let after = lower[start + name.len()..].trim_start();
            if before_ok && after.starts_with('=') {
                let offset = self.attrs.len() - after.len() + 1;
                let value = self.attrs[offset..].trim_start();
                let raw = match value.chars().next() {
                    Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
                    _ => value
                        .split(|c: char| c.is_whitespace() || c == '>')
                        .next()
                        .unwrap_or(""),
                };
                return Some(decode_entities(raw.trim()));
            }
            search = start + name.len();
        }
        None
    }
}

fn hides_content(style: &str) -> bool {
    let s: String = style
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    s.contains("display:none")
        || s.contains("visibility:hidden")
        || s.contains("font-size:0")
        || s.contains("font-size:1px")
        || s.contains("max-height:0")
        || s.contains("opacity:0;")
        || s.ends_with("opacity:0")
}

/// Vertical offsets from which content is out of any reader's sight: no screen, however tall, and
/// no layout a legitimate newsletter uses comes near them.
const OUT_OF_VIEW_PX: f64 = 5_000.0;
const OUT_OF_VIEW_VH: f64 = 500.0;

/// Whether CSS (a style sheet or one `style` attribute) pushes content far out of view with a
/// vertical margin, padding, position or height.
fn pushes_out_of_view(css: &str) -> bool {
    let lower = css.to_ascii_lowercase();
    lower
        .split([';', '{', '}'])
        .filter_map(|declaration| declaration.split_once(':'))
        .filter(|(property, _)| {
            matches!(
                property.trim(),
                "margin"
                    | "margin-top"
                    | "padding"
                    | "padding-top"
                    | "top"
                    | "height"
                    | "min-height"
            )
        })
        .any(|(_, value)| first_length_is_out_of_view(value))
}

/// The first length of a CSS value (`470500px 0`), in pixels or viewport heights, is beyond
/// [`OUT_OF_VIEW_PX`] or [`OUT_OF_VIEW_VH`].
fn first_length_is_out_of_view(value: &str) -> bool {
    let value = value.trim_start();
    let digits = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(value.len());
    let Ok(number) = value[..digits].parse::<f64>() else {
        return false;
    };
    let unit = value[digits..].trim_start();
    (unit.starts_with("px") && number >= OUT_OF_VIEW_PX)
        || (unit.starts_with("vh") && number >= OUT_OF_VIEW_VH)
}

/// Scans an HTML body.
pub fn scan(html: &str) -> HtmlFacts {
    let html = if html.len() > MAX_HTML_BYTES {
        let mut cut = MAX_HTML_BYTES;
        while !html.is_char_boundary(cut) {
            cut -= 1;
        }
        &html[..cut]
    } else {
        html
    };
    let mut facts = HtmlFacts::default();
    let mut text = String::new();
    let mut open_anchor: Option<(String, String)> = None;
    // Names of open elements that hide their content, innermost last.
    let mut hidden_stack: Vec<String> = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(
                &mut facts,
                &mut text,
                &mut open_anchor,
                !hidden_stack.is_empty(),
                rest,
            );
            break;
        };
        push_text(
            &mut facts,
            &mut text,
            &mut open_anchor,
            !hidden_stack.is_empty(),
            &rest[..lt],
        );
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            rest = rest.find("-->").map_or("", |end| &rest[end + 3..]);
            continue;
        }
        let Some(gt) = find_tag_end(rest) else { break };
        let inner = &rest[1..gt];
        rest = &rest[gt + 1..];
        let Some(tag) = parse_tag(inner) else {
            continue;
        };
        match (tag.name.as_str(), tag.closing) {
            ("script", false) | ("style", false) => {
                let close = format!("</{}", tag.name);
                let end = find_ascii_ci(rest, &close).unwrap_or(rest.len());
                if tag.name == "script" {
                    facts.scripts += 1;
                } else if pushes_out_of_view(&rest[..end]) {
                    facts.pushed_out_of_view = true;
                }
                rest = &rest[end..];
            }
            ("a", false) => {
                if let Some((href, anchor_text)) = open_anchor.take() {
                    facts.anchors.push(Anchor {
                        href,
                        text: collapse(&anchor_text),
                    });
                }
                if let Some(href) = tag.attr("href") {
                    open_anchor = Some((href, String::new()));
                }
            }
            ("a", true) => {
                if let Some((href, anchor_text)) = open_anchor.take() {
                    facts.anchors.push(Anchor {
                        href,
                        text: collapse(&anchor_text),
                    });
                }
            }
            // Image maps: each clickable region of a picture is a link of its own.
            ("area", false) => {
                if let Some(href) = tag.attr("href") {
                    facts.anchors.push(Anchor {
                        href,
                        text: String::new(),
                    });
                }
            }
            ("input", false) => {
                if tag
                    .attr("type")
                    .is_some_and(|t| t.eq_ignore_ascii_case("password"))
                {
                    facts.password_inputs += 1;
                }
            }
            ("form", false) => facts
                .form_actions
                .push(tag.attr("action").unwrap_or_default()),
            ("img", false) => {
                facts.images += 1;
                if let Some(alt) = tag.attr("alt") {
                    push_text(
                        &mut facts,
                        &mut text,
                        &mut open_anchor,
                        !hidden_stack.is_empty(),
                        &format!(" {alt} "),
                    );
                }
            }
            ("meta", false) => {
                let refresh = tag
                    .attr("http-equiv")
                    .is_some_and(|v| v.eq_ignore_ascii_case("refresh"));
                if refresh && let Some(content) = tag.attr("content") {
                    let lower = content.to_ascii_lowercase();
                    facts.meta_refresh = lower
                        .find("url=")
                        .map(|at| content[at + 4..].trim().to_string());
                }
            }
            (name, true) => {
                if hidden_stack.last().is_some_and(|h| h == name) {
                    hidden_stack.pop();
                }
                if matches!(
                    name,
                    "p" | "div" | "br" | "tr" | "li" | "td" | "h1" | "h2" | "h3"
                ) {
                    text.push(' ');
                }
            }
            (name, false) => {
                if tag.attr("style").is_some_and(|s| pushes_out_of_view(&s)) {
                    facts.pushed_out_of_view = true;
                }
                let void = matches!(
                    name,
                    "br" | "hr"
                        | "meta"
                        | "link"
                        | "img"
                        | "input"
                        | "col"
                        | "area"
                        | "base"
                        | "wbr"
                );
                if !void
                    && (tag.attr("hidden").is_some()
                        || tag.attr("style").is_some_and(|s| hides_content(&s)))
                {
                    hidden_stack.push(name.to_string());
                }
                if matches!(name, "p" | "div" | "br" | "tr" | "li" | "td") {
                    text.push(' ');
                }
            }
        }
        // Unbalanced markup must not hide the rest of the message forever.
        if hidden_stack.len() > 64 {
            hidden_stack.clear();
        }
    }
    if let Some((href, anchor_text)) = open_anchor.take() {
        facts.anchors.push(Anchor {
            href,
            text: collapse(&anchor_text),
        });
    }
    facts.visible_text = collapse(&text);
    facts
}

fn push_text(
    facts: &mut HtmlFacts,
    text: &mut String,
    anchor: &mut Option<(String, String)>,
    hidden: bool,
    raw: &str,
) {
    if raw.is_empty() {
        return;
    }
    let decoded = decode_entities(raw);
    if hidden {
        // Letters and digits only: the invisible padding newsletters put after their hidden
        // preview line (&zwnj;&nbsp; repeated) is not hidden text.
        facts.hidden_chars += decoded.chars().filter(|c| c.is_alphanumeric()).count();
        return;
    }
    if let Some((_, anchor_text)) = anchor.as_mut() {
        anchor_text.push_str(&decoded);
    }
    text.push_str(&decoded);
}

/// Byte index of the first ASCII-case-insensitive occurrence of `needle` (ASCII) in `text`.
fn find_ascii_ci(text: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (text.as_bytes(), needle.as_bytes());
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// The index of the `>` that ends the tag starting at `text[0] == '<'`, skipping quoted values.
/// As in browsers, a quote opens a value only right after `=`: a stray quote
/// (`width="100%""`) is part of an attribute name and must not swallow the rest of the page.
fn find_tag_end(text: &str) -> Option<usize> {
    let mut quote: Option<u8> = None;
    let mut after_equals = false;
    for (i, &b) in text.as_bytes().iter().enumerate().skip(1) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') if after_equals => quote = Some(b),
            (None, b'>') => return Some(i),
            _ => {}
        }
        if !b.is_ascii_whitespace() {
            after_equals = quote.is_none() && b == b'=';
        }
        if i > 64 * 1024 {
            return None;
        }
    }
    None
}

fn parse_tag(inner: &str) -> Option<Tag<'_>> {
    let (closing, body) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let name_end = body
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(body.len());
    let name = body[..name_end].to_ascii_lowercase();
    if name.is_empty() || !name.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    Some(Tag {
        name,
        closing,
        attrs: &body[name_end..],
    })
}

/// Collapses runs of whitespace into single spaces.
pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links_forms_and_hidden_text() {
        let html = r#"<html><head><style>p{color:red}</style></head><body>
<p>Dear customer, <a href="http://198.51.100.23/login?a=1&amp;b=2">www.paypal.com</a></p>
<div style="display: none">invisible filler words to fool filters</div>
<form action="https://evil.example/post"><input type="password" name="p"></form>
<img src="x.png" alt="logo"><script>alert(1)</script><!-- <a href="http://hidden"> -->
</body></html>"#;
        let facts = scan(html);
        assert_eq!(
            facts.anchors,
            vec![Anchor {
                href: "http://198.51.100.23/login?a=1&b=2".into(),
                text: "www.paypal.com".into()
            }]
        );
        assert!(facts.hidden_chars > 20);
        assert_eq!(
            (facts.password_inputs, facts.images, facts.scripts),
            (1, 1, 1)
        );
        assert_eq!(
            facts.form_actions,
            vec!["https://evil.example/post".to_string()]
        );
        assert!(
            facts.visible_text.contains("Dear customer")
                && !facts.visible_text.contains("invisible")
        );
        assert!(!facts.visible_text.contains("alert"));
    }

    #[test]
    fn named_letters_are_decoded() {
        assert_eq!(
            decode_entities("Voc&ecirc; possui a&ccedil;&atilde;o &rsquo;x&rsquo; &bogus; &amp;"),
            "Você possui ação ’x’ &bogus; &"
        );
    }

    #[test]
    fn preview_padding_is_not_hidden_text() {
        let padding = "&zwnj;&nbsp;".repeat(300);
        let facts = scan(&format!(
            "<div style=\"display:none\">Your June statement{padding}</div><p>Hello</p>"
        ));
        assert_eq!(facts.hidden_chars, 17);
    }

    #[test]
    fn content_pushed_far_below_the_view_is_noticed() {
        let sheet = scan(
            "<style>.belowView { margin-top: 470500px; /* out of sight */ }</style><p>Claim your prize</p><div class=belowView>newsletter text</div>",
        );
        assert!(sheet.pushed_out_of_view);
        let inline = scan("<div style=\"height:10000vh\">x</div>");
        assert!(inline.pushed_out_of_view);
        // Ordinary newsletter layout: full-height sections, wide tables, collapsed preview lines.
        let layout = scan(
            "<style>body{min-height:100vh;margin:0} .wrap{max-height:99999px;width:6000px}</style><div style=\"padding:20px 0;height:600px\">Hello</div>",
        );
        assert!(!layout.pushed_out_of_view);
    }

    #[test]
    fn image_map_regions_are_links() {
        let facts = scan(
            "<map name=m><area shape=rect coords=\"0,0,9,9\" href=\"http://192.0.2.7/login\"></map><img usemap=\"#m\">",
        );
        assert_eq!(facts.anchors.len(), 1, "{facts:?}");
        assert_eq!(facts.anchors[0].href, "http://192.0.2.7/login");
    }

    #[test]
    fn stray_quote_does_not_swallow_the_page() {
        let facts = scan(
            "<table width=\"100%\"\"><tr><td><a href=\"http://192.0.2.1/x\">login</a></td></tr></table>",
        );
        assert_eq!(facts.anchors.len(), 1, "{facts:?}");
    }

    #[test]
    fn survives_broken_markup() {
        for html in [
            "<",
            "<a href=\"x",
            "<<<>>>",
            "<div style='display:none'>",
            "&#xFFFFFFFF; &#99999999999; &",
            "<a href=x>open",
            "&amp; Jerry’s",
            "&nbsp;ou até&nbsp;",
            "&ééééééé;",
        ] {
            let _ = scan(html);
        }
        assert_eq!(
            decode_entities("a &amp; b &#65;&#x42; &bogus;"),
            "a & b AB &bogus;"
        );
    }
}
