//! The few elements read from S3's XML answers (listings, errors, Object Lock), without a
//! parser: they have no attributes and do not nest the same tag.

/// The inner texts of every `<tag>...</tag>` in `xml` (S3's answers have no attributes on the
/// elements read here and no nesting of the same tag).
pub(crate) fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else {
            break;
        };
        found.push(&after[..end]);
        rest = &after[end + close.len()..];
    }
    found
}

/// The unescaped text of the first `<tag>`.
pub(crate) fn first_element(xml: &str, tag: &str) -> Option<String> {
    elements(xml, tag).first().map(|text| unescape(text))
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_page_is_read() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix>
<KeyCount>2</KeyCount><IsTruncated>true</IsTruncated><NextContinuationToken>1x&amp;y</NextContinuationToken>
<Contents><Key>p/keys/ab</Key><LastModified>2026-12-06T07:00:00.000Z</LastModified><Size>460</Size></Contents>
<Contents><Key>p/a&amp;b</Key><Size>0</Size></Contents></ListBucketResult>"#;
        let contents = elements(xml, "Contents");
        assert_eq!(contents.len(), 2);
        assert_eq!(first_element(contents[1], "Key").unwrap(), "p/a&b");
        assert_eq!(first_element(xml, "NextContinuationToken").unwrap(), "1x&y");
        assert_eq!(first_element(xml, "Missing"), None);
    }

    #[test]
    fn an_unclosed_element_is_not_read() {
        assert!(elements("<Key>abc", "Key").is_empty());
    }
}
