//! Every route of the route table, called by an anonymous caller and by callers from another
//! practice and another organization: none of them gets in or sees the practice's data. The
//! practice's own administrator gets in, so the refusals are not just a broken route.

mod common;

use common::*;
use hygeia_server::Settings;
use hygeia_server::routes::{Access, table};
use serde_json::{Value, json};

struct Victim {
    practice: i64,
    host: i64,
    secret: i64,
    user: i64,
    token: i64,
    campaign: i64,
    markers: Vec<String>,
}

fn concrete(path: &str, victim: &Victim) -> String {
    let id = if path.starts_with("/api/v1/practices/{id}") || path.starts_with("/practices/{id}") {
        victim.practice
    } else if path.starts_with("/api/v1/hosts/{id}") || path.starts_with("/hosts/{id}") {
        victim.host
    } else if path.starts_with("/api/v1/enroll-secrets/{id}") {
        victim.secret
    } else if path.starts_with("/api/v1/users/{id}") {
        victim.user
    } else if path.starts_with("/api/v1/tokens/{id}") {
        victim.token
    } else if path.starts_with("/api/v1/campaigns/{id}") || path.starts_with("/campaigns/{id}") {
        victim.campaign
    } else {
        0
    };
    path.replace("{id}", &id.to_string())
        .replace("{secret}", &victim.secret.to_string())
        .replace("{user}", &victim.user.to_string())
        .replace("{module}", "phishing-links")
        .replace("{template}", "invoice")
}

/// The fields an attacker fills in a dashboard form (their own CSRF token is added).
fn form_for(path: &str) -> Vec<(&'static str, &'static str)> {
    match path {
        p if p.ends_with("/enrolment") => vec![("label", "intruder"), ("expires_in_days", "30")],
        p if p.ends_with("/users") => vec![
            ("email", "intruder@evil.example"),
            ("display_name", "x"),
            ("role", "practice_admin"),
        ],
        p if p.contains("/users/") => vec![("action", "make_admin")],
        p if p.ends_with("/owner") => vec![("owner_user_id", "")],
        _ => vec![],
    }
}

/// Pages about the caller's own account: an attacker can only act on themselves there.
fn own_account_page(path: &str) -> bool {
    path.starts_with("/login") || path.starts_with("/account/") || path == "/logout"
}

fn body_for(method: &str, path: &str) -> Option<Value> {
    match (method, path) {
        ("GET", _) | ("DELETE", _) => None,
        (_, p) if p.ends_with("/enroll-secrets") => Some(json!({"label": "intruder"})),
        (_, p) if p.ends_with("/users") => Some(
            json!({"email": "intruder@evil.example", "display_name": "x", "role": "practice_admin"}),
        ),
        (_, "/api/v1/users/{id}") => Some(json!({"role": "practice_admin"})),
        (_, "/api/v1/hosts/{id}") => Some(json!({"owner_user_id": null})),
        (_, "/api/v1/tokens") => Some(json!({"name": "intruder"})),
        _ => Some(json!({})),
    }
}

