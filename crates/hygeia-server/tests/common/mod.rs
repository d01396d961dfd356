//! A real server on loopback for the integration tests, on SQLite and, when
//! `HYGEIA_TEST_POSTGRES_URL` names a PostgreSQL server, on a fresh database there too.
#![allow(dead_code)]

use hygeia_server::init::{Setup, create};
use hygeia_server::{AppState, Db, Settings};
use serde_json::{Value, json};
use std::time::Duration;

/// Which databases the suite runs on. In CI PostgreSQL is required, so a missing address fails
/// instead of silently testing less.
pub fn backends() -> Vec<&'static str> {
    let postgres = std::env::var("HYGEIA_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty());
    match postgres {
        Some(_) => vec!["sqlite", "postgres"],
        None if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("HYGEIA_TEST_POSTGRES_URL is not set; .ci/run starts PostgreSQL and sets it")
        }
        None => {
            eprintln!("note: HYGEIA_TEST_POSTGRES_URL is not set; testing on SQLite only");
            vec!["sqlite"]
        }
    }
}

/// A running server and a handle to its database.
pub struct TestServer {
    pub base: String,
    pub db: Db,
    /// The key that seals authenticator secrets in this server's database.
    pub sealing_key: std::sync::Arc<hygeia_server::sealing::SealingKey>,
    pub runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    /// The PostgreSQL test database, dropped at the end.
    postgres_database: Option<String>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(name) = self.postgres_database.take() {
            let admin_url = std::env::var("HYGEIA_TEST_POSTGRES_URL").unwrap_or_default();
            let db = self.db.clone();
            self.runtime.block_on(async move {
                db.read.close().await;
                db.write.close().await;
                if let Ok(pool) = sqlx::any::AnyPoolOptions::new()
                    .max_connections(1)
                    .connect(&admin_url)
                    .await
                {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&pool)
                        .await;
                }
            });
        }
    }
}

fn fresh_postgres_database(runtime: &tokio::runtime::Runtime) -> String {
    let admin_url = std::env::var("HYGEIA_TEST_POSTGRES_URL").unwrap_or_default();
    let mut bytes = [0u8; 6];
    getrandom_fill(&mut bytes);
    let name = format!(
        "hygeia_test_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    runtime.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at HYGEIA_TEST_POSTGRES_URL: {e}"));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("creating the test database: {e}"));
    });
    // Replace the database name at the end of the URL.
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(b, _)| b);
    format!("{base}/{name}")
}

fn getrandom_fill(bytes: &mut [u8]) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = (nanos >> (i * 7)) as u8 ^ (std::process::id() >> (i % 4)) as u8;
    }
}

impl TestServer {
    /// Starts a server on 127.0.0.1 with a new database of the given kind.
    pub fn start(backend: &str, settings: Settings) -> TestServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let url = match backend {
            "postgres" => fresh_postgres_database(&runtime),
            _ => dir.path().join("test.db").display().to_string(),
        };
        let postgres_database =
            (backend == "postgres").then(|| url.rsplit('/').next().unwrap_or_default().to_string());
        let db = runtime
            .block_on(Db::open(&url))
            .unwrap_or_else(|e| panic!("{e}"));
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap_or_else(|e| panic!("{e}"));
        let base = format!(
            "http://{}",
            listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let sealing_key = std::sync::Arc::clone(&settings.sealing_key);
        let state = runtime.block_on(async { AppState::new(db.clone(), settings) });
        runtime.spawn(hygeia_server::serve::run(listener, None, state, async {
            let _ = stopped.await;
        }));
        TestServer {
            base,
            db,
            sealing_key,
            runtime,
            _dir: dir,
            stop: Some(stop),
            postgres_database,
        }
    }

    /// Creates a practice (stand-alone) with its administrator; returns (practice id, email, one-time password).
    pub fn practice(&self, name: &str, email: &str) -> (i64, String, String) {
        let created = self
            .runtime
            .block_on(create(
                &self.db,
                &Setup::Practice { name: name.into() },
                email,
                "Admin",
            ))
            .unwrap_or_else(|e| panic!("{e}"));
        (
            created.practice_id.unwrap_or_default(),
            created.email,
            created.one_time_password,
        )
    }

