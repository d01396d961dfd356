//! The whole per-message path of `hygeia mail`: parsing, HTML scanning, QR codes, archives and
//! every indicator, on arbitrary bytes. It must never panic, hang or exhaust memory.
#![no_main]

use hygeia_mail::{Context, MailCatalog, Settings, analyze};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn catalog() -> &'static MailCatalog {
    static CATALOG: OnceLock<MailCatalog> = OnceLock::new();
    CATALOG.get_or_init(|| match MailCatalog::builtin() {
        Ok(catalog) => catalog,
        Err(e) => panic!("the built-in catalog does not load: {e}"),
    })
}

fuzz_target!(|data: &[u8]| {
    let settings = Settings {
        protected: vec!["clinic.example".into()],
        trusted_authserv: vec!["microsoft365".into(), "mx.clinic.example".into()],
        model: None,
    };
    let context = Context {
        catalog: catalog(),
        settings: &settings,
        verifier: None,
    };
    let analysis = analyze(data, None, &context);
    assert!(analysis.score.is_finite());
});
