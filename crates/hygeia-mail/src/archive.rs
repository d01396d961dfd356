//! What an archive attachment holds, whatever its name says: the format from its first bytes
//! (ZIP, 7z, RAR 4 and 5, gzip, tar, cab, ACE) and the names of the files inside, down through
//! archives inside archives. Names are read from the formats' own directories; only a ZIP or
//! gzip member that is itself an archive is decompressed, with caps on depth, on each member
//! ([`MAX_INNER_BYTES`]) and on all of them together ([`MAX_TOTAL_INNER_BYTES`]), so a hostile
//! archive (a "zip bomb", or thousands of inner archives) costs a bounded amount of work.

use std::io::Read;

/// Archives inside archives are opened down to this depth (the attachment itself is depth 0).
pub const MAX_DEPTH: usize = 4;
/// A member that is itself an archive is decompressed up to this many bytes; past it, only
/// what was read is listed.
pub const MAX_INNER_BYTES: u64 = 16 * 1024 * 1024;
/// Entries listed per attachment, at all depths together.
pub const MAX_ENTRIES: usize = 10_000;
/// Bytes decompressed or copied for inner archives per attachment, at all depths together: an
/// archive of ten thousand inner archives costs no more than this.
pub const MAX_TOTAL_INNER_BYTES: u64 = 64 * 1024 * 1024;

/// An archive format, recognised by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// ZIP (also the container of Office documents and Java archives).
    Zip,
    /// 7-Zip.
    SevenZip,
    /// RAR 1.5 to 4.
    Rar4,
    /// RAR 5.
    Rar5,
    /// gzip.
    Gzip,
    /// POSIX or GNU tar.
    Tar,
    /// Microsoft Cabinet.
    Cab,
    /// ACE.
    Ace,
}

impl Format {
    /// The name people know it by.
    pub fn label(self) -> &'static str {
        match self {
            Format::Zip => "ZIP",
            Format::SevenZip => "7-Zip",
            Format::Rar4 | Format::Rar5 => "RAR",
            Format::Gzip => "gzip",
            Format::Tar => "tar",
            Format::Cab => "cabinet (CAB)",
            Format::Ace => "ACE",
        }
    }

    /// The file-name extensions under which this format is expected.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Format::Zip => &[
                "zip", "docx", "xlsx", "pptx", "docm", "xlsm", "pptm", "dotx", "dotm", "xltx",
                "xltm", "xlam", "ppsx", "odt", "ods", "odp", "jar", "apk", "epub", "vsdx", "xps",
                "oxps", "nupkg", "kmz", "msix", "appx", "ipa",
            ],
            Format::SevenZip => &["7z"],
            Format::Rar4 | Format::Rar5 => &["rar"],
            Format::Gzip => &["gz", "tgz", "gzip"],
            Format::Tar => &["tar"],
            Format::Cab => &["cab"],
            Format::Ace => &["ace"],
        }
    }
}

/// The archive format of `data`, from its first bytes.
pub fn sniff(data: &[u8]) -> Option<Format> {
    if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        return Some(Format::Zip);
    }
    if data.starts_with(&[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) {
        return Some(Format::SevenZip);
    }
    if data.starts_with(b"Rar!\x1a\x07\x01\x00") {
        return Some(Format::Rar5);
    }
    if data.starts_with(b"Rar!\x1a\x07\x00") {
        return Some(Format::Rar4);
    }
    if data.starts_with(&[0x1F, 0x8B]) {
        return Some(Format::Gzip);
    }
    if data.starts_with(b"MSCF\0\0\0\0") {
        return Some(Format::Cab);
    }
    if data.get(7..14) == Some(b"**ACE**") {
        return Some(Format::Ace);
    }
    if data.get(257..262) == Some(b"ustar") {
        return Some(Format::Tar);
    }
    None
}

/// One file inside an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its path from the attachment down: `outer.zip > inner.rar > run.js`.
    pub path: String,
    /// Its own name inside its archive.
    pub name: String,
    /// How many archives deep it is (1 for a file directly inside the attachment).
    pub depth: usize,
    /// Encrypted (needs a password).
    pub encrypted: bool,
}

