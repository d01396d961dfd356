//! A real `hygeia serve` and a real `hygeia agent` on loopback: enrolment, reports, history,
//! key revocation, the server down and up again with queued reports arriving exactly once, and
//! `kill -9` of the server while it ingests losing no acknowledged report.
#![cfg(all(feature = "server", feature = "agent"))]

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const HYGEIA: &str = env!("CARGO_BIN_EXE_hygeia");

/// A `hygeia serve` process, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(database: &Path, port: u16) -> Server {
    start_server_with(database, port, &[])
}

fn start_server_with(database: &Path, port: u16, extra: &[&str]) -> Server {
    let mut child = Command::new(HYGEIA)
        .args(["serve", "--database"])
        .arg(database)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting hygeia serve: {e}"));
    let stderr = child.stderr.take().unwrap_or_else(|| panic!("no stderr"));
    let mut lines = BufReader::new(stderr).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let (scheme, rest) = if first.contains("https://") {
        ("https", "https://")
    } else {
        ("http", "http://")
    };
    let address = first
        .split(rest)
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("hygeia serve did not start: {first}"))
        .to_string();
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    Server {
        child,
        base: format!("{scheme}://{address}"),
    }
}

fn port_of(base: &str) -> u16 {
    base.rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0)
}

fn hygeia(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(HYGEIA)
        .args(args)
        // Only what the test passes: a secret in the caller's environment would hide a
        // missing one.
        .env_remove("HYGEIA_ENROLL_SECRET")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running hygeia {args:?}: {e}"));
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn http(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> (u16, Value, Vec<String>) {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .new_agent();
    let mut builder = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(body.unwrap_or_default().into_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    match agent.run(request) {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let cookies = response
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| {
                    v.to_str()
                        .ok()
                        .map(|c| c.split(';').next().unwrap_or("").to_string())
                })
                .collect();
            let mut text = String::new();
            let _ = response.body_mut().as_reader().read_to_string(&mut text);
            (
                status,
                serde_json::from_str(&text).unwrap_or(Value::Null),
                cookies,
            )
        }
        Err(_) => (0, Value::Null, Vec::new()),
    }
}

/// Signs the practice administrator in for the first time (new password, authenticator) and
/// returns (cookie, csrf token).
fn sign_in(base: &str, email: &str, one_time: &str) -> (String, String) {
    let json_type = ("content-type", "application/json");
    let (status, body, cookies) = http(
        "POST",
        &format!("{base}/api/v1/session/login"),
        &[json_type],
        Some(json!({"email": email, "password": one_time}).to_string()),
    );
    assert_eq!(status, 200, "{body}");
    let mut cookie = cookies[0].clone();
    let mut csrf = body["csrf_token"].as_str().unwrap_or_default().to_string();
    let password = "seven orange kites at dusk";
    let (status, body, _) = http(
        "POST",
        &format!("{base}/api/v1/session/password"),
        &[json_type, ("cookie", &cookie), ("x-csrf-token", &csrf)],
        Some(json!({"current_password": one_time, "new_password": password}).to_string()),
    );
    assert_eq!(status, 200, "{body}");
    let (_, setup, _) = http(
        "POST",
        &format!("{base}/api/v1/session/totp/setup"),
        &[json_type, ("cookie", &cookie), ("x-csrf-token", &csrf)],
        Some("{}".into()),
    );
    let secret = setup["secret"].as_str().unwrap_or_default();
    let code = hygeia_server::auth::totp::current_code(secret, hygeia_server::db::now())
        .unwrap_or_default();
    let (status, body, cookies) = http(
        "POST",
        &format!("{base}/api/v1/session/totp/confirm"),
        &[json_type, ("cookie", &cookie), ("x-csrf-token", &csrf)],
        Some(json!({"code": code}).to_string()),
    );
    assert_eq!(status, 200, "{body}");
    cookie = cookies[0].clone();
    csrf = body["csrf_token"].as_str().unwrap_or_default().to_string();
    (cookie, csrf)
}

struct Admin {
    base: String,
    cookie: String,
    csrf: String,
}

impl Admin {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let (status, body, _) = http(
            method,
            &format!("{}{path}", self.base),
            &[
                ("content-type", "application/json"),
                ("cookie", &self.cookie),
                ("x-csrf-token", &self.csrf),
            ],
            body.map(|b| b.to_string()),
        );
        (status, body)
    }
}

