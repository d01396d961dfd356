//! HY-NET-006..008 from saved home network transcripts: the router's own answers (captured from
//! miniupnpd, see tests/fixtures/net/README.md) plus made-up neighbours, evaluated without any
//! network. The live probes are tested in network namespaces (crates/hygeia/tests/network_lab.rs).

use hygeia_core::{Catalog, Finding, Platform, Status};
use hygeia_host::net::{
    Answer, Datagram, HttpExchange, PortAnswer, TRANSCRIPT_SCHEMA, Transcript, to_hex,
};
use hygeia_host::probe::{Outcome, RawOutput};
use hygeia_host::{Context, Snapshot, evaluate};
use std::collections::BTreeMap;
use std::path::Path;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/net")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn kev() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../hygeia/tests/fixtures/network/kev-routers.json");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn nvd() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../hygeia/tests/fixtures/network/nvd-dlink-routers.json");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The snapshot with an NVD file given (`--nvd`).
fn with_nvd(mut snapshot: Snapshot, text: String) -> Snapshot {
    snapshot.outputs.insert(
        hygeia_host::rules::ROUTER_NVD_PROBE.to_string(),
        output("/home/dr/nvd.json", text),
    );
    snapshot
}

/// The exposed router, describing itself as `model` with `number` as its UPnP model number.
fn router_described_as(model: &str, number: &str) -> Transcript {
    let mut transcript = exposed();
    transcript.http[0].answer = Answer::Reply {
        data: format!(
            "HTTP/1.1 200 OK\r\n\r\n{}",
            fixture("miniupnpd-rootDesc.xml")
                .replace(
                    "<modelName>DIR-859</modelName>",
                    &format!("<modelName>{model}</modelName>")
                )
                .replace(
                    "<modelNumber>1.06B01</modelNumber>",
                    &format!("<modelNumber>{number}</modelNumber>")
                )
        ),
    };
    transcript
}

fn output(source: &str, content: String) -> RawOutput {
    RawOutput {
        source: source.into(),
        outcome: Outcome::Read {
            content,
            modified: None,
        },
        duration_ms: 1,
    }
}

fn snapshot(transcript: Option<&Transcript>, kev_text: Option<String>) -> Snapshot {
    let mut outputs = BTreeMap::new();
    if let Some(t) = transcript {
        outputs.insert(
            hygeia_host::net::PROBE_ID.to_string(),
            output("network", serde_json::to_string(t).unwrap_or_default()),
        );
    }
    if let Some(text) = kev_text {
        outputs.insert(
            hygeia_host::rules::ROUTER_KEV_PROBE.to_string(),
            output("/var/lib/kev.json", text),
        );
    }
    Snapshot {
        schema: "hygeia.snapshot/1".into(),
        platform: Platform::Linux,
        collected_at: "2026-12-06T10:00:00Z".into(),
        context: Context {
            hostname: "exam-room-3".into(),
            user: "dr".into(),
            elevated: false,
            home: "/home/dr".into(),
            desktop: None,
        },
        outputs,
    }
}

fn findings(snapshot: &Snapshot) -> BTreeMap<String, Finding> {
    evaluate(
        snapshot,
        &Catalog::builtin().unwrap_or_else(|e| panic!("{e}")),
    )
}

/// A Google Cast TV's DNS-SD answer: `_services._dns-sd._udp.local PTR _googlecast._tcp.local`.
fn cast_reply() -> Vec<u8> {
    let name = |n: &str| {
        let mut out = Vec::new();
        for label in n.split('.') {
            out.push(label.len() as u8);
            out.extend_from_slice(label.as_bytes());
        }
        out.push(0);
        out
    };
    let target = name("_googlecast._tcp.local");
    let mut packet = vec![0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0];
    packet.extend(name("_services._dns-sd._udp.local"));
    packet.extend_from_slice(&[0, 12, 0, 1, 0, 0, 0x11, 0x94]);
    packet.extend_from_slice(&(target.len() as u16).to_be_bytes());
    packet.extend(target);
    packet
}

