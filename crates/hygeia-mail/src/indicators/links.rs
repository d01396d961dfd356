//! Link indicators: where the links really go.

use super::sender::imitated_brand_in;
use super::{Context, Indicator};
use crate::catalog::host_in;
use crate::message::Mail;
use crate::url::{
    UrlParts, deceptive_host, displayed_host, host_shown_in_text, is_ip_literal, latin_spelling,
    parse_url, percent_decode, redirect_target, registrable_domain,
};
use crate::weights::{variant, weight};

/// Links examined per message.
const MAX_LINKS: usize = 300;

const DOWNLOAD_EXTENSIONS: [&str; 16] = [
    ".exe", ".scr", ".msi", ".zip", ".rar", ".7z", ".iso", ".img", ".js", ".vbs", ".hta", ".lnk",
    ".apk", ".bat", ".ps1", ".one",
];

/// Each indicator id is reported once per message, for its first occurrence.
fn push_once(found: &mut Vec<Indicator>, indicator: Indicator) {
    if !found.iter().any(|f| f.id == indicator.id) {
        found.push(indicator);
    }
}

/// The URL to judge: the target a known redirector carries, or the link itself.
fn effective(url: UrlParts, context: &Context) -> (UrlParts, bool) {
    if host_in(&url.host, &context.catalog.links.trackers)
        && let Some(target) = redirect_target(&url).and_then(|t| parse_url(&t))
    {
        return (target, true);
    }
    (url, false)
}

/// A sender or link under a top-level domain with one of the highest abuse rates.
fn abused_tld(mail: &Mail, context: &Context, found: &mut Vec<Indicator>) {
    let tlds = &context.catalog.links.abused_tlds;
    let under = |host: &str| {
        host.rsplit('.')
            .next()
            .is_some_and(|tld| tlds.iter().any(|t| t == tld))
    };
    let sender = mail
        .from
        .as_ref()
        .map(|f| f.domain.clone())
        .filter(|d| under(d));
    let link = || {
        mail.links
            .iter()
            .take(MAX_LINKS)
            .filter_map(|l| parse_url(&l.href))
            .map(|u| u.host)
            .find(|h| under(h))
    };
    if let Some(domain) = sender.or_else(link) {
        found.push(Indicator::new(
            "domain.abused-tld",
            weight("domain.abused-tld"),
            format!("The message uses a domain ({domain}) under a top-level domain that is among the most abused for throw-away scam sites."),
            domain,
        ));
    }
}

/// A brand's real domain written into the subdomains or the path of a host that is not the
/// brand's (`paypal.com.account-check.example`, `example.net/signin.ebay.com/`).
fn brand_in_address<'a>(host: &str, path: &str, context: &'a Context) -> Option<&'a str> {
    let catalog = context.catalog;
    let finder = &catalog.brand_domain_finder;
    let registrable = registrable_domain(host);
    let subdomains = host.strip_suffix(registrable.as_str()).unwrap_or("");
    // A brand domain counts only from a name boundary: "x.com" is not inside "divx.com".
    let starts_name = |text: &str, at: usize| {
        text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '-')
    };
    let in_subdomains = finder
        .find_overlapping_iter(subdomains)
        .filter(|m| subdomains[m.end()..].starts_with('.') && starts_name(subdomains, m.start()))
        .map(|m| m.pattern().as_usize());
    let in_path = finder
        .find_overlapping_iter(path)
        .filter(|m| starts_name(path, m.start()))
        .map(|m| m.pattern().as_usize());
    in_subdomains.chain(in_path).find_map(|pattern| {
        let brand = &catalog.brands[*catalog.brand_of.get(pattern)?];
        (!super::sender::brand_owns(brand, host)).then_some(brand.name.as_str())
    })
}

/// The brand the sender claims to be, by display name or by address.
pub(crate) fn claimed_brand<'a>(
    mail: &Mail,
    context: &'a Context,
) -> Option<&'a crate::catalog::Brand> {
    let from = mail.from.as_ref()?;
    let named = context.catalog.brands_named(&from.name.to_lowercase());
    let owned = context.catalog.owned_by_a_brand(&from.domain);
    context
        .catalog
        .brands
        .iter()
        .enumerate()
        .find(|(index, b)| {
            (owned && super::sender::brand_owns(b, &from.domain)) || named.contains(index)
        })
        .map(|(_, b)| b)
}

