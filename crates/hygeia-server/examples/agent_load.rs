//! Load generator for `bench/agent-load.sh`: simulates enrolled computers sending reports to a
//! running `hygeia serve`, and times the practice overview.
//!
//! ```text
//! agent_load setup    BASE DB EMAIL ONE_TIME_PASSWORD HOSTS STATE_FILE [PRACTICES]
//! agent_load history  BASE DB STATE_FILE DAYS
//! agent_load ingest   BASE STATE_FILE SECONDS CHANGED_PERCENT THREADS
//! agent_load overview BASE STATE_FILE REQUESTS
//! ```
//! `setup` signs the administrator in (password change, authenticator), creates an enroll
//! secret and enrolls HOSTS computers (when EMAIL is an insurer's analyst: PRACTICES practices of
//! the insurer, written into the database, with the computers spread over them); `history` sends one back-dated report per computer and
//! day (every day differs, so each is stored) and rolls up each day; `ingest` sends hourly-style
//! reports for SECONDS from THREADS threads, CHANGED_PERCENT of them with new results, and
//! prints throughput and latency; `overview` calls the practice overview API and the dashboard's
//! pages (overview, insurer view and its CSV, attestation report) REQUESTS times each.

use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Controls per simulated report, like a real Linux check.
const CONTROLS: usize = 41;
const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];

fn new_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .max_idle_connections_per_host(4)
        .build()
        .new_agent()
}

fn call(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> (u16, Value, Vec<String>) {
    let mut builder = ureq::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
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
        Err(e) => panic!("{method} {url}: {e}"),
    }
}

/// The i-th control of the catalog: the server stores only controls it knows.
fn control_id(i: usize) -> String {
    static IDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let ids = IDS.get_or_init(|| {
        hygeia_core::Catalog::builtin()
            .map(|c| c.controls.iter().map(|c| c.id.clone()).collect())
            .unwrap_or_default()
    });
    ids.get(i % ids.len().max(1))
        .cloned()
        .unwrap_or_else(|| format!("HY-PC-{i:03}"))
}

