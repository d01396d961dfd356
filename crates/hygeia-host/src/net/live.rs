//! The only code that sends packets. Every destination is the gateway address given by the
//! caller (checked to be a private address) or a link-local multicast group; a description URL
//! that names another host is noted and not fetched. No password is ever sent.

use super::{Answer, Datagram, HttpExchange, PortAnswer, TRANSCRIPT_SCHEMA, Transcript, to_hex};
use crate::parse::{mdns, upnp};
use hygeia_core::Catalog;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

const SSDP_GROUP: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(239, 255, 255, 250), 1900);
const MDNS_GROUP: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(224, 0, 0, 251), 5353);
/// How long replies to a multicast search are collected.
const LISTEN: Duration = Duration::from_millis(2500);
/// Connection limit for one TCP port on the router.
const CONNECT: Duration = Duration::from_secs(1);
/// Read limit for one HTTP answer from the router.
const READ: Duration = Duration::from_secs(3);
/// Most bytes kept from one HTTP answer.
const MAX_HTTP_BYTES: u64 = 512 * 1024;
/// Most datagrams kept from one search.
const MAX_DATAGRAMS: usize = 256;
/// Most port mappings read (index 0..this).
const MAX_MAPPINGS: u32 = 64;
/// Most description URLs fetched.
const MAX_DESCRIPTIONS: usize = 4;

/// Probes the home network through `gateway`. The caller has checked that it is a private
/// address ([`crate::parse::gateway::is_home_router_address`]).
pub fn probe_home(gateway: Ipv4Addr, catalog: &Catalog) -> Transcript {
    let mut transcript = Transcript {
        schema: TRANSCRIPT_SCHEMA.to_string(),
        gateway: gateway.to_string(),
        local_address: local_address(gateway),
        ..Transcript::default()
    };
    // SSDP and mDNS listen at the same time, so the whole probe stays within a few seconds.
    let (ssdp, mdns_replies) = std::thread::scope(|scope| {
        let ssdp = scope.spawn(|| multicast_search(SSDP_GROUP, 1, &ssdp_search(), false));
        let mdns_replies = scope.spawn(|| {
            multicast_search(MDNS_GROUP, 255, &mdns::ptr_query(mdns::SERVICES_NAME), true)
        });
        (
            ssdp.join().unwrap_or_else(|_| (Vec::new(), 0)),
            mdns_replies.join().unwrap_or_else(|_| (Vec::new(), 0)),
        )
    });
    transcript.packets_sent += ssdp.1 + mdns_replies.1;
    transcript.ssdp = ssdp.0;
    transcript.mdns = mdns_replies.0;
    read_upnp(gateway, &mut transcript);
    transcript.natpmp = natpmp(gateway);
    transcript.packets_sent += 1;
    for router_port in &catalog.home_network.router_port {
        transcript.ports.push(try_port(gateway, router_port));
        transcript.packets_sent += 1;
    }
    transcript
}

/// This computer's address towards the gateway (a UDP `connect` sends nothing).
fn local_address(gateway: Ipv4Addr) -> String {
    UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| {
            s.connect(SocketAddrV4::new(gateway, 1900))?;
            s.local_addr()
        })
        .map(|a| a.ip().to_string())
        .unwrap_or_default()
}

fn ssdp_search() -> Vec<u8> {
    b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 2\r\nST: ssdp:all\r\nUSER-AGENT: Hygeia/1 UPnP/1.1 hygeia-check/1\r\n\r\n".to_vec()
}

