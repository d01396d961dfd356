//! The project's own messages (tests/fixtures/make_fixtures.py) through the whole analysis.

use hygeia_mail::{Context, MailCatalog, Settings, Verdict, analyze};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/messages")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn run(name: &str) -> (Verdict, Vec<&'static str>) {
    run_trusting(name, &[])
}

fn run_trusting(name: &str, trusted_authserv: &[&str]) -> (Verdict, Vec<&'static str>) {
    let catalog = MailCatalog::builtin().unwrap_or_else(|e| panic!("{e}"));
    let settings = Settings {
        protected: vec!["clinic.example".into()],
        trusted_authserv: trusted_authserv.iter().map(|s| s.to_string()).collect(),
        model: None,
    };
    let analysis = analyze(
        &fixture(name),
        None,
        &Context {
            catalog: &catalog,
            settings: &settings,
            verifier: None,
        },
    );
    (
        analysis.verdict,
        analysis.indicators.iter().map(|i| i.id).collect(),
    )
}

#[test]
fn phishing_and_lures_are_flagged_with_their_reason() {
    let cases = [
        (
            "phish-pdf-button.eml",
            Verdict::Suspicious,
            "attachment.pdf-link-only",
        ),
        (
            "phish-free-host-login.eml",
            Verdict::Phishing,
            "link.free-hosting",
        ),
        (
            "phish-invisible-subject.eml",
            Verdict::Suspicious,
            "content.invisible-characters",
        ),
        (
            "phish-forwarded.eml",
            Verdict::Suspicious,
            "sender.brand-impersonation",
        ),
        (
            "scam-advance-fee.eml",
            Verdict::Suspicious,
            "content.scam-offer",
        ),
        (
            "scam-extortion.eml",
            Verdict::Suspicious,
            "content.scam-offer",
        ),
        (
            "phish-split-from.eml",
            Verdict::Phishing,
            "sender.split-from-header",
        ),
        (
            "phish-disguised-brand.eml",
            Verdict::Suspicious,
            "sender.disguised-brand",
        ),
        (
            "phish-stray-quote.eml",
            Verdict::Phishing,
            "link.ip-address",
        ),
        (
            "phish-paypal-ip.eml",
            Verdict::Phishing,
            "link.text-mismatch",
        ),
        (
            "phish-docusign-lookalike.eml",
            Verdict::Phishing,
            "sender.lookalike-domain",
        ),
        (
            "phish-credential-form.eml",
            Verdict::Phishing,
            "body.password-form",
        ),
        (
            "lure-invoice-zip-js.eml",
            Verdict::Suspicious,
            "attachment.archive-with-program",
        ),
        (
            "lure-encrypted-zip.eml",
            Verdict::Suspicious,
            "attachment.encrypted-archive",
        ),
        (
            "lure-macro-docx.eml",
            Verdict::Suspicious,
            "attachment.office-macro",
        ),
        (
            "lure-macro-ole.eml",
            Verdict::Suspicious,
            "attachment.office-macro",
        ),
        ("lure-iso.eml", Verdict::Suspicious, "attachment.disk-image"),
        (
            "lure-disguised-exe.eml",
            Verdict::Phishing,
            "attachment.disguised-content",
        ),
        ("lure-rlo.eml", Verdict::Phishing, "attachment.rtl-override"),
        (
            "lure-html-smuggling.eml",
            Verdict::Suspicious,
            "attachment.html-active",
        ),
        (
            "lure-pdf-js.eml",
            Verdict::Phishing,
            "attachment.pdf-active",
        ),
        (
            "lure-pdf-launch.eml",
            Verdict::Phishing,
            "attachment.pdf-active",
        ),
        (
            "lure-rar-named-zip.eml",
            Verdict::Phishing,
            "attachment.disguised-archive",
        ),
        (
            "lure-7z-named-zip.eml",
            Verdict::Suspicious,
            "attachment.disguised-archive",
        ),
        (
            "lure-nested-zip-script.eml",
            Verdict::Phishing,
            "attachment.archive-with-program",
        ),
        (
            "phish-parcel-fee.eml",
            Verdict::Suspicious,
            "content.scam-offer",
        ),
        (
            "scam-casino-free-hosting.eml",
            Verdict::Phishing,
            "sender.free-hosting",
        ),
        (
            "phish-punycode-button.eml",
            Verdict::Phishing,
            "link.deceptive-host",
        ),
        ("ham-colleague.eml", Verdict::Clean, ""),
        ("ham-newsletter.eml", Verdict::Clean, ""),
        ("ham-report-pdf.eml", Verdict::Clean, ""),
        ("ham-letter-pdf.eml", Verdict::Clean, ""),
    ];
    for (name, at_least, indicator) in cases {
        let (verdict, ids) = run(name);
        assert!(verdict >= at_least, "{name}: {verdict:?} {ids:?}");
        if indicator.is_empty() {
            assert_eq!(verdict, Verdict::Clean, "{name}: {ids:?}");
        } else {
            assert!(
                ids.contains(&indicator),
                "{name}: {indicator} missing from {ids:?}"
            );
        }
    }
}

#[test]
fn microsoft_365_results_count_only_when_trusted() {
    let (untrusted, ids) = run("phish-m365-dmarc-fail.eml");
    assert!(
        !ids.contains(&"sender.authentication-failed"),
        "{untrusted:?} {ids:?}"
    );
    let (trusted, ids) = run_trusting("phish-m365-dmarc-fail.eml", &["microsoft365"]);
    assert!(ids.contains(&"sender.authentication-failed"), "{ids:?}");
    assert_eq!(trusted, Verdict::Phishing, "{ids:?}");
    // Another server's id does not make Microsoft's header trusted.
    let (_, ids) = run_trusting("phish-m365-dmarc-fail.eml", &["mx.clinic.example"]);
    assert!(!ids.contains(&"sender.authentication-failed"), "{ids:?}");
}

#[test]
fn hostile_messages_parse_or_fail_cleanly_and_quickly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/messages");
    let mut hostile: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("hostile-"))
        })
        .collect();
    hostile.sort();
    assert!(hostile.len() >= 4);
    let catalog = MailCatalog::builtin().unwrap_or_else(|e| panic!("{e}"));
    let settings = Settings::default();
    for path in hostile {
        let bytes = std::fs::read(&path).unwrap_or_default();
        let started = Instant::now();
        let analysis = analyze(
            &bytes,
            None,
            &Context {
                catalog: &catalog,
                settings: &settings,
                verifier: None,
            },
        );
        // A watchdog against pathological slowness, far above any normal message.
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{}",
            path.display()
        );
        assert!(analysis.score.is_finite());
    }
}
