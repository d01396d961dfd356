//! docs/mail-indicators.md must list every indicator id the code can emit, so that a reader who
//! sees an id in a report finds its weight and meaning.

use std::path::{Path, PathBuf};

const PREFIXES: [&str; 8] = [
    "sender.",
    "link.",
    "content.",
    "attachment.",
    "body.",
    "domain.",
    "limit.",
    "internal.",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Quoted strings that look like indicator ids: a known prefix, then lower-case words joined by
/// hyphens.
fn ids_in(source: &str) -> Vec<String> {
    source
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            PREFIXES.iter().any(|p| {
                s.strip_prefix(p).is_some_and(|rest| {
                    !rest.is_empty()
                        && rest
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                })
            })
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn every_indicator_id_is_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = std::fs::read_to_string(root.join("../../docs/mail-indicators.md"))
        .unwrap_or_else(|e| panic!("docs/mail-indicators.md: {e}"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut ids: Vec<String> = files
        .iter()
        .flat_map(|f| ids_in(&std::fs::read_to_string(f).unwrap_or_default()))
        .collect();
    ids.sort();
    ids.dedup();
    assert!(ids.len() > 40, "only {} ids found: {ids:?}", ids.len());
    let missing: Vec<&String> = ids
        .iter()
        .filter(|id| !docs.contains(&format!("`{id}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "not in docs/mail-indicators.md: {missing:?}"
    );
}
