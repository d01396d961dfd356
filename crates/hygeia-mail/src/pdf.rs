//! What a PDF attachment holds, read from its objects: web links, actions that run code, the
//! number of pages and how much text they show.
//!
//! Phishing PDFs hide their link and their script inside compressed object streams, where a
//! search of the raw bytes does not see them, and write names with `#xx` escapes
//! (`/J#61vaScript`). So compressed streams are inflated (within fixed limits: a PDF bomb stops
//! at the limit, it is never fully expanded) and every name is read with its escapes decoded.

use std::io::Read;

/// Streams inflated per PDF.
const MAX_STREAMS: usize = 500;
/// Bytes one stream may inflate to.
const MAX_STREAM_BYTES: u64 = 4 * 1024 * 1024;
/// Bytes all streams of one PDF may inflate to together.
const MAX_TOTAL_BYTES: usize = 16 * 1024 * 1024;
/// Web links kept per PDF.
const MAX_LINKS: usize = 50;

/// Actions that run when a PDF is opened or clicked, by the name that declares them.
const ACTIVE_NAMES: [&str; 5] = ["JavaScript", "JS", "Launch", "EmbeddedFile", "OpenAction"];

/// What was found in one PDF.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PdfFacts {
    /// Page objects (`/Type /Page`).
    pub pages: usize,
    /// `http`/`https` targets of link actions (`/URI (...)`), in order, without repeats.
    pub web_links: Vec<String>,
    /// Names of actions that run code or open something (`JavaScript`, `Launch`, ...).
    pub actions: Vec<&'static str>,
    /// Characters shown by text operators in the page content (an estimate: font encodings
    /// are not decoded, so it counts string bytes).
    pub text_chars: usize,
    /// A limit stopped the reading early; the facts are a lower bound.
    pub limited: bool,
}

/// Whether the data is a PDF (readers accept the header anywhere in the first kilobyte).
pub fn is_pdf(data: &[u8]) -> bool {
    memchr::memmem::find(&data[..data.len().min(1024)], b"%PDF-").is_some()
}

/// Reads a PDF's objects. Never fails: what cannot be read is left out.
pub fn read(data: &[u8]) -> PdfFacts {
    let mut facts = PdfFacts::default();
    read_body(data, &mut facts);
    let mut total = 0usize;
    for (count, stream) in streams(data).enumerate() {
        if count >= MAX_STREAMS || total >= MAX_TOTAL_BYTES {
            facts.limited = true;
            break;
        }
        let inflated;
        let body = if stream.compressed {
            let (bytes, cut) = inflate(
                stream.bytes,
                MAX_STREAM_BYTES.min((MAX_TOTAL_BYTES - total) as u64),
            );
            facts.limited |= cut;
            total += bytes.len();
            inflated = bytes;
            read_body(&inflated, &mut facts);
            &inflated[..]
        } else {
            stream.bytes
        };
        if is_page_content(body) {
            facts.text_chars += shown_text_bytes(body);
        }
    }
    facts
}

/// One stream of a PDF that is not a picture.
struct Stream<'a> {
    bytes: &'a [u8],
    /// `FlateDecode`: the bytes must be inflated before they can be read.
    compressed: bool,
}

/// The streams of a PDF other than pictures, in file order.
fn streams(data: &[u8]) -> impl Iterator<Item = Stream<'_>> {
    let mut from = 0;
    std::iter::from_fn(move || {
        loop {
            let at = from + memchr::memmem::find(&data[from..], b"stream")?;
            from = at + 6;
            // The keyword ends a dictionary (">>stream") and is followed by an end of line.
            let before = data[..at].trim_ascii_end();
            if !before.ends_with(b">>") {
                continue;
            }
            let start = match data.get(at + 6..at + 8) {
                Some([b'\r', b'\n']) => at + 8,
                Some([b'\n', _]) | Some([b'\r', _]) => at + 7,
                _ => continue,
            };
            let dictionary_start = before
                .len()
                .saturating_sub(2048)
                .max(memchr::memmem::rfind(before, b"obj").unwrap_or(0));
            let dictionary = &before[dictionary_start..];
            let end = memchr::memmem::find(&data[start..], b"endstream")
                .map_or(data.len(), |n| start + n);
            from = end;
            let has = |word: &[u8]| memchr::memmem::find(dictionary, word).is_some();
            let filtered = has(b"/Filter");
            let compressed = has(b"/FlateDecode") || has(b"/Fl ");
            // Streams under other filters (pictures, fonts in other encodings) are not text.
            if has(b"/Image") || filtered && !compressed {
                continue;
            }
            return Some(Stream {
                bytes: &data[start..end],
                compressed,
            });
        }
    })
}

