//! Regression tests of the security review (issue 13): each failed on the code before its fix.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
mod common;

use common::{Browser, NEW_PASSWORD, TestServer, backends, first_sign_in, totp_code};
use hygeia_server::Settings;
use serde_json::json;

/// Settings whose per-address sign-in limit never gets in the way of the account's own limits.
fn generous_settings() -> Settings {
    Settings {
        login_limit: hygeia_server::ratelimit::Limit {
            burst: 1000.0,
            per_minute: 1000.0,
        },
        ..Settings::default()
    }
}

fn sign_in_with_password(server: &TestServer, email: &str) -> Browser {
    let mut browser = Browser::new(&server.base);
    let login = browser.post(
        "/api/v1/session/login",
        json!({"email": email, "password": NEW_PASSWORD}),
    );
    assert_eq!(login.status, 200, "{:?}", login.body);
    assert_eq!(login.body["next"], "enter_totp");
    browser
}

#[test]
fn a_locked_account_refuses_the_right_code_in_a_waiting_session() {
    for backend in backends() {
        let server = TestServer::start(backend, generous_settings());
        let (practice, email, one_time) = server.practice("P", "totp-lock@p.example");
        first_sign_in(&server, &email, &one_time);
        let mut waiting = sign_in_with_password(&server, &email);
        let mut guesser = sign_in_with_password(&server, &email);
        for _ in 0..5 {
            let wrong = guesser.post("/api/v1/session/totp", json!({"code": "000000"}));
            assert_eq!(wrong.status, 401, "{backend}: {:?}", wrong.body);
        }
        let code = totp_code(&server, &email);
        let answer = waiting.post("/api/v1/session/totp", json!({"code": code}));
        assert_ne!(
            answer.status, 200,
            "{backend}: the locked account took a code"
        );
        assert_eq!(
            waiting.get(&format!("/api/v1/practices/{practice}")).status,
            401,
            "{backend}: the waiting session outlived the lock"
        );
        // The right password does not open a locked account either.
        let mut again = Browser::new(&server.base);
        let login = again.post(
            "/api/v1/session/login",
            json!({"email": email, "password": NEW_PASSWORD}),
        );
        assert_eq!(login.status, 401, "{backend}: {:?}", login.body);
    }
}

#[test]
fn a_correct_password_does_not_clear_wrong_codes() {
    for backend in backends() {
        let server = TestServer::start(backend, generous_settings());
        let (_, email, one_time) = server.practice("P", "totp-count@p.example");
        first_sign_in(&server, &email, &one_time);
        let mut first = sign_in_with_password(&server, &email);
        for _ in 0..3 {
            assert_eq!(
                first
                    .post("/api/v1/session/totp", json!({"code": "000000"}))
                    .status,
                401
            );
        }
        // A new session with the right password: two more wrong codes lock the account.
        let mut second = sign_in_with_password(&server, &email);
        for _ in 0..2 {
            second.post("/api/v1/session/totp", json!({"code": "000000"}));
        }
        let code = totp_code(&server, &email);
        let answer = second.post("/api/v1/session/totp", json!({"code": code}));
        assert_ne!(
            answer.status, 200,
            "{backend}: five wrong codes over two sessions did not lock: {:?}",
            answer.body
        );
    }
}

#[test]
fn a_locked_account_answers_like_a_wrong_password() {
    let server = TestServer::start("sqlite", generous_settings());
    let (_, email, _) = server.practice("P", "same-answer@p.example");
    let mut browser = Browser::new(&server.base);
    for _ in 0..5 {
        browser.post(
            "/api/v1/session/login",
            json!({"email": email, "password": "wrong guess"}),
        );
    }
    let locked = browser.post(
        "/api/v1/session/login",
        json!({"email": email, "password": "wrong guess"}),
    );
    let unknown = browser.post(
        "/api/v1/session/login",
        json!({"email": "nobody@p.example", "password": "wrong guess"}),
    );
    assert_eq!(locked.status, unknown.status);
    assert_eq!(locked.body, unknown.body);
}

