//! Which versions an advisory names: `vers:` strings, CISA's `>= 6.0.0 | <= 6.3.1`, lists
//! (`3.0|3.1`, `Release 1.3.2 1.4.0`), wildcards (`2.X`) and free-text bounds (`prior to 3.0`,
//! `1.5 and earlier`, `all versions`).
//!
//! What cannot be read (dates instead of versions, remarks) stays [`VersionSpec::Unparsed`]:
//! a device is then "possibly affected", never "not affected".

use crate::version::Version;

/// One bound of an interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    /// The version at the bound.
    pub version: Version,
    /// Whether the bound itself is inside the interval.
    pub inclusive: bool,
}

/// One way a version can be named.
#[derive(Debug, Clone, PartialEq)]
pub enum Alternative {
    /// Exactly this version.
    Exact(Version),
    /// Every version starting with this one (`2.X`).
    Prefix(Version),
    /// Between two bounds; a missing bound is open.
    Interval {
        /// Lower bound.
        lower: Option<Bound>,
        /// Upper bound.
        upper: Option<Bound>,
    },
}

/// The versions an advisory's product entry covers.
#[derive(Debug, Clone, PartialEq)]
pub enum VersionSpec {
    /// Every version (`vers:all/*`, "all versions").
    All,
    /// Any of these.
    AnyOf {
        /// The alternatives.
        alternatives: Vec<Alternative>,
        /// Text had to be dropped to read it (a remark in brackets): the match is heuristic.
        cleaned: bool,
    },
    /// The "version" names a model or configuration instead (a product node named after its
    /// sub-models, e.g. `882438 TruFlight Select PET/CT` or `620 | 650 | 650c`).
    Models(Vec<String>),
    /// Could not be interpreted; kept as written.
    Unparsed(String),
}

/// What a spec says about one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecAnswer {
    /// The version is named exactly.
    Exact,
    /// The version falls in a named range (or "all versions").
    InRange,
    /// As above, but only after dropping a remark or reading a wildcard.
    Heuristic,
    /// The version is outside everything named.
    Outside,
    /// The spec cannot say.
    Unknown,
}

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

impl VersionSpec {
    /// Reads a product version or version range as written in an advisory.
    pub fn parse(text: &str) -> VersionSpec {
        let raw = text.trim();
        let lower = raw.to_lowercase();
        let lower = lower.trim();
        if lower.is_empty() {
            return VersionSpec::Unparsed(raw.to_string());
        }
        if matches!(
            lower,
            "vers:all/*" | "all" | "all versions" | "*" | "any" | "all models" | "all releases"
        ) {
            return VersionSpec::All;
        }
        if let Some(rest) = lower.strip_prefix("vers:") {
            // vers:<scheme>/<constraints>
            let constraints = rest.split_once('/').map(|(_, c)| c).unwrap_or("");
            if constraints == "*" {
                return VersionSpec::All;
            }
            return parse_constraints(constraints, '|', false)
                .unwrap_or_else(|| VersionSpec::Unparsed(raw.to_string()));
        }
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        if words
            .iter()
            .any(|w| MONTHS.contains(w) || *w == "distributed")
        {
            return VersionSpec::Unparsed(raw.to_string());
        }
        let (text, cleaned) = drop_remarks(lower);
        let text = text.trim();
        if text.is_empty() {
            return VersionSpec::Unparsed(raw.to_string());
        }
        if let Some(spec) = parse_phrase(text, cleaned) {
            return spec;
        }
        let text = text.replace(" or ", ",").replace(" and ", ",");
        if !text.contains(['|', ',']) {
            // "1.2 <= 2.0" alone: one range written around its comparator.
            if let Some(interval) = infix_interval(&text) {
                return VersionSpec::AnyOf {
                    alternatives: vec![interval],
                    cleaned,
                };
            }
        }
        let starts_with_comparator = text.starts_with(['<', '>', '=']);
        let separator = if text.contains('|') {
            '|'
        } else if text.contains(',') {
            ','
        } else if starts_with_comparator {
            // "<= S4 A.07.107": one bound whose version has a space.
            '\n'
        } else {
            ' '
        };
        if let Some(spec) = parse_constraints(&text, separator, cleaned) {
            return spec;
        }
        if let Some(models) = models_named(raw) {
            return VersionSpec::Models(models);
        }
        VersionSpec::Unparsed(raw.to_string())
    }