/// Inflates a zlib stream up to `limit` bytes; a damaged stream yields what came before the
/// damage. Returns whether the limit cut it short.
fn inflate(stream: &[u8], limit: u64) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let mut decoder = flate2::read::ZlibDecoder::new(stream).take(limit + 1);
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match decoder.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&chunk[..n]),
        }
    }
    let cut = out.len() as u64 > limit;
    out.truncate(limit as usize);
    (out, cut)
}

/// Reads the names, pages and link targets of one body of PDF syntax.
fn read_body(body: &[u8], facts: &mut PdfFacts) {
    let mut name = Vec::with_capacity(64);
    let mut after_type = false;
    let mut at = 0;
    while let Some(slash) = memchr::memchr(b'/', &body[at..]) {
        let start = at + slash + 1;
        at = read_name(body, start, &mut name);
        let name = name.as_slice();
        if after_type && name == b"Page" {
            facts.pages += 1;
        }
        after_type = name == b"Type";
        if let Some(active) = ACTIVE_NAMES.iter().find(|a| a.as_bytes() == name)
            && !facts.actions.contains(active)
        {
            facts.actions.push(active);
        }
        if name == b"URI"
            && let Some(target) = string_after(&body[at..])
        {
            let target = target.trim().to_string();
            let lower = target.to_ascii_lowercase();
            let web = lower.starts_with("http://") || lower.starts_with("https://");
            if web && facts.web_links.len() < MAX_LINKS && !facts.web_links.contains(&target) {
                facts.web_links.push(target);
            }
        }
    }
}

fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b)
}

/// Reads the name starting at `start` (after its slash) into `name`, with `#xx` escapes
/// decoded; returns where it ends.
fn read_name(body: &[u8], start: usize, name: &mut Vec<u8>) -> usize {
    name.clear();
    let mut i = start;
    while i < body.len() && !is_delimiter(body[i]) && name.len() < 64 {
        if body[i] == b'#'
            && let Some(byte) = body
                .get(i + 1..i + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            name.push(byte);
            i += 3;
            continue;
        }
        name.push(body[i]);
        i += 1;
    }
    i
}

/// The literal `(...)` or hex `<...>` string that follows, decoded.
fn string_after(rest: &[u8]) -> Option<String> {
    let rest = rest.trim_ascii_start();
    match rest.first()? {
        b'(' => Some(literal_string(&rest[1..]).0),
        b'<' if rest.get(1) != Some(&b'<') => {
            let end = memchr::memchr(b'>', rest)?;
            let digits: Vec<u8> = rest[1..end]
                .iter()
                .copied()
                .filter(u8::is_ascii_hexdigit)
                .collect();
            let bytes: Vec<u8> = digits
                .chunks(2)
                .filter_map(|pair| {
                    let hex = std::str::from_utf8(pair).ok()?;
                    u8::from_str_radix(&format!("{hex:0<2}"), 16).ok()
                })
                .collect();
            Some(String::from_utf8_lossy(&bytes).into_owned())
        }
        _ => None,
    }
}

/// A literal string's contents up to its closing parenthesis (nested pairs and `\` escapes
/// handled; octal escapes are rare in links and kept as written), and the bytes it took.
fn literal_string(body: &[u8]) -> (String, usize) {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < body.len() && out.len() < 4096 {
        match body[i] {
            b'\\' if i + 1 < body.len() => {
                out.push(match body[i + 1] {
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    other => other,
                });
                i += 2;
                continue;
            }
            b'(' => depth += 1,
            b')' if depth == 0 => break,
            b')' => depth -= 1,
            _ => {}
        }
        out.push(body[i]);
        i += 1;
    }
    (String::from_utf8_lossy(&out).into_owned(), i)
}

