//! Property tests: version comparison is a total order that agrees with numbers, and no parser
//! of outside input panics on arbitrary text.

use hygeia_devices::spec::VersionSpec;
use hygeia_devices::version::Version;
use proptest::prelude::*;
use std::cmp::Ordering;

/// Versions as vendors write them: numbers, letters, dots, dashes, "build", a leading v.
fn vendor_version() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        "(v|V)?[A-C]?[0-9]{1,3}(\\.[0-9]{1,3}){0,3}([a-c]|rc[0-9]| build [0-9]{1,4}|_Build_[0-9]{1,4})?",
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn v(text: &str) -> Version {
    Version::parse(text).unwrap_or_else(|| panic!("{text} should parse"))
}

proptest! {
    #[test]
    fn ordering_is_total_and_consistent(a in vendor_version(), b in vendor_version(), c in vendor_version()) {
        let (a, b, c) = (v(&a), v(&b), v(&c));
        // Antisymmetry.
        prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
        // Transitivity.
        if a <= b && b <= c {
            prop_assert!(a <= c);
        }
        // Equality agrees with ordering.
        prop_assert_eq!(a == b, a.cmp(&b) == Ordering::Equal);
    }

    #[test]
    fn numbers_compare_as_numbers(x in 0u32..100_000, y in 0u32..100_000, major in 0u32..50) {
        prop_assert_eq!(v(&format!("{major}.{x}")).cmp(&v(&format!("{major}.{y}"))), x.cmp(&y));
        prop_assert_eq!(v(&format!("v{major}.{x}")), v(&format!("{major}.{x}")));
    }

    #[test]
    fn a_longer_version_is_newer(base in vendor_version(), extra in 1u32..99) {
        let base_v = v(&base);
        let longer = format!("{base}.{extra}");
        // "1.52" < "1.52.01", unless the base ended in a word the suffix cannot follow.
        if base_v.has_number() && base.chars().last().is_some_and(|c| c.is_ascii_digit()) && !base.contains("rc") {
            prop_assert!(base_v < v(&longer), "{} < {}", base, longer);
        }
    }

    #[test]
    fn an_upper_bound_excludes_what_is_above_it(x in 0u32..1000, y in 0u32..1000) {
        let spec = VersionSpec::parse(&format!("<= 1.{x}"));
        let inside = spec.answer(&v(&format!("1.{y}")));
        prop_assert_eq!(
            inside != hygeia_devices::spec::SpecAnswer::Outside,
            y <= x
        );
    }

    #[test]
    fn parsers_never_panic(text in "\\PC{0,200}") {
        let _ = Version::parse(&text);
        let _ = VersionSpec::parse(&text);
        let _ = hygeia_devices::inventory::from_csv("x.csv", text.as_bytes());
        let _ = hygeia_devices::csaf::parse("x.json", text.as_bytes());
        let _ = hygeia_devices::feeds::parse_epss("x.csv", &text);
        let _ = hygeia_devices::advisory::fixed_version_in(&text);
    }
}