#[test]
fn half_open_connections_neither_stop_the_server_nor_stay_open() {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = TestServer::start("sqlite", Settings::default());
    let address: std::net::SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
    // 300 clients that send a request line and headers but never the blank line that ends
    // them, from another loopback address than the health check below.
    let mut slow = server.runtime.block_on(async {
        let mut streams = Vec::new();
        for _ in 0..300 {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
            let Ok(mut stream) = socket.connect(address).await else {
                continue;
            };
            let _ = stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n")
                .await;
            streams.push(stream);
        }
        streams
    });
    assert!(!slow.is_empty());
    let started = Instant::now();
    let health = common::request("GET", &format!("{}/healthz", server.base), &[], None);
    assert_eq!(health.status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "/healthz took {:?} beside 300 half-open connections",
        started.elapsed()
    );
    // Every half-open connection is closed by the server within 30 s.
    let closed_all = server.runtime.block_on(async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        for stream in &mut slow {
            let mut buffer = [0u8; 512];
            loop {
                match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
                    Err(_) => return false,
                    Ok(Ok(0) | Err(_)) => break,
                    // An error answer (408) before the close is fine: read on to the end.
                    Ok(Ok(_)) => continue,
                }
            }
        }
        true
    });
    assert!(closed_all, "a half-open connection stayed open for 30 s");
}

#[test]
fn forwarded_for_counts_only_from_a_trusted_proxy() {
    let attempts = |settings: Settings| -> Vec<u16> {
        let server = TestServer::start("sqlite", settings);
        (0..12)
            .map(|i| {
                common::request(
                    "POST",
                    &format!("{}/api/v1/session/login", server.base),
                    &[
                        ("content-type", "application/json".into()),
                        ("x-forwarded-for", format!("203.0.113.{i}")),
                    ],
                    Some(
                        json!({"email": format!("n{i}@x.example"), "password": "x"})
                            .to_string()
                            .into_bytes(),
                    ),
                )
                .status
            })
            .collect()
    };
    // Behind the proxy every client has its own bucket...
    let behind_proxy = attempts(Settings {
        trusted_proxies: vec![hygeia_server::proxy::Cidr::parse("127.0.0.1").unwrap()],
        ..Settings::default()
    });
    assert!(!behind_proxy.contains(&429), "{behind_proxy:?}");
    // ...and a client that is not the proxy cannot pick its address.
    let direct = attempts(Settings::default());
    assert!(direct.contains(&429), "{direct:?}");
}

#[test]
fn a_body_that_trickles_in_is_cut_off() {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};
    let server = TestServer::start(
        "sqlite",
        Settings {
            request_timeout: Duration::from_secs(2),
            ..Settings::default()
        },
    );
    let mut stream =
        std::net::TcpStream::connect(server.base.trim_start_matches("http://")).unwrap();
    stream
        .write_all(
            b"POST /api/v1/session/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
        )
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(15));
}

/// A practice with an administrator signed in and an enroll secret; returns (admin, secret).
fn practice_with_secret(server: &TestServer, email: &str) -> (Browser, i64, String) {
    let (practice, email, one_time) = server.practice("P", email);
    let mut admin = first_sign_in(server, &email, &one_time);
    let secret = admin.post(
        &format!("/api/v1/practices/{practice}/enroll-secrets"),
        json!({"label": "laptops"}),
    );
    let secret = secret.body["secret"].as_str().unwrap().to_string();
    (admin, practice, secret)
}

#[test]
fn control_characters_are_refused_with_a_4xx_on_every_database() {
    for backend in backends() {
        let server = TestServer::start(backend, Settings::default());
        let (_, _, secret) = practice_with_secret(&server, "nul@p.example");
        let (_, key) = common::enroll(&server.base, &secret, "pc");
        for (hostname, reason) in [
            ("pc\u{0}one", "r"),
            ("pc", "fine\u{0}"),
            ("pc\u{1b}[2J", "r"),
        ] {
            let mut body: serde_json::Value =
                serde_json::from_slice(&common::report(hostname, &[("HY-PC-001", "pass")]))
                    .unwrap();
            body["controls"][0]["reason"] = json!(reason);
            let answer = common::send_report(
                &server.base,
                &key,
                "ctl0000001",
                body.to_string().into_bytes(),
            );
            assert_eq!(answer.status, 422, "{backend}: {:?}", answer.body);
            assert!(
                answer.body["message"]
                    .as_str()
                    .unwrap()
                    .contains("control character"),
                "{:?}",
                answer.body
            );
        }
        // The next, clean report goes through: nothing is wedged.
        let clean = common::send_report(
            &server.base,
            &key,
            "ctl0000002",
            common::report("pc", &[("HY-PC-001", "pass")]),
        );
        assert_eq!(clean.status, 200, "{backend}: {:?}", clean.body);
        // Enrolment names too.
        let enrol = common::request(
            "POST",
            &format!("{}/api/agent/v1/enroll", server.base),
            &[("content-type", "application/json".into())],
            Some(
                json!({"secret": secret, "hostname": "evil\nhost.log-line", "os": "linux"})
                    .to_string()
                    .into_bytes(),
            ),
        );
        assert_eq!(enrol.status, 400, "{backend}: {:?}", enrol.body);
    }
}