/// Page content streams draw text between `BT` and `ET`.
fn is_page_content(body: &[u8]) -> bool {
    let has = |op: &[u8]| {
        memchr::memmem::find_iter(body, op).any(|at| {
            let before_ok = at == 0 || body[at - 1].is_ascii_whitespace();
            let after_ok = body
                .get(at + op.len())
                .is_none_or(|b| b.is_ascii_whitespace());
            before_ok && after_ok
        })
    };
    has(b"BT") && has(b"ET")
}

/// Bytes inside the strings of a content stream (literal strings count each byte, hex strings
/// each pair of digits).
fn shown_text_bytes(content: &[u8]) -> usize {
    let mut count = 0;
    let mut i = 0;
    while i < content.len() {
        match content[i] {
            b'(' => {
                let (text, taken) = literal_string(&content[i + 1..]);
                count += text.len();
                i += 2 + taken;
            }
            b'<' if content.get(i + 1) != Some(&b'<') => {
                let end = memchr::memchr(b'>', &content[i..]).map_or(content.len(), |n| i + n);
                count += content[i..end]
                    .iter()
                    .filter(|b| b.is_ascii_hexdigit())
                    .count()
                    / 2;
                i = end;
            }
            b'<' => i += 2,
            _ => i += 1,
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn deflate(data: &[u8]) -> Vec<u8> {
        let mut encoder =
            flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).unwrap_or_else(|e| panic!("{e}"));
        encoder.finish().unwrap_or_else(|e| panic!("{e}"))
    }

    fn pdf_with_stream(dictionary: &str, stream: &[u8]) -> Vec<u8> {
        let mut pdf = b"%PDF-1.6\n1 0 obj\n<</Type /Catalog>>\nendobj\n2 0 obj\n".to_vec();
        pdf.extend_from_slice(dictionary.as_bytes());
        pdf.extend_from_slice(b"stream\r\n");
        pdf.extend_from_slice(stream);
        pdf.extend_from_slice(b"\r\nendstream\nendobj\n%%EOF\n");
        pdf
    }

    #[test]
    fn finds_links_inside_compressed_object_streams() {
        let objects = b"<</Type /Page/Annots [16 0 R]>> <</Type /Action/S /URI/URI (https://script.google.com/macros/s/x/exec)>>";
        let pdf = pdf_with_stream("<</Type /ObjStm/Filter /FlateDecode>>", &deflate(objects));
        let facts = read(&pdf);
        assert_eq!(facts.pages, 1);
        assert_eq!(
            facts.web_links,
            ["https://script.google.com/macros/s/x/exec"]
        );
        assert!(facts.actions.is_empty());
    }

    #[test]
    fn decodes_escaped_names_and_hex_strings() {
        let pdf = b"%PDF-1.4\n1 0 obj <</S /J#61vaScript /JS (app.alert(1\\))>> endobj\n2 0 obj <</URI <687474703A2F2F6578616D706C652E636F6D2F>>> endobj";
        let facts = read(pdf);
        assert!(facts.actions.contains(&"JavaScript"));
        assert!(facts.actions.contains(&"JS"));
        assert_eq!(facts.web_links, ["http://example.com/"]);
    }

    #[test]
    fn counts_the_text_a_page_shows() {
        let content =
            b"BT /F1 12 Tf 72 700 Td (Your invoice is attached.) Tj [<0041> 3 (BC)] TJ ET";
        let pdf = pdf_with_stream("<</Length 99/Filter /FlateDecode>>", &deflate(content));
        assert_eq!(
            read(&pdf).text_chars,
            "Your invoice is attached.".len() + 2 + 2
        );
        let plain = pdf_with_stream("<</Length 99>>", content);
        assert_eq!(
            read(&plain).text_chars,
            "Your invoice is attached.".len() + 2 + 2
        );
    }

    #[test]
    fn a_pdf_bomb_stops_at_the_limit() {
        let huge = vec![b'A'; (MAX_STREAM_BYTES as usize) * 2];
        let pdf = pdf_with_stream("<</Filter /FlateDecode>>", &deflate(&huge));
        let facts = read(&pdf);
        assert!(facts.limited);
    }

    #[test]
    fn survives_garbage_and_truncation() {
        for data in [
            &b""[..],
            b"%PDF-",
            b"/URI (",
            b"/URI <",
            b"/#",
            b">>stream\r\n\x78\x9c\xff\xff",
            b"<</Filter /FlateDecode>>stream",
            b"BT (unterminated",
        ] {
            let _ = read(data);
        }
    }
}