/// Everything listed inside one attachment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Every entry at every depth, outermost first.
    pub entries: Vec<Entry>,
    /// Archives whose contents could not be listed (7-Zip's directory is compressed, ACE is
    /// not read): their paths.
    pub opaque: Vec<String>,
}

/// Lists an archive attachment called `name` whose content is `data`; `None` when the content
/// is not an archive.
pub fn list(name: &str, data: &[u8]) -> Option<Listing> {
    let format = sniff(data)?;
    let mut listing = Listing::default();
    let mut budget = MAX_TOTAL_INNER_BYTES;
    list_into(format, name, data, 1, &mut listing, &mut budget);
    Some(listing)
}

fn list_into(
    format: Format,
    path: &str,
    data: &[u8],
    depth: usize,
    listing: &mut Listing,
    budget: &mut u64,
) {
    let members: Vec<(String, bool, Option<Vec<u8>>)> = match format {
        Format::Zip => zip_members(data, depth < MAX_DEPTH, budget),
        Format::Rar4 => rar4_names(data)
            .into_iter()
            .map(|n| (n, false, None))
            .collect(),
        Format::Rar5 => rar5_names(data)
            .into_iter()
            .map(|n| (n, false, None))
            .collect(),
        Format::Gzip => gzip_member(path, data, depth < MAX_DEPTH, budget)
            .into_iter()
            .collect(),
        Format::Tar => tar_names(data)
            .into_iter()
            .map(|n| (n, false, None))
            .collect(),
        Format::Cab => cab_names(data)
            .into_iter()
            .map(|n| (n, false, None))
            .collect(),
        Format::SevenZip | Format::Ace => {
            listing.opaque.push(path.to_string());
            return;
        }
    };
    for (name, encrypted, content) in members {
        if listing.entries.len() >= MAX_ENTRIES {
            return;
        }
        let inner_path = format!("{path} > {name}");
        listing.entries.push(Entry {
            path: inner_path.clone(),
            name,
            depth,
            encrypted,
        });
        if depth < MAX_DEPTH
            && let Some(content) = content
            && let Some(inner) = sniff(&content)
        {
            list_into(inner, &inner_path, &content, depth + 1, listing, budget);
        }
    }
}

/// The names of a ZIP archive's members, from its central directory, without decompressing
/// anything (empty when the bytes are not a readable ZIP): what an Office document holds.
pub fn zip_names(data: &[u8]) -> Vec<String> {
    let mut no_budget = 0;
    zip_members(data, false, &mut no_budget)
        .into_iter()
        .map(|(name, _, _)| name)
        .collect()
}

fn u16_at(data: &[u8], at: usize) -> Option<usize> {
    Some(u16::from_le_bytes([*data.get(at)?, *data.get(at + 1)?]) as usize)
}

fn u32_at(data: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?) as usize)
}

/// Reads at most [`MAX_INNER_BYTES`], and no more than is left of `budget`, from a decoder,
/// and takes what it read from the budget.
fn read_capped(reader: impl Read, budget: &mut u64) -> Vec<u8> {
    let mut out = Vec::new();
    // A read error leaves what was read: a truncated inner archive still lists its first
    // entries, and nothing here may fail the scan.
    let _ = reader
        .take(MAX_INNER_BYTES.min(*budget))
        .read_to_end(&mut out);
    *budget = budget.saturating_sub(out.len() as u64);
    out
}

