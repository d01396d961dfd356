//! Legitimate sending infrastructure (`catalog/mail-senders.toml`, white-labelled brands,
//! government bulk services) keeps real mail clean without opening a door for impersonators.

use hygeia_mail::{Context, MailCatalog, Settings, analyze};

fn indicators(raw: &str) -> Vec<&'static str> {
    let catalog = MailCatalog::builtin().unwrap_or_else(|e| panic!("{e}"));
    let settings = Settings::default();
    let context = Context {
        catalog: &catalog,
        settings: &settings,
        verifier: None,
    };
    analyze(raw.as_bytes(), None, &context)
        .indicators
        .iter()
        .map(|i| i.id)
        .collect()
}

fn message(from: &str, subject: &str, html: &str) -> String {
    format!(
        "From: {from}\r\nTo: dr@clinic.example\r\nSubject: {subject}\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\nMessage-ID: <1@x>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>{html}</body></html>\r\n"
    )
}

#[test]
fn a_health_system_sending_as_mychart_is_its_customer() {
    let own = message(
        "\"Example Health MyChart\" <mychart@examplehealth.org>",
        "New test result is available in MyChart",
        r#"<p>Log in to see it.</p><a href="https://click.email.examplehealth.org/?qs=abc">Log in to MyChart</a> <a href="https://mychart.examplehealthcare.org/MyChart">mychart.examplehealthcare.org</a>"#,
    );
    assert!(!indicators(&own).contains(&"sender.brand-impersonation"));
    let elsewhere = message(
        "\"MyChart\" <mychart@examplehealth.org>",
        "New test result is available in MyChart",
        r#"<p>Log in to see it.</p><a href="https://results-portal.example.top/login">Log in to MyChart</a>"#,
    );
    assert!(indicators(&elsewhere).contains(&"sender.brand-impersonation"));
    let freemail = message(
        "\"MyChart\" <mychart.notice@gmail.com>",
        "New test result",
        r#"<a href="https://mychart.examplehealth.org/">Log in</a>"#,
    );
    assert!(indicators(&freemail).contains(&"sender.brand-impersonation"));
}

#[test]
fn an_agency_bulletin_through_govdelivery_is_the_agency() {
    let bulletin = message(
        "\"Centers for Disease Control and Prevention\" <cdc@service.govdelivery.com>",
        "Health Alert Network Health Advisory",
        r#"<a href="https://links-1.govdelivery.com/CL0/https:%2F%2Fwww.cdc.gov%2Fhan%3Futm_medium=email/1/0100-ab/12">Read the advisory</a> <a href="https://public.govdelivery.com/accounts/USCDC/subscriber/edit">Manage subscriptions</a>"#,
    );
    let found = indicators(&bulletin);
    for id in [
        "sender.brand-impersonation",
        "link.brand-in-address",
        "link.off-brand",
    ] {
        assert!(!found.contains(&id), "{id} in {found:?}");
    }
    let impostor = message(
        "\"Centers for Disease Control and Prevention\" <alerts@cdc-health-update.example>",
        "Health Alert Network Health Advisory",
        r#"<a href="https://cdc-health-update.example/han">Read the advisory</a>"#,
    );
    assert!(indicators(&impostor).contains(&"sender.brand-impersonation"));
}

#[test]
fn a_one_letter_lookalike_counts_when_the_message_poses_as_the_brand() {
    let unrelated = message(
        "\"Intermountain Health\" <news@imail.org>",
        "Your appointment",
        r#"<a href="https://www.imail.org/appointments">Appointments</a>"#,
    );
    assert!(!indicators(&unrelated).contains(&"sender.lookalike-domain"));
    let posing = message(
        "\"PayPal\" <service@paypai.com>",
        "Your PayPal account is limited",
        r#"<a href="https://www.paypai.com/signin">Restore access</a>"#,
    );
    assert!(indicators(&posing).contains(&"sender.lookalike-domain"));
}

#[test]
fn a_brand_writing_from_its_own_top_level_domain_is_the_brand() {
    // Microsoft sends Teams notices from addresses under its own .microsoft top-level domain.
    let teams = message(
        "\"Microsoft Teams\" <no-reply@teams.mail.microsoft>",
        "You have been added to a team in Microsoft Teams",
        r#"<p>Jane Doe added you to the team Front Desk.</p><a href="https://teams.microsoft.com/l/team/19%3aabc%40thread.tacv2/conversations">Open Microsoft Teams</a>"#,
    );
    let found = indicators(&teams);
    assert!(found.is_empty(), "{found:?}");
    let elsewhere = message(
        "\"Microsoft Teams\" <no-reply@teams-mail-microsoft.example>",
        "You have been added to a team in Microsoft Teams",
        r#"<a href="https://teams-mail-microsoft.example/l/team">Open Microsoft Teams</a>"#,
    );
    assert!(indicators(&elsewhere).contains(&"sender.brand-impersonation"));
}

#[test]
fn an_invoice_platform_sends_in_its_customers_name() {
    let invoice = message(
        "\"Henry Schein\" <quickbooks@notification.intuit.com>",
        "Invoice 1042 from Henry Schein",
        r#"<p>Here's your invoice.</p><a href="https://connect.intuit.com/portal/app/CommerceNetwork/view/scs-v1-abc">Review and pay</a>"#,
    );
    assert!(!indicators(&invoice).contains(&"sender.brand-impersonation"));
}
