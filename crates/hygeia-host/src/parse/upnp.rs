//! UPnP as a home router speaks it: SSDP replies, HTTP responses, the device description XML
//! (maker, model, services) and the SOAP answers of `GetGenericPortMappingEntry`.

use super::ParseError;

/// An HTTP response (SSDP replies use the same shape without a body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers in order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Body, de-chunked when sent in chunks.
    pub body: String,
}

impl HttpResponse {
    /// The first header of that (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Splits an HTTP/1.x response into status, headers and body.
pub fn parse_http_response(raw: &str) -> Result<HttpResponse, ParseError> {
    let (head, body) = match raw.split_once("\r\n\r\n") {
        Some(parts) => parts,
        None => raw.split_once("\n\n").unwrap_or((raw, "")),
    };
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or("");
    let mut words = status_line.split_whitespace();
    let version = words.next().unwrap_or("");
    if !version.starts_with("HTTP/") {
        return Err(ParseError::new(
            "HTTP response",
            format!(
                "does not start with an HTTP status line: {:?}",
                cut(status_line, 60)
            ),
        ));
    }
    let status = words
        .next()
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| ParseError::new("HTTP response", "the status code is not a number"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_string()
    };
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

/// Joins the chunks of a chunked body; a damaged chunk ends the body where it is.
fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size_line, after)) = rest.split_once("\r\n") {
        let size_text = size_line.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            break;
        };
        if size == 0 || after.len() < size || !after.is_char_boundary(size) {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].strip_prefix("\r\n").unwrap_or(&after[size..]);
    }
    out
}

fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// One SSDP reply to M-SEARCH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsdpReply {
    /// The search target it answers for (`ST`).
    pub search_target: String,
    /// The description's URL (`LOCATION`).
    pub location: String,
    /// The `SERVER` header: operating system, UPnP version, product.
    pub server: String,
    /// The unique service name (`USN`).
    pub usn: String,
}

/// Reads one SSDP reply (an HTTP 200 over UDP).
pub fn parse_ssdp_reply(raw: &str) -> Result<SsdpReply, ParseError> {
    let response = parse_http_response(raw)?;
    if response.status != 200 {
        return Err(ParseError::new(
            "SSDP reply",
            format!("status {} instead of 200", response.status),
        ));
    }
    let get = |name: &str| response.header(name).unwrap_or("").to_string();
    Ok(SsdpReply {
        search_target: get("st"),
        location: get("location"),
        server: get("server"),
        usn: get("usn"),
    })
}

/// A service a UPnP device offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpnpService {
    /// e.g. `urn:schemas-upnp-org:service:WANIPConnection:2`.
    pub service_type: String,
    /// Path (or URL) to send SOAP actions to.
    pub control_url: String,
}

/// What a device description says about the device and its embedded devices.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceDescription {
    /// Root device type.
    pub device_type: String,
    /// Name the owner gave it.
    pub friendly_name: String,
    /// Maker.
    pub manufacturer: String,
    /// Model name.
    pub model_name: String,
    /// Model number (many routers put the hardware or firmware version here).
    pub model_number: String,
    /// Description of the model.
    pub model_description: String,
    /// Every device type, root and embedded.
    pub device_types: Vec<String>,
    /// Every service, root and embedded.
    pub services: Vec<UpnpService>,
    /// `URLBase`, when given (UPnP 1.0).
    pub url_base: String,
}

impl DeviceDescription {
    /// The services that hold port mappings (WANIPConnection, WANPPPConnection).
    pub fn port_mapping_services(&self) -> Vec<&UpnpService> {
        self.services
            .iter()
            .filter(|s| {
                s.service_type
                    .starts_with("urn:schemas-upnp-org:service:WANIPConnection:")
                    || s.service_type
                        .starts_with("urn:schemas-upnp-org:service:WANPPPConnection:")
            })
            .collect()
    }

    /// Whether the description offers Wi-Fi Protected Setup (the Wi-Fi Alliance's WFA device
    /// or WLAN configuration service).
    pub fn offers_wps(&self) -> bool {
        self.device_types
            .iter()
            .any(|t| t.starts_with("urn:schemas-wifialliance-org:device:WFADevice:"))
            || self.services.iter().any(|s| {
                s.service_type
                    .starts_with("urn:schemas-wifialliance-org:service:WFAWLANConfig:")
            })
    }

    /// Whether this is an Internet Gateway Device (a router).
    pub fn is_gateway(&self) -> bool {
        self.device_type
            .starts_with("urn:schemas-upnp-org:device:InternetGatewayDevice:")
            || !self.port_mapping_services().is_empty()
    }
}

/// Largest description accepted: real ones are a few KiB.
const MAX_DESCRIPTION_BYTES: usize = 512 * 1024;

