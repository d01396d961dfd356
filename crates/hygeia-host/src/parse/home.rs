//! The home network transcript ([`crate::net::Transcript`]) read into facts: the router's
//! identity, its port mappings, the management services it answers on, and the other devices
//! that announced themselves.

use super::ParseError;
use super::upnp::{self, MappingAnswer, PortMapping};
use crate::net::{Answer, TRANSCRIPT_SCHEMA, Transcript, from_hex};
use hygeia_core::{HomeNetwork, RouterPort};

/// What the router says it is (from its UPnP description).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RouterIdentity {
    /// Maker.
    pub manufacturer: String,
    /// Model name.
    pub model_name: String,
    /// Model number (often the hardware or firmware version).
    pub model_number: String,
    /// Name the owner gave it.
    pub friendly_name: String,
    /// The SSDP `SERVER` header (operating system and UPnP stack).
    pub server: String,
}

impl RouterIdentity {
    /// "D-Link DIR-859 (1.06B01)".
    pub fn label(&self) -> String {
        let mut label = format!("{} {}", self.manufacturer, self.model_name)
            .trim()
            .to_string();
        if !self.model_number.is_empty() && self.model_number != self.model_name {
            label.push_str(&format!(" ({})", self.model_number));
        }
        label
    }

    /// The names the model goes by, most specific first: routers put the model in
    /// `modelName` ("DIR-859") or in `modelNumber` with a marketing name in `modelName`
    /// ("D-Link Router" / "DIR-859"); a version in `modelNumber` is not a model. Only names
    /// with a digit count: "Router" or "Wireless Router" would match every model of the maker.
    pub fn models(&self) -> Vec<&str> {
        let mut models = Vec::new();
        for name in [&self.model_name, &self.model_number] {
            let name = name.trim();
            if name.contains(|c: char| c.is_ascii_digit())
                && !looks_like_version(name)
                && !models.contains(&name)
            {
                models.push(name);
            }
        }
        models
    }

    /// The firmware version the router announced, and where it was read. The SSDP `SERVER`
    /// header often names it right after the model ("DIR-859 Ver 1.06", "FRITZ!Box 7590
    /// 154.07.29"); otherwise a `modelNumber` written as a version ("1.06B01") is taken,
    /// though some makers put the hardware revision there, which the finding says.
    pub fn firmware(&self) -> Option<(String, &'static str)> {
        let from_server = self
            .models()
            .iter()
            .find_map(|model| version_after(&self.server, model));
        if let Some(version) = from_server {
            return Some((version, "the router's SSDP SERVER header"));
        }
        let number = self.model_number.trim();
        (looks_like_version(number) && number != self.model_name.trim())
            .then(|| (number.to_string(), "the router's UPnP model number"))
    }
}

/// "1.06B01", "v2.0.1", "154.07.29": starts with a digit (after an optional `v`) and has a
/// dot, and is short.
fn looks_like_version(text: &str) -> bool {
    let rest = text.strip_prefix(['v', 'V']).unwrap_or(text);
    text.len() <= 32
        && rest.starts_with(|c: char| c.is_ascii_digit())
        && rest.contains('.')
        && !rest.contains(char::is_whitespace)
}

/// The version written right after the last mention of `model` in `header`, skipping
/// separators and a label word ("DIR-859/1.06", "DIR-859 Ver 1.06", "DIR-859, v1.06").
fn version_after(header: &str, model: &str) -> Option<String> {
    if model.is_empty() {
        return None;
    }
    let lower = header.to_ascii_lowercase();
    let at = lower.rfind(&model.to_ascii_lowercase())? + model.len();
    let rest = header.get(at..)?;
    // The model must end there: "DIR-8590" is not "DIR-859".
    if rest.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let mut tokens = rest
        .split(|c: char| c.is_whitespace() || c == ',' || c == '/' || c == ';')
        .filter(|t| !t.is_empty());
    let mut token = tokens.next()?;
    if matches!(
        token.to_ascii_lowercase().as_str(),
        "ver" | "ver." | "version" | "fw" | "firmware"
    ) {
        token = tokens.next()?;
    }
    looks_like_version(token).then(|| token.to_string())
}

