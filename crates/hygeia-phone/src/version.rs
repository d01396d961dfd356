//! Dotted OS versions ("18.1.1", "14", "26.0") compared number by number.

use std::cmp::Ordering;
use std::fmt;

/// A version such as 18.1.1; missing parts count as zero (18.1 == 18.1.0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsVersion(Vec<u32>);

impl OsVersion {
    /// Parses "18.1.1", "14", "16.7.10" (at most 4 parts); `None` for anything else.
    pub fn parse(text: &str) -> Option<OsVersion> {
        let parts: Option<Vec<u32>> = text
            .trim()
            .split('.')
            .map(|p| {
                if p.is_empty() || p.len() > 6 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    None
                } else {
                    p.parse().ok()
                }
            })
            .collect();
        parts
            .filter(|p| !p.is_empty() && p.len() <= 4)
            .map(OsVersion)
    }

    /// The major version (18 for 18.1.1).
    pub fn major(&self) -> u32 {
        self.0.first().copied().unwrap_or(0)
    }

    fn part(&self, index: usize) -> u32 {
        self.0.get(index).copied().unwrap_or(0)
    }
}

impl Ord for OsVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let len = self.0.len().max(other.0.len());
        (0..len)
            .map(|i| self.part(i).cmp(&other.part(i)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialOrd for OsVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for OsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u32::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_number_by_number() {
        let v = |t| OsVersion::parse(t).unwrap();
        assert!(v("18.10") > v("18.9"));
        assert_eq!(v("18.1").cmp(&v("18.1.0")), Ordering::Equal);
        assert!(v("26.0.1") > v("26.0"));
        assert_eq!(v("14").major(), 14);
        assert_eq!(v("17.5.1").to_string(), "17.5.1");
        for bad in ["", "18.", "x", "18.1b", "1.2.3.4.5", "-1"] {
            assert_eq!(OsVersion::parse(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn parsing_any_text_never_panics(text in "\\PC{0,40}") {
            let _ = OsVersion::parse(&text);
        }
    }
}
