//! A phishing simulation end to end against a real SMTP server on loopback (Debian's
//! `python3-aiosmtpd`, which `.ci/run` installs): an administrator sets the relay and creates a
//! campaign for the practice's people; the messages arrive marked as simulations; the link's
//! click, a typed password (never stored), a report and a passed lesson are counted; the
//! training list shows the person trained. Without aiosmtpd the test says it skipped, unless
//! HYGEIA_REQUIRE_SMTP=1 (set by `.ci/run`).

mod common;

use common::*;
use hygeia_server::{AppState, Settings};
use serde_json::{Value, json};
use sqlx::{Column, Row};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const AIOSMTPD_PYTHON: &str = "/usr/bin/python3";

/// An aiosmtpd server writing every message into a Maildir; stopped when dropped.
struct SmtpSink {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpSink {
    fn start() -> Option<SmtpSink> {
        Self::start_with(&[])
    }

    /// A sink that requires STARTTLS with a new self-signed certificate for "localhost";
    /// returns it and the certificate's file (to trust as the practice's mail CA).
    fn start_tls() -> Option<(SmtpSink, std::path::PathBuf, tempfile::TempDir)> {
        let certs = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let (cert, key) = (certs.path().join("cert.pem"), certs.path().join("key.pem"));
        let made = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost",
                "-addext",
                "basicConstraints=critical,CA:FALSE",
                "-addext",
                "extendedKeyUsage=serverAuth",
                "-keyout",
            ])
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !made {
            eprintln!("skipped: openssl could not make a test certificate");
            return None;
        }
        let tls = [
            "--tlscert".to_string(),
            cert.display().to_string(),
            "--tlskey".to_string(),
            key.display().to_string(),
        ];
        Self::start_with(&tls).map(|sink| (sink, cert, certs))
    }

    fn start_with(extra: &[String]) -> Option<SmtpSink> {
        let available = Command::new(AIOSMTPD_PYTHON)
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !available {
            if std::env::var("HYGEIA_REQUIRE_SMTP").as_deref() == Ok("1") {
                panic!(
                    "aiosmtpd is required (HYGEIA_REQUIRE_SMTP=1): apt-get install python3-aiosmtpd"
                );
            }
            eprintln!("skipped: aiosmtpd is not installed (apt-get install python3-aiosmtpd)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        let maildir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let child = Command::new(AIOSMTPD_PYTHON)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(extra)
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting aiosmtpd: {e}"));
        let sink = SmtpSink {
            child,
            port,
            maildir,
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(sink);
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("aiosmtpd did not start listening on 127.0.0.1:{port}");
    }

    /// Every message received, as text.
    fn messages(&self) -> Vec<String> {
        let new = self.maildir.path().join("mail/new");
        let mut found: Vec<String> = std::fs::read_dir(&new)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found
    }
}

/// The simulation link in a message's text part (quoted-printable soft breaks undone).
fn link_in(message: &str, base: &str) -> String {
    let unfolded = message
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let start = unfolded
        .find(&format!("{base}/s/hys_"))
        .unwrap_or_else(|| panic!("no link to {base}/s/ in {message}"));
    unfolded[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '.' | '_'))
        .collect()
}

/// Every text value of every table, to look for what must never be stored.
fn whole_database(server: &TestServer) -> String {
    let migrations = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut tables = Vec::new();
    for entry in std::fs::read_dir(&migrations)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
    {
        let sql = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for part in sql.split("CREATE TABLE ").skip(1) {
            tables.push(part.split_whitespace().next().unwrap_or("").to_string());
        }
    }
    server.runtime.block_on(async {
        let mut all = String::new();
        for table in &tables {
            let rows = sqlx::query(&format!("SELECT * FROM {table}"))
                .fetch_all(&server.db.read)
                .await
                .unwrap_or_else(|e| panic!("{table}: {e}"));
            for row in &rows {
                for column in row.columns() {
                    if let Ok(Some(text)) = row.try_get::<Option<String>, _>(column.ordinal()) {
                        all.push_str(&text);
                        all.push('\n');
                    }
                }
            }
        }
        all
    })
}

fn send_due(server: &TestServer, settings: &Settings) -> hygeia_server::awareness::sender::Round {
    let state = server
        .runtime
        .block_on(async { AppState::new(server.db.clone(), settings.clone()) });
    server
        .runtime
        .block_on(hygeia_server::awareness::sender::send_due(&state))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn form_post(url: &str, body: &str) -> Answer {
    request(
        "POST",
        url,
        &[(
            "content-type",
            "application/x-www-form-urlencoded".to_string(),
        )],
        Some(body.as_bytes().to_vec()),
    )
}

#[test]
fn a_campaign_goes_out_through_the_relay_and_clicks_reports_and_training_are_counted() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    for backend in backends() {
        // The server's own loop waits an hour; the test sends when it wants.
        let settings = Settings {
            simulation_every: std::time::Duration::from_secs(3600),
            yearly_lessons_every: None,
            ..Settings::default()
        };
        let server = TestServer::start(backend, settings.clone());
        let settings = Settings {
            sealing_key: std::sync::Arc::clone(&server.sealing_key),
            ..settings
        };
        let (practice, email, otp) = server.practice("Lee Family Practice", "admin@lee.example");
        let mut admin = first_sign_in(&server, &email, &otp);
        let nurse = admin.post(
            &format!("/api/v1/practices/{practice}/users"),
            json!({"email": "joy@lee.example", "display_name": "Joy Nurse", "role": "clinician"}),
        );
        let nurse_id = nurse.body["id"].as_i64().unwrap_or_default();

        // The relay: plain only to loopback.
        let relay_path = format!("/api/v1/practices/{practice}/smtp-relay");
        assert_eq!(admin.get(&relay_path).body["relay"], Value::Null);
        let refused = admin.post(
            &relay_path,
            json!({"host": "smtp.elsewhere.example", "port": 25, "security": "plain", "from_address": "sim@lee.example"}),
        );
        assert_eq!(refused.status, 400, "{:?}", refused.body);
        let relay = admin.post(
            &relay_path,
            json!({"host": "127.0.0.1", "port": sink.port, "security": "plain", "from_address": "simulations@lee.example"}),
        );
        assert_eq!(relay.status, 200, "{backend}: {:?}", relay.body);
        assert_eq!(relay.body["has_password"], false);

        // The administrator's own copy of a message; it must keep {link}.
        let templates = format!("/api/v1/practices/{practice}/simulation-templates");
        let copy_body = json!({"based_on": "invoice", "name": "Invoice from MedSupply", "sender_name": "MedSupply Billing",
            "subject": "Invoice INV-88 for {practice}", "button": "View invoice",
            "body": "Hello {first_name},\n\nYour invoice: {link}\n", "red_flags": ["We never order from MedSupply."]});
        let copy = admin.post(&templates, copy_body.clone());
        assert_eq!(copy.status, 201, "{:?}", copy.body);
        let copy_id = copy.body["id"].as_str().unwrap_or_default().to_string();
        assert!(copy_id.starts_with("copy-"), "{copy_id}");
        assert_eq!(
            copy.body["training"], "attachments-ransomware",
            "the lesson comes from the original"
        );
        let mut no_link = copy_body.clone();
        no_link["body"] = json!("No link at all");
        assert_eq!(admin.post(&templates, no_link).status, 400);
        let listed = admin.get(&templates).body;
        assert!(
            listed
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t["id"] == copy_id)),
            "{listed}"
        );
        // The same from the page.
        let form = admin.get(&format!(
            "/practices/{practice}/simulations/templates/voicemail"
        ));
        assert!(
            form.body
                .as_str()
                .unwrap_or_default()
                .contains("Edit a copy of"),
            "{:?}",
            form.body
        );
        let saved = admin.submit(
            &format!("/practices/{practice}/simulations/templates"),
            &[
                ("based_on", "voicemail"),
                ("name", "Voicemail (ours)"),
                ("sender_name", "Lee Phones"),
                ("subject", "New voicemail"),
                ("button", "Play"),
                ("body", "Listen: {link}"),
                (
                    "red_flags",
                    "Our phones never email voicemails.\r\nNo caller name.",
                ),
            ],
        );
        assert_eq!(saved.status, 303, "{:?}", saved.body);
        let listed = admin.get(&templates).body;
        let ours = listed
            .as_array()
            .and_then(|t| t.iter().find(|t| t["name"] == "Voicemail (ours)"))
            .cloned()
            .unwrap_or_else(|| panic!("the page's copy is not listed: {listed}"));
        assert_eq!(ours["red_flags"].as_array().map(Vec::len), Some(2));

        // The copy is the practice's own: another practice cannot send it.
        let (other, other_email, other_otp) =
            server.practice("Other Practice", "admin@other.example");
        let mut other_admin = first_sign_in(&server, &other_email, &other_otp);
        let stolen = other_admin.post(
            &format!("/api/v1/practices/{other}/campaigns"),
            json!({"name": "x", "template": copy_id, "window_hours": 0}),
        );
        assert_eq!(stolen.status, 404, "{:?}", stolen.body);

        // A campaign to the nurse only; an address outside the practice is refused.
        let campaigns = format!("/api/v1/practices/{practice}/campaigns");
        let stranger = admin.post(
            &campaigns,
            json!({"name": "x", "template": "invoice", "recipients": [999_999]}),
        );
        assert_eq!(stranger.status, 404, "{:?}", stranger.body);
        // Fields that may be left out are not nullable in the API document: null is refused
        // rather than read as "left out".
        for field in ["starts_at", "link_base", "recipients", "window_hours"] {
            let mut body = json!({"name": "x", "template": "invoice"});
            body[field] = Value::Null;
            let refused = admin.post(&campaigns, body);
            assert_eq!(refused.status, 400, "{field}: null: {:?}", refused.body);
        }
        let created = admin.post(
            &campaigns,
            json!({"name": "December: EHR password", "template": "ehr-password-expiry",
                   "recipients": [nurse_id], "window_hours": 0, "link_base": server.base}),
        );
        assert_eq!(created.status, 201, "{backend}: {:?}", created.body);
        let campaign = created.body["id"].as_i64().unwrap_or_default();
        assert_eq!(created.body["recipients"], 1);

        let before = sink.messages().len();
        let round = send_due(&server, &settings);
        assert_eq!(round.sent, 1, "{backend}: {round:?}");
        assert_eq!(send_due(&server, &settings).sent, 0, "sent once only");
        let messages = sink.messages();
        assert_eq!(messages.len(), before + 1);
        let message = messages
            .iter()
            .find(|m| m.contains(&format!("X-Hygeia-Simulation: {campaign}")))
            .unwrap_or_else(|| panic!("no message of campaign {campaign} in {messages:?}"));
        assert!(message.contains("joy@lee.example"), "{message}");
        assert!(message.contains("EHR Support Desk"), "{message}");
        let link = link_in(message, &server.base);

        // The click: the teachable moment, counted once.
        let landing = request("GET", &link, &[], None);
        assert_eq!(landing.status, 200);
        let page = landing.body.as_str().unwrap_or_default().to_string();
        assert!(
            page.contains("This was a phishing test from Lee Family Practice"),
            "{page}"
        );
        assert!(page.contains("hover over a link"), "{page}");
        request("GET", &link, &[], None);

        // A password typed in the look-alike form: counted, never kept.
        let secret = "Correct-Horse-42-Battery";
        let typed = form_post(
            &link,
            &format!("username=joy%40lee.example&password={secret}"),
        );
        assert_eq!(typed.status, 200);
        assert!(
            !whole_database(&server).contains(secret),
            "{backend}: the typed password was stored"
        );

        let reported = form_post(&format!("{link}/report"), "");
        assert_eq!(reported.status, 200);

        let detail = admin.get(&format!("/api/v1/campaigns/{campaign}"));
        assert_eq!(detail.status, 200, "{:?}", detail.body);
        for (field, expected) in [
            ("sent", 1),
            ("clicked", 1),
            ("submitted", 1),
            ("reported", 1),
            ("opened", 0),
        ] {
            assert_eq!(
                detail.body[field], expected,
                "{backend}: {field} in {}",
                detail.body
            );
        }
        assert_eq!(detail.body["click_rate"], 1.0);
        assert_eq!(detail.body["people"][0]["name"], "Joy Nurse");

        // The lesson assigned by the click, then passed.
        let training_path = format!("/api/v1/practices/{practice}/training");
        let joy = |list: &Value| {
            list.as_array()
                .and_then(|rows| rows.iter().find(|r| r["user_id"] == nurse_id))
                .cloned()
                .unwrap_or_else(|| panic!("no training row for the nurse in {list}"))
        };
        let before = joy(&admin.get(&training_path).body);
        assert_eq!(before["status"], "not_trained");
        assert_eq!(before["assigned"], json!(["phishing-links"]));
        let lesson = request("GET", &format!("{link}/learn"), &[], None);
        assert!(
            lesson
                .body
                .as_str()
                .unwrap_or_default()
                .contains("Links that steal passwords")
        );
        let wrong = form_post(&format!("{link}/learn"), "q0=0&q1=0&q2=1&q3=0&q4=0");
        assert!(
            wrong
                .body
                .as_str()
                .unwrap_or_default()
                .contains("0 of 5 right"),
            "{:?}",
            wrong.body
        );
        assert_eq!(
            joy(&admin.get(&training_path).body)["status"],
            "not_trained"
        );
        let right = form_post(&format!("{link}/learn"), "q0=1&q1=1&q2=0&q3=1&q4=1");
        assert!(
            right
                .body
                .as_str()
                .unwrap_or_default()
                .contains("5 of 5 right"),
            "{:?}",
            right.body
        );
        let after = joy(&admin.get(&training_path).body);
        assert_eq!(after["status"], "trained", "{after}");
        assert_eq!(after["module"], "phishing-links");
        assert_eq!(after["assigned"], json!([]));

        // The yearly round: the administrators, untrained, get the first lesson; the nurse,
        // trained this year, gets none.
        let state = server
            .runtime
            .block_on(async { AppState::new(server.db.clone(), settings.clone()) });
        let assigned = server
            .runtime
            .block_on(hygeia_server::awareness::training::assign_yearly(
                &state,
                hygeia_server::db::now(),
            ))
            .unwrap_or_else(|e| panic!("{e}"));
        // This practice's administrator and the other practice's.
        assert_eq!(assigned, 2);
        let rows = admin.get(&training_path).body;
        assert_eq!(joy(&rows)["assigned"], json!([]));
        let admin_row = rows
            .as_array()
            .and_then(|r| r.iter().find(|r| r["user_id"] != nurse_id))
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            admin_row["assigned"],
            json!(["attachments-ransomware"]),
            "{rows}"
        );
        // Run again: nothing more.
        assert_eq!(
            server
                .runtime
                .block_on(hygeia_server::awareness::training::assign_yearly(
                    &state,
                    hygeia_server::db::now()
                ))
                .unwrap_or_else(|e| panic!("{e}")),
            0
        );

        // HY-EM-002 on the nurse's computer: measured from the lesson, at its next report.
        let secret = admin.post(
            &format!("/api/v1/practices/{practice}/enroll-secrets"),
            json!({"label": "joy"}),
        );
        let (host, key) = enroll(
            &server.base,
            secret.body["secret"].as_str().unwrap_or_default(),
            "joy-laptop",
        );
        let assigned = admin.call(
            "PATCH",
            &format!("/api/v1/hosts/{host}"),
            Some(json!({"owner_user_id": nurse_id})),
        );
        assert_eq!(assigned.status, 200, "{:?}", assigned.body);
        let sent = send_report(
            &server.base,
            &key,
            "awareness-0001",
            report(
                "joy-laptop",
                &[("HY-EM-002", "unknown"), ("HY-PC-001", "pass")],
            ),
        );
        assert_eq!(sent.status, 200, "{:?}", sent.body);
        let detail = admin.get(&format!("/api/v1/hosts/{host}"));
        let training_row = detail.body["posture"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["control_id"] == "HY-EM-002"))
            .cloned()
            .unwrap_or_else(|| panic!("no HY-EM-002 in {}", detail.body));
        assert_eq!(training_row["status"], "pass", "{training_row}");
        assert!(
            training_row["reason"]
                .as_str()
                .is_some_and(|r| r.contains("Links that steal passwords")),
            "{training_row}"
        );
        let page = admin.get(&format!("/hosts/{host}"));
        assert!(
            page.body.as_str().unwrap_or_default().contains(
                "awareness training done this year</td><td><span class=\"badge ok\">Pass"
            ),
            "{:?}",
            page.body
        );

        // The attestation report's workforce section: the lesson and the simulation.
        let report_page = admin.get(&format!("/practices/{practice}/attestation"));
        let text = report_page.body.as_str().unwrap_or_default().to_string();
        let section = text
            .split("2d. Workforce security awareness training")
            .nth(1)
            .unwrap_or_else(|| panic!("no section 2d in {text}"));
        let joy_row = section
            .split("<tr>")
            .find(|row| row.contains("Joy Nurse"))
            .unwrap_or_else(|| panic!("no row for Joy Nurse in {section}"));
        assert!(
            joy_row.contains("Links that steal passwords on "),
            "{joy_row}"
        );
        assert!(joy_row.contains("(5/5)"), "{joy_row}");
        let pdf = admin.get(&format!("/practices/{practice}/attestation.pdf"));
        assert_eq!(pdf.status, 200);

        // The insurer's view of a practice: numbers, never names (this practice is its own
        // organization, so its administrator reads the same ranking).
        let ranking = admin.get("/api/v1/risk");
        let ours = ranking.body["items"]
            .as_array()
            .and_then(|items| items.iter().find(|p| p["practice_id"] == practice))
            .cloned()
            .unwrap_or_else(|| panic!("no practice in {}", ranking.body));
        assert_eq!(ours["phishing"]["sent"], 1, "{ours}");
        assert_eq!(ours["phishing"]["phish_prone"], 1.0);
        assert_eq!(ours["phishing"]["report_rate"], 1.0);
        let csv = admin.get("/insurer.csv");
        let csv = csv.body.as_str().unwrap_or_default().to_string();
        let mut lines = csv.lines();
        assert!(
            lines.next().is_some_and(|h| h.ends_with(
                ",phishing_simulations,phish_prone_percent,phishing_report_rate_percent"
            )),
            "{csv}"
        );
        assert!(
            lines.any(|l| l.starts_with("\"Lee Family Practice\",") && l.ends_with(",1,100.0,100.0")),
            "{csv}"
        );

        // The dashboard: the campaign and the nurse's training on the practice's page; the
        // nurse takes another lesson signed in, under My training.
        let page = admin.get(&format!("/practices/{practice}/simulations"));
        assert_eq!(page.status, 200);
        let text = page.body.as_str().unwrap_or_default().to_string();
        assert!(
            text.contains("December: EHR password") && text.contains("Joy Nurse"),
            "{text}"
        );
        let campaign_page = admin.get(&format!("/campaigns/{campaign}"));
        assert!(
            campaign_page
                .body
                .as_str()
                .unwrap_or_default()
                .contains("Joy Nurse")
        );
        let mut joy_browser = first_sign_in(
            &server,
            "joy@lee.example",
            nurse.body["one_time_password"].as_str().unwrap_or_default(),
        );
        let mine = joy_browser.get("/training");
        let mine_text = mine.body.as_str().unwrap_or_default().to_string();
        assert!(
            mine_text.contains("You passed Links that steal passwords"),
            "{mine_text}"
        );
        assert_eq!(joy_browser.get("/training/reporting").status, 200);
        let answered = joy_browser.submit(
            "/training/reporting",
            &[
                ("q0", "0"),
                ("q1", "0"),
                ("q2", "1"),
                ("q3", "1"),
                ("q4", "1"),
            ],
        );
        assert!(
            answered
                .body
                .as_str()
                .unwrap_or_default()
                .contains("5 of 5 right"),
            "{:?}",
            answered.body
        );
        assert_eq!(
            joy_browser
                .get(&format!("/practices/{practice}/simulations"))
                .status,
            403
        );
        // Cancelling from the page: nothing more goes out.
        let cancelled = admin.submit(&format!("/campaigns/{campaign}/cancel"), &[]);
        assert_eq!(cancelled.status, 303, "{:?}", cancelled.body);
        assert!(admin.get(&format!("/api/v1/campaigns/{campaign}")).body["cancelled_at"].is_i64());

        // An unknown link teaches nothing and counts nothing.
        let unknown = request(
            "GET",
            &format!("{}/s/hys_{}", server.base, "0".repeat(64)),
            &[],
            None,
        );
        assert_eq!(unknown.status, 404);
    }
}