/// A router port and what it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterService {
    /// The catalog entry.
    pub port: RouterPort,
    /// The settings page only sends the browser to HTTPS.
    pub redirects_to_https: bool,
    /// First line of what it sent (status line or banner).
    pub first_line: String,
}

/// A device that answered discovery.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Neighbour {
    /// Its address.
    pub address: String,
    /// Kinds recognised (catalog names) and whether each belongs on a separate network.
    pub kinds: Vec<(String, bool)>,
    /// Names it announced (mDNS service instances).
    pub names: Vec<String>,
    /// Software it named in SSDP replies (the `SERVER` header).
    pub software: Vec<String>,
    /// What it announced: service and device types.
    pub announced: Vec<String>,
}

impl Neighbour {
    /// Whether any of its kinds belongs on a separate network.
    pub fn belongs_elsewhere(&self) -> bool {
        self.kinds.iter().any(|(_, separate)| *separate)
    }
}

/// The home network as the probes saw it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HomeFacts {
    /// The router's address.
    pub gateway: String,
    /// This computer's address.
    pub local_address: String,
    /// The router answered as a UPnP Internet Gateway Device.
    pub upnp_gateway: bool,
    /// What it says it is.
    pub router: Option<RouterIdentity>,
    /// Its port mappings.
    pub mappings: Vec<PortMapping>,
    /// Port mapping answers that could not be read (with why).
    pub mapping_problems: Vec<String>,
    /// Its description offers Wi-Fi Protected Setup.
    pub wps: bool,
    /// NAT-PMP answered: the external address it gave ("" when the answer had none).
    pub natpmp: Option<String>,
    /// Router ports that answered.
    pub services: Vec<RouterService>,
    /// Router ports tried.
    pub ports_tried: Vec<u16>,
    /// Other devices that answered.
    pub neighbours: Vec<Neighbour>,
    /// Datagrams sent and connections opened.
    pub packets_sent: u32,
}

