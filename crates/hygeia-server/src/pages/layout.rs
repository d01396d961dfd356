//! The page shell (head, navigation, footer) and the small pieces every page uses: status
//! words, dates, empty states, the catalog's control titles.

use crate::auth::{Role, Signed};
use hygeia_core::catalog::{Catalog, Control};
use maud::{DOCTYPE, Markup, html};
use std::sync::OnceLock;

/// The built-in control catalog (titles, HICP practices, HIPAA citations, fix steps).
pub fn catalog() -> Option<&'static Catalog> {
    static CATALOG: OnceLock<Option<Catalog>> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::builtin().ok()).as_ref()
}

/// A control of the catalog.
pub fn control(id: &str) -> Option<&'static Control> {
    catalog()?.control(id)
}

/// The platform of a computer's `os` word (`linux`, `macos`, `windows`).
pub fn platform_of(os: &str) -> Option<hygeia_core::Platform> {
    match os {
        "linux" => Some(hygeia_core::Platform::Linux),
        "macos" => Some(hygeia_core::Platform::Macos),
        "windows" => Some(hygeia_core::Platform::Windows),
        _ => None,
    }
}

/// A control's title, or its id when the catalog does not know it.
pub fn control_title(id: &str) -> String {
    control(id).map_or_else(|| id.to_string(), |c| c.title.clone())
}

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · Hygeia" }
            link rel="icon" href=(super::assets::ICON_PATH) type="image/svg+xml";
            link rel="stylesheet" href=(super::assets::CSS_PATH);
            script src=(super::assets::JS_PATH) defer {}
        }
    }
}

/// A page without navigation (sign-in steps, errors).
pub fn bare_page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body.bare {
                a.skip href="#main" { "Skip to content" }
                header.top { span.brand { "Hygeia" } }
                main #main { (body) }
            }
        }
    }
}

/// A page of the dashboard with the navigation of the viewer's role.
pub fn page(title: &str, viewer: &Signed, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/" { "Hygeia" }
                    nav aria-label="Main" {
                        ul {
                            @for (label, href) in nav_links(viewer) {
                                li { a href=(href) { (label) } }
                            }
                        }
                    }
                    form.signout method="post" action="/logout" {
                        input type="hidden" name="csrf" value=(super::csrf_of(viewer));
                        span.who { (viewer.display_name) " (" (role_word(viewer.role)) ")" }
                        button type="submit" { "Sign out" }
                    }
                }
                main #main { (body) }
                footer { "Hygeia · security checks for clinicians who work remotely" }
            }
        }
    }
}

fn nav_links(viewer: &Signed) -> Vec<(&'static str, String)> {
    match (viewer.role, viewer.practice_id) {
        (Role::InsurerAnalyst, _) => vec![
            ("Practices", "/insurer".into()),
            ("Audit log", "/audit-log".into()),
        ],
        (Role::PracticeAdmin, Some(p)) => vec![
            ("Overview", format!("/practices/{p}")),
            ("Enrol computers", format!("/practices/{p}/enrolment")),
            ("Devices", format!("/practices/{p}/devices")),
            ("Simulations", format!("/practices/{p}/simulations")),
            ("Users", format!("/practices/{p}/users")),
            ("Attestation report", format!("/practices/{p}/attestation")),
            ("Audit log", "/audit-log".into()),
        ],
        _ => vec![
            ("My computers", "/my-computers".into()),
            ("My training", "/training".into()),
        ],
    }
}

/// A role in words.
pub fn role_word(role: Role) -> &'static str {
    match role {
        Role::InsurerAnalyst => "insurer analyst",
        Role::PracticeAdmin => "practice administrator",
        Role::Clinician => "clinician",
    }
}

/// A result's status as a word with a colour class (the word carries the meaning; the colour
/// only helps).
pub fn status_badge(status: &str) -> Markup {
    let (word, class) = match status {
        "pass" => ("Pass", "ok"),
        "attested" => ("Attested", "ok"),
        "fail" => ("Fail", "bad"),
        "warn" => ("Warning", "warn"),
        "unknown" => ("Unknown", "unknown"),
        "not_applicable" => ("Not applicable", "unknown"),
        other => (other, "unknown"),
    };
    html! { span class={ "badge " (class) } { (word) } }
}

/// A severity as a word with a colour class.
pub fn severity_badge(severity: &str) -> Markup {
    let class = match severity {
        "critical" | "high" => "bad",
        "medium" => "warn",
        _ => "unknown",
    };
    html! { span class={ "badge " (class) } { (capitalized(severity)) } }
}

/// `critical` → `Critical`.
pub fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().collect::<String>() + chars.as_str()
    })
}

/// A Unix time as `2026-11-28 14:05 UTC`.
pub fn datetime(unix: i64) -> String {
    let t =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// A Unix time as `2026-11-28`.
pub fn date(unix: i64) -> String {
    crate::rollup::day_of(unix)
}

/// How long ago, in words (`3 hours ago`), for times in the past.
pub fn ago(unix: i64, now: i64) -> String {
    let seconds = (now - unix).max(0);
    match seconds {
        0..60 => "just now".into(),
        60..3_600 => plural(seconds / 60, "minute"),
        3_600..86_400 => plural(seconds / 3_600, "hour"),
        _ => plural(seconds / 86_400, "day"),
    }
}

fn plural(n: i64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit} ago")
    } else {
        format!("{n} {unit}s ago")
    }
}

/// `last seen` text of a computer that may never have reported.
pub fn last_seen(unix: Option<i64>, now: i64) -> Markup {
    match unix {
        Some(t) => html! { time datetime=(t) title=(datetime(t)) { (ago(t, now)) } },
        None => html! { "never" },
    }
}

/// A share as a whole percentage.
pub fn percent(share: f64) -> String {
    format!("{:.0}%", (share * 100.0).clamp(0.0, 100.0))
}

/// A bar that shows a share, with the number written next to it (a `<meter>`: the page's
/// security policy allows no inline styles).
pub fn meter(share: f64) -> Markup {
    let value = (share * 100.0).clamp(0.0, 100.0);
    html! {
        meter min="0" max="100" low="50" high="90" optimum="100" value=(format!("{value:.0}")) aria-hidden="true" {}
        " " (percent(share))
    }
}

/// What a fresh install shows instead of an empty table.
pub fn empty_state(title: &str, text: Markup) -> Markup {
    html! {
        div.empty role="status" {
            h3 { (title) }
            p { (text) }
        }
    }
}

/// A hidden CSRF field for a form of this viewer.
pub fn csrf_field(viewer: &Signed) -> Markup {
    html! { input type="hidden" name="csrf" value=(super::csrf_of(viewer)); }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_words() {
        assert_eq!(ago(100, 130), "just now");
        assert_eq!(ago(0, 3 * 3600 + 5), "3 hours ago");
        assert_eq!(ago(0, 86_400), "1 day ago");
        assert_eq!(datetime(1_795_860_000), "2026-11-28 10:00 UTC");
        assert_eq!(capitalized("critical"), "Critical");
        assert_eq!(percent(0.456), "46%");
    }

    #[test]
    fn statuses_have_words_not_only_colours() {
        let html = status_badge("fail").into_string();
        assert!(html.contains(">Fail<") && html.contains("bad"), "{html}");
    }
}
