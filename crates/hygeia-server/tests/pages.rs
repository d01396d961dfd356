//! The dashboard's pages without a browser: forms refuse a missing CSRF token and other sites,
//! a fresh practice shows its empty states, the attestation report is built from the history
//! of the chosen day (with who attested what), its PDF is well formed, and the insurer's CSV
//! follows the page's filter. The browser itself is tested in crates/hygeia/tests/browser.rs.

mod common;

use common::*;
use hygeia_server::Settings;
use serde_json::{Value, json};

/// A report dated `days_ago` days back with one attested control and one other result.
fn dated_report(hostname: &str, days_ago: i64, firewall: &str, attested_by: &str) -> Vec<u8> {
    let at = time::OffsetDateTime::now_utc() - time::Duration::days(days_ago);
    let when = at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let control = |id: &str, status: &str, severity: &str| {
        json!({"id": id, "title": id, "area": "computer", "status": status, "severity": severity,
               "reason": format!("{id} is {status}"), "evidence": [], "measured": "automatic",
               "why": "", "hicp": "", "csf": "", "hipaa": "", "fix": ""})
    };
    let mut mfa = control("HY-EM-001", "attested", "high");
    mfa["measured"] = json!("attested");
    mfa["attestation"] =
        json!({"answer": true, "by": attested_by, "at": when, "note": "authenticator app"});
    json!({
        "schema": "hygeia.check/1",
        "host": {"hostname": hostname, "platform": "linux", "os": "Debian GNU/Linux 12", "user": "root",
                 "source": "live", "collected_at": when},
        "generated_at": when,
        "summary": {},
        "controls": [control("HY-PC-008", firewall, "high"), mfa],
    })
    .to_string()
    .into_bytes()
}

fn day(days_ago: i64) -> String {
    hygeia_server::rollup::day_of(hygeia_server::db::now() - days_ago * 86_400)
}

fn text(answer: &Answer) -> &str {
    answer.body.as_str().unwrap_or("")
}

#[test]
fn forms_need_the_session_token_and_this_site() {
    let server = TestServer::start("sqlite", Settings::default());
    let (practice, email, otp) = server.practice("Clinic", "admin@clinic.example");
    let mut admin = first_sign_in(&server, &email, &otp);
    let path = format!("/practices/{practice}/enrolment");

    // No CSRF field: refused, nothing created.
    let csrf = admin.csrf.take();
    let refused = admin.submit(&path, &[("label", "no token")]);
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    admin.csrf = csrf;
    // The right token, sent from another site's page: refused.
    let mut headers = vec![
        (
            "content-type",
            "application/x-www-form-urlencoded".to_string(),
        ),
        ("origin", "https://evil.example".to_string()),
    ];
    headers.push(("cookie", admin.cookie.clone().unwrap_or_default()));
    let body = format!(
        "label=cross&csrf={}",
        encode(admin.csrf.as_deref().unwrap_or(""))
    );
    let cross = request(
        "POST",
        &format!("{}{path}", server.base),
        &headers,
        Some(body.into_bytes()),
    );
    assert_eq!(cross.status, 403, "{:?}", cross.body);
    let secrets = admin.get(&format!("/api/v1/practices/{practice}/enroll-secrets"));
    assert_eq!(secrets.body["items"], json!([]), "nothing was created");

    // With the token, from the page: created and shown once.
    let created = admin.submit(&path, &[("label", "front desk"), ("expires_in_days", "7")]);
    assert_eq!(created.status, 200);
    assert!(text(&created).contains("hye_"), "{}", text(&created));
    assert!(text(&created).contains("agent enroll --server"));
}

#[test]
fn a_fresh_practice_shows_empty_states() {
    let server = TestServer::start("sqlite", Settings::default());
    let (practice, email, otp) = server.practice("Clinic", "admin@clinic.example");
    let mut admin = first_sign_in(&server, &email, &otp);
    for (path, expected) in [
        (
            format!("/practices/{practice}"),
            "No computers enrolled yet",
        ),
        (
            format!("/practices/{practice}/enrolment"),
            "No enroll secret yet",
        ),
        (
            format!("/practices/{practice}/attestation"),
            "No computer was enrolled on this day",
        ),
    ] {
        let page = admin.get(&path);
        assert_eq!(page.status, 200, "{path}");
        assert!(page.content_type.starts_with("text/html"), "{path}");
        assert!(text(&page).contains(expected), "{path}: {}", text(&page));
    }
}

