//! What `hygeia serve` reads from outside without a person checking it: an agent's report body
//! (validated before anything is stored; what passes is compressed and read back), a message in
//! the practice's report mailbox (simulation tokens looked for in every part), a template's
//! placeholders, and the attestation report's PDF layout fed with whatever text the reports and
//! people supplied.
#![no_main]

use hygeia_server::ingest::{compress, decompress, validate};
use hygeia_server::pages::attestation::{Asset, AttestedItem, Report, wording};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // "Now" near the dates the fuzz corpus uses, so valid reports pass the 45-day window.
    if let Ok(report) = validate(data, 1_795_870_000) {
        assert!(!report.results.is_empty());
        let text = String::from_utf8_lossy(data);
        assert_eq!(decompress(&compress(&text)).as_deref(), Some(text.as_ref()));
    }
    for token in hygeia_server::awareness::reports::tokens_in(data) {
        assert!(token.starts_with("hys_") && token.len() == 68);
    }
    let _ = hygeia_server::awareness::catalog::placeholders(&String::from_utf8_lossy(data));
    // Every line of the input becomes a computer and an answer with that text in every field.
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.lines().take(40).collect();
    let Ok(wording) = wording() else { return };
    let report = Report {
        practice_id: 1,
        practice: lines.first().copied().unwrap_or("").into(),
        organization: lines.last().copied().unwrap_or("").into(),
        day: "2026-11-28".into(),
        day_end: 1_795_910_399,
        generated_at: 1_795_860_000,
        generated_by: text.chars().take(200).collect(),
        assets: lines
            .iter()
            .map(|l| Asset {
                hostname: (*l).into(),
                platform: (*l).into(),
                os_version: (*l).into(),
                enrolled_at: 0,
                last_report_at: None,
                owner: Some((*l).into()),
                failing: l.len(),
            })
            .collect(),
        devices: None,
        phones: lines
            .iter()
            .map(|l| hygeia_server::phones::PhoneRow {
                id: (*l).into(),
                name: (*l).into(),
                owner: (*l).into(),
                owner_user_id: None,
                family: (*l).into(),
                os_version: (*l).into(),
                security_patch: (*l).into(),
                model: (*l).into(),
                source: (*l).into(),
                seen_at: 0,
                status: (*l).into(),
                updates_status: (*l).into(),
                results: vec![],
                measured: vec![(*l).into()],
                answered: vec![(*l).into()],
            })
            .collect(),
        workforce: vec![],
        groups: vec![],
        attested: lines
            .iter()
            .map(|l| AttestedItem {
                hostname: (*l).into(),
                title: (*l).into(),
                answer: l.len() % 2 == 0,
                by: (*l).into(),
                at: 0,
                expires: 0,
                note: (*l).into(),
            })
            .collect(),
        risks: vec![],
    };
    let pdf = hygeia_server::pages::pdf::render(&report, wording);
    assert!(pdf.starts_with(b"%PDF-"));
});
