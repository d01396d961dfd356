//! Multicast DNS (RFC 6762) and DNS service discovery (RFC 6763): the query Hygeia sends to
//! list the kinds of services on the home network, and a parser for the replies. Replies are
//! hostile input: names are decoded with a bounded number of compression jumps and lengths.

use super::ParseError;

/// The name that lists every service type on the link (RFC 6763 section 9).
pub const SERVICES_NAME: &str = "_services._dns-sd._udp.local";

const TYPE_A: u16 = 1;
const TYPE_PTR: u16 = 12;
const TYPE_TXT: u16 = 16;
const TYPE_SRV: u16 = 33;

/// A one-question query for PTR records of `name`, asking for a unicast reply (the QU bit),
/// which is also what responders send to a query from a port other than 5353.
pub fn ptr_query(name: &str) -> Vec<u8> {
    let mut packet = vec![0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in name.split('.').filter(|l| !l.is_empty()) {
        let bytes = &label.as_bytes()[..label.len().min(63)];
        packet.push(bytes.len() as u8);
        packet.extend_from_slice(bytes);
    }
    packet.push(0);
    packet.extend_from_slice(&TYPE_PTR.to_be_bytes());
    packet.extend_from_slice(&0x8001u16.to_be_bytes());
    packet
}

/// What one responder said about itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MdnsAnswer {
    /// Service types it offers, without `.local` (`_googlecast._tcp`).
    pub service_types: Vec<String>,
    /// Service instance names (`Living Room TV._googlecast._tcp.local`).
    pub instances: Vec<String>,
    /// Host names with an address record (`tv-4f2a.local`).
    pub hosts: Vec<String>,
    /// TXT strings (`md=Chromecast`), at most a few dozen.
    pub txt: Vec<String>,
}

/// Reads one mDNS response datagram.
pub fn parse_response(packet: &[u8]) -> Result<MdnsAnswer, ParseError> {
    let err = |detail: &str| ParseError::new("mDNS reply", detail);
    if packet.len() < 12 {
        return Err(err("shorter than a DNS header"));
    }
    let flags = u16::from_be_bytes([packet[2], packet[3]]);
    if flags & 0x8000 == 0 {
        return Err(err("a query, not a response"));
    }
    let count = |i: usize| usize::from(u16::from_be_bytes([packet[i], packet[i + 1]]));
    let questions = count(4);
    let records = count(6) + count(8) + count(10);
    let mut at = 12;
    for _ in 0..questions {
        let (_, next) = read_name(packet, at).ok_or_else(|| err("a question's name is damaged"))?;
        at = next + 4;
    }
    let mut answer = MdnsAnswer::default();
    for _ in 0..records.min(256) {
        let (owner, next) =
            read_name(packet, at).ok_or_else(|| err("a record's name is damaged"))?;
        let fixed = packet
            .get(next..next + 10)
            .ok_or_else(|| err("a record is cut off"))?;
        let kind = u16::from_be_bytes([fixed[0], fixed[1]]);
        let length = usize::from(u16::from_be_bytes([fixed[8], fixed[9]]));
        let start = next + 10;
        let data = packet
            .get(start..start + length)
            .ok_or_else(|| err("a record's data is cut off"))?;
        match kind {
            TYPE_PTR => {
                let (target, _) =
                    read_name(packet, start).ok_or_else(|| err("a PTR target is damaged"))?;
                if owner.eq_ignore_ascii_case(SERVICES_NAME) {
                    push_unique(&mut answer.service_types, strip_local(&target));
                } else {
                    push_unique(&mut answer.service_types, strip_local(&owner));
                    push_unique(&mut answer.instances, target);
                }
            }
            TYPE_SRV => push_unique(&mut answer.instances, owner),
            TYPE_A => push_unique(&mut answer.hosts, owner),
            TYPE_TXT => {
                let mut i = 0;
                while i < data.len() && answer.txt.len() < 64 {
                    let n = usize::from(data[i]);
                    let Some(text) = data.get(i + 1..i + 1 + n) else {
                        break;
                    };
                    if n > 0 {
                        push_unique(&mut answer.txt, String::from_utf8_lossy(text).into_owned());
                    }
                    i += 1 + n;
                }
            }
            _ => {}
        }
        at = start + length;
    }
    Ok(answer)
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !value.is_empty() && !list.contains(&value) && list.len() < 256 {
        list.push(value);
    }
}

fn strip_local(name: &str) -> String {
    let trimmed = name.trim_end_matches('.');
    trimmed
        .strip_suffix(".local")
        .unwrap_or(trimmed)
        .to_string()
}