/// The members of a ZIP archive from its central directory: name, encrypted, and, when `open`
/// and the budget allows, the content of a member that is an archive itself.
fn zip_members(data: &[u8], open: bool, budget: &mut u64) -> Vec<(String, bool, Option<Vec<u8>>)> {
    let mut members = Vec::new();
    if data.len() < 22 {
        return members;
    }
    let search_from = data.len().saturating_sub(22 + 65_535);
    let Some(eocd) = (search_from..=data.len() - 22)
        .rev()
        .find(|&i| data[i..i + 4] == [0x50, 0x4B, 0x05, 0x06])
    else {
        return members;
    };
    let (Some(count), Some(mut at)) = (u16_at(data, eocd + 10), u32_at(data, eocd + 16)) else {
        return members;
    };
    for _ in 0..count.min(MAX_ENTRIES) {
        if data.get(at..at + 4) != Some(&[0x50, 0x4B, 0x01, 0x02]) {
            break;
        }
        let (
            Some(flags),
            Some(method),
            Some(packed),
            Some(name_len),
            Some(extra),
            Some(comment),
            Some(local),
        ) = (
            u16_at(data, at + 8),
            u16_at(data, at + 10),
            u32_at(data, at + 20),
            u16_at(data, at + 28),
            u16_at(data, at + 30),
            u16_at(data, at + 32),
            u32_at(data, at + 42),
        )
        else {
            break;
        };
        let Some(raw_name) = data.get(at + 46..at + 46 + name_len) else {
            break;
        };
        let name = String::from_utf8_lossy(raw_name).into_owned();
        let encrypted = flags & 1 == 1;
        let content = if !open || encrypted || name.ends_with('/') || *budget == 0 {
            None
        } else {
            zip_member_content(data, local, method, packed, budget)
        };
        members.push((name, encrypted, content));
        at += 46 + name_len + extra + comment;
    }
    members
}

/// The content of a ZIP member from its local header, when it is stored or deflated and its
/// first bytes say it is an archive itself.
fn zip_member_content(
    data: &[u8],
    local: usize,
    method: usize,
    packed: usize,
    budget: &mut u64,
) -> Option<Vec<u8>> {
    if data.get(local..local + 4)? != [0x50, 0x4B, 0x03, 0x04] {
        return None;
    }
    let start = local + 30 + u16_at(data, local + 26)? + u16_at(data, local + 28)?;
    let body = data.get(start..start.checked_add(packed)?.min(data.len()))?;
    let content = match method {
        0 => {
            sniff(body)?;
            let length = body.len() as u64;
            if length > *budget {
                return None;
            }
            *budget -= length;
            body.to_vec()
        }
        8 => {
            // Decompress only far enough to see whether it is an archive, then all of it.
            let mut head = Vec::new();
            let _ = flate2::read::DeflateDecoder::new(body)
                .take(600)
                .read_to_end(&mut head);
            sniff(&head)?;
            read_capped(flate2::read::DeflateDecoder::new(body), budget)
        }
        _ => return None,
    };
    sniff(&content).map(|_| content)
}

/// The one member of a gzip file: the name its header records (or the attachment's name
/// without `.gz`), and its content when that is an archive (a `.tar.gz`).
fn gzip_member(
    path: &str,
    data: &[u8],
    open: bool,
    budget: &mut u64,
) -> Option<(String, bool, Option<Vec<u8>>)> {
    let flags = *data.get(3)?;
    let mut at = 10;
    if flags & 0x04 != 0 {
        at += 2 + u16_at(data, at)?;
    }
    let recorded = if flags & 0x08 != 0 {
        let rest = data.get(at..)?;
        let end = memchr::memchr(0, rest)?;
        Some(String::from_utf8_lossy(&rest[..end]).into_owned())
    } else {
        None
    };
    let outer = path.rsplit(" > ").next().unwrap_or(path);
    let name = recorded.unwrap_or_else(|| {
        let lower = outer.to_lowercase();
        if lower.ends_with(".tgz") {
            format!("{}.tar", &outer[..outer.len() - 4])
        } else {
            outer
                .strip_suffix(".gz")
                .or_else(|| outer.strip_suffix(".GZ"))
                .unwrap_or(outer)
                .to_string()
        }
    });
    let content = if open && *budget > 0 {
        let mut head = Vec::new();
        let _ = flate2::read::GzDecoder::new(data)
            .take(600)
            .read_to_end(&mut head);
        sniff(&head).map(|_| read_capped(flate2::read::GzDecoder::new(data), budget))
    } else {
        None
    };
    Some((name, false, content))
}