fn report(hostname: &str, collected_at: i64, variant: u64) -> String {
    let statuses = ["pass", "fail", "warn", "unknown", "not_applicable"];
    let controls: Vec<Value> = (0..CONTROLS)
        .map(|i| {
            // Each variant flips a few controls; the rest stay as they are.
            let status = statuses[((i as u64 * 7 + (variant % 5) * u64::from(i % 9 == 0)) % 5) as usize];
            json!({"id": control_id(i), "title": format!("Control {i}"), "area": "computer", "status": status,
                   "severity": SEVERITIES[i % 4], "reason": format!("Control {i} is {status}."),
                   "evidence": ["a fact"], "measured": "automatic", "why": "Because.", "hicp": "HICP 7", "csf": "PR.PS-02",
                   "hipaa": "45 CFR 164.308", "fix": "Do the thing."})
        })
        .collect();
    let at = time::OffsetDateTime::from_unix_timestamp(collected_at)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    json!({"schema": "hygeia.check/1", "host": {"hostname": hostname, "platform": "linux", "os": "Debian GNU/Linux 12", "user": "root", "source": "live", "collected_at": at},
           "generated_at": at, "summary": {}, "controls": controls}).to_string()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Practices of the insurer `analyst_email` belongs to, made directly in the database (the
/// benchmark needs hundreds; the command line makes one at a time), each with an enroll secret.
fn insurer_practices(database: &str, analyst_email: &str, count: usize) -> Vec<(i64, String)> {
    use sqlx::Row;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(async {
        let db = hygeia_server::Db::open(database)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let insurer: String = sqlx::query(
            "SELECT o.name FROM users u JOIN organizations o ON o.id = u.organization_id WHERE u.email = $1",
        )
        .bind(analyst_email)
        .fetch_one(&db.read)
        .await
        .and_then(|row| row.try_get(0))
        .unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        for p in 0..count {
            let admin = format!("admin{p:03}@bench.example");
            let created = hygeia_server::init::create(
                &db,
                &hygeia_server::init::Setup::PracticeOfInsurer {
                    insurer: insurer.clone(),
                    name: format!("Practice {p:03}"),
                },
                &admin,
                "Administrator",
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            let practice = created.practice_id.unwrap_or_default();
            let secret = hygeia_server::secrets::new_secret("hye_");
            sqlx::query(
                "INSERT INTO enroll_secrets (id, practice_id, label, secret_hash, created_by, created_at) \
                 SELECT $1, $2, 'benchmark', $3, id, $4 FROM users WHERE email = $5",
            )
            .bind(hygeia_server::db::new_id())
            .bind(practice)
            .bind(hygeia_server::secrets::sha256_hex(secret.as_bytes()))
            .bind(hygeia_server::db::now())
            .bind(&admin)
            .execute(&db.write)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            out.push((practice, secret));
        }
        out
    })
}

fn setup(
    base: &str,
    database: &str,
    email: &str,
    one_time: &str,
    hosts: usize,
    state_file: &str,
    practices: usize,
) {
    let agent = new_agent();
    let json_type = ("content-type", "application/json");
    let (_, login, cookies) = call(
        &agent,
        "POST",
        &format!("{base}/api/v1/session/login"),
        &[json_type],
        Some(json!({"email": email, "password": one_time}).to_string()),
    );
    let mut cookie = cookies[0].clone();
    let mut csrf = login["csrf_token"].as_str().unwrap_or_default().to_string();
    call(
        &agent,
        "POST",
        &format!("{base}/api/v1/session/password"),
        &[json_type, ("cookie", &cookie), ("x-csrf-token", &csrf)],
        Some(
            json!({"current_password": one_time, "new_password": "benchmark harbour lanterns"})
                .to_string(),
        ),
    );
    let (_, setup, _) = call(
        &agent,
        "POST",
        &format!("{base}/api/v1/session/totp/setup"),
        &[json_type, ("cookie", &cookie), ("x-csrf-token", &csrf)],
        Some("{}".into()),
    );
    let totp_secret = setup["secret"].as_str().unwrap_or_default().to_string();
    let code = hygeia_server::auth::totp::current_code(&totp_secret, hygeia_server::db::now())
        .unwrap_or_default();
    let (status, confirmed, cookies) = call(
        &agent,
        "POST",
        &format!("{base}/api/v1/session/totp/confirm"),
        &[json_type, ("cookie", &cookie), ("x-csrf-token", &csrf)],
        Some(json!({"code": code}).to_string()),
    );
    assert_eq!(status, 200, "{confirmed}");
    cookie = cookies[0].clone();
    csrf = confirmed["csrf_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (_, whoami, _) = call(
        &agent,
        "GET",
        &format!("{base}/api/v1/session"),
        &[("cookie", &cookie)],
        None,
    );
    // Per practice: its id and an enroll secret.
    let secrets: Vec<(i64, String)> = if whoami["role"] == "insurer_analyst" {
        insurer_practices(database, email, practices.max(1))
    } else {
        let (_, practices, _) = call(
            &agent,
            "GET",
            &format!("{base}/api/v1/practices"),
            &[("cookie", &cookie)],
            None,
        );
        let practice = practices["items"][0]["id"].as_i64().unwrap_or_default();
        let (_, secret, _) = call(
            &agent,
            "POST",
            &format!("{base}/api/v1/practices/{practice}/enroll-secrets"),
            &[json_type, ("cookie", &cookie), ("x-csrf-token", &csrf)],
            Some(json!({"label": "benchmark"}).to_string()),
        );
        vec![(
            practice,
            secret["secret"].as_str().unwrap_or_default().to_string(),
        )]
    };
    let practice = secrets[0].0;
    let secrets = Arc::new(secrets);
    let started = Instant::now();
    let keys = Arc::new(Mutex::new(Vec::with_capacity(hosts)));
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (keys, next, secrets, base) = (Arc::clone(&keys), Arc::clone(&next), Arc::clone(&secrets), base.to_string());
            std::thread::spawn(move || {
                let agent = new_agent();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= hosts {
                        break;
                    }
                    let secret = &secrets[n % secrets.len()].1;
                    let (status, enrolled, _) = call(&agent, "POST", &format!("{base}/api/agent/v1/enroll"), &[("content-type", "application/json")], Some(json!({"secret": secret, "hostname": format!("pc-{n:05}"), "os": "linux"}).to_string()));
                    assert_eq!(status, 200, "{enrolled}");
                    keys.lock().unwrap_or_else(|e| e.into_inner()).push((format!("pc-{n:05}"), enrolled["node_key"].as_str().unwrap_or_default().to_string()));
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    let keys = keys.lock().unwrap_or_else(|e| e.into_inner()).clone();
    eprintln!(
        "enrolled {} computers in {:.1} s",
        keys.len(),
        started.elapsed().as_secs_f64()
    );
    let state = json!({"practice": practice, "email": email, "totp_secret": totp_secret, "database": database, "hosts": keys});
    std::fs::write(state_file, state.to_string()).unwrap_or_else(|e| panic!("{e}"));
}

fn load_state(state_file: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(state_file).unwrap_or_default())
        .unwrap_or(Value::Null)
}

fn hosts_of(state: &Value) -> Vec<(String, String)> {
    state["hosts"]
        .as_array()
        .map(|hosts| {
            hosts
                .iter()
                .map(|h| {
                    (
                        h[0].as_str().unwrap_or("").to_string(),
                        h[1].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Sends `reports` (host index, collected_at, variant) from `threads` threads; returns latencies
/// and answers by kind.
fn send_all(
    base: &str,
    hosts: &[(String, String)],
    work: Vec<(usize, i64, u64)>,
    threads: usize,
    deadline: Option<Instant>,
) -> (Vec<Duration>, Vec<String>, f64) {
    let work = Arc::new(work);
    let next = Arc::new(AtomicUsize::new(0));
    let hosts = Arc::new(hosts.to_vec());
    let started = Instant::now();
    // Report ids must differ between runs, or the server rightly answers "duplicate".
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or(0);
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let (work, next, hosts, base) = (
                Arc::clone(&work),
                Arc::clone(&next),
                Arc::clone(&hosts),
                base.to_string(),
            );
            std::thread::spawn(move || {
                let agent = new_agent();
                let mut latencies = Vec::new();
                let mut answers = Vec::new();
                // Bodies are rendered once per (time, variant) with a placeholder host name, so
                // the generator spends its share of the two cores on sending, not on JSON.
                let mut templates: HashMap<(i64, u64), String> = HashMap::new();
                loop {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        break;
                    }
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(host, at, variant)) = work.get(n) else {
                        break;
                    };
                    let (name, key) = &hosts[host];
                    let template = templates
                        .entry((at, variant % 5))
                        .or_insert_with(|| report("@@HOST@@", at, variant));
                    let body = template.replacen("@@HOST@@", name, 1);
                    let id = format!("bench-{run}-{t}-{n:09}");
                    let sent = Instant::now();
                    let (status, answer, _) = call(
                        &agent,
                        "POST",
                        &format!("{base}/api/agent/v1/report"),
                        &[
                            ("content-type", "application/json"),
                            ("authorization", &format!("Bearer {key}")),
                            ("x-hygeia-report-id", &id),
                        ],
                        Some(body),
                    );
                    latencies.push(sent.elapsed());
                    answers.push(if status == 200 {
                        answer["status"].as_str().unwrap_or("?").to_string()
                    } else {
                        format!("HTTP {status}")
                    });
                }
                (latencies, answers)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut answers = Vec::new();
    for w in workers {
        if let Ok((l, a)) = w.join() {
            latencies.extend(l);
            answers.extend(a);
        }
    }
    latencies.sort();
    (latencies, answers, started.elapsed().as_secs_f64())
}

fn summary(what: &str, latencies: &[Duration], answers: &[String], seconds: f64) {
    let mut counts = std::collections::BTreeMap::new();
    for a in answers {
        *counts.entry(a.as_str()).or_insert(0usize) += 1;
    }
    println!(
        "{what}: {} reports in {seconds:.1} s = {:.0} reports/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; answers {counts:?}",
        latencies.len(),
        latencies.len() as f64 / seconds,
        percentile(latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
    );
}

fn history(base: &str, database: &str, state_file: &str, days: i64) {
    let state = load_state(state_file);
    let hosts = hosts_of(&state);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let db = runtime
        .block_on(hygeia_server::Db::open(database))
        .unwrap_or_else(|e| panic!("{e}"));
    let now = hygeia_server::db::now();
    for day in (0..days).rev() {
        let at = now - day * 86_400;
        let work: Vec<(usize, i64, u64)> = (0..hosts.len())
            .map(|h| (h, at, (days - day) as u64 + h as u64))
            .collect();
        let (latencies, answers, seconds) = send_all(base, &hosts, work, 4, None);
        runtime
            .block_on(hygeia_server::rollup::run(&db, at))
            .unwrap_or_else(|e| panic!("{e}"));
        summary(
            &format!("history day -{day}"),
            &latencies,
            &answers,
            seconds,
        );
    }
}

fn ingest(base: &str, state_file: &str, seconds: u64, changed_percent: u64, threads: usize) {
    let state = load_state(state_file);
    let hosts = hosts_of(&state);
    let now = hygeia_server::db::now();
    // Round-robin over the computers; a changed report gets a new variant, the others repeat
    // the last stored one (the server answers "unchanged").
    let mut work = Vec::new();
    for round in 0..200u64 {
        for h in 0..hosts.len() {
            let changed = (h as u64 * 31 + round * 17) % 100 < changed_percent;
            // Consecutive variants differ by 2 (mod 5), and round 0 differs from the history.
            let variant = if changed {
                1_000 + (round + 1) * 7 + h as u64
            } else {
                0
            };
            work.push((h, now, variant));
        }
    }
    if changed_percent < 100 {
        // Make sure the unchanged reports repeat something already stored.
        let warm: Vec<(usize, i64, u64)> = (0..hosts.len()).map(|h| (h, now, 0)).collect();
        send_all(base, &hosts, warm, threads, None);
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (latencies, answers, elapsed) = send_all(base, &hosts, work, threads, Some(deadline));
    summary(
        &format!("ingest, {changed_percent}% changed, {threads} senders"),
        &latencies,
        &answers,
        elapsed,
    );
}

fn overview(base: &str, state_file: &str, requests: usize) {
    let state = load_state(state_file);
    let practice = state["practice"].as_i64().unwrap_or_default();
    let agent = new_agent();
    // A fresh session: the history phase can outlast the 30-minute idle limit.
    let json_type = ("content-type", "application/json");
    let (_, _, cookies) = call(
        &agent,
        "POST",
        &format!("{base}/api/v1/session/login"),
        &[json_type],
        Some(
            json!({"email": state["email"], "password": "benchmark harbour lanterns"}).to_string(),
        ),
    );
    let first = cookies.first().cloned().unwrap_or_default();
    let (_, whoami, _) = call(
        &agent,
        "GET",
        &format!("{base}/api/v1/session"),
        &[("cookie", &first)],
        None,
    );
    let csrf = whoami["csrf_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // The code of the next 30-second step: the one of this step was used by `setup`.
    let step_ahead = hygeia_server::db::now() + 30;
    let code = hygeia_server::auth::totp::current_code(
        state["totp_secret"].as_str().unwrap_or_default(),
        step_ahead,
    )
    .unwrap_or_default();
    let (status, answer, cookies) = call(
        &agent,
        "POST",
        &format!("{base}/api/v1/session/totp"),
        &[json_type, ("cookie", &first), ("x-csrf-token", &csrf)],
        Some(json!({"code": code}).to_string()),
    );
    assert_eq!(status, 200, "{answer}");
    let cookie = cookies.first().cloned().unwrap_or_default();
    // The attestation report reads every stored result of the practice up to the day: a few
    // requests are enough to time it.
    let few = (requests / 40).max(3);
    for (name, path, requests) in [
        (
            "overview",
            format!("/api/v1/practices/{practice}"),
            requests,
        ),
        (
            "trend (30 days)",
            format!("/api/v1/practices/{practice}/trend?days=30"),
            requests,
        ),
        (
            "hosts page",
            format!("/api/v1/practices/{practice}/hosts?limit=50"),
            requests,
        ),
        (
            "practices by risk API",
            "/api/v1/risk".to_string(),
            requests,
        ),
        ("overview page", format!("/practices/{practice}"), requests),
        ("insurer page", "/insurer".to_string(), requests),
        ("insurer CSV", "/insurer.csv".to_string(), requests),
        (
            "attestation report page",
            format!("/practices/{practice}/attestation"),
            few,
        ),
    ] {
        let mut latencies = Vec::new();
        for _ in 0..requests {
            let started = Instant::now();
            let (status, body, _) = call(
                &agent,
                "GET",
                &format!("{base}{path}"),
                &[("cookie", &cookie)],
                None,
            );
            latencies.push(started.elapsed());
            assert_eq!(status, 200, "{body}");
        }
        latencies.sort();
        println!(
            "{name}: {requests} requests, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
            percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
            latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    let number = |i: usize| {
        arg(i)
            .parse::<u64>()
            .unwrap_or_else(|_| panic!("argument {i} must be a number"))
    };
    match arg(1).as_str() {
        "setup" => setup(
            &arg(2),
            &arg(3),
            &arg(4),
            &arg(5),
            number(6) as usize,
            &arg(7),
            arg(8).parse().unwrap_or(1),
        ),
        "history" => history(&arg(2), &arg(3), &arg(4), number(5) as i64),
        "ingest" => ingest(&arg(2), &arg(3), number(4), number(5), number(6) as usize),
        "overview" => overview(&arg(2), &arg(3), number(4) as usize),
        _ => eprintln!("usage: see the comment at the top of examples/agent_load.rs"),
    }
}