#[test]
fn one_node_key_cannot_flood_the_server_and_changes_are_paged_from_their_own_rows() {
    for backend in backends() {
        let server = TestServer::start(backend, Settings::default());
        let (mut admin, _, secret) = practice_with_secret(&server, "flood@p.example");
        let (host, key) = common::enroll(&server.base, &secret, "pc");
        let statuses: Vec<u16> = (0..70)
            .map(|i| {
                let status = if i % 2 == 0 { "pass" } else { "fail" };
                common::send_report(
                    &server.base,
                    &key,
                    &format!("flood{i:06}"),
                    common::report("pc", &[("HY-PC-001", status), ("HY-PC-002", "pass")]),
                )
                .status
            })
            .collect();
        let stored = statuses.iter().filter(|s| **s == 200).count();
        assert!(statuses.contains(&429), "{backend}: {statuses:?}");
        assert!(
            stored >= 50,
            "{backend}: a backlog must still go out: {statuses:?}"
        );
        // Every stored report flipped HY-PC-001; HY-PC-002 changed once (from nothing).
        let first = admin.get(&format!("/api/v1/hosts/{host}/changes?limit=10"));
        assert_eq!(first.status, 200, "{:?}", first.body);
        let items = first.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 10);
        let mut seen = 0;
        let mut offset = 0;
        loop {
            let page = admin.get(&format!(
                "/api/v1/hosts/{host}/changes?limit=25&offset={offset}"
            ));
            let n = page.body["items"].as_array().map_or(0, Vec::len);
            seen += n;
            offset += 25;
            if n < 25 {
                break;
            }
        }
        assert_eq!(seen, stored + 1, "{backend}");
    }
}

#[test]
fn the_password_alone_cannot_change_the_password() {
    for backend in backends() {
        let server = TestServer::start(backend, generous_settings());
        let (practice, email, one_time) = server.practice("P", "victim@p.example");
        let mut victim = first_sign_in(&server, &email, &one_time);
        let mut attacker = sign_in_with_password(&server, &email);
        let change = attacker.post(
            "/api/v1/session/password",
            json!({"current_password": NEW_PASSWORD, "new_password": "an attacker's new passphrase"}),
        );
        assert_eq!(change.status, 403, "{backend}: {:?}", change.body);
        assert_eq!(change.body["error"], "mfa_required");
        // The real user is still signed in and the password unchanged.
        assert_eq!(
            victim.get(&format!("/api/v1/practices/{practice}")).status,
            200
        );
        sign_in_with_password(&server, &email);
    }
}

#[test]
fn an_administrator_resets_a_password_and_everything_issued_under_it_ends() {
    for backend in backends() {
        let server = TestServer::start(backend, generous_settings());
        let (practice, admin_email, one_time) = server.practice("P", "boss@p.example");
        let mut admin = first_sign_in(&server, &admin_email, &one_time);
        let created = admin.post(
            &format!("/api/v1/practices/{practice}/users"),
            json!({"email": "clin@p.example", "display_name": "Dr C", "role": "clinician"}),
        );
        assert_eq!(created.status, 201, "{:?}", created.body);
        let user_id = created.body["id"].as_i64().unwrap();
        let first = created.body["one_time_password"]
            .as_str()
            .unwrap()
            .to_string();
        let mut clinician = first_sign_in(&server, "clin@p.example", &first);
        let token = clinician.post("/api/v1/tokens", json!({"name": "export"}));
        assert_eq!(token.status, 201, "{:?}", token.body);
        let mut script = Browser::new(&server.base);
        script.bearer = token.body["token"].as_str().map(str::to_string);
        assert_eq!(script.get("/api/v1/session").status, 200);

        let reset = admin.call(
            "PATCH",
            &format!("/api/v1/users/{user_id}"),
            Some(json!({"reset_password": true})),
        );
        assert_eq!(reset.status, 200, "{backend}: {:?}", reset.body);
        let new_one_time = reset.body["one_time_password"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            clinician.get("/api/v1/session").status,
            401,
            "session survived"
        );
        assert_eq!(script.get("/api/v1/session").status, 401, "token survived");
        let mut old = Browser::new(&server.base);
        let refused = old.post(
            "/api/v1/session/login",
            json!({"email": "clin@p.example", "password": NEW_PASSWORD}),
        );
        assert_eq!(refused.status, 401);
        let mut again = Browser::new(&server.base);
        let login = again.post(
            "/api/v1/session/login",
            json!({"email": "clin@p.example", "password": new_one_time}),
        );
        assert_eq!(login.status, 200, "{:?}", login.body);
        assert_eq!(login.body["next"], "change_password");
        // An administrator cannot reset their own password this way.
        let me = admin.get("/api/v1/session").body["user_id"].clone();
        let own = admin.call(
            "PATCH",
            &format!("/api/v1/users/{me}"),
            Some(json!({"reset_password": true})),
        );
        assert_eq!(own.status, 400);
    }
}