/// Dovecot as `.ci/run` starts it (crates/hygeia-mail/tests/imap/start-dovecot.sh).
struct Dovecot {
    address: String,
    user: String,
    password: String,
    ca: String,
    maildir: std::path::PathBuf,
}

fn dovecot() -> Option<Dovecot> {
    let Ok(address) = std::env::var("HYGEIA_TEST_IMAP") else {
        eprintln!(
            "skipped: HYGEIA_TEST_IMAP is not set: start Dovecot with crates/hygeia-mail/tests/imap/start-dovecot.sh DIR and export what it prints (.ci/run does)"
        );
        return None;
    };
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set (see start-dovecot.sh)"))
    };
    Some(Dovecot {
        address,
        user: var("HYGEIA_TEST_IMAP_USER"),
        password: var("HYGEIA_TEST_IMAP_PASSWORD"),
        ca: var("HYGEIA_TEST_IMAP_CA"),
        maildir: std::path::PathBuf::from(var("HYGEIA_TEST_IMAP_MAILDIR")),
    })
}

/// Puts `message` into a new Maildir++ folder of the test account (owned like the account's
/// mail, so Dovecot can keep its index there); returns the folder's IMAP name.
fn deliver_to_new_folder(dovecot: &Dovecot, message: &[u8]) -> String {
    use std::os::unix::fs::MetadataExt;
    let name = format!("HygeiaReports{}", std::process::id());
    let folder = dovecot.maildir.join(format!(".{name}"));
    let owner = std::fs::metadata(&dovecot.maildir).unwrap_or_else(|e| panic!("{e}"));
    for sub in ["", "cur", "new", "tmp"] {
        let dir = folder.join(sub);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::chown(&dir, Some(owner.uid()), Some(owner.gid()))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let file = folder.join("new/1800000000.M1.hygeia-report");
    std::fs::write(&file, message).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::chown(&file, Some(owner.uid()), Some(owner.gid()))
        .unwrap_or_else(|e| panic!("{e}"));
    name
}

#[test]
fn a_simulation_forwarded_to_the_report_mailbox_counts_as_reported() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let Some(imap) = dovecot() else {
        return;
    };
    let settings = Settings {
        simulation_every: std::time::Duration::from_secs(3600),
        report_mailbox_every: std::time::Duration::from_secs(3600),
        mail_ca: Some(std::path::PathBuf::from(&imap.ca)),
        ..Settings::default()
    };
    let server = TestServer::start("sqlite", settings.clone());
    let settings = Settings {
        sealing_key: std::sync::Arc::clone(&server.sealing_key),
        ..settings
    };
    let (practice, email, otp) = server.practice("Report Clinic", "admin@report.example");
    let mut admin = first_sign_in(&server, &email, &otp);
    let relay = admin.post(
        &format!("/api/v1/practices/{practice}/smtp-relay"),
        json!({"host": "127.0.0.1", "port": sink.port, "security": "plain", "from_address": "simulations@report.example"}),
    );
    assert_eq!(relay.status, 200, "{:?}", relay.body);
    let created = admin.post(
        &format!("/api/v1/practices/{practice}/campaigns"),
        json!({"name": "Invoice test", "template": "invoice", "window_hours": 0, "link_base": server.base}),
    );
    let campaign = created.body["id"].as_i64().unwrap_or_default();
    assert_eq!(send_due(&server, &settings).sent, 1);
    let original = sink
        .messages()
        .into_iter()
        .find(|m| m.contains(&format!("X-Hygeia-Simulation: {campaign}")))
        .unwrap_or_else(|| panic!("the simulation did not arrive"));

    // The administrator forwards it as an attachment to the report address.
    let forwarded = format!(
        "From: admin@report.example\r\nTo: report-phishing@report.example\r\nSubject: Fwd: suspicious\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"fwd\"\r\n\r\n--fwd\r\nContent-Type: text/plain\r\n\r\nThis looks like phishing.\r\n--fwd\r\nContent-Type: message/rfc822\r\n\r\n{}\r\n--fwd--\r\n",
        original.replace("\r\n", "\n").replace('\n', "\r\n")
    );
    let folder = deliver_to_new_folder(&imap, forwarded.as_bytes());
    let (host, port) = imap
        .address
        .rsplit_once(':')
        .unwrap_or_else(|| panic!("{}", imap.address));
    let mailbox_path = format!("/api/v1/practices/{practice}/report-mailbox");
    assert_eq!(admin.get(&mailbox_path).body["mailbox"], Value::Null);
    let saved = admin.post(
        &mailbox_path,
        json!({"host": if host == "127.0.0.1" { "localhost" } else { host }, "port": port.parse::<u16>().unwrap_or_default(),
               "security": "tls", "username": imap.user, "password": imap.password, "folder": folder}),
    );
    assert_eq!(saved.status, 200, "{:?}", saved.body);

    let state = server
        .runtime
        .block_on(async { AppState::new(server.db.clone(), settings.clone()) });
    let counted = server
        .runtime
        .block_on(hygeia_server::awareness::reports::read_reports(&state))
        .unwrap_or_else(|e| panic!("{e}"));
    let view = admin.get(&mailbox_path).body;
    assert_eq!(counted, 1, "{view}");
    assert_eq!(view["mailbox"]["last_error"], Value::Null, "{view}");
    let detail = admin.get(&format!("/api/v1/campaigns/{campaign}")).body;
    assert_eq!(detail["reported"], 1, "{detail}");
    assert_eq!(detail["clicked"], 0, "forwarding is not clicking: {detail}");
    // Reading again counts nothing new, and the mailbox was not changed (read-only).
    assert_eq!(
        server
            .runtime
            .block_on(hygeia_server::awareness::reports::read_reports(&state))
            .unwrap_or_else(|e| panic!("{e}")),
        0
    );
    let folder_path = imap.maildir.join(format!(".{folder}"));
    assert!(
        folder_path.join("new/1800000000.M1.hygeia-report").exists(),
        "the message was moved or flagged"
    );
    // A wrong password is reported on the page, not a crash.
    admin.post(
        &mailbox_path,
        json!({"host": "localhost", "port": port.parse::<u16>().unwrap_or_default(), "security": "tls",
               "username": imap.user, "password": "wrong", "folder": folder}),
    );
    server
        .runtime
        .block_on(hygeia_server::awareness::reports::read_reports(&state))
        .unwrap_or_else(|e| panic!("{e}"));
    let view = admin.get(&mailbox_path).body;
    assert!(view["mailbox"]["last_error"].is_string(), "{view}");
    let _ = std::fs::remove_dir_all(folder_path);
}