/// The exposed router as the probes would have recorded it.
fn exposed() -> Transcript {
    let mapping_end = "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/xml\r\n\r\n<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault><detail><UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>713</errorCode><errorDescription>SpecifiedArrayIndexInvalid</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>";
    Transcript {
        schema: TRANSCRIPT_SCHEMA.into(),
        gateway: "192.168.77.1".into(),
        local_address: "192.168.77.10".into(),
        ssdp: vec![
            Datagram {
                from: "192.168.77.1:1900".into(),
                data: fixture("miniupnpd-ssdp-reply.txt"),
            },
            Datagram {
                from: "192.168.77.40:1900".into(),
                data: "HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:Printer:1\r\nLOCATION: http://192.168.77.40/d.xml\r\nSERVER: Printer/1.0\r\n\r\n".into(),
            },
        ],
        mdns: vec![
            Datagram {
                from: "192.168.77.20:5353".into(),
                data: to_hex(&cast_reply()),
            },
            // Garbage from a neighbour is ignored, not fatal.
            Datagram {
                from: "192.168.77.21:5353".into(),
                data: "zz".into(),
            },
        ],
        http: vec![
            HttpExchange {
                purpose: "description".into(),
                url: "http://192.168.77.1:5000/rootDesc.xml".into(),
                service: String::new(),
                answer: Answer::Reply {
                    data: format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n{}",
                        fixture("miniupnpd-rootDesc.xml")
                    ),
                },
            },
            HttpExchange {
                purpose: "port-mapping 0".into(),
                url: "http://192.168.77.1:5000/ctl/IPConn".into(),
                service: "urn:schemas-upnp-org:service:WANIPConnection:2".into(),
                answer: Answer::Reply {
                    data: fixture("miniupnpd-mapping-0.txt"),
                },
            },
            HttpExchange {
                purpose: "port-mapping 1".into(),
                url: "http://192.168.77.1:5000/ctl/IPConn".into(),
                service: "urn:schemas-upnp-org:service:WANIPConnection:2".into(),
                answer: Answer::Reply {
                    data: mapping_end.into(),
                },
            },
        ],
        natpmp: Answer::Reply {
            data: "008000000000002a0b162102".into(),
        },
        ports: vec![
            PortAnswer {
                port: 80,
                state: "open".into(),
                reply: "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<title>Router Login</title>".into(),
            },
            PortAnswer {
                port: 23,
                state: "closed".into(),
                reply: String::new(),
            },
        ],
        notes: vec![],
        packets_sent: 12,
    }
}

#[test]
fn without_network_probes_the_router_controls_are_unknown_and_say_how() {
    let found = findings(&snapshot(None, None));
    for id in ["HY-NET-006", "HY-NET-007", "HY-NET-008"] {
        let f = &found[id];
        assert_eq!(f.status, Status::Unknown, "{id}");
        assert!(
            f.reason.contains("hygeia check --network"),
            "{id}: {}",
            f.reason
        );
    }
}

#[test]
fn an_exposed_router_fails_each_control_with_the_facts() {
    let found = findings(&snapshot(Some(&exposed()), Some(kev())));
    let firmware = &found["HY-NET-006"];
    assert_eq!(firmware.status, Status::Fail, "{}", firmware.reason);
    assert!(
        firmware.reason.contains("CVE-2019-17621, CVE-2024-0769"),
        "{}",
        firmware.reason
    );

    let exposure = &found["HY-NET-007"];
    assert_eq!(exposure.status, Status::Fail, "{}", exposure.reason);
    assert!(
        exposure.reason.starts_with(
            "The router forwards internet port 3389 (TCP) to this computer (192.168.77.10)"
        ),
        "{}",
        exposure.reason
    );
    let evidence = exposure.evidence.join("\n");
    assert!(
        evidence.contains("internet address 11.22.33.2"),
        "{evidence}"
    );
    assert!(
        evidence.contains("plain HTTP on port 80 (HTTP/1.0 200 OK)"),
        "{evidence}"
    );
    assert!(!evidence.contains("telnet logins"), "{evidence}");

    let neighbours = &found["HY-NET-008"];
    assert_eq!(neighbours.status, Status::Fail, "{}", neighbours.reason);
    assert!(
        neighbours
            .reason
            .contains("TV or streaming stick at 192.168.77.20"),
        "{}",
        neighbours.reason
    );
    assert!(
        neighbours
            .evidence
            .iter()
            .any(|e| e.contains("printer or scanner at 192.168.77.40")),
        "{:?}",
        neighbours.evidence
    );
}