#[test]
fn the_attestation_report_shows_the_chosen_day_from_history() {
    for backend in backends() {
        let server = TestServer::start(backend, Settings::default());
        let (_, analyst_email, analyst_otp) = server.insurer("Mutual", "analyst@mutual.example");
        let (practice, email, otp) =
            server.insurer_practice("Mutual", "Riverside", "admin@riverside.example");
        let mut admin = first_sign_in(&server, &email, &otp);
        let secret = admin.post(
            &format!("/api/v1/practices/{practice}/enroll-secrets"),
            json!({"label": "x"}),
        );
        let (host, key) = enroll(
            &server.base,
            secret.body["secret"].as_str().unwrap_or(""),
            "front-desk",
        );
        // Enrolled ten days ago, firewall off five days ago, fixed today.
        server
            .runtime
            .block_on(
                sqlx::query("UPDATE hosts SET enrolled_at = $1 WHERE id = $2")
                    .bind(hygeia_server::db::now() - 10 * 86_400)
                    .bind(host)
                    .execute(&server.db.write),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let old = send_report(
            &server.base,
            &key,
            "report-old",
            dated_report("front-desk", 5, "fail", "dr.lee"),
        );
        assert_eq!(old.status, 200, "{:?}", old.body);
        let new = send_report(
            &server.base,
            &key,
            "report-new",
            dated_report("front-desk", 0, "pass", "dr.lee"),
        );
        assert_eq!(new.status, 200, "{:?}", new.body);

        let then = admin.get(&format!(
            "/practices/{practice}/attestation?date={}",
            day(4)
        ));
        let then_text = text(&then);
        assert_eq!(then.status, 200, "{backend}: {then_text}");
        assert!(then_text.contains("front-desk"), "{backend}: asset listed");
        assert!(
            then_text.contains("Firewall is on and blocks incoming connections"),
            "{backend}"
        );
        assert!(then_text.contains("dr.lee"), "{backend}: who attested");
        assert!(
            then_text.contains("Overdue") || then_text.contains(&day(5)),
            "{backend}: the failing control is in the plan with its start"
        );
        assert!(
            !then_text.contains("No control was failing"),
            "{backend}: four days ago the firewall was off"
        );
        let today = admin.get(&format!("/practices/{practice}/attestation"));
        assert!(
            text(&today).contains(
                "No control was failing on any computer or on the device inventory on this day."
            ),
            "{backend}: today it is fixed"
        );
        // Before enrolment: nothing in scope.
        let before = admin.get(&format!(
            "/practices/{practice}/attestation?date={}",
            day(20)
        ));
        assert!(text(&before).contains("No computer was enrolled on this day"));
        // Bad dates are refused with a sentence.
        for bad in ["2999-01-01", "yesterday"] {
            let refused = admin.get(&format!("/practices/{practice}/attestation?date={bad}"));
            assert_eq!(refused.status, 400, "{backend}: {bad}");
        }

        let pdf = admin.get(&format!(
            "/practices/{practice}/attestation.pdf?date={}",
            day(4)
        ));
        assert_eq!(pdf.status, 200);
        assert_eq!(pdf.content_type, "application/pdf");
        let bytes = text(&pdf).as_bytes();
        assert!(bytes.starts_with(b"%PDF-1."), "{backend}: a PDF");
        assert!(
            text(&pdf).trim_end().ends_with("%%EOF"),
            "{backend}: complete"
        );
        assert!(text(&pdf).contains("/Type /Page"), "{backend}: has pages");

        // The insurer's analyst reads the same report, and the practice in the ranked list.
        let mut analyst = first_sign_in(&server, &analyst_email, &analyst_otp);
        let seen = analyst.get(&format!("/practices/{practice}/attestation"));
        assert_eq!(seen.status, 200);
        let csv = analyst.get("/insurer.csv?risk=low");
        assert!(csv.content_type.starts_with("text/csv"));
        let lines: Vec<&str> = text(&csv).lines().collect();
        assert_eq!(lines.len(), 2, "{backend}: {lines:?}");
        assert!(lines[1].starts_with("\"Riverside\",low,1,0,"), "{lines:?}");
        let none = analyst.get("/insurer.csv?risk=high");
        assert_eq!(text(&none).lines().count(), 1, "{backend}: only the header");
        server.rollup();
        let ranked: Value = analyst.get("/api/v1/risk").body;
        assert_eq!(ranked["items"][0]["name"], "Riverside");
        assert_eq!(ranked["items"][0]["risk"], "low");
        // Today's roll-up: one day, two results (firewall passing, MFA attested) both passing.
        assert_eq!(
            ranked["items"][0]["trend"],
            json!([{"day": day(0), "pass_rate": 1.0}]),
            "{backend}"
        );
        assert_eq!(ranked["items"][0]["top_failing"], json!([]), "{backend}");
        // A second computer with its firewall off: one of two has a failing high control.
        let (_, key2) = enroll(
            &server.base,
            secret.body["secret"].as_str().unwrap_or(""),
            "exam-room",
        );
        send_report(
            &server.base,
            &key2,
            "report-exam",
            dated_report("exam-room", 0, "fail", "dr.lee"),
        );
        let ranked: Value = analyst.get("/api/v1/risk").body;
        assert_eq!(ranked["items"][0]["risk"], "high", "{backend}");
        assert_eq!(
            ranked["items"][0]["top_failing"],
            json!([{"control_id": "HY-PC-008", "failing": 1}]),
            "{backend}"
        );
    }
}

#[test]
fn the_overview_shows_each_computers_backup_coverage() {
    for backend in backends() {
        overview_backup_coverage_on(backend);
    }
}

fn overview_backup_coverage_on(backend: &str) {
    let server = TestServer::start(backend, Settings::default());
    let (practice, email, otp) = server.practice("Clinic", "admin@clinic.example");
    let mut admin = first_sign_in(&server, &email, &otp);
    let secret = admin.post(
        &format!("/api/v1/practices/{practice}/enroll-secrets"),
        json!({"label": "x"}),
    );
    let secret = secret.body["secret"].as_str().unwrap_or("").to_string();
    let (protected, key) = enroll(&server.base, &secret, "exam-room-3");
    let sent = send_report(
        &server.base,
        &key,
        "report-backups-1",
        report(
            "exam-room-3",
            &[
                ("HY-BK-001", "pass"),
                ("HY-BK-002", "pass"),
                ("HY-BK-003", "pass"),
                ("HY-BK-004", "attested"),
                ("HY-BK-005", "fail"),
            ],
        ),
    );
    assert_eq!(sent.status, 200, "{:?}", sent.body);
    let (quiet, _) = enroll(&server.base, &secret, "front-desk");

    let page = admin.get(&format!("/practices/{practice}"));
    assert_eq!(page.status, 200);
    let html = text(&page);
    assert!(html.contains("Backups (3-2-1-1-0)"), "{html}");
    // Each computer's row in the backup section (the page links to it in other tables too).
    let section = &html[html.find("id=\"backups\"").unwrap_or(0)..];
    let row = |host: i64| {
        let start = section
            .find(&format!("href=\"/hosts/{host}\""))
            .unwrap_or_else(|| panic!("no backup row for host {host}"));
        let rest = &section[start..];
        rest[..rest.find("</tr>").unwrap_or(rest.len())].to_string()
    };
    let protected_row = row(protected);
    assert_eq!(protected_row.matches(">yes<").count(), 3, "{protected_row}");
    assert!(protected_row.contains("yes (answered)"), "{protected_row}");
    assert!(protected_row.contains(">no<"), "{protected_row}");
    let quiet_row = row(quiet);
    assert_eq!(quiet_row.matches("no report").count(), 5, "{quiet_row}");
}
