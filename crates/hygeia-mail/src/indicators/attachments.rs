//! Attachment indicators: the ransomware lures. Files are recognised by name *and* content;
//! archives are listed from their central directory without expanding anything.

use super::Indicator;
use crate::message::{Attachment, Mail};
use crate::weights::{variant, weight};

/// Extensions that run code when opened on Windows or macOS.
const EXECUTABLE: [&str; 27] = [
    "exe", "scr", "com", "pif", "bat", "cmd", "js", "jse", "vbs", "vbe", "wsf", "wsh", "hta",
    "ps1", "msi", "jar", "cpl", "reg", "xll", "appx", "msix", "msc", "gadget", "app", "command",
    "dll", "sys",
];
const DISK_IMAGES: [&str; 5] = ["iso", "img", "vhd", "vhdx", "dmg"];
const MACRO_DOCUMENTS: [&str; 6] = ["docm", "xlsm", "pptm", "dotm", "xltm", "xlam"];
const ARCHIVES: [&str; 7] = ["zip", "rar", "7z", "gz", "tar", "cab", "ace"];
const DOCUMENT_DISGUISES: [&str; 9] = [
    "pdf", "doc", "docx", "xls", "xlsx", "jpg", "png", "txt", "rtf",
];

fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.trim().to_lowercase())
        .unwrap_or_default()
}

/// What the first bytes say a file is.
fn sniff(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"MZ") {
        return Some("a Windows program");
    }
    if data.starts_with(b"\x7fELF") {
        return Some("a Linux program");
    }
    if data.starts_with(&[0x4C, 0x00, 0x00, 0x00, 0x01, 0x14, 0x02, 0x00]) {
        return Some("a Windows shortcut (LNK)");
    }
    if data.starts_with(&[0xE4, 0x52, 0x5C, 0x7B, 0x8C, 0xD8, 0xA7, 0x4D]) {
        return Some("a OneNote notebook");
    }
    if data.len() > 0x8006 && &data[0x8001..0x8006] == b"CD001" {
        return Some("a disk image (ISO)");
    }
    None
}

fn contains_utf16(data: &[u8], needle: &str) -> bool {
    let wide: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    memchr::memmem::find(data, &wide).is_some()
}