/// Sends `query` twice to a multicast group (UDP may drop one) and collects the replies sent
/// back to this socket. Returns them and the number of datagrams sent.
fn multicast_search(
    group: SocketAddrV4,
    ttl: u32,
    query: &[u8],
    binary: bool,
) -> (Vec<Datagram>, u32) {
    let Ok(socket) = UdpSocket::bind("0.0.0.0:0") else {
        return (Vec::new(), 0);
    };
    let _ = socket.set_multicast_ttl_v4(ttl);
    let mut sent = 0;
    for _ in 0..2 {
        if socket.send_to(query, group).is_ok() {
            sent += 1;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut replies = Vec::new();
    let deadline = Instant::now() + LISTEN;
    let mut buffer = vec![0u8; 9000];
    while replies.len() < MAX_DATAGRAMS {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || socket.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match socket.recv_from(&mut buffer) {
            Ok((n, from)) => replies.push(Datagram {
                from: from.to_string(),
                data: if binary {
                    to_hex(&buffer[..n])
                } else {
                    String::from_utf8_lossy(&buffer[..n]).into_owned()
                },
            }),
            Err(_) => break,
        }
    }
    (replies, sent)
}

/// Fetches the router's UPnP descriptions and, for each port mapping service, its mappings.
fn read_upnp(gateway: Ipv4Addr, transcript: &mut Transcript) {
    let mut locations: Vec<String> = Vec::new();
    for datagram in &transcript.ssdp {
        let Ok(reply) = upnp::parse_ssdp_reply(&datagram.data) else {
            continue;
        };
        if reply.location.is_empty() || locations.contains(&reply.location) {
            continue;
        }
        locations.push(reply.location);
    }
    let mut fetched = 0;
    for location in locations {
        let Some((host, port, path)) = upnp::resolve_url("", &location) else {
            continue;
        };
        if host != gateway.to_string() {
            // Only the router is ever contacted; other devices are known from their SSDP reply.
            continue;
        }
        if fetched == MAX_DESCRIPTIONS {
            transcript.notes.push(format!(
                "description {location} not read: more than {MAX_DESCRIPTIONS} on the router"
            ));
            continue;
        }
        fetched += 1;
        let answer = http(gateway, port, "GET", &path, &[], "");
        transcript.packets_sent += 1;
        let description = match &answer {
            Answer::Reply { data } => upnp::parse_http_response(data)
                .ok()
                .and_then(|r| upnp::parse_description(&r.body).ok()),
            _ => None,
        };
        transcript.http.push(HttpExchange {
            purpose: "description".into(),
            url: location.clone(),
            service: String::new(),
            answer,
        });
        let Some(description) = description else {
            continue;
        };
        let base = if description.url_base.is_empty() {
            location.clone()
        } else {
            description.url_base.clone()
        };
        for service in description.port_mapping_services() {
            let Some((host, port, path)) = upnp::resolve_url(&base, &service.control_url) else {
                continue;
            };
            if host != gateway.to_string() {
                transcript.notes.push(format!(
                    "port mappings at {} not read: not the router's address",
                    service.control_url
                ));
                continue;
            }
            read_mappings(gateway, port, &path, &service.service_type, transcript);
        }
    }
}

/// Asks for port mappings 0, 1, ... until the router says there are no more.
fn read_mappings(
    gateway: Ipv4Addr,
    port: u16,
    path: &str,
    service: &str,
    transcript: &mut Transcript,
) {
    for index in 0..MAX_MAPPINGS {
        let action = format!("\"{service}#GetGenericPortMappingEntry\"");
        let answer = http(
            gateway,
            port,
            "POST",
            path,
            &[
                ("Content-Type", "text/xml; charset=\"utf-8\""),
                ("SOAPAction", action.as_str()),
            ],
            &upnp::mapping_request(service, index),
        );
        transcript.packets_sent += 1;
        let more = match &answer {
            Answer::Reply { data } => upnp::parse_http_response(data)
                .ok()
                .and_then(|r| upnp::parse_mapping_answer(&r.body).ok())
                .is_some_and(|a| matches!(a, upnp::MappingAnswer::Entry(_))),
            _ => false,
        };
        transcript.http.push(HttpExchange {
            purpose: format!("port-mapping {index}"),
            url: format!("http://{gateway}:{port}{path}"),
            service: service.to_string(),
            answer,
        });
        if !more {
            break;
        }
    }
}

/// NAT-PMP "external address" request (RFC 6886: version 0, opcode 0) to the router.
fn natpmp(gateway: Ipv4Addr) -> Answer {
    let socket = match UdpSocket::bind("0.0.0.0:0") {
        Ok(s) => s,
        Err(e) => {
            return Answer::Failed {
                message: e.to_string(),
            };
        }
    };
    if let Err(e) = socket.send_to(&[0, 0], SocketAddrV4::new(gateway, 5351)) {
        return Answer::Failed {
            message: e.to_string(),
        };
    }
    let _ = socket.set_read_timeout(Some(Duration::from_secs(1)));
    let mut buffer = [0u8; 64];
    loop {
        match socket.recv_from(&mut buffer) {
            Ok((n, from)) if from.ip() == std::net::IpAddr::V4(gateway) => {
                return Answer::Reply {
                    data: to_hex(&buffer[..n]),
                };
            }
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                return Answer::Failed {
                    message: "refused (nothing listens on port 5351)".into(),
                };
            }
            Err(_) => return Answer::Silent,
        }
    }
}

/// Opens one TCP port on the router; for a settings page asks for `/`, for telnet reads the
/// banner. Never sends a password.
fn try_port(gateway: Ipv4Addr, router_port: &hygeia_core::RouterPort) -> PortAnswer {
    use hygeia_core::RouterPortRisk;
    let address = SocketAddr::V4(SocketAddrV4::new(gateway, router_port.port));
    let mut stream = match TcpStream::connect_timeout(&address, CONNECT) {
        Ok(s) => s,
        Err(e) => {
            let state = if e.kind() == std::io::ErrorKind::ConnectionRefused {
                "closed"
            } else {
                "silent"
            };
            return PortAnswer {
                port: router_port.port,
                state: state.into(),
                reply: String::new(),
            };
        }
    };
    let reply = match router_port.risk {
        RouterPortRisk::PlainAdmin => {
            let request = format!(
                "GET / HTTP/1.1\r\nHost: {gateway}\r\nUser-Agent: hygeia-check/1\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(request.as_bytes());
            read_limited(&mut stream, 64 * 1024, Duration::from_secs(2))
        }
        RouterPortRisk::Telnet => read_limited(&mut stream, 512, Duration::from_secs(1)),
        RouterPortRisk::Tr069 | RouterPortRisk::HttpsAdmin => Vec::new(),
    };
    PortAnswer {
        port: router_port.port,
        state: "open".into(),
        reply: String::from_utf8_lossy(&reply).into_owned(),
    }
}

/// Reads until the peer closes, `limit` bytes, or `within` has passed.
fn read_limited(stream: &mut TcpStream, limit: usize, within: Duration) -> Vec<u8> {
    let deadline = Instant::now() + within;
    let mut data = Vec::new();
    let mut buffer = [0u8; 4096];
    while data.len() < limit {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => data.extend_from_slice(&buffer[..n.min(limit - data.len())]),
        }
    }
    data
}

/// One HTTP/1.1 request to the router with `Connection: close`; the raw answer.
fn http(
    gateway: Ipv4Addr,
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let address = SocketAddr::V4(SocketAddrV4::new(gateway, port));
    let mut stream = match TcpStream::connect_timeout(&address, CONNECT) {
        Ok(s) => s,
        Err(e) => {
            return Answer::Failed {
                message: e.to_string(),
            };
        }
    };
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {gateway}:{port}\r\nUser-Agent: hygeia-check/1 UPnP/1.1\r\nConnection: close\r\n"
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if method == "POST" {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body);
    if let Err(e) = stream.write_all(request.as_bytes()) {
        return Answer::Failed {
            message: e.to_string(),
        };
    }
    let data = read_limited(&mut stream, MAX_HTTP_BYTES as usize, READ);
    if data.is_empty() {
        return Answer::Silent;
    }
    Answer::Reply {
        data: String::from_utf8_lossy(&data).into_owned(),
    }
}