    /// Creates an insurer with its analyst; returns (organization id, email, one-time password).
    pub fn insurer(&self, name: &str, email: &str) -> (i64, String, String) {
        let created = self
            .runtime
            .block_on(create(
                &self.db,
                &Setup::Insurer { name: name.into() },
                email,
                "Analyst",
            ))
            .unwrap_or_else(|e| panic!("{e}"));
        (
            created.organization_id,
            created.email,
            created.one_time_password,
        )
    }

    /// Adds a practice to an insurer; returns (practice id, admin email, one-time password).
    pub fn insurer_practice(
        &self,
        insurer: &str,
        name: &str,
        email: &str,
    ) -> (i64, String, String) {
        let created = self
            .runtime
            .block_on(create(
                &self.db,
                &Setup::PracticeOfInsurer {
                    insurer: insurer.into(),
                    name: name.into(),
                },
                email,
                "Admin",
            ))
            .unwrap_or_else(|e| panic!("{e}"));
        (
            created.practice_id.unwrap_or_default(),
            created.email,
            created.one_time_password,
        )
    }

    /// Runs the daily roll-up now.
    pub fn rollup(&self) {
        self.runtime
            .block_on(hygeia_server::rollup::run(
                &self.db,
                hygeia_server::db::now(),
            ))
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub set_cookie: Vec<String>,
    /// Where a redirect points (redirects are not followed).
    pub location: Option<String>,
    /// The answer's content type.
    pub content_type: String,
}

/// A browser-like client: keeps the session cookie and sends the CSRF token.
#[derive(Debug, Clone, Default)]
pub struct Browser {
    pub base: String,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .max_redirects(0)
        .build()
        .new_agent()
}

/// Sends a request; `body` None sends none.
pub fn request(
    method: &str,
    url: &str,
    headers: &[(&str, String)],
    body: Option<Vec<u8>>,
) -> Answer {
    use std::io::Read;
    let mut builder = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        builder = builder.header(*name, value);
    }
    let request = builder
        .body(body.unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut response = agent()
        .run(request)
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = response.status().as_u16();
    let set_cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let location = header("location");
    let content_type = header("content-type").unwrap_or_default();
    let mut bytes = Vec::new();
    let _ = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .reader()
        .read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        body,
        set_cookie,
        location,
        content_type,
    }
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        Browser {
            base: base.to_string(),
            ..Browser::default()
        }
    }

    pub fn call(&mut self, method: &str, path: &str, body: Option<Value>) -> Answer {
        let mut headers = vec![("content-type", "application/json".to_string())];
        if let Some(cookie) = &self.cookie {
            headers.push(("cookie", cookie.clone()));
        }
        if let Some(csrf) = &self.csrf {
            headers.push(("x-csrf-token", csrf.clone()));
        }
        if let Some(token) = &self.bearer {
            headers.push(("authorization", format!("Bearer {token}")));
        }
        let answer = request(
            method,
            &format!("{}{path}", self.base),
            &headers,
            body.map(|b| b.to_string().into_bytes()),
        );
        self.keep_cookie(&answer);
        if let Some(csrf) = answer.body.get("csrf_token").and_then(Value::as_str) {
            self.csrf = Some(csrf.to_string());
        }
        answer
    }

    pub fn get(&mut self, path: &str) -> Answer {
        self.call("GET", path, None)
    }

    /// Submits a dashboard form (URL-encoded), with this session's CSRF token as its `csrf`
    /// field.
    pub fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone().unwrap_or_default();
        all.push(("csrf", &csrf));
        let body: String = all
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut headers = vec![(
            "content-type",
            "application/x-www-form-urlencoded".to_string(),
        )];
        if let Some(cookie) = &self.cookie {
            headers.push(("cookie", cookie.clone()));
        }
        let answer = request(
            "POST",
            &format!("{}{path}", self.base),
            &headers,
            Some(body.into_bytes()),
        );
        self.keep_cookie(&answer);
        answer
    }

    fn keep_cookie(&mut self, answer: &Answer) {
        for cookie in &answer.set_cookie {
            if let Some(pair) = cookie.split(';').next() {
                if pair.ends_with('=') {
                    self.cookie = None;
                } else {
                    self.cookie = Some(pair.to_string());
                }
            }
        }
    }

    pub fn post(&mut self, path: &str, body: Value) -> Answer {
        self.call("POST", path, Some(body))
    }
}

