//! Just enough URL handling for judging links: scheme, host, user-info, redirect targets and
//! the registrable domain ("example.co.uk" for "mail.example.co.uk").

/// The parts of a URL that the link indicators read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts {
    /// Lower-case scheme (`http`, `https`, `data`, `mailto`...).
    pub scheme: String,
    /// Lower-case host without port or brackets; empty for `data:` and `mailto:`.
    pub host: String,
    /// The URL has `user@` before the host (`http://paypal.com@evil.example/`).
    pub userinfo: Option<String>,
    /// Path, query and fragment.
    pub rest: String,
    /// The port, when the address names one (`:8081`).
    pub port: Option<u16>,
    /// The host was written with %-escapes (`w%77%77.example`), which browsers decode; `host`
    /// holds the decoded name.
    pub host_was_encoded: bool,
}

/// Splits a URL; `None` when it has no scheme.
pub fn parse_url(raw: &str) -> Option<UrlParts> {
    let raw = raw
        .trim()
        .trim_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace());
    let (scheme, rest) = raw.split_once(':')?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let scheme = scheme.to_ascii_lowercase();
    let Some(after) = rest
        .strip_prefix("//")
        .or_else(|| rest.strip_prefix("\\\\"))
    else {
        return Some(UrlParts {
            scheme,
            host: String::new(),
            userinfo: None,
            rest: rest.to_string(),
            port: None,
            host_was_encoded: false,
        });
    };
    let end = after.find(['/', '?', '#', '\\']).unwrap_or(after.len());
    let (authority, tail) = after.split_at(end);
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((user, host)) => (Some(user.to_string()), host),
        None => (None, authority),
    };
    let port = hostport
        .rsplit_once(':')
        .filter(|(h, _)| !h.contains(':') || h.ends_with(']'))
        .and_then(|(_, p)| p.parse::<u16>().ok());
    let host = if let Some(v6) = hostport.strip_prefix('[') {
        v6.split(']').next().unwrap_or(v6).to_string()
    } else {
        hostport
            .rsplit_once(':')
            .map_or(hostport, |(h, port)| {
                if port.chars().all(|c| c.is_ascii_digit()) {
                    h
                } else {
                    hostport
                }
            })
            .to_string()
    };
    let host_was_encoded = host.contains('%');
    let host = if host_was_encoded {
        percent_decode(&host)
    } else {
        host
    };
    Some(UrlParts {
        scheme,
        host: host.trim_end_matches('.').to_lowercase(),
        userinfo,
        rest: tail.to_string(),
        port,
        host_was_encoded,
    })
}

/// Whether a host is an IP address literal (v4, v6, or a bare/hex/octal number).
pub fn is_ip_literal(host: &str) -> bool {
    if host.contains(':') {
        return host
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
    }
    if host.is_empty() {
        return false;
    }
    let parts: Vec<&str> = host.split('.').collect();
    // 198.51.100.23, also the obfuscated forms 3325256727 and 0xC6.0x33.0x64.0x17.
    parts.len() <= 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && (p.chars().all(|c| c.is_ascii_digit())
                    || (p.starts_with("0x")
                        && p.len() > 2
                        && p[2..].chars().all(|c| c.is_ascii_hexdigit())))
        })
}

/// The registrable domain of a host by the Public Suffix List, private section included: the
/// part a single owner registered (`example.co.uk`, `clinic.firebaseapp.com`, `paypal.com` for
/// `a.b.paypal.com`). A host that is itself a public suffix, or has no known suffix, is
/// returned as it is; IP literals are returned whole.
pub fn registrable_domain(host: &str) -> String {
    let host = host.trim_end_matches('.');
    if is_ip_literal(host) {
        return host.to_string();
    }
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        return registrable_domain(&host.to_ascii_lowercase());
    }
    if let Some(site) = tenant_site(host) {
        return site.to_string();
    }
    match psl::domain_str(host) {
        Some(domain) => domain.to_string(),
        None => host.to_string(),
    }
}

/// Multi-tenant services that the Public Suffix List does not list (`tenant_suffixes` in
/// `catalog/mail-link-services.toml`), lower-case.
fn tenant_suffixes() -> &'static [String] {
    #[derive(serde::Deserialize)]
    struct Only {
        #[serde(default)]
        tenant_suffixes: Vec<String>,
    }
    static SUFFIXES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    SUFFIXES.get_or_init(|| {
        // `MailCatalog::builtin` reads the whole file first and refuses to start when it is
        // not valid, so the empty fallback is never what a scan uses.
        hygeia_core::catalog_files::read::<Only>("mail-link-services.toml")
            .map(|o| o.tenant_suffixes.iter().map(|s| s.to_lowercase()).collect())
            .unwrap_or_default()
    })
}

