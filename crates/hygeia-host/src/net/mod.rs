//! Home network probes, run only with `hygeia check --network`: they talk to the default
//! gateway (the home router) and to link-local multicast (SSDP, mDNS), nothing else, with short
//! time limits and a small, fixed number of packets. What came back is kept verbatim in a
//! [`Transcript`], saved in the snapshot like any probe output, and read by
//! [`crate::parse::home`]; the rules never touch the network.

mod live;

pub use live::probe_home;

use serde::{Deserialize, Serialize};

/// The snapshot key of the home network transcript.
pub const PROBE_ID: &str = "home_network";

/// Schema of [`Transcript`].
pub const TRANSCRIPT_SCHEMA: &str = "hygeia.home-network/1";

/// Everything the home network probes sent and received.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Transcript {
    /// Always [`TRANSCRIPT_SCHEMA`].
    pub schema: String,
    /// The router's address (the default gateway).
    pub gateway: String,
    /// This computer's address on the way to the router.
    pub local_address: String,
    /// Replies to the SSDP search (text).
    pub ssdp: Vec<Datagram>,
    /// Replies to the mDNS service query (hex).
    pub mdns: Vec<Datagram>,
    /// HTTP exchanges with the router (UPnP description, port mappings).
    pub http: Vec<HttpExchange>,
    /// NAT-PMP: the router's answer (hex), or why there is none.
    pub natpmp: Answer,
    /// TCP ports tried on the router.
    pub ports: Vec<PortAnswer>,
    /// What was left out on purpose (a description on another address...).
    pub notes: Vec<String>,
    /// Datagrams sent and connections opened, all to the router or link-local multicast.
    pub packets_sent: u32,
}

/// One datagram received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Datagram {
    /// Sender address and port.
    pub from: String,
    /// Content: text for SSDP, hexadecimal for mDNS.
    pub data: String,
}

/// One HTTP request to the router and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpExchange {
    /// Why it was sent: `description`, `port-mapping N`.
    pub purpose: String,
    /// The URL.
    pub url: String,
    /// The SOAP service type, for port mapping requests.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub service: String,
    /// The raw response, or why there is none.
    pub answer: Answer,
}

/// A reply, or the reason there is none.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Answer {
    /// Not asked.
    #[default]
    NotAsked,
    /// What came back.
    Reply {
        /// Text (HTTP) or hexadecimal (NAT-PMP).
        data: String,
    },
    /// Nothing came back within the time limit.
    Silent,
    /// The connection was refused or failed.
    Failed {
        /// What happened.
        message: String,
    },
}

/// A TCP port tried on the router.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortAnswer {
    /// Port number.
    pub port: u16,
    /// `open`, `closed` (refused) or `silent` (no answer).
    pub state: String,
    /// For an open port: the first bytes it sent (a telnet banner) or its answer to
    /// `GET /` (a settings page), as text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reply: String,
}

/// Lower-case hexadecimal.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes from [`to_hex`]; `None` when the text is not hexadecimal.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_junk() {
        assert_eq!(from_hex(&to_hex(&[0, 1, 0xfe])), Some(vec![0, 1, 0xfe]));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
        assert_eq!(from_hex("é1"), None);
    }
}
