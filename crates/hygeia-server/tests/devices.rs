//! Devices in the dashboard: an administrator uploads the inventory (API and page), the server
//! matches it against its advisory store and measures HY-MD-101..104; a new store snapshot
//! matches it again; other practices, clinicians and insurers' analysts get only what their
//! role allows.

mod common;
#[path = "../../hygeia-devices/tests/support/feeds_server.rs"]
mod feeds_server;

use common::*;
use hygeia_server::Settings;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

const INVENTORY: &str = "name,kind,vendor,model,version,os,os_version,segment,life_critical,stores_phi,patch_owner\n\
pump-a,infusion-pump,Acme,Acme Pump 300,1.52,,,flat,true,false,\n\
viewer,workstation,Acme,Acme Viewer,1.0,Windows,7,clinical-vlan,false,true,Ana\n\
sibling,infusion-pump,Acme,Pump 3000,1.0,,,clinical-vlan,true,false,Ana\n";

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../hygeia-devices/tests/fixtures")
}

/// A folder laid out like a store made elsewhere (CSAF documents and the KEV catalog).
fn store_made_elsewhere(dir: &Path) -> PathBuf {
    let from = dir.join("usb");
    std::fs::create_dir_all(from.join("csaf")).unwrap_or_else(|e| panic!("{e}"));
    for entry in std::fs::read_dir(fixtures().join("csaf")).unwrap_or_else(|e| panic!("{e}")) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        std::fs::copy(entry.path(), from.join("csaf").join(entry.file_name()))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::copy(fixtures().join("kev.json"), from.join("kev.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    from
}

fn settings(store: &Path) -> Settings {
    Settings {
        devices_store: Some(store.to_path_buf()),
        devices_watch_every: Duration::from_millis(100),
        ..Settings::default()
    }
}

fn device<'a>(answer: &'a Value, name: &str) -> &'a Value {
    answer["items"]
        .as_array()
        .and_then(|items| items.iter().find(|d| d["name"] == name))
        .unwrap_or_else(|| panic!("no device {name} in {answer}"))
}

fn control_status(answer: &Value, id: &str) -> String {
    answer["controls"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["control_id"] == id))
        .and_then(|c| c["status"].as_str())
        .unwrap_or("absent")
        .to_string()
}