#[test]
fn every_route_refuses_anonymous_and_foreign_callers() {
    for backend in backends() {
        let server = TestServer::start(backend, Settings::default());
        // The practice under attack belongs to insurer A.
        let (_, analyst_a_email, analyst_a_otp) = server.insurer("Insurer A", "analyst@a.example");
        let (practice, admin_email, admin_otp) =
            server.insurer_practice("Insurer A", "Practice A1", "admin@a1.example");
        let mut admin = first_sign_in(&server, &admin_email, &admin_otp);
        let created = admin.post(
            &format!("/api/v1/practices/{practice}/enroll-secrets"),
            json!({"label": "a1"}),
        );
        let secret_text = created.body["secret"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let secret = created.body["id"].as_i64().unwrap_or_default();
        let (host, key) = enroll(&server.base, &secret_text, "a1-reception");
        send_report(
            &server.base,
            &key,
            "access00001",
            report("a1-reception", &[("HY-PC-001", "fail")]),
        );
        let user = admin.post(
            &format!("/api/v1/practices/{practice}/users"),
            json!({"email": "nurse@a1.example", "display_name": "Nurse", "role": "clinician"}),
        );
        let nurse_otp = user.body["one_time_password"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let user_id = user.body["id"].as_i64().unwrap_or_default();
        let token = admin.post("/api/v1/tokens", json!({"name": "a1 script"}));
        let campaign = admin.post(
            &format!("/api/v1/practices/{practice}/campaigns"),
            json!({"name": "A1 december test", "template": "invoice", "window_hours": 0}),
        );
        assert_eq!(campaign.status, 201, "{:?}", campaign.body);
        let victim = Victim {
            practice,
            host,
            secret,
            user: user_id,
            token: token.body["id"].as_i64().unwrap_or_default(),
            campaign: campaign.body["id"].as_i64().unwrap_or_default(),
            markers: vec![
                "A1 december test".into(),
                practice.to_string(),
                host.to_string(),
                "Practice A1".into(),
                "a1-reception".into(),
                "admin@a1.example".into(),
            ],
        };

        // The attackers: another stand-alone practice's admin, another insurer's analyst, and a
        // clinician of the same practice whose computer this is not.
        let (_, b_email, b_otp) = server.practice("Practice B", "admin@b.example");
        let (_, c_email, c_otp) = server.insurer("Insurer C", "analyst@c.example");
        let foreign = vec![
            (
                "other practice's admin",
                first_sign_in(&server, &b_email, &b_otp),
            ),
            (
                "other insurer's analyst",
                first_sign_in(&server, &c_email, &c_otp),
            ),
            (
                "clinician of the practice",
                first_sign_in(&server, "nurse@a1.example", &nurse_otp),
            ),
        ];
        let mut analyst_a = first_sign_in(&server, &analyst_a_email, &analyst_a_otp);

        let routes = table(1024 * 1024);
        assert!(routes.len() >= 30);
        for route in &routes {
            let path = concrete(route.path, &victim);
            let body = body_for(route.method, route.path);

            let mut anonymous = Browser::new(&server.base);
            let answer = anonymous.call(route.method, &path, body.clone());
            match route.access {
                Access::Public | Access::PublicPage => {
                    assert_ne!(answer.status, 500, "{} {path}", route.method)
                }
                // Pages send strangers to the sign-in page.
                Access::Page => assert!(
                    answer.status == 303
                        && answer
                            .location
                            .as_deref()
                            .is_some_and(|l| l == "/login" || l.starts_with("/login?next=%2F")),
                    "{backend}: anonymous {} {path} got {} {:?}",
                    route.method,
                    answer.status,
                    answer.location
                ),
                Access::Agent | Access::Signed | Access::User => assert_eq!(
                    answer.status, 401,
                    "{backend}: anonymous {} {path} got {} {:?}",
                    route.method, answer.status, answer.body
                ),
            }
            let is_page = route.access == Access::Page;
            if !(route.access == Access::User || is_page && !own_account_page(route.path)) {
                continue;
            }
            for (who, browser) in &foreign {
                let mut browser = browser.clone();
                let answer = if is_page && route.method == "POST" {
                    browser.submit(&path, &form_for(route.path))
                } else {
                    browser.call(route.method, &path, body.clone())
                };
                let text = answer.body.to_string();
                let leaked: Vec<&String> = victim
                    .markers
                    .iter()
                    .filter(|m| text.contains(m.as_str()))
                    .collect();
                // The clinician may list the practice's hosts (only their own: none) and see
                // their own user's practice id in answers; what matters is no foreign data.
                let own_practice = *who == "clinician of the practice";
                if route.path.contains("{id}")
                    && !(own_practice && route.path == "/api/v1/practices/{id}/hosts")
                {
                    // A page's successful change answers with a redirect: 3xx counts as in.
                    assert!(
                        !(200..400).contains(&answer.status),
                        "{backend}: {who} got {} on {} {path}: {text}",
                        answer.status,
                        route.method
                    );
                } else {
                    let allowed: Vec<&String> = leaked
                        .into_iter()
                        .filter(|m| {
                            !(own_practice && (**m == practice.to_string() || *m == "Practice A1"))
                        })
                        .collect();
                    assert!(
                        allowed.is_empty(),
                        "{backend}: {who} saw {allowed:?} on {} {path}: {text}",
                        route.method
                    );
                }
            }
            // The insurer's own analyst reads the practice (but manages nothing).
            if route.method == "GET"
                && (route.path.starts_with("/api/v1/practices/{id}")
                    || route.path.starts_with("/practices/{id}"))
                && !route.path.contains("enroll-secrets")
                && !route.path.contains("enrolment")
                && !route.path.contains("users")
            {
                let answer = analyst_a.call("GET", &path, None);
                assert_eq!(
                    answer.status, 200,
                    "{backend}: insurer analyst on {path}: {:?}",
                    answer.body
                );
            }
        }
        // And the practice's administrator gets into every read route and page.
        for route in routes.iter().filter(|r| {
            (r.access == Access::User || r.access == Access::Page)
                && r.method == "GET"
                && !own_account_page(r.path)
        }) {
            let path = concrete(route.path, &victim);
            let answer = admin.get(&path);
            let expected = if route.path == "/" { 303 } else { 200 };
            assert_eq!(
                answer.status, expected,
                "{backend}: admin on {path}: {:?}",
                answer.body
            );
        }
        // The analyst's list of practices names the practice; nobody else's does.
        let ranked = analyst_a.get("/insurer");
        assert!(
            ranked.body.as_str().unwrap_or("").contains("Practice A1"),
            "{:?}",
            ranked.body
        );
    }
}

#[test]
fn every_route_is_in_the_openapi_document() {
    let document: Value = serde_json::from_str(hygeia_server::routes::OPENAPI)
        .unwrap_or_else(|e| panic!("openapi.json: {e}"));
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().cloned().unwrap_or_default();
    let routes: Vec<_> = table(1024)
        .into_iter()
        .filter(|r| !r.access.is_page())
        .collect();
    for route in &routes {
        let operation = &paths
            .get(route.path)
            .unwrap_or_else(|| panic!("{} is not in openapi.json", route.path))
            [route.method.to_lowercase()];
        assert!(
            operation.is_object(),
            "{} {} is not in openapi.json",
            route.method,
            route.path
        );
        assert!(
            operation["summary"].is_string(),
            "{} {} has no summary",
            route.method,
            route.path
        );
    }
    let documented: usize = paths
        .values()
        .map(|p| {
            p.as_object()
                .map_or(0, |o| o.keys().filter(|k| *k != "parameters").count())
        })
        .sum();
    assert_eq!(
        documented,
        routes.len(),
        "openapi.json documents routes the server does not have"
    );
}