    /// What the spec says about `version`.
    pub fn answer(&self, version: &Version) -> SpecAnswer {
        match self {
            VersionSpec::All => SpecAnswer::InRange,
            VersionSpec::Unparsed(_) | VersionSpec::Models(_) => SpecAnswer::Unknown,
            VersionSpec::AnyOf {
                alternatives,
                cleaned,
            } => {
                let mut best = SpecAnswer::Outside;
                for alternative in alternatives {
                    let answer = match alternative {
                        Alternative::Exact(v) if v == version => SpecAnswer::Exact,
                        Alternative::Prefix(p) if version.starts_with(p) => SpecAnswer::Heuristic,
                        Alternative::Interval { lower, upper }
                            if !comparable(version, lower.as_ref(), upper.as_ref()) =>
                        {
                            SpecAnswer::Unknown
                        }
                        Alternative::Interval { lower, upper }
                            if within(version, lower.as_ref(), upper.as_ref()) =>
                        {
                            SpecAnswer::InRange
                        }
                        _ => SpecAnswer::Outside,
                    };
                    best = stronger(best, answer);
                }
                if *cleaned && best != SpecAnswer::Outside {
                    SpecAnswer::Heuristic
                } else {
                    best
                }
            }
        }
    }

    /// The highest version named as affected, for "update past X" advice; `None` for open ranges.
    pub fn upper_bound(&self) -> Option<&Bound> {
        match self {
            VersionSpec::AnyOf { alternatives, .. } => alternatives
                .iter()
                .filter_map(|a| match a {
                    Alternative::Interval { upper, .. } => upper.as_ref(),
                    _ => None,
                })
                .max_by(|a, b| a.version.cmp(&b.version)),
            _ => None,
        }
    }
}

fn stronger(a: SpecAnswer, b: SpecAnswer) -> SpecAnswer {
    let rank = |s: SpecAnswer| match s {
        SpecAnswer::Exact => 4,
        SpecAnswer::InRange => 3,
        SpecAnswer::Heuristic => 2,
        SpecAnswer::Unknown => 1,
        SpecAnswer::Outside => 0,
    };
    if rank(b) > rank(a) { b } else { a }
}

fn comparable(version: &Version, lower: Option<&Bound>, upper: Option<&Bound>) -> bool {
    lower.is_none_or(|b| version.comparable(&b.version))
        && upper.is_none_or(|b| version.comparable(&b.version))
}

fn within(version: &Version, lower: Option<&Bound>, upper: Option<&Bound>) -> bool {
    let above = lower.is_none_or(|b| {
        if b.inclusive {
            version >= &b.version
        } else {
            version > &b.version
        }
    });
    let below = upper.is_none_or(|b| {
        if b.inclusive {
            version <= &b.version
        } else {
            version < &b.version
        }
    });
    above && below
}