fn check_one(attachment: &Attachment, found: &mut Vec<Indicator>) {
    let name = if attachment.name.is_empty() {
        "(unnamed)".to_string()
    } else {
        attachment.name.clone()
    };
    let lower = name.to_lowercase();
    let ext = extension(&lower);
    let data = &attachment.data;
    if name.contains('\u{202E}') {
        found.push(Indicator::new(
            "attachment.rtl-override",
            weight("attachment.rtl-override"),
            "An attachment's name contains an invisible character that reverses the text, so a program can look like a document.",
            name.escape_unicode().to_string().chars().take(120).collect::<String>(),
        ));
    }
    let parts: Vec<&str> = lower.split('.').collect();
    if parts.len() >= 3
        && EXECUTABLE.contains(&ext.as_str())
        && DOCUMENT_DISGUISES.contains(&parts[parts.len() - 2])
    {
        found.push(Indicator::new(
            "attachment.double-extension",
            weight("attachment.double-extension"),
            format!(
                "The attachment {name} pretends to be a .{} file but is really a .{ext} program.",
                parts[parts.len() - 2]
            ),
            name.clone(),
        ));
    }
    let sniffed = sniff(data);
    if EXECUTABLE.contains(&ext.as_str()) {
        found.push(Indicator::new(
            "attachment.executable",
            weight("attachment.executable"),
            format!("The attachment {name} is a program or script (.{ext}); opening it runs code on your computer."),
            name.clone(),
        ));
    } else if let Some(kind) = sniffed {
        let expected = match kind {
            "a Windows shortcut (LNK)" => ext == "lnk",
            "a OneNote notebook" => ext == "one",
            "a disk image (ISO)" => DISK_IMAGES.contains(&ext.as_str()),
            _ => false,
        };
        if !expected {
            found.push(Indicator::new(
                "attachment.disguised-content",
                weight("attachment.disguised-content"),
                format!("The attachment {name} is really {kind}, whatever its name says."),
                name.clone(),
            ));
        }
    }
    if ext == "url" {
        found.push(Indicator::new(
            "attachment.internet-shortcut",
            weight("attachment.internet-shortcut"),
            format!("The attachment {name} is an Internet shortcut; opening it can load files from a remote server."),
            name.clone(),
        ));
    }
    if ext == "lnk" || ext == "one" || ext == "onepkg" {
        found.push(Indicator::new(
            "attachment.shortcut-or-notebook",
            weight("attachment.shortcut-or-notebook"),
            format!("The attachment {name} is a shortcut or OneNote file, a common way to start malware."),
            name.clone(),
        ));
    }
    if DISK_IMAGES.contains(&ext.as_str()) {
        found.push(Indicator::new(
            "attachment.disk-image",
            weight("attachment.disk-image"),
            format!("The attachment {name} is a disk image, used to slip programs past Windows' download warnings."),
            name.clone(),
        ));
    }
    macro_indicators(&name, &ext, data, found);
    if matches!(ext.as_str(), "html" | "htm" | "shtml" | "xhtml" | "svg")
        || attachment.content_type == "text/html"
    {
        let lower = data.to_ascii_lowercase();
        let active = ["<script", "type=\"password\"", "type=password", "<form"]
            .iter()
            .any(|needle| memchr::memmem::find(&lower, needle.as_bytes()).is_some());
        found.push(if active {
            Indicator::new(
                "attachment.html-active",
                weight("attachment.html-active"),
                format!("The attachment {name} is a web page with a script or a login form: opening it can show a fake sign-in page or assemble malware on your computer."),
                name.clone(),
            )
        } else {
            Indicator::new("attachment.html", weight("attachment.html"), format!("The attachment {name} is a web page; real senders rarely attach those."), name.clone())
        });
    }
    if let Some(pdf) = &attachment.pdf {
        pdf_indicators(&name, pdf, found);
    }
    if let Some(format) = crate::archive::sniff(data) {
        let office = format == crate::archive::Format::Zip
            && format.extensions().contains(&ext.as_str())
            && ext != "zip";
        if !office {
            archive_indicators(&name, &ext, &attachment.content_type, format, data, found);
        }
    }
}

/// Text, in characters, below which a PDF page is a picture and a button rather than a document.
const PDF_LITTLE_TEXT: usize = 200;

fn pdf_indicators(name: &str, pdf: &crate::pdf::PdfFacts, found: &mut Vec<Indicator>) {
    // An open action alone only sets the first view; it matters with a script or a launch.
    let active: Vec<&str> = pdf
        .actions
        .iter()
        .copied()
        .filter(|a| *a != "OpenAction")
        .collect();
    // A script or a program launch in a mailed PDF is how PDFs deliver malware; documents
    // people send each other do not need either. An embedded file alone is weaker: invoices
    // embed their XML (ZUGFeRD, Factur-X).
    let runs_code = active
        .iter()
        .any(|a| matches!(*a, "JavaScript" | "JS" | "Launch"));
    if !active.is_empty() {
        let (weight, why) = if runs_code {
            (
                variant("attachment.pdf-active", "runs-code"),
                "a script or a command that runs when it is opened or clicked: a way PDFs deliver malware",
            )
        } else {
            (
                weight("attachment.pdf-active"),
                "actions that run when it opens",
            )
        };
        found.push(Indicator::new(
            "attachment.pdf-active",
            weight,
            format!(
                "The PDF {name} contains {why} ({}).",
                pdf.actions.join(", ")
            ),
            name.to_string(),
        ));
    }
    if let Some(link) = pdf.web_links.first()
        && (1..=2).contains(&pdf.pages)
        && pdf.text_chars < PDF_LITTLE_TEXT
    {
        let host = crate::url::parse_url(link)
            .map(|u| u.host)
            .unwrap_or_else(|| link.clone());
        found.push(Indicator::new(
            "attachment.pdf-link-only",
            weight("attachment.pdf-link-only"),
            format!(
                "The PDF {name} is a page with almost no text and a link to {host}: a way to carry a phishing link past filters that only read the message."
            ),
            format!("{name}: {link}"),
        ));
    }
}