/// The tenant's site of a host under a multi-tenant service: the label just before the
/// service's suffix, with the suffix (`clinic.sharepoint.com` for
/// `clinic.sharepoint.com/sites/x` or `a.clinic.sharepoint.com`).
fn tenant_site(host: &str) -> Option<&str> {
    tenant_suffixes().iter().find_map(|suffix| {
        let before = host.strip_suffix(suffix.as_str())?.strip_suffix('.')?;
        let label_start = before.rfind('.').map_or(0, |i| i + 1);
        (!before[label_start..].is_empty()).then(|| &host[label_start..])
    })
}

/// Decodes `%XX` escapes (invalid ones are kept as they are).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The target a redirector or safe-link wrapper carries in its query (`url=`, `u=`, `q=`...),
/// when it is itself an http(s) URL.
pub fn redirect_target(url: &UrlParts) -> Option<String> {
    query_redirect_target(url).or_else(|| path_redirect_target(&url.rest))
}

/// A target written into a redirector's path: escaped, as GovDelivery writes it
/// (`/CL0/https:%2F%2Fwww.cms.gov%2Fnews/1/...`), or between `__` marks, as Proofpoint's URL
/// Defense does (`/v3/__https://example.com/page__;!!...`).
fn path_redirect_target(rest: &str) -> Option<String> {
    let path = rest.split(['?', '#']).next().unwrap_or(rest);
    if let Some(start) = path.find("/__http") {
        let inner = &rest[start + 3..];
        let end = inner.find("__").unwrap_or(inner.len());
        return Some(inner[..end].to_string());
    }
    let lower = path.to_ascii_lowercase();
    let start = lower
        .find("/https%3a%2f%2f")
        .or_else(|| lower.find("/https:%2f%2f"))
        .or_else(|| lower.find("/http%3a%2f%2f"))
        .or_else(|| lower.find("/http:%2f%2f"))?;
    // The escaped target holds no bare '/': the next one ends it.
    let inner = &path[start + 1..];
    let end = inner.find('/').unwrap_or(inner.len());
    let decoded = percent_decode(&inner[..end]);
    (decoded.starts_with("http://") || decoded.starts_with("https://")).then_some(decoded)
}

fn query_redirect_target(url: &UrlParts) -> Option<String> {
    let query = url.rest.split_once('?').map(|(_, q)| q)?;
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if !matches!(
            key.to_ascii_lowercase().as_str(),
            "url"
                | "u"
                | "q"
                | "target"
                | "dest"
                | "destination"
                | "redirect"
                | "redirect_url"
                | "r"
                | "link"
        ) {
            continue;
        }
        let decoded = percent_decode(value);
        if decoded.starts_with("http://") || decoded.starts_with("https://") {
            return Some(decoded);
        }
    }
    None
}

/// If `text` is written like a web address (`www.bank.com`, `https://bank.com/login`,
/// `bank.com`), the host it names.
pub fn host_shown_in_text(text: &str) -> Option<String> {
    let text = text
        .trim()
        .trim_matches(|c: char| matches!(c, '<' | '>' | '(' | ')' | '[' | ']' | '"' | '\''));
    if text.is_empty()
        || text.contains(char::is_whitespace)
        || text.contains('@') && !text.contains("://")
    {
        return None;
    }
    let candidate = if text.contains("://") {
        parse_url(text)?.host
    } else {
        text.split(['/', '?', '#']).next()?.to_lowercase()
    };
    let labels: Vec<&str> = candidate.split('.').collect();
    let tld = labels.last()?;
    let plausible = labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
        && tld.len() >= 2
        && tld.chars().all(|c| c.is_ascii_alphabetic());
    plausible.then_some(candidate)
}

/// Whether a host uses punycode (`xn--`) or mixes Latin letters with Cyrillic or Greek ones.
pub fn deceptive_host(host: &str) -> Option<&'static str> {
    if host.split('.').any(|l| l.starts_with("xn--")) {
        return Some("punycode");
    }
    let latin = host.chars().any(|c| c.is_ascii_alphabetic());
    let lookalike_script = host.chars().any(|c| matches!(c as u32, 0x0370..=0x04FF));
    (latin && lookalike_script).then_some("mixed scripts")
}

/// The host as a browser shows it: `xn--` (punycode) labels decoded. `None` when no label is
/// punycode or the name does not decode.
pub fn displayed_host(host: &str) -> Option<String> {
    if !host.split('.').any(|l| l.starts_with("xn--")) {
        return None;
    }
    let (shown, result) = idna::domain_to_unicode(host);
    result.ok().map(|()| shown)
}