/// Drops bracketed remarks ("<= 2.01 (end-of-life Nov 2017)"). A text that is bracketed as a
/// whole ("(Release 1.3.2 1.4.0)") is unwrapped instead, which loses nothing.
fn drop_remarks(text: &str) -> (String, bool) {
    let trimmed = text.trim();
    if trimmed.starts_with('(') && trimmed.ends_with(')') && trimmed.matches('(').count() == 1 {
        return (trimmed[1..trimmed.len() - 1].to_string(), false);
    }
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut dropped = false;
    for c in text.chars() {
        match c {
            '(' => {
                depth += 1;
                dropped = true;
            }
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    (out, dropped)
}

/// Free-text bounds: "prior to 3.0", "before 3.0", "1.5 and earlier", "up to 2.1",
/// "3.0 and later", "1.0 to 2.0", "1.0 through 2.0".
fn parse_phrase(text: &str, cleaned: bool) -> Option<VersionSpec> {
    let interval = |lower: Option<Bound>, upper: Option<Bound>| VersionSpec::AnyOf {
        alternatives: vec![Alternative::Interval { lower, upper }],
        cleaned,
    };
    let bound = |t: &str, inclusive: bool| -> Option<Bound> {
        version_token(t).map(|version| Bound { version, inclusive })
    };
    for prefix in [
        "prior to ",
        "before ",
        "earlier than ",
        "older than ",
        "below ",
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            return Some(interval(None, Some(bound(rest, false)?)));
        }
    }
    for prefix in ["up to and including ", "up to ", "through ", "until "] {
        if let Some(rest) = text.strip_prefix(prefix) {
            return Some(interval(None, Some(bound(rest, true)?)));
        }
    }
    for suffix in [
        " and prior",
        " and earlier",
        " or earlier",
        " and older",
        " or older",
        " and below",
        " or below",
        " and lower",
        " and previous",
        " and prior versions",
        " and earlier versions",
    ] {
        if let Some(rest) = text.strip_suffix(suffix) {
            return Some(interval(None, Some(bound(rest, true)?)));
        }
    }
    for suffix in [
        " and later",
        " or later",
        " and newer",
        " or newer",
        " and above",
        " or higher",
    ] {
        if let Some(rest) = text.strip_suffix(suffix) {
            return Some(interval(Some(bound(rest, true)?), None));
        }
    }
    for joiner in [" through ", " to ", " - "] {
        if let Some((a, b)) = text.split_once(joiner) {
            return Some(interval(Some(bound(a, true)?), Some(bound(b, true)?)));
        }
    }
    None
}

/// A token that is a version and not a remark: it has a digit, or it is a short code such as
/// `K` or `N` that some vendors use as versions.
fn version_token(text: &str) -> Option<Version> {
    let text = text.trim();
    let version = Version::parse(text)?;
    let longest_word = text
        .split(|c: char| !c.is_alphabetic())
        .map(str::len)
        .max()
        .unwrap_or(0);
    let words = text
        .split_whitespace()
        .filter(|w| w.chars().all(char::is_alphabetic) && w.len() > 2)
        .filter(|w| !matches!(*w, "v" | "version" | "release" | "build" | "rev"))
        .count();
    let plausible = (version.has_number() && longest_word <= 7 && words == 0)
        || (!version.has_number() && text.len() <= 3);
    plausible.then_some(version)
}

/// A list of constraints or versions separated by `separator`, read with the rules of `vers`:
/// `=` (or a bare version) names one version; a lower bound followed by an upper bound is an
/// interval; an upper bound with nothing before it is open below, a lower bound at the end open
/// above.
fn parse_constraints(text: &str, separator: char, cleaned: bool) -> Option<VersionSpec> {
    let mut alternatives = Vec::new();
    let mut comparators: Vec<(&str, Version)> = Vec::new();
    let pieces: Vec<&str> = text
        .split(separator)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        // "Release 1.3.2 1.4.0": the label is not one of the versions.
        .filter(|p| {
            !matches!(
                *p,
                "release" | "releases" | "version" | "versions" | "firmware" | "software"
            )
        })
        .collect();
    if pieces.is_empty() {
        return None;
    }
    for piece in pieces {
        if let Some(interval) = infix_interval(piece) {
            alternatives.push(interval);
            continue;
        }
        let (op, rest) = ["<=", ">=", "!=", "<", ">", "="]
            .iter()
            .find_map(|op| piece.strip_prefix(op).map(|rest| (*op, rest.trim())))
            .unwrap_or(("", piece));
        match op {
            "!=" => return None,
            "" | "=" => {
                if let Some(stem) = wildcard_stem(rest) {
                    alternatives.push(Alternative::Prefix(version_token(stem)?));
                } else {
                    alternatives.push(Alternative::Exact(version_token(rest)?));
                }
            }
            _ => comparators.push((op, version_token(rest)?)),
        }
    }
    comparators.sort_by(|a, b| a.1.cmp(&b.1));
    let mut open_lower: Option<Bound> = None;
    for (op, version) in comparators {
        let inclusive = op.ends_with('=');
        if op.starts_with('>') {
            if let Some(lower) = open_lower.take() {
                alternatives.push(Alternative::Interval {
                    lower: Some(lower),
                    upper: None,
                });
            }
            open_lower = Some(Bound { version, inclusive });
        } else {
            alternatives.push(Alternative::Interval {
                lower: open_lower.take(),
                upper: Some(Bound { version, inclusive }),
            });
        }
    }
    if let Some(lower) = open_lower {
        alternatives.push(Alternative::Interval {
            lower: Some(lower),
            upper: None,
        });
    }
    Some(VersionSpec::AnyOf {
        alternatives,
        cleaned,
    })
}

/// "A.01 <= C.0x": a lower and an upper bound around the comparator (the version between
/// them), as some advisories write a range. `None` for anything else.
fn infix_interval(piece: &str) -> Option<Alternative> {
    if piece.starts_with(['<', '>', '=']) {
        return None;
    }
    // Only `<=`: "A10 < A11" in ICSMA-21-294-01 means the two versions A10 and A11 (its
    // remediation says so), so a strict `<` between versions stays unread.
    let (lower, upper) = piece.split_once("<=")?;
    let lower = version_token(lower)?;
    let upper = match digit_wildcard_successor(upper.trim()) {
        // "C.0x" is C.00 to C.09: below C.10.
        Some(successor) => Bound {
            version: version_token(&successor)?,
            inclusive: false,
        },
        None => Bound {
            version: version_token(upper)?,
            inclusive: true,
        },
    };
    Some(Alternative::Interval {
        lower: Some(Bound {
            version: lower,
            inclusive: true,
        }),
        upper: Some(upper),
    })
}

/// "c.0x" (x standing for digits of the last part) → "c.10", the first version after it.
fn digit_wildcard_successor(text: &str) -> Option<String> {
    let (head, last) = match text.rsplit_once('.') {
        Some((head, last)) => (Some(head), last),
        None => (None, text),
    };
    let digits = last.trim_end_matches(['x', 'X']);
    let wildcards = last.len() - digits.len();
    if wildcards == 0 || wildcards > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let stem: u64 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    let next = (stem + 1) * 10u64.pow(wildcards as u32);
    Some(match head {
        Some(head) => format!("{head}.{next}"),
        None => next.to_string(),
    })
}

/// `2.x`, `2.X`, `6.*`, `5.x.x`: the part before the wildcards.
fn wildcard_stem(text: &str) -> Option<&str> {
    let mut stem = text.trim();
    let mut found = false;
    while let Some(shorter) = [".x", ".*", ".X"]
        .iter()
        .find_map(|suffix| stem.strip_suffix(suffix))
    {
        stem = shorter;
        found = true;
    }
    (found && !stem.is_empty()).then_some(stem)
}

/// A "version" that names models: several words, or a list of model numbers. Returned as the
/// list of names to look for in the device's model.
fn models_named(raw: &str) -> Option<Vec<String>> {
    let names: Vec<String> = raw
        .split(['|', ','])
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    let has_words = raw
        .split(|c: char| !c.is_alphabetic())
        .any(|w| w.len() >= 4);
    (has_words && !names.is_empty()).then_some(names)
}

#[cfg(test)]
mod infix_tests {
    use super::*;

    fn answer(spec: &str, version: &str) -> SpecAnswer {
        VersionSpec::parse(spec)
            .answer(&Version::parse(version).unwrap_or_else(|| panic!("{version}")))
    }

    #[test]
    fn a_range_written_around_its_comparator() {
        // ICSMA-21-322-02: "A.01 <= C.0x | 4.0".
        let spec = "A.01 <= C.0x | 4.0";
        assert_eq!(answer(spec, "B.02"), SpecAnswer::InRange);
        assert_eq!(answer(spec, "A.01"), SpecAnswer::InRange);
        assert_eq!(answer(spec, "C.05"), SpecAnswer::InRange);
        assert_eq!(answer(spec, "4.0"), SpecAnswer::Exact);
        assert_eq!(answer(spec, "C.10"), SpecAnswer::Outside);
        assert_eq!(answer(spec, "D.01"), SpecAnswer::Outside);
        assert_eq!(answer("1.2 <= 2.0", "2.0"), SpecAnswer::InRange);
        assert_eq!(answer("1.2 <= 2.0", "2.1"), SpecAnswer::Outside);
        assert_eq!(answer("A10 < A11", "A11"), SpecAnswer::Unknown);
        assert_eq!(digit_wildcard_successor("c.0x").as_deref(), Some("c.10"));
        assert_eq!(digit_wildcard_successor("1x").as_deref(), Some("20"));
        assert_eq!(digit_wildcard_successor("c.05"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap_or_else(|| panic!("{text}"))
    }

    fn answer(spec: &str, version: &str) -> SpecAnswer {
        VersionSpec::parse(spec).answer(&v(version))
    }

    #[test]
    fn cisa_ranges() {
        assert_eq!(answer("<= 1.52", "1.52"), SpecAnswer::InRange);
        assert_eq!(answer("<= 1.52", "1.52.01"), SpecAnswer::Outside);
        assert_eq!(answer("< 2.003", "2.002"), SpecAnswer::InRange);
        assert_eq!(answer("<=12.1.3", "12.1.4"), SpecAnswer::Outside);
        assert_eq!(answer(">= 6.0.0 | <= 6.3.1", "6.2"), SpecAnswer::InRange);
        assert_eq!(answer(">= 6.0.0 | <= 6.3.1", "5.9"), SpecAnswer::Outside);
        assert_eq!(answer(">= 6.0.0 | <= 6.3.1", "6.3.2"), SpecAnswer::Outside);
        assert_eq!(
            answer(">= 2018-1 | <= 2021-1", "2019-4"),
            SpecAnswer::InRange
        );
        assert_eq!(answer("<= B.12", "B.06.18"), SpecAnswer::InRange);
        assert_eq!(answer("<= K", "J"), SpecAnswer::InRange);
        assert_eq!(answer("<= K", "L"), SpecAnswer::Outside);
        assert_eq!(answer("<= S4 A.07.107", "S4 A.07.100"), SpecAnswer::InRange);
        // Two numbering schemes of one vendor cannot be ordered: possibly affected.
        assert_eq!(answer("<= U61 |<= L81", "012U000050"), SpecAnswer::Unknown);
        assert_eq!(
            answer("<= L81 | <= 012U000061", "012U000050"),
            SpecAnswer::InRange
        );
        assert_eq!(answer("< 012U000040", "012U000039"), SpecAnswer::InRange);
        assert_eq!(
            answer("<=2023.3_Build_9342", "2023.3 build 9000"),
            SpecAnswer::InRange
        );
        assert_eq!(answer("vers:all/*", "9.9"), SpecAnswer::InRange);
        assert_eq!(
            answer("vers:generic/>=1.0|<2.0", "1.9"),
            SpecAnswer::InRange
        );
        assert_eq!(
            answer("vers:generic/>=1.0|<2.0", "2.0"),
            SpecAnswer::Outside
        );
    }

    #[test]
    fn lists_and_wildcards() {
        assert_eq!(answer("3.0|3.1", "3.1"), SpecAnswer::Exact);
        assert_eq!(answer("3.0|3.1", "3.2"), SpecAnswer::Outside);
        assert_eq!(answer("C.03", "C.03"), SpecAnswer::Exact);
        assert_eq!(
            answer("(Release 1.3.2 1.4.0 1.4.1 1.4.3 1.4.5)", "1.4.1"),
            SpecAnswer::Exact
        );
        assert_eq!(answer("2.X", "2.4"), SpecAnswer::Heuristic);
        assert_eq!(answer("2.X", "3.0"), SpecAnswer::Outside);
        assert_eq!(answer("5.x.x", "5.7.1"), SpecAnswer::Heuristic);
        assert_eq!(answer("5.x.x", "6.0.1"), SpecAnswer::Outside);
        assert_eq!(answer("A10 | A11", "A11"), SpecAnswer::Exact);
        assert_eq!(answer("HD 16 | HD23", "HD16"), SpecAnswer::Exact);
    }

    #[test]
    fn free_text_bounds() {
        assert_eq!(answer("prior to 3.0", "2.9"), SpecAnswer::InRange);
        assert_eq!(answer("prior to 3.0", "3.0"), SpecAnswer::Outside);
        assert_eq!(answer("1.5 and earlier", "1.5"), SpecAnswer::InRange);
        assert_eq!(answer("1.5 and earlier", "1.6"), SpecAnswer::Outside);
        assert_eq!(answer("all versions", "1"), SpecAnswer::InRange);
        assert_eq!(answer("1.0 to 2.0", "1.5"), SpecAnswer::InRange);
        assert_eq!(answer("3.0 and later", "2.0"), SpecAnswer::Outside);
    }

    #[test]
    fn remarks_make_it_heuristic() {
        assert_eq!(
            answer("<= 2.01 (end-of-life Nov 2017)", "2.0"),
            SpecAnswer::Heuristic
        );
        assert_eq!(
            answer(
                "9.x (with Wireless Battery Modules >= 22D19 | <= v22D28)",
                "9.1"
            ),
            SpecAnswer::Heuristic
        );
    }

    #[test]
    fn dates_and_models_are_never_not_affected() {
        for spec in [
            "distributed  < april 1, 2018",
            "<  november 29 2017",
            "< august 28",
        ] {
            assert!(
                matches!(VersionSpec::parse(spec), VersionSpec::Unparsed(_)),
                "{spec}"
            );
            assert_eq!(answer(spec, "1.0"), SpecAnswer::Unknown);
        }
        assert!(matches!(
            VersionSpec::parse("882438 TruFlight Select PET/CT"),
            VersionSpec::Models(_)
        ));
        assert!(matches!(
            VersionSpec::parse("A10 < A11"),
            VersionSpec::Unparsed(_)
        ));
    }
}