fn macro_indicators(name: &str, ext: &str, data: &[u8], found: &mut Vec<Indicator>) {
    let ooxml_macro = crate::archive::zip_names(data)
        .iter()
        .any(|name| name.to_lowercase().ends_with("vbaproject.bin"));
    let ole_macro = data.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
        && (contains_utf16(data, "_VBA_PROJECT") || contains_utf16(data, "VBA"));
    if ooxml_macro || ole_macro {
        found.push(Indicator::new(
            "attachment.office-macro",
            weight("attachment.office-macro"),
            format!("The document {name} contains macros (VBA code); enabling them is how many ransomware infections start."),
            name.to_string(),
        ));
    } else if MACRO_DOCUMENTS.contains(&ext) {
        found.push(Indicator::new(
            "attachment.office-macro",
            variant("attachment.office-macro", "macro-enabled-type"),
            format!("The document {name} is a macro-enabled Office file (.{ext})."),
            name.to_string(),
        ));
    }
}

/// Declared types that say "this is a ZIP" (or some archive).
const ARCHIVE_TYPES: [&str; 6] = [
    "application/zip",
    "application/x-zip-compressed",
    "application/x-rar-compressed",
    "application/vnd.rar",
    "application/x-7z-compressed",
    "application/gzip",
];

fn archive_indicators(
    name: &str,
    ext: &str,
    declared: &str,
    format: crate::archive::Format,
    data: &[u8],
    found: &mut Vec<Indicator>,
) {
    // A 7-Zip or RAR archive named and declared as a ZIP (or as a document) gets past filters
    // that only open what the name says.
    let claims_other = ARCHIVES.contains(&ext)
        || DOCUMENT_DISGUISES.contains(&ext)
        || ARCHIVE_TYPES.contains(&declared);
    if claims_other && !format.extensions().contains(&ext) {
        let said = if ext.is_empty() {
            format!("its declared type {declared}")
        } else {
            format!("its name says .{ext}")
        };
        found.push(Indicator::new(
            "attachment.disguised-archive",
            weight("attachment.disguised-archive"),
            format!(
                "The attachment {name} is really a {} archive, though {said}: a way to slip files past scanners that only open what the name says.",
                format.label()
            ),
            name.to_string(),
        ));
    }
    let Some(listing) = crate::archive::list(name, data) else {
        return;
    };
    if listing.entries.iter().any(|e| e.encrypted) {
        found.push(Indicator::new(
            "attachment.encrypted-archive",
            weight("attachment.encrypted-archive"),
            format!("The archive {name} is password-protected, which stops mail scanners from looking inside; the password is usually in the message."),
            name.to_string(),
        ));
    }
    let dangerous: Vec<&crate::archive::Entry> = listing
        .entries
        .iter()
        .filter(|e| {
            let ext = extension(&e.name.to_lowercase());
            EXECUTABLE.contains(&ext.as_str())
                || DISK_IMAGES.contains(&ext.as_str())
                || matches!(ext.as_str(), "lnk" | "one" | "hta" | "html" | "htm" | "svg")
                || MACRO_DOCUMENTS.contains(&ext.as_str())
        })
        .take(3)
        .collect();
    if !dangerous.is_empty() {
        // A program at the bottom of archives inside archives is hidden on purpose.
        let deepest = dangerous.iter().map(|e| e.depth).max().unwrap_or(1);
        let (weight, hidden) = if deepest > 1 {
            (
                variant("attachment.archive-with-program", "nested"),
                format!(", hidden {deepest} archives deep"),
            )
        } else {
            (weight("attachment.archive-with-program"), String::new())
        };
        let paths: Vec<&str> = dangerous.iter().map(|e| e.path.as_str()).collect();
        found.push(Indicator::new(
            "attachment.archive-with-program",
            weight,
            format!(
                "The archive {name} contains {}{hidden}, which can run code when opened.",
                paths.join(", ")
            ),
            name.to_string(),
        ));
    }
    let nested = listing.entries.iter().any(|e| {
        ARCHIVES.contains(&extension(&e.name.to_lowercase()).as_str())
            || listing.opaque.contains(&e.path)
    });
    if nested {
        found.push(Indicator::new(
            "attachment.nested-archive",
            weight("attachment.nested-archive"),
            format!(
                "The archive {name} contains another archive, a way to hide files from scanners."
            ),
            name.to_string(),
        ));
    }
}