/// For a host of which one label mixes Latin letters with Greek or Cyrillic look-alikes
/// ("pаypal.com" with a Cyrillic а), the Latin spelling it imitates ("paypal.com"). Labels
/// wholly in one script are left alone: a Greek or Russian name is not a disguise.
pub fn latin_spelling(shown: &str) -> Option<String> {
    let mut mixed = false;
    let mut out = String::with_capacity(shown.len());
    for (i, label) in shown.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        let latin = label.chars().any(|c| c.is_ascii_alphabetic());
        let foreign = label.chars().any(|c| matches!(c as u32, 0x0370..=0x04FF));
        if latin && foreign {
            mixed = true;
            for c in label.chars() {
                out.push(crate::indicators::sender::latin_look_alike(c).unwrap_or(c));
            }
        } else {
            out.push_str(label);
        }
    }
    mixed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_encoded_hosts() {
        let u = parse_url("http://w%77%77%2Eo%70tor%69um.example/remove.html")
            .unwrap_or_else(|| panic!("no url"));
        assert_eq!(u.host, "www.optorium.example");
        assert!(u.host_was_encoded);
        let u = parse_url("http://www.post-banken.example:8081/welcome.do")
            .unwrap_or_else(|| panic!("no url"));
        assert_eq!(u.port, Some(8081));
        let u = parse_url("http://[2001:db8::1]/x").unwrap_or_else(|| panic!("no url"));
        assert_eq!(u.port, None);
    }

    #[test]
    fn splits_urls() {
        let u = parse_url("HTTP://PayPal.com@198.51.100.23:8080/login?x=1")
            .unwrap_or_else(|| panic!("no url"));
        assert_eq!(
            (u.scheme.as_str(), u.host.as_str(), u.userinfo.as_deref()),
            ("http", "198.51.100.23", Some("PayPal.com"))
        );
        assert!(is_ip_literal(&u.host));
        assert!(is_ip_literal("3325256727") && !is_ip_literal("example.com"));
        assert_eq!(
            parse_url("data:text/html;base64,xx").map(|u| u.scheme),
            Some("data".into())
        );
        assert!(parse_url("not a url").is_none());
    }

    #[test]
    fn registrable_domains() {
        assert_eq!(registrable_domain("mail.example.co.uk"), "example.co.uk");
        assert_eq!(registrable_domain("a.b.paypal.com"), "paypal.com");
        assert_eq!(registrable_domain("correios.com.br"), "correios.com.br");
        // The private section: each tenant of a hosting service is its own site.
        assert_eq!(
            registrable_domain("clinic.firebaseapp.com"),
            "clinic.firebaseapp.com"
        );
        assert_ne!(
            registrable_domain("clinic.github.io"),
            registrable_domain("attacker.github.io")
        );
        assert_eq!(registrable_domain("github.io"), "github.io");
        // Tenants of services the list does not have (catalog/mail-link-services.toml).
        assert_eq!(
            registrable_domain("clinic.sharepoint.com"),
            "clinic.sharepoint.com"
        );
        assert_eq!(
            registrable_domain("my.clinic.sharepoint.com"),
            "clinic.sharepoint.com"
        );
        assert_ne!(
            registrable_domain("clinic.sharepoint.com"),
            registrable_domain("attacker.sharepoint.com")
        );
        assert_eq!(registrable_domain("sharepoint.com"), "sharepoint.com");
        assert_eq!(registrable_domain("Mail.Example.COM."), "example.com");
    }

    #[test]
    fn shown_hosts_and_redirects() {
        assert_eq!(
            host_shown_in_text("www.PayPal.com").as_deref(),
            Some("www.paypal.com")
        );
        assert_eq!(
            host_shown_in_text("https://bank.com/login").as_deref(),
            Some("bank.com")
        );
        assert_eq!(host_shown_in_text("Click here"), None);
        assert_eq!(host_shown_in_text("v1.2"), None);
        let wrapped = parse_url("https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fevil.example%2Fx&data=1").unwrap_or_else(|| panic!());
        assert_eq!(
            redirect_target(&wrapped).as_deref(),
            Some("https://evil.example/x")
        );
        let govdelivery = parse_url("https://links-4.govdelivery.com/CL0/https:%2F%2Fwww.cdc.gov%2Fflu%3Futm_medium=email/1/0100019-abc/312").unwrap_or_else(|| panic!());
        assert_eq!(
            redirect_target(&govdelivery).as_deref(),
            Some("https://www.cdc.gov/flu?utm_medium=email")
        );
        let proofpoint =
            parse_url("https://urldefense.com/v3/__https://www.example.org/referrals__;!!AbC!dEf$")
                .unwrap_or_else(|| panic!());
        assert_eq!(
            redirect_target(&proofpoint).as_deref(),
            Some("https://www.example.org/referrals")
        );
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(deceptive_host("xn--pypal-4ve.com"), Some("punycode"));
        let shown = displayed_host("xn--pypal-4ve.com").unwrap();
        assert_eq!(shown, "p\u{430}ypal.com");
        assert_eq!(latin_spelling(&shown).as_deref(), Some("paypal.com"));
        assert_eq!(
            latin_spelling("\u{43f}\u{440}\u{438}\u{43c}\u{435}\u{440}.\u{440}\u{444}"),
            None
        );
        assert_eq!(displayed_host("www.example.com"), None);
        assert_eq!(deceptive_host("pаypal.com"), Some("mixed scripts"));
    }
}
