//! Phones in the dashboard: an administrator imports an Intune export; a clinician makes a
//! phone check link, the page opened with an old iPhone's browser records a failing phone for
//! that clinician, and the link then no longer works; other practices see nothing.

mod common;

use common::*;
use hygeia_server::Settings;
use serde_json::{Value, json};

fn intune_export() -> String {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../hygeia-phone/tests/fixtures/intune-devices.csv");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn phone<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["items"]
        .as_array()
        .and_then(|items| items.iter().find(|p| p["name"] == name))
        .unwrap_or_else(|| panic!("no phone {name} in {list}"))
}

const OLD_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 15_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.6 Mobile/15E148 Safari/604.1";

#[test]
fn import_link_and_phone_check_page() {
    for backend in backends() {
        let server = TestServer::start(backend, Settings::default());
        let (practice, email, otp) = server.practice("Clinic", "admin@clinic.example");
        let mut admin = first_sign_in(&server, &email, &otp);
        let list_path = format!("/api/v1/practices/{practice}/phones");

        // An Intune export: three phones, the Windows PC left out.
        let imported = admin.post(
            &format!("{list_path}/import"),
            json!({"file_name": "intune.csv", "content": intune_export()}),
        );
        assert_eq!(imported.status, 201, "{backend}: {:?}", imported.body);
        assert_eq!(imported.body["source"], "intune");
        assert_eq!(imported.body["imported"], 3);
        let list = admin.get(&list_path);
        assert_eq!(list.status, 200);
        assert_eq!(list.body["counts"]["phones"], 3);
        let pixel = phone(&list.body, "DrLee-Pixel5");
        assert_eq!(pixel["updates_status"], "fail");
        assert_eq!(pixel["source"], "intune");
        assert!(
            pixel["answered"]
                .as_array()
                .is_some_and(|a| a.iter().any(|f| f == "OS version: 11"))
        );
        let page = admin.get(&format!("/practices/{practice}/phones"));
        assert_eq!(page.status, 200);
        assert!(
            page.body
                .as_str()
                .unwrap_or_default()
                .contains("DrLee-Pixel5")
        );
        // Importing again replaces, not duplicates.
        admin.post(
            &format!("{list_path}/import"),
            json!({"file_name": "intune.csv", "content": intune_export()}),
        );
        assert_eq!(admin.get(&list_path).body["counts"]["phones"], 3);
        let refused = admin.post(
            &format!("{list_path}/import"),
            json!({"file_name": "x.csv", "content": "name,ip\nrouter,192.0.2.1\n"}),
        );
        assert_eq!(refused.status, 400);
        assert!(
            refused.body.to_string().contains("neither an Intune"),
            "{:?}",
            refused.body
        );

        // A clinician makes a link for their own phone.
        let user = admin.post(
            &format!("/api/v1/practices/{practice}/users"),
            json!({"email": "nurse@clinic.example", "display_name": "Nurse", "role": "clinician"}),
        );
        let nurse_otp = user.body["one_time_password"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut nurse = first_sign_in(&server, "nurse@clinic.example", &nurse_otp);
        let link = nurse.post("/api/v1/phone-links", json!({}));
        assert_eq!(link.status, 201, "{:?}", link.body);
        let path = link.body["path"].as_str().unwrap_or_default().to_string();
        assert!(path.starts_with("/phone-check/hyp_"));
        // A clinician cannot make one for someone else, nor read the practice's list.
        let admin_id = admin.get("/api/v1/session").body["user_id"]
            .as_i64()
            .unwrap_or_default();
        assert_eq!(
            nurse
                .post("/api/v1/phone-links", json!({"user_id": admin_id}))
                .status,
            403
        );
        assert_eq!(nurse.get(&list_path).status, 403);

        // The phone opens the page with no account: it asks for Client Hints.
        let url = format!("{}{path}", server.base);
        let form = request("GET", &url, &[("user-agent", OLD_IPHONE.to_string())], None);
        assert_eq!(form.status, 200);
        let text = form.body.as_str().unwrap_or_default();
        assert!(text.contains("iPhone") && text.contains("15.6"), "{text}");
        let fields = "screen_lock=yes&automatic_updates=no&visit_app=FaceTime&touch_points=5";
        let sent = request(
            "POST",
            &url,
            &[
                ("user-agent", OLD_IPHONE.to_string()),
                (
                    "content-type",
                    "application/x-www-form-urlencoded".to_string(),
                ),
            ],
            Some(fields.as_bytes().to_vec()),
        );
        assert_eq!(sent.status, 200, "{:?}", sent.body);
        let list = admin.get(&list_path).body;
        let iphone = list["items"]
            .as_array()
            .and_then(|i| i.iter().find(|p| p["owner"] == "nurse@clinic.example"))
            .cloned()
            .unwrap_or_else(|| panic!("no phone for the nurse in {list}"));
        assert_eq!(iphone["source"], "browser");
        assert_eq!(iphone["os_version"], "15.6");
        assert_eq!(iphone["updates_status"], "fail", "iOS 15 gets no fixes");
        assert_eq!(iphone["status"], "fail");
        assert!(
            iphone["measured"]
                .as_array()
                .is_some_and(|m| m.iter().any(|f| f == "OS version: 15.6"))
        );
        assert!(
            iphone["answered"]
                .as_array()
                .is_some_and(|a| a.iter().any(|f| f == "screen lock: yes"))
        );
        let visits = iphone["results"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["control"] == "HY-PH-003"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(visits["status"], "fail", "FaceTime for visits: {visits}");
        assert!(iphone["owner_user_id"].is_i64());

        // The link works once.
        let again = request("GET", &url, &[("user-agent", OLD_IPHONE.to_string())], None);
        assert_eq!(again.status, 404);
        let resent = request(
            "POST",
            &url,
            &[(
                "content-type",
                "application/x-www-form-urlencoded".to_string(),
            )],
            Some(fields.as_bytes().to_vec()),
        );
        assert_eq!(resent.status, 404);

        // The attestation report lists the phones in its asset inventory; the risk list counts them.
        let report = admin.get(&format!("/practices/{practice}/attestation"));
        assert_eq!(report.status, 200);
        let text = report.body.as_str().unwrap_or_default();
        assert!(
            text.contains("2c. Asset inventory: phones and tablets")
                && text.contains("DrLee-Pixel5"),
            "{backend}"
        );
        let ranked = admin.get("/api/v1/risk");
        assert_eq!(ranked.status, 200, "{:?}", ranked.body);
        let item = ranked.body["items"]
            .as_array()
            .and_then(|i| i.iter().find(|p| p["practice_id"] == practice))
            .cloned()
            .unwrap_or_default();
        assert_eq!(item["phones"]["phones"], 4, "{item}");
        assert_eq!(
            item["phones"]["out_of_date"], 3,
            "the Pixel on Android 11, the iPhone 12 on iOS 17, the nurse's iPhone on iOS 15: {item}"
        );

        // Another practice sees none of it.
        let (_, other_email, other_otp) = server.practice("Elsewhere", "admin@elsewhere.example");
        let mut other = first_sign_in(&server, &other_email, &other_otp);
        let foreign = other.get(&list_path);
        assert_eq!(foreign.status, 404);
        assert!(!foreign.body.to_string().contains("Pixel"));
    }
}
