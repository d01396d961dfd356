//! The default IPv4 gateway (the home router) from the routing table: Linux `/proc/net/route`,
//! macOS `route -n get default`, Windows `route print -4`.

use super::ParseError;
use std::net::Ipv4Addr;

/// Linux `/proc/net/route`: the line whose destination and mask are 0 and whose flags have
/// RTF_GATEWAY (0x2); addresses are little-endian hex. The lowest metric wins.
pub fn parse_proc_net_route(raw: &str) -> Result<Option<Ipv4Addr>, ParseError> {
    // With no route at all (no network connected) the kernel prints nothing, not even the header.
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let mut lines = raw.lines();
    let header = lines.next().unwrap_or("");
    if !header.starts_with("Iface") {
        return Err(ParseError::new(
            "/proc/net/route",
            "the first line is not the Iface/Destination/Gateway header",
        ));
    }
    let mut best: Option<(u32, Ipv4Addr)> = None;
    for line in lines {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 8 {
            continue;
        }
        let hex = |i: usize| u32::from_str_radix(fields[i], 16).ok();
        let (Some(destination), Some(gateway), Some(flags), Some(mask)) =
            (hex(1), hex(2), hex(3), hex(7))
        else {
            continue;
        };
        let metric: u32 = fields[6].parse().unwrap_or(u32::MAX);
        let up_gateway = flags & 0x1 != 0 && flags & 0x2 != 0;
        if destination != 0 || mask != 0 || !up_gateway || gateway == 0 {
            continue;
        }
        let address = Ipv4Addr::from(gateway.swap_bytes());
        if best.is_none_or(|(m, _)| metric < m) {
            best = Some((metric, address));
        }
    }
    Ok(best.map(|(_, a)| a))
}

/// macOS `route -n get default`: the `gateway:` line (absent when there is no default route,
/// and the command then exits non-zero with "not in table").
pub fn parse_route_get_default(raw: &str) -> Result<Option<Ipv4Addr>, ParseError> {
    for line in raw.lines() {
        if let Some(value) = line.trim().strip_prefix("gateway:") {
            return value.trim().parse().map(Some).map_err(|_| {
                ParseError::new(
                    "route -n get default",
                    format!("gateway {value:?} is not an IPv4 address"),
                )
            });
        }
    }
    if raw.contains("not in table") {
        return Ok(None);
    }
    Err(ParseError::new(
        "route -n get default",
        "no gateway line in the output",
    ))
}

/// Windows `route print -4`: the rows of "Active Routes" whose destination and netmask are
/// 0.0.0.0; the lowest metric wins ("On-link" is not a gateway).
pub fn parse_route_print(raw: &str) -> Result<Option<Ipv4Addr>, ParseError> {
    if !raw.contains("Network Destination") {
        return Err(ParseError::new(
            "route print -4",
            "no 'Network Destination' table in the output",
        ));
    }
    let mut best: Option<(u32, Ipv4Addr)> = None;
    let mut in_active = false;
    for line in raw.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("Active Routes") {
            in_active = true;
            continue;
        }
        if trimmed.starts_with("Persistent Routes") {
            in_active = false;
        }
        if !in_active {
            continue;
        }
        let fields: Vec<&str> = trimmed.split_whitespace().collect();
        if fields.len() != 5 || fields[0] != "0.0.0.0" || fields[1] != "0.0.0.0" {
            continue;
        }
        let (Ok(gateway), Ok(metric)) = (fields[2].parse::<Ipv4Addr>(), fields[4].parse::<u32>())
        else {
            continue;
        };
        if best.is_none_or(|(m, _)| metric < m) {
            best = Some((metric, gateway));
        }
    }
    Ok(best.map(|(_, a)| a))
}

/// Whether an address can be a home router that Hygeia may probe: private (RFC 1918) space
/// only, so that `--network` never sends anything to an address on the internet even when the
/// routing table is odd (a server, a phone tether with a carrier gateway).
pub fn is_home_router_address(address: Ipv4Addr) -> bool {
    address.is_private()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_default_route_with_lowest_metric() {
        let raw = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
wlp2s0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n\
eth0\t00000000\t014DA8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n\
eth0\t004DA8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n";
        assert_eq!(
            parse_proc_net_route(raw).unwrap(),
            Some(Ipv4Addr::new(192, 168, 77, 1))
        );
    }

    #[test]
    fn linux_without_default_route() {
        let raw = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
eth0\t004DA8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n";
        assert_eq!(parse_proc_net_route(raw).unwrap(), None);
        assert_eq!(parse_proc_net_route("").unwrap(), None);
        assert!(parse_proc_net_route("garbage").is_err());
    }

    #[test]
    fn macos_route_get_default() {
        let raw = "   route to: default\ndestination: default\n       mask: default\n    gateway: 192.168.1.254\n  interface: en0\n      flags: <UP,GATEWAY,DONE,STATIC,PRCLONING>\n";
        assert_eq!(
            parse_route_get_default(raw).unwrap(),
            Some(Ipv4Addr::new(192, 168, 1, 254))
        );
        assert_eq!(
            parse_route_get_default("route: writing to routing socket: not in table\n").unwrap(),
            None
        );
    }

    #[test]
    fn windows_route_print() {
        let raw = "===========================================================================\n\
Interface List\n 12...00 15 5d 01 02 03 ......Intel(R) Ethernet\n\
===========================================================================\n\n\
IPv4 Route Table\n\
===========================================================================\n\
Active Routes:\n\
Network Destination        Netmask          Gateway       Interface  Metric\n\
          0.0.0.0          0.0.0.0      192.168.0.1    192.168.0.23     25\n\
          0.0.0.0          0.0.0.0       10.10.0.1      10.10.0.57     50\n\
        127.0.0.0        255.0.0.0         On-link         127.0.0.1    331\n\
===========================================================================\n\
Persistent Routes:\n  None\n";
        assert_eq!(
            parse_route_print(raw).unwrap(),
            Some(Ipv4Addr::new(192, 168, 0, 1))
        );
    }

    #[test]
    fn only_private_gateways_are_probed() {
        assert!(is_home_router_address(Ipv4Addr::new(192, 168, 1, 1)));
        assert!(is_home_router_address(Ipv4Addr::new(10, 0, 0, 1)));
        assert!(!is_home_router_address(Ipv4Addr::new(8, 8, 8, 8)));
        assert!(!is_home_router_address(Ipv4Addr::new(100, 64, 0, 1)));
    }
}