/// The brand the subject names ("USPS® Item being held") when the sender is not that brand:
/// the claim a reader sees first when the display name says nothing.
pub(crate) fn brand_in_subject<'a>(
    mail: &Mail,
    context: &'a Context,
) -> Option<&'a crate::catalog::Brand> {
    let from = mail.from.as_ref()?;
    let subject = mail.subject.to_lowercase();
    let named = context.catalog.brands_named(&subject);
    named
        .into_iter()
        .map(|index| &context.catalog.brands[index])
        .find(|b| !super::sender::brand_owns(b, &from.domain))
}

/// The hosts the message's web links really lead to, in order: a redirector's target when it
/// names one, and no click tracker that hides its target.
fn destination_hosts<'a>(
    mail: &'a Mail,
    context: &'a Context,
) -> impl Iterator<Item = String> + 'a {
    mail.links.iter().take(MAX_LINKS).filter_map(|link| {
        let raw = parse_url(&link.href)?;
        if raw.scheme != "http" && raw.scheme != "https" {
            return None;
        }
        let (url, unwrapped) = effective(raw, context);
        let tracker = !unwrapped && host_in(&url.host, &context.catalog.links.trackers);
        (!url.host.is_empty() && !tracker).then_some(url.host)
    })
}

/// The first link that leaves the claimed brand's own domains (and the bulk services that
/// send in its name). When only the subject names the brand, the sender's own site is no
/// detour either: a society's newsletter about Medicare links to the society.
pub(crate) fn off_brand_link(
    mail: &Mail,
    context: &Context,
    brand: &crate::catalog::Brand,
    claimed_in_subject_only: bool,
) -> Option<String> {
    let sender = mail.from.as_ref().map(|f| f.domain.as_str()).unwrap_or("");
    let senders_own = |host: &str| {
        claimed_in_subject_only && !sender.is_empty() && same_organisation(host, sender)
    };
    destination_hosts(mail, context)
        .find(|host| !(context.catalog.sends_for(brand, host) || senders_own(host)))
}

/// Whether two hosts belong to one organisation: the same registrable domain, or registrable
/// names of which one is the other with up to four letters added ("bswhealth.org" and
/// "mybswhealth.com": health systems put their patient portal on a second domain).
pub(crate) fn same_organisation(a: &str, b: &str) -> bool {
    let (a, b) = (registrable_domain(a), registrable_domain(b));
    if a == b {
        return true;
    }
    let name = |d: &str| d.split('.').next().unwrap_or("").to_string();
    let (a, b) = (name(&a), name(&b));
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 5 && long.len() - short.len() <= 4 && long.contains(short.as_str())
}

/// Whether the sender writes from its own (not a free) mailbox and every link of the message
/// leads to the sender's own organisation, directly or through a click tracker: mail that is
/// who it says it is, whatever name it shows.
/// Links to hosts for which `also_home` holds count as home too.
pub(crate) fn leads_only_home_or(
    mail: &Mail,
    context: &Context,
    also_home: impl Fn(&str) -> bool,
) -> bool {
    let Some(from) = mail.from.as_ref().filter(|f| !f.domain.is_empty()) else {
        return false;
    };
    if host_in(&from.domain, &context.catalog.links.freemail) {
        return false;
    }
    destination_hosts(mail, context)
        .all(|host| same_organisation(&host, &from.domain) || also_home(&host))
}

/// The first link that goes to another site than the sender's own: where a request to sign in
/// or pay would really take the reader.
pub(crate) fn offsite_link(mail: &Mail, context: &Context) -> Option<String> {
    let sender = registrable_domain(&mail.from.as_ref()?.domain);
    destination_hosts(mail, context).find(|host| registrable_domain(host) != sender)
}

/// Words of a URL path that name a sign-in or account page.
const SIGN_IN_WORDS: &[&str] = &[
    "login",
    "log-in",
    "signin",
    "sign-in",
    "logon",
    "webmail",
    "owa",
    "verify",
    "verification",
    "authenticate",
    "auth",
    "account",
    "password",
    "wp-login",
];