#[test]
fn a_router_without_kev_entries_passes_firmware_and_missing_kev_is_unknown() {
    let mut transcript = exposed();
    transcript.http[0].answer = Answer::Reply {
        data: format!(
            "HTTP/1.1 200 OK\r\n\r\n{}",
            fixture("miniupnpd-rootDesc.xml").replace("DIR-859", "DIR-3060")
        ),
    };
    let found = findings(&snapshot(Some(&transcript), Some(kev())));
    assert_eq!(
        found["HY-NET-006"].status,
        Status::Pass,
        "{}",
        found["HY-NET-006"].reason
    );
    let found = findings(&snapshot(Some(&transcript), None));
    assert_eq!(found["HY-NET-006"].status, Status::Unknown);
    assert!(found["HY-NET-006"].reason.contains("hygeia devices update"));
    let found = findings(&snapshot(Some(&transcript), Some("not json".into())));
    assert_eq!(found["HY-NET-006"].status, Status::Unknown);
}

#[test]
fn a_quiet_network_passes_and_a_damaged_record_is_unknown() {
    let quiet = Transcript {
        schema: TRANSCRIPT_SCHEMA.into(),
        gateway: "192.168.1.1".into(),
        local_address: "192.168.1.23".into(),
        natpmp: Answer::Silent,
        ports: vec![PortAnswer {
            port: 80,
            state: "open".into(),
            reply: "HTTP/1.1 301 Moved Permanently\r\nLocation: https://192.168.1.1/\r\n\r\n"
                .into(),
        }],
        ..Transcript::default()
    };
    let found = findings(&snapshot(Some(&quiet), Some(kev())));
    assert_eq!(
        found["HY-NET-007"].status,
        Status::Pass,
        "{}",
        found["HY-NET-007"].reason
    );
    assert_eq!(found["HY-NET-008"].status, Status::Pass);
    assert_eq!(found["HY-NET-006"].status, Status::Unknown);

    let mut damaged = snapshot(None, None);
    damaged.outputs.insert(
        hygeia_host::net::PROBE_ID.to_string(),
        output("network", "{\"schema\": 5".into()),
    );
    let found = findings(&damaged);
    assert_eq!(found["HY-NET-007"].status, Status::Unknown);
    assert!(found["HY-NET-007"].reason.contains("could not be read"));

    let mut failed = snapshot(None, None);
    failed.outputs.insert(
        hygeia_host::net::PROBE_ID.to_string(),
        RawOutput {
            source: "home network probes".into(),
            outcome: Outcome::Failed {
                message: "this computer has no default gateway (it is not connected to a network)"
                    .into(),
            },
            duration_ms: 0,
        },
    );
    let found = findings(&failed);
    assert_eq!(found["HY-NET-008"].status, Status::Unknown);
    assert!(
        found["HY-NET-008"].reason.contains("no default gateway"),
        "{}",
        found["HY-NET-008"].reason
    );
}

#[test]
fn nvd_names_the_firmware_versions_behind_a_kev_model_match() {
    let found = findings(&with_nvd(snapshot(Some(&exposed()), Some(kev())), nvd()));
    let firmware = &found["HY-NET-006"];
    assert_eq!(firmware.status, Status::Fail, "{}", firmware.reason);
    assert!(
        firmware.reason.contains("CVE-2019-17621, CVE-2024-0769"),
        "{}",
        firmware.reason
    );
    assert!(
        firmware
            .reason
            .contains("NVD lists 1 more for firmware 1.06B01: CVE-2019-20215."),
        "{}",
        firmware.reason
    );
    let evidence = firmware.evidence.join("\n");
    assert!(
        evidence.contains("firmware 1.06B01, read from the router's UPnP model number"),
        "{evidence}"
    );
    // NVD adds the vulnerability KEV does not list, with its score and how it was matched.
    assert!(
        evidence.contains("CVE-2019-20215") && evidence.contains("(NVD, exact, CVSS 9.8)"),
        "{evidence}"
    );
    assert!(!evidence.contains("CVE-2018-6530"), "{evidence}");
}