/// File names of a tar archive, from its 512-byte headers.
fn tar_names(data: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut at = 0;
    while names.len() < MAX_ENTRIES {
        let Some(header) = data.get(at..at + 512) else {
            break;
        };
        if header[0] == 0 {
            break;
        }
        let field = |range: std::ops::Range<usize>| {
            let raw = &header[range];
            let end = memchr::memchr(0, raw).unwrap_or(raw.len());
            String::from_utf8_lossy(&raw[..end]).trim().to_string()
        };
        let name = field(0..100);
        let prefix = field(345..500);
        let Ok(size) = usize::from_str_radix(field(124..136).trim(), 8) else {
            break;
        };
        if !name.is_empty() && matches!(header[156], 0 | b'0' | b'7') {
            names.push(if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            });
        }
        at += 512 + size.div_ceil(512) * 512;
    }
    names
}

/// File names of a RAR 1.5-4 archive, from its file headers.
fn rar4_names(data: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut at = 7;
    while names.len() < MAX_ENTRIES {
        let (Some(&kind), Some(flags), Some(size)) =
            (data.get(at + 2), u16_at(data, at + 3), u16_at(data, at + 5))
        else {
            break;
        };
        if size < 7 {
            break;
        }
        let mut next = at + size;
        if kind == 0x74 {
            let (Some(packed), Some(name_len)) = (u32_at(data, at + 7), u16_at(data, at + 26))
            else {
                break;
            };
            let name_at = at + 32 + if flags & 0x100 != 0 { 8 } else { 0 };
            let Some(raw) = data.get(name_at..name_at + name_len) else {
                break;
            };
            // Unicode names store an ASCII form first, then a NUL and an encoded form.
            let end = memchr::memchr(0, raw).unwrap_or(raw.len());
            names.push(String::from_utf8_lossy(&raw[..end]).into_owned());
            next += packed;
        } else if flags & 0x8000 != 0 {
            next += u32_at(data, at + 7).unwrap_or(0);
        }
        if next <= at {
            break;
        }
        at = next;
    }
    names
}

/// A RAR 5 variable-length integer at `at`: its value and the offset after it.
fn vint(data: &[u8], mut at: usize) -> Option<(usize, usize)> {
    let mut value: u64 = 0;
    for shift in (0..63).step_by(7) {
        let byte = *data.get(at)?;
        at += 1;
        value |= u64::from(byte & 0x7F) << shift;
        if byte & 0x80 == 0 {
            return Some((usize::try_from(value).ok()?, at));
        }
    }
    None
}

/// File names of a RAR 5 archive, from its file headers (an archive with encrypted headers
/// lists nothing).
fn rar5_names(data: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut at = 8;
    while names.len() < MAX_ENTRIES {
        // CRC32, header size, then the header itself.
        let Some((size, body)) = vint(data, at + 4) else {
            break;
        };
        let Some((kind, after_kind)) = vint(data, body) else {
            break;
        };
        let Some((flags, mut field)) = vint(data, after_kind) else {
            break;
        };
        let mut extra_size = 0;
        let mut data_size = 0;
        if flags & 1 != 0 {
            let Some((value, next)) = vint(data, field) else {
                break;
            };
            extra_size = value;
            field = next;
        }
        if flags & 2 != 0 {
            let Some((value, next)) = vint(data, field) else {
                break;
            };
            data_size = value;
            field = next;
        }
        let _ = extra_size;
        if kind == 2 {
            if let Some(name) = rar5_file_name(data, field) {
                names.push(name);
            }
        } else if kind == 4 {
            // Archive encryption header: the rest cannot be read without the password.
            break;
        }
        let Some(next) = body
            .checked_add(size)
            .and_then(|n| n.checked_add(data_size))
        else {
            break;
        };
        if next <= at || kind == 5 {
            break;
        }
        at = next;
    }
    names
}