fn init_practice(database: &Path) -> (String, String) {
    let (code, out, err) = hygeia(&[
        "serve",
        "init",
        "--database",
        &database.display().to_string(),
        "--practice",
        "Lee Family Practice",
        "--admin-email",
        "drlee@clinic.example",
    ]);
    assert_eq!(code, 0, "{err}");
    let password = out
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 20 && !l.contains(' '))
        .unwrap_or_else(|| panic!("no one-time password in: {out}"))
        .to_string();
    ("drlee@clinic.example".into(), password)
}

/// Signs in as the practice's administrator and creates an enroll secret; returns the
/// administrator, the practice id and the secret.
fn admin_with_secret(base: &str, email: &str, one_time: &str, label: &str) -> (Admin, i64, String) {
    let (cookie, csrf) = sign_in(base, email, one_time);
    let admin = Admin {
        base: base.to_string(),
        cookie,
        csrf,
    };
    let (_, practices) = admin.call("GET", "/api/v1/practices", None);
    let practice = practices["items"][0]["id"].as_i64().unwrap_or_default();
    let (status, secret) = admin.call(
        "POST",
        &format!("/api/v1/practices/{practice}/enroll-secrets"),
        Some(json!({"label": label})),
    );
    assert_eq!(status, 201, "{secret}");
    let secret = secret["secret"].as_str().unwrap_or_default().to_string();
    (admin, practice, secret)
}

fn snapshot_pair(dir: &Path) -> (PathBuf, PathBuf) {
    let a = dir.join("snapshot-a");
    let (code, _, err) = hygeia(&[
        "check",
        "--save-snapshot",
        &a.display().to_string(),
        "--format",
        "json",
    ]);
    assert!(code == 0 || code == 1, "hygeia check failed: {err}");
    // B: the same computer with an update waiting for a restart (HY-PC-004 fails).
    let mut snapshot: Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("snapshot.json")).unwrap_or_default())
            .unwrap_or(Value::Null);
    snapshot["outputs"]["reboot_required"] = json!({"source": "/run/reboot-required", "result": "read", "content": "*** System restart required ***\n", "modified": 1_700_000_000, "duration_ms": 0});
    let b = dir.join("snapshot-b");
    std::fs::create_dir_all(&b).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(b.join("snapshot.json"), snapshot.to_string()).unwrap_or_else(|e| panic!("{e}"));
    (a, b)
}

fn agent_enroll(server: &str, secret: &str, state: &Path) -> (i32, String, String) {
    hygeia(&[
        "agent",
        "enroll",
        "--server",
        server,
        "--secret",
        secret,
        "--state-dir",
        &state.display().to_string(),
    ])
}

fn agent_run_once(state: &Path, snapshot: &Path) -> (i32, String, String) {
    hygeia(&[
        "agent",
        "run",
        "--once",
        "--retry-seconds",
        "1",
        "--state-dir",
        &state.display().to_string(),
        "--snapshot",
        &snapshot.display().to_string(),
    ])
}

fn queued(state: &Path) -> usize {
    std::fs::read_dir(state.join("queue"))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .count()
        })
        .unwrap_or(0)
}

fn stored_reports(admin: &Admin, host: i64) -> usize {
    let (_, history) = admin.call(
        "GET",
        &format!("/api/v1/hosts/{host}/history?control=HY-PC-004&limit=500"),
        None,
    );
    history["items"].as_array().map_or(0, Vec::len)
}