#[test]
fn a_relay_with_starttls_is_used_only_with_a_certificate_it_trusts() {
    let Some((sink, cert, _certs)) = SmtpSink::start_tls() else {
        return;
    };
    let base = Settings {
        simulation_every: std::time::Duration::from_secs(3600),
        yearly_lessons_every: None,
        ..Settings::default()
    };
    let server = TestServer::start("sqlite", base.clone());
    // A practice covered by an insurer, whose analyst then reads its numbers.
    let (_, analyst_email, analyst_otp) = server.insurer("Mutual", "analyst@mutual.example");
    let (practice, email, otp) =
        server.insurer_practice("Mutual", "TLS Clinic", "admin@tls.example");
    let mut admin = first_sign_in(&server, &email, &otp);
    let relay = admin.post(
        &format!("/api/v1/practices/{practice}/smtp-relay"),
        json!({"host": "localhost", "port": sink.port, "security": "starttls", "from_address": "simulations@tls.example"}),
    );
    assert_eq!(relay.status, 200, "{:?}", relay.body);
    let created = admin.post(
        &format!("/api/v1/practices/{practice}/campaigns"),
        json!({"name": "STARTTLS", "template": "voicemail", "window_hours": 0, "link_base": server.base}),
    );
    let campaign = created.body["id"].as_i64().unwrap_or_default();
    // Without the practice's CA the certificate is not trusted: nothing is sent.
    let untrusting = Settings {
        sealing_key: std::sync::Arc::clone(&server.sealing_key),
        ..base.clone()
    };
    let round = send_due(&server, &untrusting);
    assert_eq!((round.sent, round.failed), (0, 1), "{round:?}");
    let detail = admin.get(&format!("/api/v1/campaigns/{campaign}")).body;
    let error = detail["people"][0]["last_error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        error.contains("certificate") || error.contains("Issuer"),
        "not refused for its certificate: {error}"
    );
    assert!(
        sink.messages().is_empty(),
        "a message went out over an untrusted connection"
    );
    // With it (`--mail-ca`), the message goes out over STARTTLS once the retry is due.
    server.runtime.block_on(async {
        sqlx::query("UPDATE campaign_recipients SET send_at = 0")
            .execute(&server.db.write)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    });
    let trusting = Settings {
        mail_ca: Some(cert),
        ..untrusting
    };
    let round = send_due(&server, &trusting);
    assert_eq!(
        round.sent,
        1,
        "{round:?}: {}",
        admin.get(&format!("/api/v1/campaigns/{campaign}")).body
    );
    assert!(
        sink.messages()
            .iter()
            .any(|m| m.contains(&format!("X-Hygeia-Simulation: {campaign}"))),
        "the simulation did not arrive over STARTTLS"
    );

    // The person clicks; the insurer's analyst sees the rates, not the person.
    let message = sink
        .messages()
        .into_iter()
        .find(|m| m.contains(&format!("X-Hygeia-Simulation: {campaign}")))
        .unwrap_or_default();
    let link = link_in(&message, &server.base);
    assert_eq!(request("GET", &link, &[], None).status, 200);
    let mut analyst = first_sign_in(&server, &analyst_email, &analyst_otp);
    let ranking = analyst.get("/api/v1/risk").body;
    let ours = ranking["items"]
        .as_array()
        .and_then(|items| items.iter().find(|p| p["practice_id"] == practice))
        .cloned()
        .unwrap_or_else(|| panic!("the analyst does not see the practice: {ranking}"));
    assert_eq!(ours["phishing"]["sent"], 1, "{ours}");
    assert_eq!(ours["phishing"]["phish_prone"], 1.0, "{ours}");
    assert_eq!(ours["phishing"]["report_rate"], 0.0, "{ours}");
    let page = analyst.get("/insurer");
    assert!(
        page.body
            .as_str()
            .unwrap_or_default()
            .contains("of 1 simulations clicked"),
        "{:?}",
        page.body
    );
    let detail = analyst.get(&format!("/api/v1/campaigns/{campaign}")).body;
    assert_eq!(detail["clicked"], 1, "{detail}");
    assert_eq!(
        detail["people"][0]["name"],
        Value::Null,
        "names are the practice's: {detail}"
    );
    assert_eq!(detail["people"][0]["user_id"], Value::Null, "{detail}");
    // The analyst reads, and manages nothing.
    let refused = analyst.post(
        &format!("/api/v1/practices/{practice}/campaigns"),
        json!({"name": "x", "template": "invoice"}),
    );
    assert_eq!(refused.status, 403, "{:?}", refused.body);
}