fn rar5_file_name(data: &[u8], at: usize) -> Option<String> {
    let (file_flags, at) = vint(data, at)?;
    let (_unpacked, at) = vint(data, at)?;
    let (_attributes, mut at) = vint(data, at)?;
    if file_flags & 2 != 0 {
        at += 4;
    }
    if file_flags & 4 != 0 {
        at += 4;
    }
    let (_compression, at) = vint(data, at)?;
    let (_host, at) = vint(data, at)?;
    let (length, at) = vint(data, at)?;
    let raw = data.get(at..at.checked_add(length)?)?;
    Some(String::from_utf8_lossy(raw).into_owned())
}

/// File names of a cabinet, from its CFFILE entries.
fn cab_names(data: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let (Some(mut at), Some(count)) = (u32_at(data, 16), u16_at(data, 28)) else {
        return names;
    };
    for _ in 0..count.min(MAX_ENTRIES) {
        let Some(rest) = data.get(at + 16..) else {
            break;
        };
        let Some(end) = memchr::memchr(0, rest) else {
            break;
        };
        names.push(String::from_utf8_lossy(&rest[..end]).into_owned());
        at += 16 + end + 1;
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A ZIP of (name, content) members, stored or deflated.
    pub(crate) fn zip(members: &[(&str, &[u8], bool)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, content, deflate) in members {
            let body = if *deflate {
                let mut encoder =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
                encoder.write_all(content).unwrap_or_else(|e| panic!("{e}"));
                encoder.finish().unwrap_or_else(|e| panic!("{e}"))
            } else {
                content.to_vec()
            };
            let method: u16 = if *deflate { 8 } else { 0 };
            let offset = out.len() as u32;
            out.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00");
            out.extend_from_slice(&method.to_le_bytes());
            out.extend_from_slice(&[0; 8]);
            out.extend_from_slice(&(body.len() as u32).to_le_bytes());
            out.extend_from_slice(&(content.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&body);
            central.extend_from_slice(b"PK\x01\x02\x14\x00\x14\x00\x00\x00");
            central.extend_from_slice(&method.to_le_bytes());
            central.extend_from_slice(&[0; 8]);
            central.extend_from_slice(&(body.len() as u32).to_le_bytes());
            central.extend_from_slice(&(content.len() as u32).to_le_bytes());
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let at = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        let n = (members.len() as u16).to_le_bytes();
        out.extend_from_slice(&n);
        out.extend_from_slice(&n);
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&at.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    fn rar5(names: &[&str]) -> Vec<u8> {
        let mut out = b"Rar!\x1a\x07\x01\x00".to_vec();
        // Main archive header: type 1, no flags, archive flags 0.
        out.extend_from_slice(&[0, 0, 0, 0, 3, 1, 0, 0]);
        for name in names {
            let mut body = vec![2, 0, 0, 0, 0, 0, 0];
            body.push(name.len() as u8);
            body.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&[0, 0, 0, 0, body.len() as u8]);
            out.extend_from_slice(&body);
        }
        out
    }

    fn rar4(names: &[&str]) -> Vec<u8> {
        let mut out = b"Rar!\x1a\x07\x00".to_vec();
        out.extend_from_slice(&[0, 0, 0x73, 0, 0, 13, 0, 0, 0, 0, 0, 0, 0]);
        for name in names {
            let size = 32 + name.len();
            out.extend_from_slice(&[0, 0, 0x74, 0, 0x80]);
            out.extend_from_slice(&(size as u16).to_le_bytes());
            out.extend_from_slice(&3u32.to_le_bytes());
            out.extend_from_slice(&[0; 15]);
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0; 4]);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"abc");
        }
        out
    }

    fn names(listing: &Listing) -> Vec<&str> {
        listing.entries.iter().map(|e| e.path.as_str()).collect()
    }

    #[test]
    fn formats_are_known_by_their_first_bytes() {
        assert_eq!(sniff(&rar5(&[])), Some(Format::Rar5));
        assert_eq!(sniff(&rar4(&[])), Some(Format::Rar4));
        assert_eq!(
            sniff(&[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, 0, 4]),
            Some(Format::SevenZip)
        );
        assert_eq!(sniff(b"MSCF\0\0\0\0rest"), Some(Format::Cab));
        assert_eq!(sniff(b"%PDF-1.7"), None);
    }

    #[test]
    fn rar_names_are_read_from_their_headers() {
        let listing = list("docs.zip", &rar5(&["invoice.pdf", "invoice.js"])).unwrap();
        assert_eq!(
            names(&listing),
            ["docs.zip > invoice.pdf", "docs.zip > invoice.js"]
        );
        let listing = list("old.rar", &rar4(&["a.txt", "setup.exe"])).unwrap();
        assert_eq!(names(&listing), ["old.rar > a.txt", "old.rar > setup.exe"]);
    }

    #[test]
    fn a_script_at_the_bottom_of_nested_archives_is_found() {
        let innermost = zip(&[("payload.vbs", b"MsgBox 1", true)]);
        let middle = zip(&[
            ("readme.txt", b"hello", false),
            ("part2.zip", &innermost, true),
        ]);
        let outer = zip(&[("part1.zip", &middle, false)]);
        let listing = list("order.zip", &outer).unwrap();
        assert_eq!(
            names(&listing),
            [
                "order.zip > part1.zip",
                "order.zip > part1.zip > readme.txt",
                "order.zip > part1.zip > part2.zip",
                "order.zip > part1.zip > part2.zip > payload.vbs",
            ]
        );
        assert_eq!(listing.entries[3].depth, 3);
        let seven = list("a.zip", &[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, 0, 4]).unwrap();
        assert_eq!(seven.opaque, ["a.zip"]);
    }

    #[test]
    fn gzip_and_tar_list_their_members() {
        let mut tar = vec![0u8; 1024];
        tar[..9].copy_from_slice(b"run.lnk\0\0");
        tar[124..135].copy_from_slice(b"00000000000");
        tar[156] = b'0';
        tar[257..262].copy_from_slice(b"ustar");
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&tar).unwrap_or_else(|e| panic!("{e}"));
        let gz = encoder.finish().unwrap_or_else(|e| panic!("{e}"));
        let listing = list("scan.tgz", &gz).unwrap();
        assert_eq!(
            names(&listing),
            ["scan.tgz > scan.tar", "scan.tgz > scan.tar > run.lnk"]
        );
    }

    #[test]
    fn hostile_archives_end_quietly() {
        for data in [
            b"Rar!\x1a\x07\x01\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff".to_vec(),
            b"Rar!\x1a\x07\x00\x00\x00\x74\x00\x00\xff\xff".to_vec(),
            b"MSCF\0\0\0\0\0\0\0\0\0\0\0\0\xff\xff\xff\x7f\0\0\0\0\0\0\0\0\xff\xff".to_vec(),
            vec![0x1F, 0x8B, 8, 0x0C, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF],
        ] {
            let _ = list("x", &data);
        }
        // A ZIP that contains itself over and over stops at the depth limit.
        let mut nested = zip(&[("end.txt", b"x", false)]);
        for _ in 0..10 {
            nested = zip(&[("again.zip", &nested, false)]);
        }
        let listing = list("bomb.zip", &nested).unwrap();
        assert_eq!(
            listing.entries.iter().map(|e| e.depth).max(),
            Some(MAX_DEPTH)
        );
        // Many large inner archives: opening them stops at the total budget, while every
        // name is still listed.
        // Each member is a 1 MB stored ZIP, deflated in the outer one: opening it costs 1 MB.
        let inner = zip(&[("x.js", &vec![b'a'; 1 << 20], false)]);
        let members: Vec<String> = (0..80).map(|i| format!("part{i}.zip")).collect();
        let refs: Vec<(&str, &[u8], bool)> = members
            .iter()
            .map(|n| (n.as_str(), inner.as_slice(), true))
            .collect();
        let many = zip(&refs);
        let listing = list("many.zip", &many).unwrap();
        let depth = |d: usize| listing.entries.iter().filter(|e| e.depth == d).count();
        assert_eq!(depth(1), 80);
        assert!(
            (1..80).contains(&depth(2)),
            "{} inner archives opened",
            depth(2)
        );
    }
}