#[test]
fn api_tokens_read_by_default_expire_and_never_change_credentials() {
    for backend in backends() {
        let server = TestServer::start(backend, generous_settings());
        let (practice, email, one_time) = server.practice("P", "tokens@p.example");
        let mut admin = first_sign_in(&server, &email, &one_time);
        for days in [json!(0), json!(366), json!(-1)] {
            let refused = admin.post(
                "/api/v1/tokens",
                json!({"name": "x", "expires_in_days": days}),
            );
            assert_eq!(refused.status, 400, "{days}: {:?}", refused.body);
        }
        let read = admin.post("/api/v1/tokens", json!({"name": "export"}));
        assert_eq!(read.body["scope"], "read");
        let write = admin.post(
            "/api/v1/tokens",
            json!({"name": "roll-out", "scope": "write", "expires_in_days": 7}),
        );
        assert_eq!(write.status, 201, "{:?}", write.body);
        let as_token = |token: &serde_json::Value| {
            let mut b = Browser::new(&server.base);
            b.bearer = token["token"].as_str().map(str::to_string);
            b
        };
        let mut reader = as_token(&read.body);
        let mut writer = as_token(&write.body);
        assert_eq!(
            reader.get(&format!("/api/v1/practices/{practice}")).status,
            200
        );
        let secret_path = format!("/api/v1/practices/{practice}/enroll-secrets");
        let refused = reader.post(&secret_path, json!({"label": "x"}));
        assert_eq!(refused.status, 403);
        assert_eq!(refused.body["error"], "read_only_token");
        assert_eq!(writer.post(&secret_path, json!({"label": "x"})).status, 201);
        let user_id = admin.get("/api/v1/session").body["user_id"]
            .as_i64()
            .unwrap();
        // Credentials, second factors, roles and tokens: never with a token, whatever its scope.
        for (method, path, body) in [
            (
                "POST",
                "/api/v1/tokens".to_string(),
                json!({"name": "more"}),
            ),
            (
                "POST",
                format!("/api/v1/practices/{practice}/users"),
                json!({"email": "new@p.example", "display_name": "N", "role": "practice_admin"}),
            ),
            (
                "PATCH",
                format!("/api/v1/users/{user_id}"),
                json!({"reset_totp": true}),
            ),
            (
                "POST",
                "/api/v1/session/password".to_string(),
                json!({"current_password": "wrong", "new_password": "whatever it is now 123"}),
            ),
        ] {
            let answer = writer.call(method, &path, Some(body));
            assert_eq!(
                answer.status, 403,
                "{backend}: {method} {path}: {:?}",
                answer.body
            );
            assert_eq!(answer.body["error"], "session_required", "{path}");
        }
        // Wrong current passwords sent with a token did not count toward a lockout.
        for _ in 0..5 {
            writer.call(
                "POST",
                "/api/v1/session/password",
                Some(
                    json!({"current_password": "wrong", "new_password": "whatever it is now 123"}),
                ),
            );
        }
        sign_in_with_password(&server, &email);
        // A password change revokes every token.
        admin.post(
            "/api/v1/session/password",
            json!({"current_password": NEW_PASSWORD, "new_password": "a different long passphrase"}),
        );
        assert_eq!(reader.get("/api/v1/session").status, 401);
        assert_eq!(writer.get("/api/v1/session").status, 401);
    }
}