/// Whether a URL's path (before `?` and `#`) names a sign-in or account page: one of
/// [`SIGN_IN_WORDS`] as a whole path segment or file name (`/login.php`, `/owa/`, `/signin/`).
fn sign_in_path(rest: &str) -> bool {
    let path = rest.split(['?', '#']).next().unwrap_or("").to_lowercase();
    path.split(['/', '.', '_'])
        .any(|segment| SIGN_IN_WORDS.contains(&segment))
}

/// A host name that spells out an IPv4 address in its first label, as providers name home and
/// dial-up connections (`80-219-219-193.dclient.hispeed.ch`, `dsl-201-151-140-106.example.net`).
fn dynamic_address_host(host: &str) -> bool {
    let first = host.split('.').next().unwrap_or("");
    let numbers: Vec<&str> = first
        .split(|c: char| !c.is_ascii_digit())
        .filter(|n| !n.is_empty())
        .collect();
    host.contains('.')
        && numbers.len() >= 4
        && numbers.windows(4).any(|w| {
            w.iter()
                .all(|n| n.len() <= 3 && n.parse::<u16>().is_ok_and(|v| v <= 255))
        })
}

/// The bare IP address a query parameter sends the reader on to
/// (`?DomainUrl=http%3A%2F%2F211.172.96.7%2FLogin`), whatever the parameter is called.
fn ip_behind_redirect(rest: &str) -> Option<String> {
    let query = rest.split_once('?').map(|(_, q)| q)?;
    query.split('&').find_map(|pair| {
        let value = percent_decode(pair.split_once('=')?.1);
        let target = parse_url(&value)?;
        (matches!(target.scheme.as_str(), "http" | "https") && is_ip_literal(&target.host))
            .then_some(target.host)
    })
}

/// A web address written as a path segment ("/www.afbank.com/verify", "/signin.ebay.com/"):
/// a segment that starts with `www.` or has a dot and ends in a common top-level domain.
fn named_site_in_path(rest: &str) -> Option<String> {
    let path = rest.split(['?', '#']).next().unwrap_or("").to_lowercase();
    path.split('/')
        .find(|segment| {
            let labels: Vec<&str> = segment.split('.').collect();
            labels.len() >= 2
                && labels.iter().all(|l| {
                    !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                })
                && (segment.starts_with("www.")
                    || matches!(
                        labels.last().copied(),
                        Some("com" | "net" | "org" | "de" | "uk" | "br" | "gov" | "edu")
                    ))
        })
        .map(str::to_string)
}

/// Whether `host` imitates the sender's own domain without being it: the sender's name as one
/// hyphen-separated part of another name (`lasallebank-online.com` for `lasallebank.com`), or the
/// same name with hyphens added (`comfed-bank.net` for `comfedbank.com`). The same name under
/// another top-level domain (`yahoo.co.uk`, `python.org`) is the same organization, and
/// co-branded subdomains of partners are common in legitimate newsletters, so neither counts.
fn imitates_sender(host: &str, sender_domain: &str) -> bool {
    let sender = registrable_domain(sender_domain);
    let name = sender.split('.').next().unwrap_or("");
    let registrable = registrable_domain(host);
    let label = registrable.split('.').next().unwrap_or("");
    if name.len() < 5 || label == name || is_ip_literal(host) {
        return false;
    }
    let squashed = label.replace('-', "");
    (label.contains('-') && label.split('-').any(|t| t == name)) || squashed == name
}

