//! Every indicator weight the code looks up is in `catalog/mail-indicators.toml`, and every
//! indicator the code can report has an entry there: a weight can neither go missing (and
//! silently count 0) nor linger in the table after its indicator is gone.

use hygeia_mail::weights::Weights;
use std::collections::BTreeSet;
use std::path::Path;

/// The source files of the indicators, with their text (not the weights module itself).
fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for dir in [root.clone(), root.join("indicators")] {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            if path.extension().is_some_and(|x| x == "rs") && !path.ends_with("weights.rs") {
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                files.push((path.display().to_string(), text));
            }
        }
    }
    files
}

/// Whether `text` has `marker` at `at` as a whole name (`weight(`, not `scam_weight(`).
fn starts_name(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric() && c != '_')
}

/// The string literal right after `marker` in `text`, at every place it occurs.
fn literals_after<'a>(text: &'a str, marker: &str) -> Vec<&'a str> {
    text.match_indices(marker)
        .filter(|(at, _)| starts_name(text, *at))
        .filter_map(|(at, _)| {
            let rest = text[at + marker.len()..].trim_start();
            let rest = rest.strip_prefix('"')?;
            Some(&rest[..rest.find('"')?])
        })
        .collect()
}

/// `(id, variant)` for every `weight("id")` and `variant(id, "name")` call. A call that names
/// its id through a local `id` or `ID` takes the file's one `let id = "..."` or
/// `const ID: &str = "..."`.
fn lookups(text: &str) -> Vec<(String, Option<String>)> {
    let local = literals_after(text, "let id = ")
        .into_iter()
        .chain(literals_after(text, "const ID: &str = "))
        .next()
        .map(str::to_string);
    let mut found = Vec::new();
    for id in literals_after(text, "weight(") {
        found.push((id.to_string(), None));
    }
    for (at, _) in text.match_indices("variant(") {
        if !starts_name(text, at) {
            continue;
        }
        let args = &text[at + "variant(".len()..];
        let Some(end) = args.find(')') else { continue };
        let parts: Vec<&str> = args[..end].split(',').map(str::trim).collect();
        let [id, name] = parts[..] else { continue };
        let name = name.trim_matches('"').to_string();
        let id = if id.starts_with('"') {
            id.trim_matches('"').to_string()
        } else {
            local
                .clone()
                .unwrap_or_else(|| panic!("variant({id}, ..) without a local id"))
        };
        found.push((id, Some(name)));
    }
    found
}

#[test]
fn every_weight_the_code_uses_is_in_the_catalog() {
    let weights = Weights::builtin().unwrap_or_else(|e| panic!("mail-indicators.toml: {e}"));
    let mut used = 0;
    for (file, text) in sources() {
        for (id, variant) in lookups(&text) {
            used += 1;
            assert!(
                weights.has(&id, variant.as_deref()),
                "{file}: {id} {variant:?} is not in catalog/mail-indicators.toml"
            );
        }
    }
    assert!(
        used > 50,
        "only {used} lookups found: is the scan still reading the code?"
    );
}

#[test]
fn every_indicator_the_code_reports_has_an_entry_and_no_entry_is_left_over() {
    let weights = Weights::builtin().unwrap_or_else(|e| panic!("mail-indicators.toml: {e}"));
    let mut reported = BTreeSet::new();
    for (_, text) in sources() {
        for marker in ["Indicator::new(", "flag_words(\n        found,"] {
            for id in literals_after(&text, marker) {
                reported.insert(id.to_string());
            }
        }
        for (id, _) in lookups(&text) {
            reported.insert(id);
        }
    }
    // Verdict floors, not evidence: they set the score to the suspicious threshold.
    for floor in ["internal.error", "limit.size"] {
        reported.remove(floor);
    }
    let listed: BTreeSet<String> = weights.ids().map(str::to_string).collect();
    let missing: Vec<_> = reported.difference(&listed).collect();
    let unused: Vec<_> = listed.difference(&reported).collect();
    assert!(
        missing.is_empty(),
        "reported but without a weight: {missing:?}"
    );
    assert!(
        unused.is_empty(),
        "weights of indicators nothing reports: {unused:?}"
    );
}