#[test]
fn agent_enrolls_reports_survives_outages_and_stops_when_removed() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let database = dir.path().join("server.db");
    let state = dir.path().join("agent");
    let (email, one_time) = init_practice(&database);
    let (snapshot_a, snapshot_b) = snapshot_pair(dir.path());
    let server = start_server(&database, 0);
    let port = port_of(&server.base);
    let (cookie, csrf) = sign_in(&server.base, &email, &one_time);
    let admin = Admin {
        base: server.base.clone(),
        cookie,
        csrf,
    };
    let (_, practices) = admin.call("GET", "/api/v1/practices", None);
    let practice = practices["items"][0]["id"].as_i64().unwrap_or_default();
    let (status, secret) = admin.call(
        "POST",
        &format!("/api/v1/practices/{practice}/enroll-secrets"),
        Some(json!({"label": "laptops"})),
    );
    assert_eq!(status, 201);
    let secret = secret["secret"].as_str().unwrap_or_default().to_string();

    let (code, out, err) = agent_enroll(&server.base, &secret, &state);
    assert_eq!(code, 0, "{out}{err}");
    let enrolment: Value = serde_json::from_str(
        &std::fs::read_to_string(state.join("enrolment.json")).unwrap_or_default(),
    )
    .unwrap_or(Value::Null);
    let host = enrolment["host_id"].as_i64().unwrap_or_default();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(state.join("enrolment.json"))
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        assert_eq!(
            mode, 0o600,
            "the node key must be readable by its owner only"
        );
    }

    let (code, out, err) = agent_run_once(&state, &snapshot_a);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("stored"), "{out}");
    let (code, out, _) = agent_run_once(&state, &snapshot_a);
    assert_eq!(code, 0);
    assert!(out.contains("unchanged"), "{out}");
    let (_, detail) = admin.call("GET", &format!("/api/v1/hosts/{host}"), None);
    let posture = detail["posture"].as_array().cloned().unwrap_or_default();
    assert!(posture.len() >= 20, "the whole check arrived: {detail}");
    assert_eq!(stored_reports(&admin, host), 1);

    // The server goes down: reports queue up on the computer.
    drop(server);
    let (code, _, err) = agent_run_once(&state, &snapshot_b);
    assert_ne!(code, 0);
    assert!(err.contains("stay queued"), "{err}");
    let (code, _, _) = agent_run_once(&state, &snapshot_a);
    assert_ne!(code, 0);
    assert_eq!(queued(&state), 2);

    // Back up on the same port: the queued reports arrive, in order, exactly once.
    let server = start_server(&database, port);
    let (code, out, err) = agent_run_once(&state, &snapshot_b);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(queued(&state), 0);
    assert_eq!(
        stored_reports(&admin, host),
        4,
        "A, then B, A, B after the outage"
    );
    let (_, changes) = admin.call("GET", &format!("/api/v1/hosts/{host}/changes"), None);
    let flips = changes["items"].as_array().map_or(0, |items| {
        items
            .iter()
            .filter(|c| c["control_id"] == "HY-PC-004")
            .count()
    });
    assert_eq!(flips, 4, "{changes}");

    // The enroll secret is not kept on the computer: root there cannot enroll more hosts.
    let kept = std::fs::read_to_string(state.join("enrolment.json")).unwrap_or_default();
    assert!(
        !kept.contains(&secret),
        "the enroll secret stayed on disk: {kept}"
    );

    // The administrator removes the computer: the agent stops, says so, and no new host appears.
    let (status, _) = admin.call("DELETE", &format!("/api/v1/hosts/{host}"), None);
    assert_eq!(status, 200);
    let hosts_before = host_count(&admin, practice);
    let (code, out, err) = agent_run_once(&state, &snapshot_a);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("removed"), "{err}");
    let (code, _, err) = agent_run_once(&state, &snapshot_b);
    assert_eq!(code, 2, "a removed agent kept running: {err}");
    assert_eq!(
        host_count(&admin, practice),
        hosts_before,
        "a removed computer enrolled itself again"
    );
    let (code, out, _) = hygeia(&[
        "agent",
        "status",
        "--state-dir",
        &state.display().to_string(),
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("removed from the server"), "{out}");

    // Only a secret from an administrator enrolls it again; with that secret revoked the
    // enrolment is refused and says why.
    let (_, secrets) = admin.call(
        "GET",
        &format!("/api/v1/practices/{practice}/enroll-secrets"),
        None,
    );
    let secret_id = secrets["items"][0]["id"].as_i64().unwrap_or_default();
    admin.call(
        "DELETE",
        &format!("/api/v1/enroll-secrets/{secret_id}"),
        None,
    );
    let enroll_with = |secret: &str| agent_enroll(&server.base, secret, &state);
    let (code, _, err) = enroll_with(&secret);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("enroll secret"), "{err}");
    let (_, fresh) = admin.call(
        "POST",
        &format!("/api/v1/practices/{practice}/enroll-secrets"),
        Some(json!({"label": "again"})),
    );
    let fresh = fresh["secret"].as_str().unwrap_or_default().to_string();
    let (code, out, err) = enroll_with(&fresh);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = agent_run_once(&state, &snapshot_b);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(queued(&state), 0);
    drop(server);
}

fn host_count(admin: &Admin, practice: i64) -> usize {
    let (_, hosts) = admin.call(
        "GET",
        &format!("/api/v1/practices/{practice}/hosts?limit=500"),
        None,
    );
    hosts["items"].as_array().map_or(0, Vec::len)
}