pub(crate) fn check(mail: &Mail, found: &mut Vec<Indicator>) {
    for attachment in mail.attachments.iter().take(100) {
        check_one(attachment, found);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal stored ZIP with the given entry names (flags set per entry).
    pub(crate) fn zip(entries: &[(&str, bool)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, encrypted) in entries {
            let offset = out.len() as u32;
            let flags: u16 = if *encrypted { 1 } else { 0 };
            out.extend_from_slice(&[0x50, 0x4B, 0x03, 0x04, 20, 0]);
            out.extend_from_slice(&flags.to_le_bytes());
            out.extend_from_slice(&[0; 18]);
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(name.as_bytes());
            central.extend_from_slice(&[0x50, 0x4B, 0x01, 0x02, 20, 0, 20, 0]);
            central.extend_from_slice(&flags.to_le_bytes());
            central.extend_from_slice(&[0; 18]);
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let cd_offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(&[0x50, 0x4B, 0x05, 0x06, 0, 0, 0, 0]);
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    fn ids(name: &str, data: &[u8]) -> Vec<&'static str> {
        let mut found = Vec::new();
        check_one(
            &Attachment {
                name: name.into(),
                content_type: String::new(),
                data: data.to_vec(),
                pdf: crate::pdf::is_pdf(data).then(|| crate::pdf::read(data)),
            },
            &mut found,
        );
        found.iter().map(|f| f.id).collect()
    }

    #[test]
    fn recognises_lures_by_name_and_content() {
        assert!(ids("invoice.pdf.exe", b"MZ\x90\x00").contains(&"attachment.double-extension"));
        assert!(ids("scan.pdf", b"MZ\x90\x00").contains(&"attachment.disguised-content"));
        assert!(ids("report\u{202E}fdp.exe", b"MZ").contains(&"attachment.rtl-override"));
        assert!(
            ids("Invoice.zip", &zip(&[("invoice.js", false)]))
                .contains(&"attachment.archive-with-program")
        );
        assert!(
            ids("docs.zip", &zip(&[("a.pdf", true)])).contains(&"attachment.encrypted-archive")
        );
        assert!(
            ids("Q3.xlsx", &zip(&[("xl/vbaProject.bin", false)]))
                .contains(&"attachment.office-macro")
        );
        assert!(
            ids(
                "login.html",
                b"<html><form><input type=\"password\"></form>"
            )
            .contains(&"attachment.html-active")
        );
        assert!(
            ids("statement.pdf", b"%PDF-1.7 /OpenAction /JavaScript")
                .contains(&"attachment.pdf-active")
        );
        assert!(ids("report.pdf", b"%PDF-1.7 plain").is_empty());
        let button = b"%PDF-1.7 <</Type /Page>> <</S /URI /URI (https://x.web.core.windows.net/)>>";
        assert!(ids("Fatura.pdf", button).contains(&"attachment.pdf-link-only"));
        let mut letter = button.to_vec();
        letter.extend_from_slice(b" <</Length 9>>stream\nBT (");
        letter.extend_from_slice(&[b'a'; 400]);
        letter.extend_from_slice(b") Tj ET\nendstream");
        assert!(!ids("letter.pdf", &letter).contains(&"attachment.pdf-link-only"));
        let two_pages = b"%PDF-1.7 <</Type /Page>> <</Type /Page>> <</Type /Page>> <</URI (https://a.example/)>>";
        assert!(!ids("newsletter.pdf", two_pages).contains(&"attachment.pdf-link-only"));
        assert!(ids("photo.jpg", b"\xff\xd8\xff").is_empty());
        let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        ole.extend("_VBA_PROJECT".encode_utf16().flat_map(u16::to_le_bytes));
        assert!(ids("old.doc", &ole).contains(&"attachment.office-macro"));
    }

    #[test]
    fn broken_archives_are_not_a_crash() {
        assert!(crate::archive::zip_names(b"PK\x03\x04short").is_empty());
        let mut bad = zip(&[("a.exe", false)]);
        let len = bad.len();
        bad[len - 6] = 0xFF; // central directory offset points past the end
        assert!(crate::archive::zip_names(&bad).is_empty());
        assert!(ids("a.zip", &bad).is_empty());
    }
}
