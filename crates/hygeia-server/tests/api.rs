//! The server's API end to end over real HTTP on loopback, on SQLite and PostgreSQL.

mod common;

use common::*;
use hygeia_server::Settings;
use serde_json::json;

#[test]
fn enroll_report_unchanged_history_and_revocation() {
    for backend in backends() {
        let server = TestServer::start(backend, Settings::default());
        let (practice, email, one_time) =
            server.practice("Lee Family Practice", "drlee@clinic.example");
        let mut admin = first_sign_in(&server, &email, &one_time);

        let created = admin.post(
            &format!("/api/v1/practices/{practice}/enroll-secrets"),
            json!({"label": "front desk"}),
        );
        assert_eq!(created.status, 201, "{backend}: {:?}", created.body);
        let secret = created.body["secret"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(secret.starts_with("hye_"));

        let (host, key) = enroll(&server.base, &secret, "exam-room-pc");
        let first = report(
            "exam-room-pc",
            &[("HY-PC-001", "fail"), ("HY-PC-002", "pass")],
        );
        let answer = send_report(&server.base, &key, "r0000000001", first.clone());
        assert_eq!(
            answer.body["status"], "stored",
            "{backend}: {:?}",
            answer.body
        );
        // Same results again (new report id): only last-seen moves.
        let answer = send_report(&server.base, &key, "r0000000002", first);
        assert_eq!(answer.body["status"], "unchanged", "{backend}");
        // The firewall got fixed.
        let second = report(
            "exam-room-pc",
            &[("HY-PC-001", "pass"), ("HY-PC-002", "pass")],
        );
        let answer = send_report(&server.base, &key, "r0000000003", second.clone());
        assert_eq!(answer.body["status"], "stored", "{backend}");
        // The agent resends a report whose answer it lost: stored once.
        let third = report(
            "exam-room-pc",
            &[("HY-PC-001", "fail"), ("HY-PC-002", "pass")],
        );
        assert_eq!(
            send_report(&server.base, &key, "r0000000004", third.clone()).body["status"],
            "stored"
        );
        assert_eq!(
            send_report(&server.base, &key, "r0000000004", third).body["status"],
            "unchanged",
            "{backend}: a resent report is not stored twice"
        );

        let detail = admin.get(&format!("/api/v1/hosts/{host}"));
        assert_eq!(detail.status, 200, "{:?}", detail.body);
        let posture = detail.body["posture"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(posture.len(), 2);
        assert_eq!(posture[0]["control_id"], "HY-PC-001");
        assert_eq!(posture[0]["status"], "fail");

        let latest = admin.get(&format!("/api/v1/hosts/{host}/report"));
        assert_eq!(
            latest.body["schema"], "hygeia.check/1",
            "{backend}: {:?}",
            latest.body
        );
        assert_eq!(latest.body["controls"][0]["reason"], "HY-PC-001 is fail");

        let history = admin.get(&format!("/api/v1/hosts/{host}/history?control=HY-PC-001"));
        let statuses: Vec<&str> = history.body["items"]
            .as_array()
            .map(|items| items.iter().filter_map(|i| i["status"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            statuses.len(),
            3,
            "{backend}: three stored reports: {:?}",
            history.body
        );

        let changes = admin.get(&format!("/api/v1/hosts/{host}/changes"));
        let changed: Vec<(String, String)> = changes.body["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|i| {
                        (
                            i["control_id"].as_str().unwrap_or("").into(),
                            i["to"].as_str().unwrap_or("").into(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            changed.contains(&("HY-PC-001".into(), "pass".into())),
            "{changed:?}"
        );
        assert!(
            changed.contains(&("HY-PC-002".into(), "pass".into())),
            "{changed:?}"
        );

        server.rollup();
        let overview = admin.get(&format!("/api/v1/practices/{practice}"));
        assert_eq!(overview.status, 200, "{:?}", overview.body);
        assert_eq!(overview.body["hosts"], 1);
        assert_eq!(overview.body["not_reporting"], 0);
        assert_eq!(overview.body["controls"][0]["control_id"], "HY-PC-001");
        assert_eq!(overview.body["controls"][0]["failing"], 1);
        assert_eq!(overview.body["most_at_risk"][0]["hostname"], "exam-room-pc");
        let trend = admin.get(&format!("/api/v1/practices/{practice}/trend?days=30"));
        assert_eq!(
            trend.body["items"].as_array().map(Vec::len),
            Some(1),
            "{:?}",
            trend.body
        );
        assert_eq!(trend.body["items"][0]["passing"], 1);
        let one = admin.get(&format!(
            "/api/v1/practices/{practice}/trend?days=30&control=HY-PC-001"
        ));
        assert_eq!(one.body["items"][0]["failing"], 1, "{:?}", one.body);
        assert_eq!(one.body["items"][0]["passing"], 0);

        // Revoking the computer: its key is answered `revoked` (the agent stops), its history
        // stays; a key the server never made is another answer.
        let revoked = admin.call("DELETE", &format!("/api/v1/hosts/{host}"), None);
        assert_eq!(revoked.status, 200);
        let refused = send_report(&server.base, &key, "r0000000005", second.clone());
        assert_eq!(refused.status, 403);
        assert_eq!(refused.body["error"], "revoked");
        let unknown = send_report(&server.base, "hyn_unknown", "r0000000005", second);
        assert_eq!(unknown.status, 401);
        assert_eq!(unknown.body["error"], "invalid_node_key");
        assert_eq!(
            admin.get(&format!("/api/v1/hosts/{host}/history")).status,
            200
        );

        // Revoking the secret: no new enrolments with it.
        let secret_id = created.body["id"].as_i64().unwrap_or_default();
        assert_eq!(
            admin
                .call(
                    "DELETE",
                    &format!("/api/v1/enroll-secrets/{secret_id}"),
                    None
                )
                .status,
            200
        );
        let again = request(
            "POST",
            &format!("{}/api/agent/v1/enroll", server.base),
            &[("content-type", "application/json".into())],
            Some(
                json!({"secret": secret, "hostname": "x"})
                    .to_string()
                    .into_bytes(),
            ),
        );
        assert_eq!(again.status, 401);
        assert_eq!(again.body["error"], "invalid_enroll_secret");

        let log = admin.get("/api/v1/audit-log?limit=100");
        let actions: Vec<&str> = log.body["items"]
            .as_array()
            .map(|items| items.iter().filter_map(|i| i["action"].as_str()).collect())
            .unwrap_or_default();
        for expected in [
            "enroll_secret.create",
            "host.enrolled",
            "host.revoke",
            "enroll_secret.revoke",
            "user.password_changed",
            "user.totp_enabled",
            "session.login",
        ] {
            assert!(
                actions.contains(&expected),
                "{backend}: audit log lacks {expected}: {actions:?}"
            );
        }
    }
}

#[test]
fn bad_reports_get_a_clear_4xx_and_are_not_stored() {
    for backend in backends() {
        let settings = Settings {
            max_report_bytes: 64 * 1024,
            ..Settings::default()
        };
        let server = TestServer::start(backend, settings);
        let (practice, email, one_time) = server.practice("P", "a@p.example");
        let mut admin = first_sign_in(&server, &email, &one_time);
        let secret = admin.post(
            &format!("/api/v1/practices/{practice}/enroll-secrets"),
            json!({"label": "x"}),
        );
        let secret = secret.body["secret"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let (host, key) = enroll(&server.base, &secret, "pc");

        let malformed = send_report(&server.base, &key, "bad0000001", b"{\"schema\": ".to_vec());
        assert_eq!(malformed.status, 422, "{:?}", malformed.body);
        assert!(
            malformed.body["message"]
                .as_str()
                .unwrap_or("")
                .contains("not a valid")
        );

        let other_schema = String::from_utf8(report("pc", &[("HY-PC-001", "pass")]))
            .unwrap_or_default()
            .replace("hygeia.check/1", "hygeia.check/2");
        let answer = send_report(&server.base, &key, "bad0000002", other_schema.into_bytes());
        assert_eq!(answer.status, 422);
        assert!(
            answer.body["message"]
                .as_str()
                .unwrap_or("")
                .contains("hygeia.check/2")
        );

        let huge = vec![b' '; 100 * 1024];
        let answer = send_report(&server.base, &key, "bad0000003", huge);
        assert_eq!(answer.status, 413, "{:?}", answer.body);
        assert_eq!(answer.body["error"], "too_large");

        let no_id = request(
            "POST",
            &format!("{}/api/agent/v1/report", server.base),
            &[("authorization", format!("Bearer {key}"))],
            Some(report("pc", &[("HY-PC-001", "pass")])),
        );
        assert_eq!(no_id.status, 400);

        let history = admin.get(&format!("/api/v1/hosts/{host}/history"));
        assert_eq!(
            history.body["items"].as_array().map(Vec::len),
            Some(0),
            "{backend}: nothing stored"
        );
    }
}

#[test]
fn five_wrong_passwords_lock_the_account() {
    for backend in backends() {
        let server = TestServer::start(backend, Settings::default());
        let (_, email, one_time) = server.practice("P", "lock@p.example");
        let mut browser = Browser::new(&server.base);
        for _ in 0..5 {
            let answer = browser.post(
                "/api/v1/session/login",
                json!({"email": email, "password": "wrong guess"}),
            );
            assert_eq!(answer.status, 401);
        }
        let answer = browser.post(
            "/api/v1/session/login",
            json!({"email": email, "password": one_time}),
        );
        // Locked: refused with the answer of a wrong password, so it tells nothing.
        assert_eq!(answer.status, 401, "{backend}: {:?}", answer.body);
        assert_eq!(answer.body["error"], "wrong_credentials");
        // An unknown address gets the same answer as a wrong password.
        let answer = browser.post(
            "/api/v1/session/login",
            json!({"email": "nobody@p.example", "password": "x"}),
        );
        assert_eq!(answer.status, 401);
        assert_eq!(answer.body["error"], "wrong_credentials");
    }
}

#[test]
fn sign_in_is_rate_limited_per_address() {
    let server = TestServer::start("sqlite", Settings::default());
    let mut browser = Browser::new(&server.base);
    let statuses: Vec<u16> = (0..12)
        .map(|i| {
            browser
                .post(
                    "/api/v1/session/login",
                    json!({"email": format!("n{i}@x.example"), "password": "x"}),
                )
                .status
        })
        .collect();
    assert!(statuses.contains(&429), "{statuses:?}");
}

#[test]
fn sessions_need_csrf_tokens_mfa_and_safe_cookies() {
    for backend in backends() {
        let server = TestServer::start(backend, Settings::default());
        let (practice, email, one_time) = server.practice("P", "mfa@p.example");
        let mut browser = Browser::new(&server.base);
        let login = browser.post(
            "/api/v1/session/login",
            json!({"email": email, "password": one_time}),
        );
        let cookie = login.set_cookie.first().cloned().unwrap_or_default();
        for attribute in [
            "__Host-hygeia_session=",
            "Secure",
            "HttpOnly",
            "SameSite=Strict",
            "Path=/",
        ] {
            assert!(cookie.contains(attribute), "{cookie}");
        }
        // Before the password change nothing else opens.
        let blocked = browser.get(&format!("/api/v1/practices/{practice}"));
        assert_eq!(blocked.body["error"], "password_change_required");
        // A change without the CSRF token is refused.
        let token = browser.csrf.take();
        let refused = browser.post(
            "/api/v1/session/password",
            json!({"current_password": one_time, "new_password": NEW_PASSWORD}),
        );
        assert_eq!(refused.status, 403);
        assert_eq!(refused.body["error"], "csrf");
        browser.csrf = token;
        let changed = browser.post(
            "/api/v1/session/password",
            json!({"current_password": one_time, "new_password": NEW_PASSWORD}),
        );
        assert_eq!(changed.status, 200);
        assert_eq!(changed.body["next"], "setup_totp");
        // A practice administrator without a second factor sees nothing yet.
        let blocked = browser.get(&format!("/api/v1/practices/{practice}"));
        assert_eq!(blocked.body["error"], "mfa_required", "{backend}");
        browser.post("/api/v1/session/totp/setup", json!({}));
        let wrong = browser.post("/api/v1/session/totp/confirm", json!({"code": "000000"}));
        assert_eq!(wrong.status, 401);
        let code = totp_code(&server, &email);
        assert_eq!(
            browser
                .post("/api/v1/session/totp/confirm", json!({"code": code}))
                .status,
            200
        );
        assert_eq!(
            browser.get(&format!("/api/v1/practices/{practice}")).status,
            200
        );

        // The next sign-in asks for the code, and a used code does not work twice.
        let mut again = Browser::new(&server.base);
        let login = again.post(
            "/api/v1/session/login",
            json!({"email": email, "password": NEW_PASSWORD}),
        );
        assert_eq!(login.body["next"], "enter_totp");
        assert_eq!(
            again.get(&format!("/api/v1/practices/{practice}")).body["error"],
            "mfa_required"
        );
        let replay = again.post("/api/v1/session/totp", json!({"code": code}));
        assert_eq!(
            replay.status, 401,
            "{backend}: a used code was accepted again"
        );
        let fresh = totp_code(&server, &email);
        assert_eq!(
            again
                .post("/api/v1/session/totp", json!({"code": fresh}))
                .status,
            200
        );
        assert_eq!(
            again.get(&format!("/api/v1/practices/{practice}")).status,
            200
        );

        // API tokens work without cookies or CSRF, and stop when revoked.
        let token = again.post("/api/v1/tokens", json!({"name": "nightly export"}));
        assert_eq!(token.status, 201);
        let mut script = Browser::new(&server.base);
        script.bearer = token.body["token"].as_str().map(str::to_string);
        assert_eq!(
            script.get(&format!("/api/v1/practices/{practice}")).status,
            200
        );
        let token_id = token.body["id"].as_i64().unwrap_or_default();
        assert_eq!(
            again
                .call("DELETE", &format!("/api/v1/tokens/{token_id}"), None)
                .status,
            200
        );
        assert_eq!(
            script.get(&format!("/api/v1/practices/{practice}")).status,
            401
        );

        // Sign-out ends the session.
        assert_eq!(again.post("/api/v1/session/logout", json!({})).status, 200);
        assert_eq!(again.get("/api/v1/session").status, 401);
    }
}

#[test]
fn lists_are_paginated() {
    let server = TestServer::start("sqlite", Settings::default());
    let (practice, email, one_time) = server.practice("P", "page@p.example");
    let mut admin = first_sign_in(&server, &email, &one_time);
    let secret = admin.post(
        &format!("/api/v1/practices/{practice}/enroll-secrets"),
        json!({"label": "x"}),
    );
    let secret = secret.body["secret"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for i in 0..5 {
        enroll(&server.base, &secret, &format!("pc-{i}"));
    }
    let first = admin.get(&format!("/api/v1/practices/{practice}/hosts?limit=2"));
    assert_eq!(first.body["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(first.body["next_offset"], 2);
    let last = admin.get(&format!(
        "/api/v1/practices/{practice}/hosts?limit=2&offset=4"
    ));
    assert_eq!(last.body["items"].as_array().map(Vec::len), Some(1));
    assert!(last.body["next_offset"].is_null());
}

#[test]
fn running_statistics_equal_a_recount_of_the_posture() {
    use sqlx::Row;
    for backend in backends() {
        let server = TestServer::start(backend, Settings::default());
        let (practice, email, one_time) = server.practice("P", "stats@p.example");
        let mut admin = first_sign_in(&server, &email, &one_time);
        let secret = admin.post(
            &format!("/api/v1/practices/{practice}/enroll-secrets"),
            json!({"label": "x"}),
        );
        let secret = secret.body["secret"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        const STATUSES: [&str; 5] = ["pass", "fail", "warn", "unknown", "attested"];
        let statuses = STATUSES;
        let mut hosts = Vec::new();
        for h in 0..6 {
            hosts.push(enroll(&server.base, &secret, &format!("pc-{h}")));
        }
        // Reports that change statuses, drop and add controls, from every computer in turn.
        for round in 0..8usize {
            for (h, (_, key)) in hosts.iter().enumerate() {
                let controls: Vec<(String, &str)> = (0..(3 + (round + h) % 3))
                    .map(|c| {
                        (
                            format!("HY-PC-{c:03}"),
                            statuses[(round * 3 + h + c * 2) % statuses.len()],
                        )
                    })
                    .collect();
                let pairs: Vec<(&str, &str)> =
                    controls.iter().map(|(c, s)| (c.as_str(), *s)).collect();
                send_report(
                    &server.base,
                    key,
                    &format!("stats-{round}-{h}-x"),
                    report(&format!("pc-{h}"), &pairs),
                );
            }
            if round == 4 {
                admin.call("DELETE", &format!("/api/v1/hosts/{}", hosts[0].0), None);
            }
        }
        // Then all at once, so the writer stores several reports per transaction, some of
        // them from the same computer.
        let senders: Vec<_> = hosts[1..]
            .iter()
            .enumerate()
            .map(|(h, (_, key))| {
                let (base, key) = (server.base.clone(), key.clone());
                std::thread::spawn(move || {
                    for round in 0..12usize {
                        let pairs: Vec<(String, &str)> = (0..(2 + (round + h) % 4))
                            .map(|c| {
                                (
                                    format!("HY-PC-{c:03}"),
                                    STATUSES[(round + h * 2 + c) % STATUSES.len()],
                                )
                            })
                            .collect();
                        let pairs: Vec<(&str, &str)> =
                            pairs.iter().map(|(c, s)| (c.as_str(), *s)).collect();
                        send_report(
                            &base,
                            &key,
                            &format!("burst-{round}-{h}-x"),
                            report(&format!("pc-{h}"), &pairs),
                        );
                    }
                })
            })
            .collect();
        for sender in senders {
            let _ = sender.join();
        }
        let (kept, recount) = server.runtime.block_on(async {
            let kept = sqlx::query("SELECT control_id, hosts, passing, failing FROM practice_control_stats WHERE hosts <> 0 ORDER BY control_id")
                .fetch_all(&server.db.read).await.unwrap_or_default();
            let recount = sqlx::query(
                "SELECT hp.control_id, COUNT(*) AS hosts, \
                 CAST(SUM(CASE WHEN hp.status IN ('pass', 'attested') THEN 1 ELSE 0 END) AS BIGINT) AS passing, \
                 CAST(SUM(CASE WHEN hp.status = 'fail' THEN 1 ELSE 0 END) AS BIGINT) AS failing \
                 FROM host_posture hp JOIN hosts h ON h.id = hp.host_id WHERE h.revoked_at IS NULL \
                 GROUP BY hp.control_id ORDER BY hp.control_id",
            )
            .fetch_all(&server.db.read).await.unwrap_or_default();
            let rows = |rows: Vec<sqlx::any::AnyRow>| -> Vec<(String, i64, i64, i64)> {
                rows.iter().map(|r| (r.try_get(0).unwrap_or_default(), r.try_get(1).unwrap_or_default(), r.try_get(2).unwrap_or_default(), r.try_get(3).unwrap_or_default())).collect()
            };
            (rows(kept), rows(recount))
        });
        assert!(!recount.is_empty());
        assert_eq!(kept, recount, "{backend}");
    }
}