/// Percent-encoding for form fields.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// A fresh TOTP code for the user's current secret, in the next time step if the current one was used.
pub fn totp_code(server: &TestServer, email: &str) -> String {
    use sqlx::Row;
    let row = server
        .runtime
        .block_on(
            sqlx::query("SELECT totp_secret, totp_last_step FROM users WHERE email = $1")
                .bind(email)
                .fetch_one(&server.db.read),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let stored: String = row.try_get("totp_secret").unwrap_or_default();
    // Sealed in the database: a copy of the database alone does not give the secret.
    assert!(
        hygeia_server::sealing::SealingKey::is_sealed(&stored),
        "an authenticator secret is stored in the clear"
    );
    let secret = server.sealing_key.open(&stored).unwrap_or_default();
    let last: i64 = row.try_get("totp_last_step").unwrap_or_default();
    let mut now = hygeia_server::db::now();
    // A code is accepted once: step into the next 30 s window if this one was used.
    if now / 30 <= last {
        now = (last + 1) * 30;
    }
    hygeia_server::auth::totp::current_code(&secret, now).unwrap_or_default()
}

/// The password every test user chooses at first sign-in.
pub const NEW_PASSWORD: &str = "violet harbour lanterns at dawn";

/// Signs in for the first time: one-time password, new password, authenticator set-up.
pub fn first_sign_in(server: &TestServer, email: &str, one_time: &str) -> Browser {
    let mut browser = Browser::new(&server.base);
    let login = browser.post(
        "/api/v1/session/login",
        json!({"email": email, "password": one_time}),
    );
    assert_eq!(login.status, 200, "{:?}", login.body);
    assert_eq!(login.body["next"], "change_password");
    let change = browser.post(
        "/api/v1/session/password",
        json!({"current_password": one_time, "new_password": NEW_PASSWORD}),
    );
    assert_eq!(change.status, 200, "{:?}", change.body);
    let needs_totp = change.body["next"] == "setup_totp";
    if needs_totp {
        let setup = browser.post("/api/v1/session/totp/setup", json!({}));
        assert_eq!(setup.status, 200, "{:?}", setup.body);
        let code = totp_code(server, email);
        let confirm = browser.post("/api/v1/session/totp/confirm", json!({"code": code}));
        assert_eq!(confirm.status, 200, "{:?}", confirm.body);
    }
    browser
}

/// A `hygeia.check/1` report with these (control, status) results.
pub fn report(hostname: &str, results: &[(&str, &str)]) -> Vec<u8> {
    let controls: Vec<Value> = results
        .iter()
        .map(|(id, status)| {
            json!({"id": id, "title": id, "area": "computer", "status": status, "severity": "high",
                   "reason": format!("{id} is {status}"), "evidence": [], "measured": "automatic",
                   "why": "", "hicp": "", "csf": "", "hipaa": "", "fix": ""})
        })
        .collect();
    json!({
        "schema": "hygeia.check/1",
        "host": {"hostname": hostname, "platform": "linux", "os": "Debian GNU/Linux 12", "user": "root",
                 "source": "live", "collected_at": hygeia_now_rfc3339()},
        "generated_at": hygeia_now_rfc3339(),
        "summary": {},
        "controls": controls,
    })
    .to_string()
    .into_bytes()
}

fn hygeia_now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Enrolls a computer with a secret; returns (host id, node key).
pub fn enroll(base: &str, secret: &str, hostname: &str) -> (i64, String) {
    let answer = request(
        "POST",
        &format!("{base}/api/agent/v1/enroll"),
        &[("content-type", "application/json".into())],
        Some(
            json!({"secret": secret, "hostname": hostname, "os": "linux"})
                .to_string()
                .into_bytes(),
        ),
    );
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    (
        answer.body["host_id"].as_i64().unwrap_or_default(),
        answer.body["node_key"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

/// Sends a report with a node key and report id.
pub fn send_report(base: &str, node_key: &str, report_id: &str, body: Vec<u8>) -> Answer {
    request(
        "POST",
        &format!("{base}/api/agent/v1/report"),
        &[
            ("content-type", "application/json".into()),
            ("authorization", format!("Bearer {node_key}")),
            ("x-hygeia-report-id", report_id.into()),
        ],
        Some(body),
    )
}
