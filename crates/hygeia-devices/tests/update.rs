//! `hygeia devices update` against a local HTTP server that serves the project's fixtures:
//! a good update, then downloads that are cut off, corrupt or unreachable, each of which must
//! leave the previous store active and intact.
#![cfg(feature = "update")]

#[path = "support/feeds_server.rs"]
mod feeds_server;

use feeds_server::*;
use hygeia_devices::store;
use hygeia_devices::update::update;
use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

fn temp_store(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hygeia-update-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Every file of the active snapshot with its content, to show nothing changed.
fn contents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let snapshot = store::open(dir).unwrap_or_else(|e| panic!("{e}"));
    let mut files = Vec::new();
    let mut stack = vec![snapshot.dir.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap_or_default();
                files.push((path, bytes));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn update_then_failed_updates_leave_the_store_intact() {
    let routes: Routes = Arc::new(Mutex::new(HashMap::new()));
    let port = serve(routes.clone());
    *routes.lock().unwrap_or_else(|e| panic!("{e}")) = good_routes(port);
    let dir = temp_store("cycle");
    let mut log = Vec::new();
    let manifest = update(&dir, &sources(port), &mut |s| log.push(s.to_string()))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        manifest.csaf_documents, 3,
        "the ICS (not medical) advisory is skipped"
    );
    assert_eq!(manifest.kev_entries, 3);
    assert_eq!(manifest.epss_scores, 3);
    let before = contents(&dir);
    // `match` reads the store by default: the stored files match like the originals.
    let snapshot = store::open(&dir).unwrap_or_else(|e| panic!("{e}"));
    let mut set = hygeia_devices::AdvisorySet::default();
    set.add_csaf(&snapshot.csaf_dir())
        .unwrap_or_else(|e| panic!("{e}"));
    let kev = hygeia_devices::load_kev(&snapshot.kev_file()).unwrap_or_else(|e| panic!("{e}"));
    let epss = snapshot
        .epss_file()
        .map(|f| hygeia_devices::load_epss(&f).unwrap_or_else(|e| panic!("{e}")));
    let inventory = hygeia_devices::inventory::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/labelled.csv"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let report = hygeia_devices::match_inventory(&inventory, &set, Some(&kev), epss.as_ref())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.advisory == "ICSMA-90-001-01" && f.ransomware)
    );
    assert!(report.findings.iter().any(|f| f.epss.is_some()));
    assert!(
        before
            .iter()
            .any(|(p, _)| p.ends_with("icsma-90-002-01.json"))
    );

    let failures: Vec<(&str, Reply)> = vec![
        ("/kev.json", Reply::CutOff(fixture("kev.json"))),
        (
            "/white/2090/icsma-90-002-01.json",
            Reply::Body(b"{\"document\": ".to_vec()),
        ),
        ("/white/2090/icsma-90-003-01.json", Reply::NotFound),
        (
            "/epss.csv.gz",
            Reply::Body(b"<html>maintenance</html>".to_vec()),
        ),
        (
            "/kev.json",
            Reply::Body(b"{\"vulnerabilities\": []}".to_vec()),
        ),
    ];
    for (path, reply) in failures {
        let mut table = good_routes(port);
        table.insert(path.to_string(), reply);
        *routes.lock().unwrap_or_else(|e| panic!("{e}")) = table;
        let error = update(&dir, &sources(port), &mut |_| {})
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("store was not changed"), "{path}: {error}");
        assert_eq!(contents(&dir), before, "{path} changed the store");
    }

    // The server is gone: the store stays as it was.
    let gone = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let dead_port = gone.local_addr().map(|a| a.port()).unwrap_or(0);
    drop(gone);
    let error = update(&dir, &sources(dead_port), &mut |_| {})
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(error.contains("127.0.0.1"), "{error}");
    assert_eq!(contents(&dir), before);

    // Leftovers of failed updates are gone, and only one snapshot remains.
    let snapshots = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("snap-"))
        .count();
    assert_eq!(snapshots, 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn index_entries_outside_the_store_are_refused() {
    let routes: Routes = Arc::new(Mutex::new(HashMap::new()));
    let port = serve(routes.clone());
    let mut table = good_routes(port);
    table.insert(
        "/white/index.txt".into(),
        Reply::Body(b"../../icsma-evil.json/../x\n2090/icsma-..%2F.json\n".to_vec()),
    );
    *routes.lock().unwrap_or_else(|e| panic!("{e}")) = table;
    let dir = temp_store("evil");
    let result = update(&dir, &sources(port), &mut |_| {});
    assert!(result.is_err());
    assert!(store::open(&dir).is_err(), "no store was activated");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn published_hashes_are_checked_and_plain_http_distributions_refused() {
    use sha2::Digest;
    let routes: Routes = Arc::new(Mutex::new(HashMap::new()));
    let port = serve(routes.clone());
    let document = fixture("csaf/icsma-90-001-01.json");
    let digest: String = sha2::Sha256::digest(&document)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // The right hash: checked and counted.
    let mut table = good_routes(port);
    table.insert(
        "/white/2090/icsma-90-001-01.json.sha256".into(),
        Reply::Body(format!("{digest}  icsma-90-001-01.json\n").into_bytes()),
    );
    *routes.lock().unwrap_or_else(|e| panic!("{e}")) = table.clone();
    let dir = temp_store("hashes");
    let manifest = update(&dir, &sources(port), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(manifest.csaf_hashes_verified, 1);
    let before = contents(&dir);
    // A document altered on the way: refused, the store unchanged.
    table.insert(
        "/white/2090/icsma-90-001-01.json.sha256".into(),
        Reply::Body(format!("{}  icsma-90-001-01.json\n", "0".repeat(64)).into_bytes()),
    );
    *routes.lock().unwrap_or_else(|e| panic!("{e}")) = table;
    let error = update(&dir, &sources(port), &mut |_| {})
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(error.contains("does not match the hash"), "{error}");
    assert_eq!(contents(&dir), before);
    // Provider metadata that sends the download elsewhere over plain HTTP: refused.
    let mut table = good_routes(port);
    table.insert(
        "/.well-known/csaf/provider-metadata.json".into(),
        Reply::Body(
            br#"{"distributions":[{"directory_url":"http://csaf.example.org/white/"}]}"#.to_vec(),
        ),
    );
    *routes.lock().unwrap_or_else(|e| panic!("{e}")) = table;
    let error = update(&dir, &sources(port), &mut |_| {})
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(error.contains("not an https:// address"), "{error}");
    assert_eq!(contents(&dir), before);
    let _ = std::fs::remove_dir_all(&dir);
}