#[test]
fn kill_9_during_ingest_loses_no_acknowledged_report() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let database = dir.path().join("server.db");
    let (email, one_time) = init_practice(&database);
    let mut server = start_server(&database, 0);
    let port = port_of(&server.base);
    let (cookie, csrf) = sign_in(&server.base, &email, &one_time);
    let admin = Admin {
        base: server.base.clone(),
        cookie,
        csrf,
    };
    let (_, practices) = admin.call("GET", "/api/v1/practices", None);
    let practice = practices["items"][0]["id"].as_i64().unwrap_or_default();
    let (_, secret) = admin.call(
        "POST",
        &format!("/api/v1/practices/{practice}/enroll-secrets"),
        Some(json!({"label": "load"})),
    );
    let secret = secret["secret"].as_str().unwrap_or_default().to_string();

    // Four computers send reports as fast as they can, each report different from the last.
    let mut senders = Vec::new();
    for n in 0..4 {
        let base = server.base.clone();
        let secret = secret.clone();
        senders.push(std::thread::spawn(move || {
            let (_, enrolled, _) = http("POST", &format!("{base}/api/agent/v1/enroll"), &[("content-type", "application/json")], Some(json!({"secret": secret, "hostname": format!("pc-{n}")}).to_string()));
            let key = enrolled["node_key"].as_str().unwrap_or_default().to_string();
            let mut acknowledged = Vec::new();
            let started = Instant::now();
            for i in 0..100_000u32 {
                if started.elapsed() > Duration::from_secs(20) {
                    break;
                }
                let id = format!("pc{n}-report-{i:06}");
                let status = if i % 2 == 0 { "pass" } else { "fail" };
                let control = |id: &str, status: &str, severity: &str| {
                    json!({"id": id, "title": id, "area": "computer", "status": status, "severity": severity,
                           "reason": "r", "evidence": [], "measured": "automatic", "why": "w", "hicp": "h",
                           "csf": "c", "hipaa": "p", "fix": "f"})
                };
                // Dated now: the server refuses reports collected more than 45 days ago.
                let at = hygeia_core::time_util::rfc3339(time::OffsetDateTime::now_utc());
                let body = json!({"schema": "hygeia.check/1", "generated_at": at,
                                  "host": {"hostname": format!("pc-{n}"), "platform": "linux", "os": "Debian", "user": "u", "source": "live", "collected_at": at},
                                  "controls": [control("HY-PC-001", status, "high"), control("HY-PC-002", "pass", "low")]});
                let (code, answer, _) = http("POST", &format!("{base}/api/agent/v1/report"), &[("content-type", "application/json"), ("authorization", &format!("Bearer {key}")), ("x-hygeia-report-id", &id)], Some(body.to_string()));
                if code == 0 {
                    break; // the server is gone
                }
                if code == 200 && answer["status"] == "stored" {
                    acknowledged.push(id);
                }
            }
            acknowledged
        }));
    }
    std::thread::sleep(Duration::from_millis(1500));
    // SIGKILL: no chance to flush anything.
    let _ = server.child.kill();
    let _ = server.child.wait();
    let acknowledged: Vec<String> = senders
        .into_iter()
        .flat_map(|s| s.join().unwrap_or_default())
        .collect();
    assert!(
        acknowledged.len() > 20,
        "the load did not run: {}",
        acknowledged.len()
    );

    // Every acknowledged report is in the database after the crash.
    let restarted = start_server(&database, port);
    drop(restarted);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let stored: std::collections::HashSet<String> = runtime
        .block_on(async {
            let db = hygeia_server::Db::open(&database.display().to_string())
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            sqlx::query_scalar::<_, String>("SELECT agent_report_id FROM reports")
                .fetch_all(&db.read)
                .await
                .unwrap_or_default()
        })
        .into_iter()
        .collect();
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|id| !stored.contains(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged reports lost after kill -9, e.g. {:?}",
        lost.len(),
        lost.first()
    );
}