#[test]
fn every_error_of_the_api_has_the_documented_json_shape() {
    let server = TestServer::start("sqlite", Settings::default());
    let (practice, email, one_time) = server.practice("P", "shape@p.example");
    let admin = first_sign_in(&server, &email, &one_time);
    let cookie = admin.cookie.clone().unwrap();
    let csrf = admin.csrf.clone().unwrap();
    let url = |path: &str| format!("{}{path}", server.base);
    let with_session = |extra: Vec<(&'static str, String)>| {
        let mut headers = vec![("cookie", cookie.clone()), ("x-csrf-token", csrf.clone())];
        headers.extend(extra);
        headers
    };
    let json_type = vec![("content-type", "application/json".to_string())];
    // (method, address, headers, body, expected status)
    type Case<'a> = (
        &'a str,
        String,
        Vec<(&'a str, String)>,
        Option<Vec<u8>>,
        u16,
    );
    let cases: Vec<Case> = vec![
        (
            "GET",
            url("/api/v1/hosts/not-a-number"),
            with_session(vec![]),
            None,
            400,
        ),
        (
            "GET",
            url("/api/v1/hosts/99999999999999999999999"),
            with_session(vec![]),
            None,
            400,
        ),
        (
            "GET",
            url(&format!("/api/v1/practices/{practice}/hosts?limit=x")),
            with_session(vec![]),
            None,
            400,
        ),
        (
            "GET",
            url(&format!("/api/v1/practices/{practice}/hosts?limit=501")),
            with_session(vec![]),
            None,
            400,
        ),
        (
            "GET",
            url(&format!("/api/v1/practices/{practice}/hosts?offset=-1")),
            with_session(vec![]),
            None,
            400,
        ),
        (
            "GET",
            url(&format!("/api/v1/practices/{practice}/trend?days=0")),
            with_session(vec![]),
            None,
            400,
        ),
        (
            "GET",
            url(&format!("/api/v1/practices/{practice}/trend?control=%0A")),
            with_session(vec![]),
            None,
            400,
        ),
        (
            "POST",
            url("/api/v1/tokens"),
            with_session(json_type.clone()),
            Some(b"{not json".to_vec()),
            400,
        ),
        (
            "POST",
            url("/api/v1/tokens"),
            with_session(vec![]),
            Some(br#"{"name":"x"}"#.to_vec()),
            415,
        ),
        (
            "POST",
            url("/api/v1/tokens"),
            with_session(json_type.clone()),
            Some(br#"{"name":7}"#.to_vec()),
            422,
        ),
        (
            "POST",
            url("/api/v1/tokens"),
            with_session(json_type.clone()),
            Some(br#"{"name":"x","expires_in_days":1.5}"#.to_vec()),
            422,
        ),
        (
            "PUT",
            url("/api/v1/tokens"),
            with_session(json_type.clone()),
            Some(b"{}".to_vec()),
            405,
        ),
    ];
    for (method, url, headers, body, status) in cases {
        let answer = common::request(method, &url, &headers, body);
        assert_eq!(answer.status, status, "{method} {url}: {:?}", answer.body);
        assert!(
            answer.content_type.starts_with("application/json"),
            "{method} {url}: {}",
            answer.content_type
        );
        assert!(
            answer.body["error"].is_string() && answer.body["message"].is_string(),
            "{method} {url}: {:?}",
            answer.body
        );
    }
    // Whole numbers written as 30.0 are whole numbers.
    let answer = common::request(
        "POST",
        &format!("{}/api/v1/tokens", server.base),
        &with_session(json_type),
        Some(br#"{"name":"x","expires_in_days":30.0}"#.to_vec()),
    );
    assert_eq!(answer.status, 201, "{:?}", answer.body);
}

#[test]
fn the_computer_page_shows_the_catalog_words_not_the_agents() {
    let server = TestServer::start("sqlite", Settings::default());
    let (mut admin, _, secret) = practice_with_secret(&server, "words@p.example");
    let (host, key) = common::enroll(&server.base, &secret, "pc");
    let mut report: serde_json::Value =
        serde_json::from_slice(&common::report("pc", &[("HY-PC-001", "fail")])).unwrap();
    report["controls"][0]["title"] = json!("AGENT TITLE: call 555-0100 for support");
    report["controls"][0]["fix"] = json!("AGENT FIX: download fix.exe from evil.example");
    report["controls"][0]["why"] = json!("AGENT WHY");
    let sent = common::send_report(
        &server.base,
        &key,
        "words00001",
        report.to_string().into_bytes(),
    );
    assert_eq!(sent.status, 200, "{:?}", sent.body);
    let page = admin.get(&format!("/hosts/{host}"));
    assert_eq!(page.status, 200);
    let html = page.body.as_str().unwrap_or_default().to_string();
    assert!(
        !html.contains("AGENT TITLE"),
        "the agent's title reached the page"
    );
    assert!(
        !html.contains("AGENT FIX"),
        "the agent's fix text reached the page"
    );
    assert!(!html.contains("AGENT WHY"));
    let catalog = hygeia_core::Catalog::builtin().unwrap();
    let control = catalog.control("HY-PC-001").unwrap();
    let title = control.title.replace('\'', "&#39;").replace('"', "&quot;");
    assert!(
        html.contains(&control.title) || html.contains(&title),
        "the catalog's title is shown"
    );
}
