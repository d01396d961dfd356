//! Versions compared the way device vendors write them: `1.52` < `1.52.01`, `B.06.18`,
//! `v4.1`, `8.0.3 build 1205`, `2023.3_Build_9342`, `012U000040`.
//!
//! A version is split into runs of digits and runs of letters; everything else separates.
//! Numbers compare as numbers (`01` = `1`), letters as lower-case text, and a missing part
//! counts as `0`, so `1.0` = `1.0.0` and `1.52` < `1.52.01`. Pre-release words (`alpha`,
//! `beta`, `rc`) sort below the release they lead to; other letters sort above numbers
//! (`1.0a` > `1.0`).

use std::cmp::Ordering;
use std::fmt;

/// One comparable piece of a version.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// `alpha`, `beta`, `rc` and the like, ranked by how early they come.
    PreRelease(u8, String),
    /// A run of digits, leading zeros dropped. Longer runs are clamped; no vendor writes them.
    Number(u64),
    /// A run of letters, lower-case.
    Word(String),
}

impl Part {
    fn kind_rank(&self) -> u8 {
        match self {
            Part::PreRelease(..) => 0,
            Part::Number(_) => 1,
            Part::Word(_) => 2,
        }
    }
}

impl Ord for Part {
    fn cmp(&self, other: &Part) -> Ordering {
        match (self, other) {
            (Part::Number(a), Part::Number(b)) => a.cmp(b),
            (Part::Word(a), Part::Word(b)) => a.cmp(b),
            (Part::PreRelease(ra, a), Part::PreRelease(rb, b)) => ra.cmp(rb).then_with(|| a.cmp(b)),
            _ => self.kind_rank().cmp(&other.kind_rank()),
        }
    }
}

impl PartialOrd for Part {
    fn partial_cmp(&self, other: &Part) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Words that label a version rather than being part of it ("version 2.1", "Release 1.4",
/// "8.0.3 build 1205").
const LABEL_WORDS: &[&str] = &[
    "version", "versions", "ver", "release", "build", "firmware", "software", "sw", "fw", "rev",
    "revision",
];

fn pre_release_rank(word: &str) -> Option<u8> {
    match word {
        "dev" | "snapshot" => Some(0),
        "alpha" | "a" => None, // a lone "a" is a patch letter (1.0a), not alpha
        "beta" => Some(2),
        "pre" | "preview" => Some(3),
        "rc" => Some(4),
        _ => None,
    }
}

/// A parsed version that keeps the vendor's spelling for display.
#[derive(Debug, Clone)]
pub struct Version {
    raw: String,
    parts: Vec<Part>,
}

impl Version {
    /// Parses a version; `None` when the text holds no digit or letter at all.
    pub fn parse(text: &str) -> Option<Version> {
        let raw = text.trim();
        let lower = raw.to_lowercase();
        let mut parts = Vec::new();
        let mut chars = lower.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if c.is_ascii_digit() {
                let mut end = start + c.len_utf8();
                while let Some(&(i, d)) = chars.peek() {
                    if !d.is_ascii_digit() {
                        break;
                    }
                    end = i + d.len_utf8();
                    chars.next();
                }
                let digits = lower[start..end].trim_start_matches('0');
                let number = if digits.len() > 18 {
                    u64::MAX
                } else {
                    digits.parse().unwrap_or(0)
                };
                parts.push(Part::Number(number));
            } else if c.is_alphabetic() {
                let mut end = start + c.len_utf8();
                while let Some(&(i, d)) = chars.peek() {
                    if !d.is_alphabetic() {
                        break;
                    }
                    end = i + d.len_utf8();
                    chars.next();
                }
                let word = &lower[start..end];
                if LABEL_WORDS.contains(&word) {
                    continue;
                }
                match pre_release_rank(word) {
                    Some(rank) => parts.push(Part::PreRelease(rank, word.to_string())),
                    None => parts.push(Part::Word(word.to_string())),
                }
            }
        }
        // "v4.1" and "V 4.1": a lone v before the first number labels the version.
        if parts.len() > 1
            && matches!(&parts[0], Part::Word(w) if w == "v")
            && matches!(parts[1], Part::Number(_))
        {
            parts.remove(0);
        }
        if parts.is_empty() {
            return None;
        }
        Some(Version {
            raw: raw.to_string(),
            parts,
        })
    }

    /// The version as the vendor wrote it.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Whether this version starts with every part of `prefix` (`2.1.4` starts with `2.x`'s `2`).
    pub fn starts_with(&self, prefix: &Version) -> bool {
        prefix
            .parts
            .iter()
            .enumerate()
            .all(|(i, p)| self.parts.get(i).unwrap_or(&Part::Number(0)) == p)
    }

    /// Whether two versions are written in the same scheme, so that comparing them means
    /// something: both start with a number, or both with letters (`012U000050` and `L81` are
    /// two numbering schemes of one vendor and cannot be ordered).
    pub fn comparable(&self, other: &Version) -> bool {
        match (self.parts.first(), other.parts.first()) {
            (Some(a), Some(b)) => a.kind_rank() == b.kind_rank(),
            _ => false,
        }
    }

    /// Whether the version has at least one digit: "K" or "N" are versions to some vendors,
    /// but a word without digits is more often a model or a remark.
    pub fn has_number(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Number(_)))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        let zero = Part::Number(0);
        let len = self.parts.len().max(other.parts.len());
        for i in 0..len {
            let a = self.parts.get(i).unwrap_or(&zero);
            let b = other.parts.get(i).unwrap_or(&zero);
            match a.cmp(b) {
                Ordering::Equal => continue,
                unequal => return unequal,
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap_or_else(|| panic!("{text} should parse"))
    }

    #[test]
    fn vendor_spellings_compare_as_vendors_mean_them() {
        assert!(v("1.52") < v("1.52.01"));
        assert_eq!(v("1.0"), v("1.0.0"));
        assert_eq!(v("v4.1"), v("4.1"));
        assert_eq!(v("Version 4.1"), v("4.1"));
        assert!(v("8.0.3 build 1205") > v("8.0.3"));
        assert!(v("8.0.3 build 1205") < v("8.0.4"));
        assert!(v("B.06.18") > v("B.06.9"));
        assert!(v("B.06.18") < v("C.01"));
        assert!(v("2023.3_Build_9342") > v("2023.3"));
        assert!(v("012U000040") > v("012U000039"));
        assert!(v("1.0rc1") < v("1.0"));
        assert!(v("1.0beta") < v("1.0rc1"));
        assert!(v("1.0a") > v("1.0"));
        assert!(v("10.2") > v("9.33.1"));
        assert!(v("K") > v("J"));
    }

    #[test]
    fn text_without_letters_or_digits_is_no_version() {
        assert!(Version::parse("").is_none());
        assert!(Version::parse(" - ").is_none());
        assert!(Version::parse("version").is_none());
    }

    #[test]
    fn prefixes() {
        assert!(v("2.1.4").starts_with(&v("2")));
        assert!(!v("3.0").starts_with(&v("2")));
        assert!(v("6.3").starts_with(&v("6.3")));
    }
}