/// Reads a UPnP device description (`rootDesc.xml` and the like).
pub fn parse_description(xml: &str) -> Result<DeviceDescription, ParseError> {
    if xml.len() > MAX_DESCRIPTION_BYTES {
        return Err(ParseError::new(
            "UPnP description",
            format!("larger than {} KiB", MAX_DESCRIPTION_BYTES / 1024),
        ));
    }
    let doc = roxmltree::Document::parse(xml.trim_start_matches('\u{feff}').trim_start())
        .map_err(|e| ParseError::new("UPnP description", format!("not valid XML: {e}")))?;
    let root = doc.root_element();
    let child_text = |node: roxmltree::Node, name: &str| -> String {
        node.children()
            .find(|c| c.is_element() && c.tag_name().name() == name)
            .and_then(|c| c.text())
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let Some(device) = root
        .children()
        .find(|c| c.is_element() && c.tag_name().name() == "device")
    else {
        return Err(ParseError::new(
            "UPnP description",
            "no <device> element under the root",
        ));
    };
    let mut description = DeviceDescription {
        device_type: child_text(device, "deviceType"),
        friendly_name: child_text(device, "friendlyName"),
        manufacturer: child_text(device, "manufacturer"),
        model_name: child_text(device, "modelName"),
        model_number: child_text(device, "modelNumber"),
        model_description: child_text(device, "modelDescription"),
        url_base: child_text(root, "URLBase"),
        ..DeviceDescription::default()
    };
    for node in device.descendants().filter(|n| n.is_element()) {
        match node.tag_name().name() {
            "device" => description
                .device_types
                .push(child_text(node, "deviceType")),
            "service" => description.services.push(UpnpService {
                service_type: child_text(node, "serviceType"),
                control_url: child_text(node, "controlURL"),
            }),
            _ => {}
        }
    }
    Ok(description)
}

/// One port mapping as the router lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortMapping {
    /// `TCP` or `UDP`.
    pub protocol: String,
    /// The port open on the internet side.
    pub external_port: u16,
    /// The inside computer it leads to.
    pub internal_client: String,
    /// The port on that computer.
    pub internal_port: u16,
    /// What the program that asked for it called it.
    pub description: String,
    /// Whether it is active.
    pub enabled: bool,
    /// Only this internet address may use it ("" for everyone).
    pub remote_host: String,
}

/// The answer to `GetGenericPortMappingEntry`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingAnswer {
    /// The entry at that index.
    Entry(PortMapping),
    /// A SOAP fault: 713 (SpecifiedArrayIndexInvalid) ends the list; others are errors.
    Fault {
        /// UPnP error code.
        code: u32,
        /// Its description.
        description: String,
    },
}

/// Reads the SOAP body of a `GetGenericPortMappingEntry` response or fault.
pub fn parse_mapping_answer(body: &str) -> Result<MappingAnswer, ParseError> {
    let doc = roxmltree::Document::parse(body.trim_start())
        .map_err(|e| ParseError::new("UPnP port mapping answer", format!("not valid XML: {e}")))?;
    let text = |name: &str| -> Option<String> {
        doc.descendants()
            .find(|n| n.is_element() && n.tag_name().name() == name)
            .map(|n| n.text().unwrap_or("").trim().to_string())
    };
    if let Some(code) = text("errorCode") {
        return Ok(MappingAnswer::Fault {
            code: code.parse().unwrap_or(0),
            description: text("errorDescription").unwrap_or_default(),
        });
    }
    let port = |name: &str| -> Result<u16, ParseError> {
        text(name).and_then(|v| v.parse().ok()).ok_or_else(|| {
            ParseError::new(
                "UPnP port mapping answer",
                format!("{name} is missing or not a port number"),
            )
        })
    };
    Ok(MappingAnswer::Entry(PortMapping {
        protocol: text("NewProtocol").unwrap_or_default().to_ascii_uppercase(),
        external_port: port("NewExternalPort")?,
        internal_client: text("NewInternalClient").unwrap_or_default(),
        internal_port: port("NewInternalPort")?,
        description: text("NewPortMappingDescription").unwrap_or_default(),
        enabled: text("NewEnabled").is_none_or(|v| v != "0"),
        remote_host: text("NewRemoteHost").unwrap_or_default(),
    }))
}

/// The SOAP request body for one `GetGenericPortMappingEntry`.
pub fn mapping_request(service_type: &str, index: u32) -> String {
    format!(
        "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:GetGenericPortMappingEntry xmlns:u=\"{service_type}\"><NewPortMappingIndex>{index}</NewPortMappingIndex></u:GetGenericPortMappingEntry></s:Body></s:Envelope>\r\n"
    )
}

