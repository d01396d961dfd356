//! Every parser of what the home network sends back to `hygeia check --network`: SSDP replies,
//! HTTP answers (plain and chunked), UPnP descriptions and SOAP answers, mDNS replies, routing
//! tables; then a whole transcript through the HY-NET-006..008 rules, and the model and firmware a
//! router announced.
#![no_main]

use hygeia_host::net::{Answer, Datagram, HttpExchange, PortAnswer, TRANSCRIPT_SCHEMA, Transcript, to_hex};
use hygeia_host::parse::{gateway, home, mdns, upnp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = mdns::parse_response(data);
    let _ = upnp::parse_http_response(&text);
    let _ = upnp::parse_ssdp_reply(&text);
    let _ = upnp::parse_description(&text);
    let _ = upnp::parse_mapping_answer(&text);
    let _ = upnp::resolve_url("http://192.168.1.1:5000/rootDesc.xml", &text);
    let _ = gateway::parse_proc_net_route(&text);
    let _ = gateway::parse_route_get_default(&text);
    let _ = gateway::parse_route_print(&text);
    let Ok(catalog) = hygeia_core::Catalog::builtin() else {
        return;
    };
    // The same bytes as every kind of answer in one transcript, then as the transcript itself.
    let transcript = Transcript {
        schema: TRANSCRIPT_SCHEMA.into(),
        gateway: "192.168.1.1".into(),
        local_address: "192.168.1.23".into(),
        ssdp: vec![Datagram { from: "192.168.1.1:1900".into(), data: text.to_string() }],
        mdns: vec![Datagram { from: "192.168.1.40:5353".into(), data: to_hex(data) }],
        http: vec![
            HttpExchange {
                purpose: "description".into(),
                url: "http://192.168.1.1:5000/d.xml".into(),
                service: String::new(),
                answer: Answer::Reply { data: text.to_string() },
            },
            HttpExchange {
                purpose: "port-mapping 0".into(),
                url: "http://192.168.1.1:5000/ctl".into(),
                service: String::new(),
                answer: Answer::Reply { data: text.to_string() },
            },
        ],
        natpmp: Answer::Reply { data: to_hex(data) },
        ports: vec![PortAnswer { port: 80, state: "open".into(), reply: text.to_string() }],
        notes: vec![],
        packets_sent: 1,
    };
    if let Ok(json) = serde_json::to_string(&transcript) {
        let _ = home::read(&json, &catalog.home_network);
    }
    let _ = home::read(&text, &catalog.home_network);
    // The model and firmware read from what a router announced.
    let mut fields = text.splitn(3, '\n');
    let router = home::RouterIdentity {
        manufacturer: "D-Link".into(),
        model_name: fields.next().unwrap_or("").into(),
        model_number: fields.next().unwrap_or("").into(),
        friendly_name: String::new(),
        server: fields.next().unwrap_or("").into(),
    };
    let _ = router.models();
    let _ = router.firmware();
});