/// Reads the transcript saved by the probes.
pub fn read(raw: &str, catalog: &HomeNetwork) -> Result<HomeFacts, ParseError> {
    let transcript: Transcript = serde_json::from_str(raw)
        .map_err(|e| ParseError::new("home network probe", format!("not readable: {e}")))?;
    if transcript.schema != TRANSCRIPT_SCHEMA {
        return Err(ParseError::new(
            "home network probe",
            format!(
                "schema {:?}, expected {TRANSCRIPT_SCHEMA}",
                transcript.schema
            ),
        ));
    }
    let gateway = transcript.gateway.clone();
    let mut facts = HomeFacts {
        gateway: gateway.clone(),
        local_address: transcript.local_address.clone(),
        packets_sent: transcript.packets_sent,
        ..HomeFacts::default()
    };
    let mut neighbours: Vec<Neighbour> = Vec::new();
    let mut gateway_server = String::new();
    for datagram in &transcript.ssdp {
        let Ok(reply) = upnp::parse_ssdp_reply(&datagram.data) else {
            continue;
        };
        let address = host_of(&datagram.from);
        if address == gateway {
            if reply
                .search_target
                .contains(":device:InternetGatewayDevice:")
                || reply.search_target.contains(":service:WANIPConnection:")
                || reply.search_target.contains(":service:WANPPPConnection:")
            {
                facts.upnp_gateway = true;
            }
            if gateway_server.is_empty() {
                gateway_server = reply.server.clone();
            }
            continue;
        }
        if address == transcript.local_address {
            continue;
        }
        let entry = neighbour(&mut neighbours, &address);
        push_unique(&mut entry.announced, reply.search_target.clone());
        if !reply.server.is_empty() {
            push_unique(&mut entry.software, reply.server.clone());
        }
        for kind in &catalog.neighbour {
            let target = reply.search_target.to_ascii_lowercase();
            if kind
                .ssdp
                .iter()
                .any(|p| target.starts_with(&p.to_ascii_lowercase()))
            {
                push_kind(entry, &kind.kind, kind.separate);
            }
        }
    }
    for datagram in &transcript.mdns {
        let address = host_of(&datagram.from);
        if address == gateway || address == transcript.local_address {
            continue;
        }
        let Some(answer) =
            from_hex(&datagram.data).and_then(|b| super::mdns::parse_response(&b).ok())
        else {
            continue;
        };
        let entry = neighbour(&mut neighbours, &address);
        for service in &answer.service_types {
            push_unique(&mut entry.announced, service.clone());
            for kind in &catalog.neighbour {
                if kind.mdns.iter().any(|t| t.eq_ignore_ascii_case(service)) {
                    push_kind(entry, &kind.kind, kind.separate);
                }
            }
        }
        for instance in &answer.instances {
            let name = instance.split("._").next().unwrap_or(instance);
            push_unique(&mut entry.names, name.to_string());
        }
    }
    facts.neighbours = neighbours;
    for exchange in &transcript.http {
        let Answer::Reply { data } = &exchange.answer else {
            if exchange.purpose.starts_with("port-mapping") {
                facts.mapping_problems.push(format!(
                    "{}: {}",
                    exchange.url,
                    describe_answer(&exchange.answer)
                ));
            }
            continue;
        };
        let Ok(response) = upnp::parse_http_response(data) else {
            continue;
        };
        if exchange.purpose == "description" {
            if let Ok(description) = upnp::parse_description(&response.body) {
                if description.offers_wps() {
                    facts.wps = true;
                }
                if description.is_gateway() {
                    facts.upnp_gateway = true;
                    facts.router.get_or_insert(RouterIdentity {
                        manufacturer: description.manufacturer,
                        model_name: description.model_name,
                        model_number: description.model_number,
                        friendly_name: description.friendly_name,
                        server: gateway_server.clone(),
                    });
                }
            }
        } else if exchange.purpose.starts_with("port-mapping") {
            match upnp::parse_mapping_answer(&response.body) {
                Ok(MappingAnswer::Entry(mapping)) => facts.mappings.push(mapping),
                // 713 is the normal end of the list; 606 and 401 mean the router refuses to list.
                Ok(MappingAnswer::Fault { code: 713, .. }) => {}
                Ok(MappingAnswer::Fault { code, description }) => {
                    facts.mapping_problems.push(format!(
                        "the router refused to list its mappings (UPnP error {code} {description})"
                    ))
                }
                Err(e) => facts.mapping_problems.push(e.to_string()),
            }
        }
    }
    if let Answer::Reply { data } = &transcript.natpmp {
        facts.natpmp = from_hex(data).and_then(|b| natpmp_external(&b));
    }
    for answer in &transcript.ports {
        let Some(port) = catalog.router_port.iter().find(|p| p.port == answer.port) else {
            continue;
        };
        facts.ports_tried.push(answer.port);
        if answer.state != "open" {
            continue;
        }
        let response = upnp::parse_http_response(&answer.reply).ok();
        let redirects_to_https = response.as_ref().is_some_and(|r| {
            (300..400).contains(&r.status)
                && r.header("location")
                    .is_some_and(|l| l.to_ascii_lowercase().starts_with("https://"))
        });
        let first_line = answer
            .reply
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_control())
            .take(80)
            .collect();
        facts.services.push(RouterService {
            port: port.clone(),
            redirects_to_https,
            first_line,
        });
    }
    Ok(facts)
}

/// A NAT-PMP external address answer (RFC 6886 3.2): version 0, opcode 128, result 0, then
/// the seconds since start and the address. Any other well-formed answer still shows that
/// NAT-PMP is on; the address is then "".
fn natpmp_external(bytes: &[u8]) -> Option<String> {
    if bytes.len() < 4 || bytes[1] < 128 {
        return None;
    }
    let result = u16::from_be_bytes([bytes[2], bytes[3]]);
    if bytes[0] == 0 && bytes[1] == 128 && result == 0 && bytes.len() >= 12 {
        return Some(std::net::Ipv4Addr::new(bytes[8], bytes[9], bytes[10], bytes[11]).to_string());
    }
    Some(String::new())
}