/// Decodes a (possibly compressed) name at `at`; returns it and the offset after it in the
/// record. At most 32 compression jumps and 255 bytes of name, as DNS allows.
fn read_name(packet: &[u8], mut at: usize) -> Option<(String, usize)> {
    let mut labels: Vec<String> = Vec::new();
    let mut length = 0usize;
    let mut jumps = 0;
    let mut end: Option<usize> = None;
    loop {
        let byte = *packet.get(at)?;
        match byte & 0xC0 {
            0x00 => {
                if byte == 0 {
                    return Some((labels.join("."), end.unwrap_or(at + 1)));
                }
                let n = usize::from(byte);
                let label = packet.get(at + 1..at + 1 + n)?;
                length += n + 1;
                if length > 255 {
                    return None;
                }
                labels.push(String::from_utf8_lossy(label).into_owned());
                at += 1 + n;
            }
            0xC0 => {
                let pointer =
                    usize::from(u16::from_be_bytes([byte, *packet.get(at + 1)?]) & 0x3FFF);
                jumps += 1;
                if jumps > 32 {
                    return None;
                }
                end.get_or_insert(at + 2);
                at = pointer;
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A response as a Chromecast-style TV sends it: the service list, then an instance.
    fn tv_reply() -> Vec<u8> {
        let mut p = vec![0, 0, 0x84, 0, 0, 0, 0, 2, 0, 0, 0, 1];
        let name = |p: &mut Vec<u8>, n: &str| {
            for l in n.split('.') {
                p.push(l.len() as u8);
                p.extend_from_slice(l.as_bytes());
            }
            p.push(0);
        };
        // _services._dns-sd._udp.local PTR _googlecast._tcp.local
        name(&mut p, SERVICES_NAME);
        p.extend_from_slice(&[0, 12, 0, 1, 0, 0, 0x11, 0x94]);
        let target_at = p.len() + 2;
        let mut target = Vec::new();
        name(&mut target, "_googlecast._tcp.local");
        p.extend_from_slice(&(target.len() as u16).to_be_bytes());
        p.extend_from_slice(&target);
        // _googlecast._tcp.local (compressed) PTR "Living Room TV" + pointer
        p.extend_from_slice(&[0xC0, target_at as u8]);
        p.extend_from_slice(&[0, 12, 0, 1, 0, 0, 0x11, 0x94]);
        let mut instance = vec![14];
        instance.extend_from_slice(b"Living Room TV");
        instance.extend_from_slice(&[0xC0, target_at as u8]);
        p.extend_from_slice(&(instance.len() as u16).to_be_bytes());
        p.extend_from_slice(&instance);
        // TXT md=Chromecast
        name(&mut p, "Living Room TV._googlecast._tcp.local");
        p.extend_from_slice(&[0, 16, 0x80, 1, 0, 0, 0x11, 0x94, 0, 14, 13]);
        p.extend_from_slice(b"md=Chromecast");
        p
    }

    #[test]
    fn reads_service_types_instances_and_txt() {
        let answer = parse_response(&tv_reply()).unwrap();
        assert_eq!(answer.service_types, vec!["_googlecast._tcp"]);
        assert_eq!(
            answer.instances,
            vec!["Living Room TV._googlecast._tcp.local"]
        );
        assert_eq!(answer.txt, vec!["md=Chromecast"]);
    }

    #[test]
    fn the_query_is_a_well_formed_ptr_question() {
        let q = ptr_query(SERVICES_NAME);
        assert_eq!(&q[4..6], &[0, 1]);
        assert_eq!(q[12], 9);
        assert_eq!(&q[13..22], b"_services");
        assert_eq!(&q[q.len() - 4..], &[0, 12, 0x80, 1]);
    }

    #[test]
    fn hostile_replies_are_errors_not_hangs() {
        assert!(parse_response(&[0; 5]).is_err());
        // A query, not a reply.
        assert!(parse_response(&ptr_query(SERVICES_NAME)).is_err());
        // A name that points at itself forever.
        let looped = [
            0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xC0, 12, 0, 12, 0, 1, 0, 0, 0, 0, 0, 0,
        ];
        assert!(parse_response(&looped).is_err());
        // A record longer than the packet.
        let mut cut = tv_reply();
        cut.truncate(cut.len() - 5);
        assert!(parse_response(&cut).is_err());
        for n in 0..tv_reply().len() {
            let _ = parse_response(&tv_reply()[..n]);
        }
    }
}