pub(crate) fn check(mail: &Mail, context: &Context, found: &mut Vec<Indicator>) {
    let services = &context.catalog.links;
    let from_domain = mail
        .from
        .as_ref()
        .map(|f| registrable_domain(&f.domain))
        .unwrap_or_default();
    // Host-based indicators are judged once per distinct host.
    let mut seen_hosts: std::collections::HashSet<String> = std::collections::HashSet::new();
    for link in mail.links.iter().take(MAX_LINKS) {
        let Some(raw) = parse_url(&link.href) else {
            continue;
        };
        if raw.scheme == "data" {
            push_once(
                found,
                Indicator::new(
                    "link.data-uri",
                    weight("link.data-uri"),
                    "A link opens a page embedded in the message itself (data: URI), a way to show a fake login page without a web address.",
                    link.href.chars().take(80).collect::<String>(),
                ),
            );
            continue;
        }
        if raw.scheme != "http" && raw.scheme != "https" {
            continue;
        }
        let (url, unwrapped) = effective(raw.clone(), context);
        let host = url.host.as_str();
        if host.is_empty() {
            continue;
        }
        // 8080 and 8443 are the usual second ports of web servers (EHR portals use them).
        if let Some(port) = url.port.filter(|p| ![80, 443, 8080, 8443].contains(p)) {
            push_once(
                found,
                Indicator::new(
                    "link.unusual-port",
                    weight("link.unusual-port"),
                    format!(
                        "A link goes to {host} on port {port}, not the usual web port: a sign of a site set up quickly on someone else's computer."
                    ),
                    link.href.clone(),
                ),
            );
        }
        if let Some(user) = url.userinfo.as_deref().filter(|u| !u.is_empty()) {
            push_once(
                found,
                Indicator::new(
                    "link.userinfo-trick",
                    weight("link.userinfo-trick"),
                    format!(
                        "A link starts with \"{user}@\", which the browser ignores: it really goes to {host}."
                    ),
                    link.href.clone(),
                ),
            );
        }
        if seen_hosts.insert(host.to_string()) {
            if is_ip_literal(host) {
                // "http://221.144.51.78/www.afbank.com/verify": a web address written into the
                // path makes a bare address look like the bank's site.
                let (weight, why) = match named_site_in_path(&url.rest) {
                    Some(site) => (
                        variant("link.ip-address", "dressed-up"),
                        format!(
                            "A link goes to a bare internet address ({host}) dressed up with the web address {site} in its path."
                        ),
                    ),
                    None => (
                        weight("link.ip-address"),
                        format!(
                            "A link goes to a bare internet address ({host}) instead of a named website."
                        ),
                    ),
                };
                push_once(
                    found,
                    Indicator::new("link.ip-address", weight, why, link.href.clone()),
                );
            } else if dynamic_address_host(host) {
                push_once(
                    found,
                    Indicator::new(
                        "link.ip-address",
                        variant("link.ip-address", "home-connection"),
                        format!(
                            "A link goes to {host}, a name that spells out an internet address, as home and dial-up connections have: phishing pages are often put on hijacked home computers."
                        ),
                        link.href.clone(),
                    ),
                );
            } else if let Some(ip) = ip_behind_redirect(&url.rest) {
                // "cgi4.ebay.com/...RedirectToDomain&DomainUrl=http%3A%2F%2F211.172.96.7%2F":
                // a trusted site's open redirect that sends the reader to a bare address.
                push_once(
                    found,
                    Indicator::new(
                        "link.ip-address",
                        variant("link.ip-address", "redirect"),
                        format!(
                            "A link passes through {host} but sends you on to a bare internet address ({ip})."
                        ),
                        link.href.clone(),
                    ),
                );
            }
            if !host_in(host, &services.trackers)
                && let Some(reason) = super::sender::generated_domain_reason(host)
            {
                push_once(
                    found,
                    Indicator::new(
                        "link.random-domain",
                        weight("link.random-domain"),
                        format!(
                            "A link goes to {host}, a machine-made name ({reason}) of the kind scam sites register by the thousand."
                        ),
                        link.href.clone(),
                    ),
                );
            }
            let encoded = url
                .host_was_encoded
                .then_some("%-escapes instead of letters");
            let shown = displayed_host(host);
            if let Some(latin) = latin_spelling(shown.as_deref().unwrap_or(host)) {
                // One label mixing Latin with Greek or Cyrillic look-alikes exists only to be
                // read as another name; when that name is a brand's, it is that brand's fake.
                let seen = shown.as_deref().unwrap_or(host);
                let brand = context
                    .catalog
                    .brands
                    .iter()
                    .find(|b| super::sender::brand_owns(b, &latin));
                let (weight, whose) = match brand {
                    Some(b) => (
                        variant("link.deceptive-host", "brand"),
                        format!(", {}'s real domain", b.name),
                    ),
                    None => (
                        variant("link.deceptive-host", "mixed-scripts"),
                        String::new(),
                    ),
                };
                push_once(
                    found,
                    Indicator::new(
                        "link.deceptive-host",
                        weight,
                        format!(
                            "A link goes to {host}, which your browser shows as {seen}: Greek or Cyrillic letters that look like Latin ones make it read as {latin}{whose}, but it is a different site."
                        ),
                        link.href.clone(),
                    ),
                );
            } else if let Some(kind) = encoded.or_else(|| deceptive_host(host)) {
                push_once(
                    found,
                    Indicator::new(
                        "link.deceptive-host",
                        weight("link.deceptive-host"),
                        format!(
                            "A link's web address uses {kind} ({host}), which can make a fake site look like a real one."
                        ),
                        link.href.clone(),
                    ),
                );
            }
            if let Some((brand, how)) = imitated_brand_in(mail, context, host) {
                push_once(
                    found,
                    Indicator::new(
                        "link.lookalike-domain",
                        weight("link.lookalike-domain"),
                        format!(
                            "A link goes to {host}, which uses {how} {brand}'s domain without belonging to {brand}."
                        ),
                        link.href.clone(),
                    ),
                );
            }
            if let Some(sender) = mail
                .from
                .as_ref()
                .map(|f| f.domain.as_str())
                .filter(|d| !d.is_empty())
                && !host_in(host, &services.trackers)
                && imitates_sender(host, sender)
            {
                push_once(
                    found,
                    Indicator::new(
                        "link.sender-lookalike",
                        weight("link.sender-lookalike"),
                        format!(
                            "A link goes to {host}, a domain made to look like the sender's own ({sender}) but not the same."
                        ),
                        link.href.clone(),
                    ),
                );
            }
            if host_in(host, &services.shorteners) {
                push_once(
                    found,
                    Indicator::new(
                        "link.shortener",
                        weight("link.shortener"),
                        format!("A link is shortened ({host}), which hides where it goes."),
                        link.href.clone(),
                    ),
                );
            }
            if host_in(host, &services.free_hosting) && registrable_domain(host) != from_domain {
                // A page named like a sign-in ("/office/login.php") on a free host is where a
                // fake login page lives; a shared document or a survey is not.
                let (weight, why) = if sign_in_path(&url.rest) {
                    (
                        variant("link.free-hosting", "sign-in-page"),
                        format!(
                            "A link goes to a sign-in page on a free hosting service ({host}): real companies do not host their login pages there."
                        ),
                    )
                } else {
                    (
                        weight("link.free-hosting"),
                        format!(
                            "A link goes to a free hosting, form or file-sharing service ({host}) often used for fake login pages."
                        ),
                    )
                };
                push_once(
                    found,
                    Indicator::new("link.free-hosting", weight, why, link.href.clone()),
                );
            }
        }
        let path = url
            .rest
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .to_lowercase();
        if let Some(brand) = brand_in_address(host, &path, context) {
            push_once(
                found,
                Indicator::new(
                    "link.brand-in-address",
                    weight("link.brand-in-address"),
                    format!(
                        "A link puts {brand}'s address inside another site's address ({host}{}), but does not go to {brand}.",
                        path.chars().take(60).collect::<String>()
                    ),
                    link.href.clone(),
                ),
            );
        }
        if DOWNLOAD_EXTENSIONS.iter().any(|ext| path.ends_with(ext)) {
            push_once(
                found,
                Indicator::new(
                    "link.executable-download",
                    weight("link.executable-download"),
                    format!(
                        "A link downloads a program or archive ({}) directly.",
                        path.rsplit('/').next().unwrap_or(&path)
                    ),
                    link.href.clone(),
                ),
            );
        }
        // The text shows one address while the link goes elsewhere.
        if let Some(shown) = link.text.as_deref().and_then(host_shown_in_text) {
            let shown_domain = registrable_domain(&shown);
            let real_domain = registrable_domain(host);
            let through_tracker = !unwrapped && host_in(host, &services.trackers);
            let senders_own = !from_domain.is_empty() && real_domain == from_domain;
            // A redirect script that names the shown site in its query leads there.
            let redirects_there = url.rest.to_lowercase().contains(&shown_domain);
            if shown_domain != real_domain && !through_tracker && !senders_own && !redirects_there {
                push_once(
                    found,
                    Indicator::new(
                        "link.text-mismatch",
                        weight("link.text-mismatch"),
                        format!("A link's text says {shown} but the link goes to {host}."),
                        format!("{} -> {}", link.text.as_deref().unwrap_or(""), link.href),
                    ),
                );
            }
        }
    }
    abused_tld(mail, context, found);
    if let Some(url) = mail.qr_links.first() {
        found.push(Indicator::new(
            "link.qr-code",
            weight("link.qr-code"),
            format!("A picture in the message is a QR code that opens {url}; scanning it with a phone skips the protections of your computer and mail (quishing)."),
            url.clone(),
        ));
    }
    let passwords: usize = mail.html.iter().map(|h| h.password_inputs).sum();
    if passwords > 0 {
        found.push(Indicator::new(
            "body.password-form",
            weight("body.password-form"),
            "The message contains a form asking for a password; legitimate services never collect passwords inside an email.",
            format!("{passwords} password field(s)"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::{
        dynamic_address_host, imitates_sender, ip_behind_redirect, named_site_in_path, sign_in_path,
    };

    #[test]
    fn home_connection_host_names() {
        assert!(dynamic_address_host("80-219-219-193.dclient.hispeed.ch"));
        assert!(dynamic_address_host(
            "static-201-151-140-106.alestra.net.mx"
        ));
        assert!(!dynamic_address_host("www.2024-report.example.com"));
        assert!(!dynamic_address_host("cdn1.example.com"));
    }

    #[test]
    fn bare_addresses_behind_open_redirects() {
        assert_eq!(
            ip_behind_redirect(
                "/ws/eBayISAPI.dll?MfcISAPICommand=RedirectToDomain&DomainUrl=http%3A%2F%2F%32%31%31%2E%31%37%32%2E%39%36%2E%37%2FLogin%2F"
            ),
            Some("211.172.96.7".into())
        );
        assert_eq!(
            ip_behind_redirect("/r?url=https%3A%2F%2Fwww.example.org%2F"),
            None
        );
        assert_eq!(ip_behind_redirect("/plain/path"), None);
    }

    #[test]
    fn web_addresses_in_paths() {
        assert_eq!(
            named_site_in_path("/www.afbank.com/verify/index.php"),
            Some("www.afbank.com".into())
        );
        assert_eq!(
            named_site_in_path("/signin.ebay.com/ws/"),
            Some("signin.ebay.com".into())
        );
        assert_eq!(named_site_in_path("/images/logo.png"), None);
        assert_eq!(named_site_in_path("/index.php?u=www.x.com"), None);
    }

    #[test]
    fn sign_in_pages_by_path() {
        assert!(sign_in_path("/maerkline/login.php?email=a@b.c"));
        assert!(sign_in_path("/owa/auth/logon.aspx"));
        assert!(!sign_in_path("/forms/d/e/1FAIpQLSd/viewform"));
        assert!(!sign_in_path("/blog/accounting-tips"));
    }

    #[test]
    fn links_imitating_the_sender() {
        assert!(imitates_sender("update.comfed-bank.net", "comfedbank.com"));
        assert!(imitates_sender(
            "www.lasallebank-online.com",
            "lasallebank.com"
        ));
        assert!(!imitates_sender(
            "creditunion1.cyber-branch.com",
            "creditunion1.org"
        ));
        assert!(!imitates_sender(
            "www.lasallebank.com",
            "mail.lasallebank.com"
        ));
        assert!(!imitates_sender("uk.my.yahoo.com", "yahoo.co.uk"));
        assert!(!imitates_sender("www.isilox.com", "isilo.com"));
        assert!(!imitates_sender("news.example", "cnet.com"));
        assert!(!imitates_sender("198.51.100.2", "example.com"));
    }
}