/// Resolves a control URL against the description's URL (or its `URLBase`): returns
/// (host, port, path). Only `http://` is understood.
pub fn resolve_url(base: &str, reference: &str) -> Option<(String, u16, String)> {
    if let Some(rest) = reference.strip_prefix("http://") {
        return split_http_url(rest);
    }
    let base = base.strip_prefix("http://")?;
    let (host, port, _) = split_http_url(base)?;
    let path = if reference.starts_with('/') {
        reference.to_string()
    } else {
        format!("/{reference}")
    };
    if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    Some((host, port, path))
}

/// `host[:port]/path` → parts.
fn split_http_url(rest: &str) -> Option<(String, u16, String)> {
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (authority, 80),
    };
    // The path goes into a request line: no spaces or control characters (no header smuggling).
    if host.is_empty() || path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    Some((host.to_string(), port, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESCRIPTION: &str = include_str!("../../tests/fixtures/net/miniupnpd-rootDesc.xml");

    #[test]
    fn reads_a_miniupnpd_description() {
        let d = parse_description(DESCRIPTION).unwrap();
        assert_eq!(d.manufacturer, "D-Link");
        assert_eq!(d.model_name, "DIR-859");
        assert_eq!(d.model_number, "1.06B01");
        assert!(d.is_gateway());
        assert!(!d.offers_wps());
        let mapping = d.port_mapping_services();
        assert_eq!(mapping.len(), 1);
        assert_eq!(
            mapping[0].service_type,
            "urn:schemas-upnp-org:service:WANIPConnection:2"
        );
        assert_eq!(mapping[0].control_url, "/ctl/IPConn");
    }

    #[test]
    fn reads_a_port_mapping_and_the_end_of_the_list() {
        let raw = include_str!("../../tests/fixtures/net/miniupnpd-mapping-0.txt");
        let response = parse_http_response(raw).unwrap();
        assert_eq!(response.status, 200);
        let MappingAnswer::Entry(m) = parse_mapping_answer(&response.body).unwrap() else {
            panic!("expected an entry")
        };
        assert_eq!(
            (
                m.protocol.as_str(),
                m.external_port,
                m.internal_client.as_str(),
                m.internal_port
            ),
            ("TCP", 3389, "192.168.77.10", 3389)
        );
        assert_eq!(m.description, "Remote Desktop");
        let fault = "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>713</errorCode><errorDescription>SpecifiedArrayIndexInvalid</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>";
        assert_eq!(
            parse_mapping_answer(fault).unwrap(),
            MappingAnswer::Fault {
                code: 713,
                description: "SpecifiedArrayIndexInvalid".into()
            }
        );
    }

    #[test]
    fn reads_ssdp_replies() {
        let raw = include_str!("../../tests/fixtures/net/miniupnpd-ssdp-reply.txt");
        let reply = parse_ssdp_reply(raw).unwrap();
        assert_eq!(
            reply.search_target,
            "urn:schemas-upnp-org:device:InternetGatewayDevice:2"
        );
        assert_eq!(reply.location, "http://192.168.77.1:5000/rootDesc.xml");
        assert!(reply.server.contains("MiniUPnPd/2.3.1"));
        assert!(parse_ssdp_reply("NOTIFY * HTTP/1.1\r\n\r\n").is_err());
    }

    #[test]
    fn chunked_bodies_and_hostile_xml() {
        let r = parse_http_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").unwrap();
        assert_eq!(r.body, "hello world");
        let r = parse_http_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
            .unwrap();
        assert_eq!(r.body, "");
        assert!(parse_description("<root><device>").is_err());
        assert!(parse_description("<root/>").is_err());
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">]><root><device><friendlyName>&f;</friendlyName></device></root>";
        // roxmltree refuses entity expansion past its limits: an error, never a hang.
        let _ = parse_description(bomb);
    }

    #[test]
    fn resolves_control_urls() {
        assert_eq!(
            resolve_url("http://192.168.77.1:5000/rootDesc.xml", "/ctl/IPConn"),
            Some(("192.168.77.1".into(), 5000, "/ctl/IPConn".into()))
        );
        assert_eq!(
            resolve_url("http://192.168.1.1/desc.xml", "ctl"),
            Some(("192.168.1.1".into(), 80, "/ctl".into()))
        );
        assert_eq!(
            resolve_url("", "http://10.0.0.1:49152/upnp/control/WANIPConn1"),
            Some(("10.0.0.1".into(), 49152, "/upnp/control/WANIPConn1".into()))
        );
        assert_eq!(resolve_url("ftp://x", "/a"), None);
        assert_eq!(
            resolve_url("http://10.0.0.1/", "/ctl HTTP/1.1\r\nX-Evil: 1"),
            None
        );
        assert_eq!(resolve_url("", "http://10.0.0.1/a\r\nb"), None);
    }
}