#[test]
fn the_agent_talks_tls_to_the_server_and_checks_its_certificate() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let database = dir.path().join("server.db");
    let (email, one_time) = init_practice(&database);
    // Set-up over loopback HTTP, then the same server over TLS.
    let plain = start_server(&database, 0);
    let (_, _, secret) = admin_with_secret(&plain.base, &email, &one_time, "tls");
    drop(plain);

    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()])
        .unwrap_or_else(|e| panic!("{e}"));
    let (cert_file, key_file) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_file, cert.cert.pem()).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&key_file, cert.signing_key.serialize_pem()).unwrap_or_else(|e| panic!("{e}"));
    let tls = start_server_with(
        &database,
        0,
        &[
            "--tls-cert",
            &cert_file.display().to_string(),
            "--tls-key",
            &key_file.display().to_string(),
        ],
    );
    assert!(tls.base.starts_with("https://"), "{}", tls.base);
    let server = tls.base.replace("127.0.0.1", "localhost");
    let state = dir.path().join("agent");

    // Without the practice's CA the certificate is not trusted, and the agent says so.
    let (code, _, err) = agent_enroll(&server, &secret, &state);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot reach the server"), "{err}");
    assert!(!state.join("enrolment.json").exists());

    // The secret from a file, as a device-management script hands it over (never on the
    // command line).
    let secret_file = dir.path().join("enroll-secret.txt");
    std::fs::write(&secret_file, format!("{secret}\n")).unwrap_or_else(|e| panic!("{e}"));
    let (code, out, err) = hygeia(&[
        "agent",
        "enroll",
        "--server",
        &server,
        "--secret-file",
        &secret_file.display().to_string(),
        "--ca",
        &cert_file.display().to_string(),
        "--state-dir",
        &state.display().to_string(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let report = dir.path().join("snapshot");
    let (code, _, err) = hygeia(&[
        "check",
        "--save-snapshot",
        &report.display().to_string(),
        "--format",
        "json",
    ]);
    assert!(code == 0 || code == 1, "{err}");
    let (code, out, err) = agent_run_once(&state, &report);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("stored"), "{out}");
}

#[test]
fn serve_refuses_plain_http_beyond_loopback_and_bad_inputs() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let database = dir.path().join("server.db").display().to_string();
    let (code, _, err) = hygeia(&["serve", "--database", &database, "--listen", "0.0.0.0:0"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("refusing to serve plain HTTP on 0.0.0.0:0"),
        "{err}"
    );
    let (code, _, err) = hygeia(&["serve", "--database", "mysql://x/y"]);
    assert_eq!(code, 2);
    assert!(err.contains("not understood"), "{err}");
    let missing = dir.path().join("missing.pem").display().to_string();
    let (code, _, err) = hygeia(&[
        "serve",
        "--database",
        &database,
        "--tls-cert",
        &missing,
        "--tls-key",
        &missing,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot use the TLS certificate"), "{err}");
    let (code, _, err) = hygeia(&[
        "agent",
        "enroll",
        "--server",
        "http://hygeia.clinic.example",
        "--secret",
        "x",
        "--state-dir",
        &database,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("only sent over https://"), "{err}");
    let (code, _, err) = hygeia(&[
        "agent",
        "enroll",
        "--server",
        "https://hygeia.clinic.example",
        "--state-dir",
        &database,
    ]);
    assert_eq!(code, 2, "no secret at all: {err}");
    assert!(err.contains("--secret"), "{err}");
    let (code, _, err) = hygeia(&[
        "agent",
        "run",
        "--once",
        "--state-dir",
        &dir.path().join("nothing").display().to_string(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not enrolled yet"), "{err}");
    let (code, _, err) = hygeia(&[
        "serve",
        "init",
        "--database",
        &database,
        "--practice",
        "P",
        "--admin-email",
        "not-an-address",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not an e-mail address"), "{err}");
}

#[test]
fn a_report_the_server_refuses_is_set_aside_and_the_queue_moves_on() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let database = dir.path().join("server.db");
    let state = dir.path().join("agent");
    let (email, one_time) = init_practice(&database);
    let (good, _) = snapshot_pair(dir.path());
    // The same computer, its name with a NUL byte in it (PostgreSQL refuses U+0000 outright).
    let mut snapshot: Value = serde_json::from_str(
        &std::fs::read_to_string(good.join("snapshot.json")).unwrap_or_default(),
    )
    .unwrap_or(Value::Null);
    snapshot["context"]["hostname"] = json!("front-desk\u{0}pc");
    let bad = dir.path().join("snapshot-nul");
    std::fs::create_dir_all(&bad).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(bad.join("snapshot.json"), snapshot.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    let server = start_server(&database, 0);
    let (_, _, secret) = admin_with_secret(&server.base, &email, &one_time, "laptops");
    let (code, out, err) = agent_enroll(&server.base, &secret, &state);
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = agent_run_once(&state, &bad);
    assert_eq!(code, 1, "a refused report is reported: {err}");
    assert!(err.contains("control character"), "{err}");
    assert_eq!(
        queued(&state),
        0,
        "the refused report does not block the queue"
    );
    let aside = std::fs::read_dir(state.join("rejected"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(aside, 1, "kept aside for whoever investigates");
    let (code, out, err) = agent_run_once(&state, &good);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("stored"), "{out}");
    drop(server);
}