#[test]
fn a_kev_model_with_firmware_nvd_calls_fixed_is_a_warning_to_confirm() {
    let transcript = router_described_as("DIR-859", "1.07");
    let found = findings(&with_nvd(snapshot(Some(&transcript), Some(kev())), nvd()));
    let firmware = &found["HY-NET-006"];
    assert_eq!(firmware.status, Status::Warn, "{}", firmware.reason);
    assert!(
        firmware.reason.contains("NVD says firmware 1.07")
            && firmware
                .reason
                .contains("confirm that its firmware is 1.07 or newer"),
        "{}",
        firmware.reason
    );
    let evidence = firmware.evidence.join("\n");
    assert!(
        evidence.contains(
            "NVD lists 3 more vulnerabilities for this model only in firmware other than 1.07"
        ),
        "{evidence}"
    );
    // Without NVD, KEV alone cannot tell versions apart: it fails.
    let found = findings(&snapshot(Some(&transcript), Some(kev())));
    assert_eq!(found["HY-NET-006"].status, Status::Fail);
    assert!(
        found["HY-NET-006"]
            .evidence
            .iter()
            .any(|e| e.contains("give an NVD file for this model (`--nvd FILE`)")),
        "{:?}",
        found["HY-NET-006"].evidence
    );
}

#[test]
fn nvd_alone_fails_an_affected_version_and_passes_a_fixed_one() {
    let found = findings(&with_nvd(snapshot(Some(&exposed()), None), nvd()));
    let firmware = &found["HY-NET-006"];
    assert_eq!(firmware.status, Status::Fail, "{}", firmware.reason);
    assert!(
        firmware.reason.contains("runs firmware 1.06B01, which has known vulnerabilities (NVD): CVE-2019-17621, CVE-2019-20215, CVE-2024-0769"),
        "{}",
        firmware.reason
    );

    // A range: the DIR-860L is affected before 1.11.
    let before = router_described_as("DIR-860L", "1.10");
    let found = findings(&with_nvd(snapshot(Some(&before), None), nvd()));
    assert_eq!(
        found["HY-NET-006"].status,
        Status::Fail,
        "{}",
        found["HY-NET-006"].reason
    );
    assert!(found["HY-NET-006"].reason.contains("CVE-2018-6530"));
    let fixed = router_described_as("DIR-860L", "1.11");
    let found = findings(&with_nvd(snapshot(Some(&fixed), None), nvd()));
    let firmware = &found["HY-NET-006"];
    assert_eq!(firmware.status, Status::Pass, "{}", firmware.reason);
    assert!(
        firmware.reason.contains("the NVD file given"),
        "{}",
        firmware.reason
    );
    assert!(
        firmware
            .evidence
            .iter()
            .any(|e| e.contains("only in firmware other than 1.11: CVE-2018-6530")),
        "{:?}",
        firmware.evidence
    );
    // DIR-880L's range does not reach the DIR-860L, nor the DIR-859 the other way round.
    assert!(!firmware.evidence.join("\n").contains("CVE-2019"));
}

#[test]
fn nvd_without_an_announced_firmware_is_a_warning_and_a_damaged_file_unknown() {
    let silent = router_described_as("DIR-859", "");
    let found = findings(&with_nvd(snapshot(Some(&silent), None), nvd()));
    let firmware = &found["HY-NET-006"];
    assert_eq!(firmware.status, Status::Warn, "{}", firmware.reason);
    assert!(
        firmware
            .reason
            .contains("does not say which firmware it runs"),
        "{}",
        firmware.reason
    );
    assert!(
        firmware
            .evidence
            .iter()
            .any(|e| e.contains("did not announce its firmware version")),
        "{:?}",
        firmware.evidence
    );
    let found = findings(&with_nvd(
        snapshot(Some(&exposed()), Some(kev())),
        "{\"vulnerabilities\": 3".into(),
    ));
    let firmware = &found["HY-NET-006"];
    assert_eq!(firmware.status, Status::Unknown, "{}", firmware.reason);
    assert!(
        firmware.reason.contains("the NVD file could not be read"),
        "{}",
        firmware.reason
    );
}

#[test]
fn a_router_named_only_router_is_not_matched_against_every_model() {
    // "Router" has no model number: matching it would claim every D-Link router's CVEs.
    let vague = router_described_as("Router", "");
    let found = findings(&with_nvd(snapshot(Some(&vague), Some(kev())), nvd()));
    let firmware = &found["HY-NET-006"];
    assert_eq!(firmware.status, Status::Unknown, "{}", firmware.reason);
    assert!(
        firmware.reason.contains("did not say its make and model"),
        "{}",
        firmware.reason
    );
}