fn describe_answer(answer: &Answer) -> String {
    match answer {
        Answer::NotAsked => "not asked".into(),
        Answer::Reply { .. } => "answered".into(),
        Answer::Silent => "no answer".into(),
        Answer::Failed { message } => message.clone(),
    }
}

fn host_of(from: &str) -> String {
    from.rsplit_once(':')
        .map(|(h, _)| h)
        .unwrap_or(from)
        .to_string()
}

fn neighbour<'a>(list: &'a mut Vec<Neighbour>, address: &str) -> &'a mut Neighbour {
    let index = match list.iter().position(|n| n.address == address) {
        Some(i) => i,
        None => {
            list.push(Neighbour {
                address: address.to_string(),
                ..Neighbour::default()
            });
            list.len() - 1
        }
    };
    &mut list[index]
}

fn push_kind(entry: &mut Neighbour, kind: &str, separate: bool) {
    if !entry.kinds.iter().any(|(k, _)| k == kind) {
        entry.kinds.push((kind.to_string(), separate));
    }
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !value.is_empty() && !list.contains(&value) && list.len() < 32 {
        list.push(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(model_name: &str, model_number: &str, server: &str) -> RouterIdentity {
        RouterIdentity {
            manufacturer: "Maker".into(),
            model_name: model_name.into(),
            model_number: model_number.into(),
            friendly_name: String::new(),
            server: server.into(),
        }
    }

    #[test]
    fn models_leave_out_versions_and_repeats() {
        assert_eq!(router("DIR-859", "1.06B01", "").models(), vec!["DIR-859"]);
        assert_eq!(
            router("D-Link Router", "DIR-859", "").models(),
            vec!["DIR-859"]
        );
        assert_eq!(
            router("Archer C7", "AC1750 v2", "").models(),
            vec!["Archer C7", "AC1750 v2"]
        );
        assert_eq!(
            router("Archer C7", "Archer C7", "").models(),
            vec!["Archer C7"]
        );
        assert!(router("", "", "").models().is_empty());
    }

    #[test]
    fn firmware_from_the_server_header_first() {
        let r = router(
            "D-Link Router",
            "DIR-859",
            "Linux, UPnP/1.0, DIR-859 Ver 1.06",
        );
        assert_eq!(
            r.firmware(),
            Some(("1.06".to_string(), "the router's SSDP SERVER header"))
        );
        let fritz = router(
            "FRITZ!Box 7590",
            "avm",
            "FRITZ!Box 7590 UPnP/1.0 AVM FRITZ!Box 7590 154.07.29",
        );
        assert_eq!(fritz.firmware().map(|f| f.0), Some("154.07.29".into()));
        let slash = router("DIR-859", "", "Linux/3.x UPnP/1.0 DIR-859/v1.06B01");
        assert_eq!(slash.firmware().map(|f| f.0), Some("v1.06B01".into()));
        // The model must end where the version starts.
        assert_eq!(router("DIR-859", "", "DIR-8590 1.2").firmware(), None);
        // The UPnP stack's version is not the router's.
        assert_eq!(
            router("DIR-859", "", "Debian/12 UPnP/1.1 MiniUPnPd/2.3.1").firmware(),
            None
        );
    }

    #[test]
    fn firmware_from_a_model_number_written_as_a_version() {
        assert_eq!(
            router("DIR-859", "1.06B01", "Debian/12 UPnP/1.1 MiniUPnPd/2.3.1").firmware(),
            Some(("1.06B01".to_string(), "the router's UPnP model number"))
        );
        assert_eq!(router("Archer C7", "AC1750", "").firmware(), None);
        assert_eq!(router("R7000", "R7000", "").firmware(), None);
        assert_eq!(router("x", "1 . 2 and more", "").firmware(), None);
    }
}