fn advisories_of(device: &Value) -> Vec<String> {
    device["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|f| f["advisory"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn an_uploaded_inventory_is_matched_now_and_again_after_a_store_update() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = dir.path().join("store");
        let server = TestServer::start(backend, settings(&store));
        let (practice, email, otp) = server.practice("Clinic", "admin@clinic.example");
        let mut admin = first_sign_in(&server, &email, &otp);
        let path = format!("/api/v1/practices/{practice}/devices");

        // Before any upload: no inventory, and the controls are not claimed.
        let empty = admin.get(&path);
        assert_eq!(empty.status, 200, "{:?}", empty.body);
        assert!(empty.body.get("inventory").is_none());
        assert_eq!(empty.body["advisory_store"]["available"], false);

        // The server has no advisories yet: the hygiene controls are measured all the same.
        let uploaded = admin.post(
            &path,
            json!({"file_name": "devices.csv", "content": INVENTORY}),
        );
        assert_eq!(uploaded.status, 201, "{backend}: {:?}", uploaded.body);
        assert_eq!(uploaded.body["inventory"]["devices"], 3);
        let first = admin.get(&path);
        assert_eq!(control_status(&first.body, "HY-MD-101"), "fail");
        assert_eq!(control_status(&first.body, "HY-MD-102"), "fail");
        assert_eq!(control_status(&first.body, "HY-MD-104"), "fail");
        assert!(advisories_of(device(&first.body, "pump-a")).is_empty());

        // A store made elsewhere arrives: the server matches the inventory again by itself.
        hygeia_devices::store::import(&store, &store_made_elsewhere(dir.path()))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut matched = first;
        for _ in 0..100 {
            matched = admin.get(&path);
            if !advisories_of(device(&matched.body, "pump-a")).is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let pump = device(&matched.body, "pump-a");
        assert_eq!(
            advisories_of(pump),
            ["ICSMA-90-001-01"],
            "{backend}: {pump}"
        );
        let finding = &pump["findings"][0];
        assert_eq!(finding["basis"], "range");
        assert_eq!(finding["priority"], "critical");
        assert!(
            finding["remediation"]
                .as_array()
                .is_some_and(|r| !r.is_empty()),
            "{finding}"
        );
        // The near miss stays unmatched; Windows 7 brings its exploited vulnerabilities.
        assert!(advisories_of(device(&matched.body, "sibling")).is_empty());
        assert!(
            device(&matched.body, "viewer")["findings"]
                .as_array()
                .is_some_and(|f| f.iter().any(|f| f["kev"] == true)),
            "{}",
            matched.body
        );
        assert_eq!(matched.body["advisory_store"]["available"], true);
        assert!(
            matched.body["counts"]["critical"].as_i64().unwrap_or(0) >= 1,
            "{backend}: {}",
            matched.body["counts"]
        );
        // Only the affected devices, most urgent first.
        let affected = admin.get(&format!("{path}?affected=true"));
        let names: Vec<&str> = affected.body["items"]
            .as_array()
            .map(|i| i.iter().filter_map(|d| d["name"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(names.first(), Some(&"pump-a"), "{names:?}");
        assert!(!names.contains(&"sibling"));

        // A file that lists no device is refused with the reason; the inventory stays.
        let refused = admin.post(
            &path,
            json!({"file_name": "notes.csv", "content": "hello,world\n1,2\n"}),
        );
        assert_eq!(refused.status, 400, "{:?}", refused.body);
        assert!(
            refused.body["message"]
                .as_str()
                .is_some_and(|m| m.contains("no usable device")),
            "{:?}",
            refused.body
        );
        let kept = admin.get(&path);
        assert_eq!(kept.body["inventory"]["file_name"], "devices.csv");

        // The upload is in the audit log.
        let log = admin.get("/api/v1/audit-log");
        assert!(
            log.body.to_string().contains("devices.upload"),
            "{}",
            log.body
        );
    }
}

#[test]
fn devices_are_seen_only_by_the_practice_and_its_insurer() {
    let backend = "sqlite";
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let server = TestServer::start(backend, settings(&dir.path().join("store")));
    let (_, analyst_email, analyst_otp) = server.insurer("Insurer", "analyst@insurer.example");
    let (practice, email, otp) =
        server.insurer_practice("Insurer", "Clinic", "admin@clinic.example");
    let mut admin = first_sign_in(&server, &email, &otp);
    let path = format!("/api/v1/practices/{practice}/devices");
    let uploaded = admin.post(
        &path,
        json!({"file_name": "devices.csv", "content": INVENTORY}),
    );
    assert_eq!(uploaded.status, 201, "{:?}", uploaded.body);
    let user = admin.post(
        &format!("/api/v1/practices/{practice}/users"),
        json!({"email": "nurse@clinic.example", "display_name": "Nurse", "role": "clinician"}),
    );
    let nurse_otp = user.body["one_time_password"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    // The insurer's analyst reads the devices but cannot replace the inventory.
    let mut analyst = first_sign_in(&server, &analyst_email, &analyst_otp);
    assert_eq!(analyst.get(&path).status, 200);
    let by_analyst = analyst.post(&path, json!({"file_name": "x.csv", "content": INVENTORY}));
    assert_eq!(by_analyst.status, 403, "{:?}", by_analyst.body);

    // The insurer's ranking carries the practice's devices.
    let ranked = analyst.get("/api/v1/risk");
    let item = ranked.body["items"]
        .as_array()
        .and_then(|i| i.iter().find(|p| p["practice_id"] == practice))
        .cloned()
        .unwrap_or_default();
    assert_eq!(item["devices"]["devices"], 3, "{item}");
    // HY-MD-101, 102 and 104 fail; 103 warns (a device stores patient data).
    assert_eq!(item["devices"]["safeguards_not_in_place"], 4, "{item}");
    let csv = analyst.get("/insurer.csv");
    let csv = csv.body.as_str().unwrap_or_default().to_string();
    assert!(
        csv.lines().next().is_some_and(
            |h| h.contains("device_safeguards_not_in_place,phones,phones_out_of_date,")
        ),
        "{csv}"
    );

    // A clinician of the practice does not read the device list.
    let mut nurse = first_sign_in(&server, "nurse@clinic.example", &nurse_otp);
    assert_eq!(nurse.get(&path).status, 403);

    // Another practice's administrator does not even learn that the practice exists.
    let (_, other_email, other_otp) = server.practice("Elsewhere", "admin@elsewhere.example");
    let mut other = first_sign_in(&server, &other_email, &other_otp);
    let foreign = other.get(&path);
    assert_eq!(foreign.status, 404);
    assert!(!foreign.body.to_string().contains("pump-a"));
    let upload = other.post(&path, json!({"file_name": "x.csv", "content": INVENTORY}));
    assert_eq!(upload.status, 404);
}

/// A `multipart/form-data` body with the CSRF field and one file.
fn multipart(csrf: &str, file_name: &str, content: &str) -> (String, Vec<u8>) {
    let boundary = "hygeia-test-boundary-7f3a";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
    );
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

#[test]
fn the_devices_page_takes_an_upload_with_its_csrf_token_only() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = dir.path().join("store");
    hygeia_devices::store::import(&store, &store_made_elsewhere(dir.path()))
        .unwrap_or_else(|e| panic!("{e}"));
    let server = TestServer::start("sqlite", settings(&store));
    let (practice, email, otp) = server.practice("Clinic", "admin@clinic.example");
    let admin = first_sign_in(&server, &email, &otp);
    let page = format!("/practices/{practice}/devices");
    let cookie = admin.cookie.clone().unwrap_or_default();
    let csrf = admin.csrf.clone().unwrap_or_default();
    let url = format!("{}{page}", server.base);

    // Without the session's token: refused, nothing stored.
    let (content_type, body) = multipart("forged", "devices.csv", INVENTORY);
    let forged = request(
        "POST",
        &url,
        &[("content-type", content_type), ("cookie", cookie.clone())],
        Some(body),
    );
    assert_eq!(forged.status, 403);

    let (content_type, body) = multipart(&csrf, "devices.csv", INVENTORY);
    let sent = request(
        "POST",
        &url,
        &[("content-type", content_type), ("cookie", cookie.clone())],
        Some(body),
    );
    assert_eq!(sent.status, 303, "{:?}", sent.body);
    let shown = request("GET", &url, &[("cookie", cookie.clone())], None);
    let html = shown.body.as_str().unwrap_or_default().to_string();
    assert!(html.contains("ICSMA-90-001-01"), "{html}");
    assert!(html.contains("Device safeguards (HICP 9)"));
    assert!(html.contains("devices.csv"));

    // The attestation report: the devices in the asset inventory, HICP 9 measured, and the
    // safeguards not in place among the risks.
    let report = request(
        "GET",
        &format!("{}/practices/{practice}/attestation", server.base),
        &[("cookie", cookie.clone())],
        None,
    );
    let report = report.body.as_str().unwrap_or_default().to_string();
    assert!(report.contains("2b. Asset inventory: medical and IT devices"));
    assert!(report.contains("Acme Pump 300"), "{report}");
    assert!(report.contains("HICP 9: Network Connected Medical Devices"));
    assert!(report.contains("Measured on the device inventory"));
    assert!(!report.contains("HICP 9) are not determined"));
    assert!(report.contains("HY-MD-102"), "{report}");
    let pdf = request(
        "GET",
        &format!("{}/practices/{practice}/attestation.pdf", server.base),
        &[("cookie", cookie.clone())],
        None,
    );
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.content_type, "application/pdf");

    // The overview names the devices too.
    let overview = request(
        "GET",
        &format!("{}/practices/{practice}", server.base),
        &[("cookie", cookie)],
        None,
    );
    assert!(
        overview
            .body
            .as_str()
            .is_some_and(|h| h.contains("with a known vulnerability")),
        "{:?}",
        overview.body
    );
}

#[test]
fn the_scheduled_update_downloads_advisories_and_matches_again() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let routes: feeds_server::Routes =
        std::sync::Arc::new(std::sync::Mutex::new(std::collections::HashMap::new()));
    let port = feeds_server::serve(std::sync::Arc::clone(&routes));
    if let Ok(mut r) = routes.lock() {
        *r = feeds_server::good_routes(port);
    }
    let server = TestServer::start(
        "sqlite",
        Settings {
            devices_update_every: Some(Duration::from_secs(3600)),
            devices_sources: feeds_server::sources(port),
            ..settings(&dir.path().join("store"))
        },
    );
    let (practice, email, otp) = server.practice("Clinic", "admin@clinic.example");
    let mut admin = first_sign_in(&server, &email, &otp);
    let path = format!("/api/v1/practices/{practice}/devices");
    let uploaded = admin.post(
        &path,
        json!({"file_name": "devices.csv", "content": INVENTORY}),
    );
    assert_eq!(uploaded.status, 201, "{:?}", uploaded.body);
    let mut status = Value::Null;
    for _ in 0..100 {
        status = admin.get("/api/v1/advisory-store").body;
        let pump = admin.get(&path);
        if status["last_update"]["ok"] == true
            && !advisories_of(device(&pump.body, "pump-a")).is_empty()
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(status["last_update"]["ok"], true, "{status}");
    assert_eq!(status["advisories"], 3, "{status}");
    assert_eq!(status["update_every_hours"], 1, "{status}");
    let matched = admin.get(&path);
    assert_eq!(
        advisories_of(device(&matched.body, "pump-a")),
        ["ICSMA-90-001-01"]
    );
}

#[test]
fn a_failed_scheduled_update_is_shown_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = dir.path().join("store");
    hygeia_devices::store::import(&store, &store_made_elsewhere(dir.path()))
        .unwrap_or_else(|e| panic!("{e}"));
    // A port nothing listens on: the download fails at once, as it does without internet.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let server = TestServer::start(
        "sqlite",
        Settings {
            devices_update_every: Some(Duration::from_secs(3600)),
            devices_sources: feeds_server::sources(closed),
            ..settings(&store)
        },
    );
    let (practice, email, otp) = server.practice("Clinic", "admin@clinic.example");
    let mut admin = first_sign_in(&server, &email, &otp);
    let mut status = Value::Null;
    for _ in 0..100 {
        status = admin.get("/api/v1/advisory-store").body;
        if status.get("last_update").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(status["last_update"]["ok"], false, "{status}");
    assert!(
        status["last_update"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("previous advisories stay in use")),
        "{status}"
    );
    // The advisories copied in before are still the ones used.
    assert_eq!(status["available"], true);
    let uploaded = admin.post(
        &format!("/api/v1/practices/{practice}/devices"),
        json!({"file_name": "devices.csv", "content": INVENTORY}),
    );
    assert_eq!(uploaded.status, 201);
    assert!(uploaded.body["counts"]["critical"].as_i64().unwrap_or(0) >= 1);
    let page = admin.get(&format!("/practices/{practice}/devices"));
    assert!(
        page.body
            .as_str()
            .is_some_and(|h| h.contains("The last download failed")),
        "{:?}",
        page.body
    );
}

#[test]
fn cyclonedx_and_spdx_files_are_inventories_too() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let server = TestServer::start("sqlite", settings(&dir.path().join("store")));
    let (practice, email, otp) = server.practice("Clinic", "admin@clinic.example");
    let mut admin = first_sign_in(&server, &email, &otp);
    for file in ["monitor.cdx.json", "pump.spdx.json"] {
        let content = String::from_utf8(feeds_server::fixture(file)).unwrap_or_default();
        let uploaded = admin.post(
            &format!("/api/v1/practices/{practice}/devices"),
            json!({"file_name": file, "content": content}),
        );
        assert_eq!(uploaded.status, 201, "{file}: {:?}", uploaded.body);
        assert!(
            uploaded.body["inventory"]["devices"].as_i64().unwrap_or(0) >= 1,
            "{file}: {:?}",
            uploaded.body
        );
        assert_eq!(uploaded.body["inventory"]["file_name"], file);
    }
}

#[test]
fn two_uploads_at_once_both_land() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let server = TestServer::start(backend, settings(&dir.path().join("store")));
        let (practice, email, otp) = server.practice("Clinic", "admin@clinic.example");
        let admin = first_sign_in(&server, &email, &otp);
        let path = format!("/api/v1/practices/{practice}/devices");
        let uploads: Vec<_> = (0..4)
            .map(|i| {
                let mut browser = admin.clone();
                let path = path.clone();
                std::thread::spawn(move || {
                    browser
                        .post(
                            &path,
                            json!({"file_name": format!("devices-{i}.csv"), "content": INVENTORY}),
                        )
                        .status
                })
            })
            .collect();
        for upload in uploads {
            assert_eq!(upload.join().unwrap_or(0), 201, "{backend}");
        }
        let mut admin = admin;
        let now = admin.get(&path);
        assert_eq!(now.body["controls"].as_array().map(Vec::len), Some(4));
    }
}
