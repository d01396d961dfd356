//! Listening network services: `ss -tulpn` (Linux), `netstat -ano` with `tasklist` (Windows)
//! and `lsof -iTCP -sTCP:LISTEN` (macOS).

use super::ParseError;
use std::collections::BTreeMap;

/// One listening socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    /// `tcp` or `udp`.
    pub protocol: String,
    /// Local address without brackets or interface suffix (`0.0.0.0`, `::`, `*`, `127.0.0.1`).
    pub address: String,
    /// Local port.
    pub port: u16,
    /// Program name, when the tool could see it.
    pub process: Option<String>,
    /// Process id, when known.
    pub pid: Option<u32>,
}

impl Listener {
    /// Whether only this computer can reach it.
    pub fn is_loopback(&self) -> bool {
        let a = self.address.trim_start_matches("::ffff:");
        a.starts_with("127.") || a == "::1" || a.eq_ignore_ascii_case("localhost")
    }

    /// `tcp 0.0.0.0:22 (sshd)` for evidence.
    pub fn describe(&self) -> String {
        let address = if self.address.contains(':') {
            format!("[{}]", self.address)
        } else {
            self.address.clone()
        };
        match &self.process {
            Some(p) => format!("{} {}:{} ({p})", self.protocol, address, self.port),
            None => format!(
                "{} {}:{} (program not reported; run as administrator to see it)",
                self.protocol, address, self.port
            ),
        }
    }
}

/// Splits `addr:port` in the many spellings of ss, netstat and lsof.
fn split_endpoint(text: &str) -> Option<(String, u16)> {
    let (address, port) = text.rsplit_once(':')?;
    let port = port.parse().ok()?;
    let address = address
        .trim_start_matches('[')
        .split(']')
        .next()
        .unwrap_or(address);
    let address = address.split('%').next().unwrap_or(address);
    Some((address.to_string(), port))
}

/// `ss -tulpn` (header optional; Process column optional).
pub fn parse_ss(text: &str) -> Result<Vec<Listener>, ParseError> {
    let mut listeners = Vec::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() < 5 || cols[0] == "Netid" {
            continue;
        }
        let (protocol, state) = (cols[0], cols[1]);
        if !matches!(protocol, "tcp" | "udp") {
            continue;
        }
        if !matches!(state, "LISTEN" | "UNCONN") {
            continue;
        }
        let Some((address, port)) = split_endpoint(cols[4]) else {
            return Err(ParseError::new(
                "ss",
                format!("unreadable local address in {line:?}"),
            ));
        };
        let users = cols.iter().find(|c| c.starts_with("users:"));
        let process = users.and_then(|u| u.split('"').nth(1)).map(str::to_string);
        let pid = users
            .and_then(|u| u.split("pid=").nth(1))
            .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|p| p.parse().ok());
        listeners.push(Listener {
            protocol: protocol.to_string(),
            address,
            port,
            process,
            pid,
        });
    }
    if listeners.is_empty() && !text.trim().is_empty() && !text.contains("Netid") {
        return Err(ParseError::new("ss", "no sockets and no header"));
    }
    Ok(listeners)
}

/// `tasklist /fo csv /nh`: `"image","pid",...` lines into pid -> image name.
pub fn parse_tasklist_csv(text: &str) -> BTreeMap<u32, String> {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line
                .split("\",\"")
                .map(|f| f.trim_matches(['"', '\r']))
                .collect();
            Some((fields.get(1)?.parse().ok()?, fields.first()?.to_string()))
        })
        .collect()
}

/// `netstat -ano`: TCP rows in state LISTENING and UDP rows, with program names from
/// `tasklist` when given.
pub fn parse_netstat_ano(
    text: &str,
    names: &BTreeMap<u32, String>,
) -> Result<Vec<Listener>, ParseError> {
    let mut listeners = Vec::new();
    let mut saw_header = false;
    for line in text.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.first() == Some(&"Proto") {
            saw_header = true;
            continue;
        }
        let (protocol, local, pid) = match cols.as_slice() {
            ["TCP", local, _, "LISTENING", pid] => ("tcp", *local, *pid),
            ["UDP", local, _, pid] => ("udp", *local, *pid),
            _ => continue,
        };
        let Some((address, port)) = split_endpoint(local) else {
            continue;
        };
        let pid: Option<u32> = pid.parse().ok();
        let process = pid
            .and_then(|p| names.get(&p).cloned())
            .or_else(|| (pid == Some(4)).then(|| "System".to_string()));
        listeners.push(Listener {
            protocol: protocol.into(),
            address,
            port,
            process,
            pid,
        });
    }
    if !saw_header && !text.trim().is_empty() {
        return Err(ParseError::new("netstat -ano", "no 'Proto' header"));
    }
    Ok(listeners)
}

/// `lsof -nP -iTCP -sTCP:LISTEN` (and `-iUDP`).
pub fn parse_lsof(text: &str) -> Result<Vec<Listener>, ParseError> {
    let mut listeners = Vec::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.first() == Some(&"COMMAND") || cols.len() < 9 {
            continue;
        }
        let protocol = match cols[7] {
            "TCP" => "tcp",
            "UDP" => "udp",
            _ => continue,
        };
        let Some((address, port)) = split_endpoint(cols[8]) else {
            continue;
        };
        listeners.push(Listener {
            protocol: protocol.into(),
            address,
            port,
            // lsof escapes spaces in command names as \x20.
            process: Some(cols[0].replace("\\x20", " ")),
            pid: cols[1].parse().ok(),
        });
    }
    Ok(listeners)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ss_variants() {
        let text = "Netid State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n\
tcp   LISTEN 0      128          0.0.0.0:22      0.0.0.0:*    users:((\"sshd\",pid=812,fd=3))\n\
tcp   LISTEN 0      4096   127.0.0.53%lo:53      0.0.0.0:*    users:((\"systemd-resolve\",pid=1,fd=14))\n\
tcp   LISTEN 0      128             [::]:3389          [::]:*\n\
udp   UNCONN 0      0     0.0.0.0%virbr0:67      0.0.0.0:*\n";
        let l = parse_ss(text).unwrap();
        assert_eq!(l.len(), 4);
        assert_eq!(
            (l[0].process.as_deref(), l[0].pid, l[0].is_loopback()),
            (Some("sshd"), Some(812), false)
        );
        assert!(l[1].is_loopback());
        assert_eq!((l[2].address.as_str(), l[2].port), ("::", 3389));
        assert_eq!(l[3].address, "0.0.0.0");
        assert!(parse_ss("").is_ok_and(|l| l.is_empty()));
        assert!(parse_ss("Cannot open netlink socket: Permission denied").is_err());
    }

    #[test]
    fn netstat_and_lsof() {
        let names =
            parse_tasklist_csv("\"svchost.exe\",\"1712\",\"Services\",\"0\",\"12,345 K\"\r\n");
        let text = "\r\nActive Connections\r\n\r\n  Proto  Local Address          Foreign Address        State           PID\r\n  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       1712\r\n  TCP    127.0.0.1:5939         0.0.0.0:0              LISTENING       99\r\n  TCP    10.0.0.5:50000         1.2.3.4:443            ESTABLISHED     7\r\n  UDP    [::]:500               *:*                                    4\r\n";
        let l = parse_netstat_ano(text, &names).unwrap();
        assert_eq!(l.len(), 3);
        assert_eq!(l[0].process.as_deref(), Some("svchost.exe"));
        assert!(l[1].is_loopback());
        assert_eq!(l[2].process.as_deref(), Some("System"));
        let lsof = "COMMAND   PID USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\nrapportd  511 drlee  4u  IPv4 0xabc      0t0  TCP *:49152 (LISTEN)\nARDAgent  600 drlee  9u  IPv6 0xdef      0t0  TCP [::1]:3283 (LISTEN)\n";
        let l = parse_lsof(lsof).unwrap();
        assert_eq!(
            (l[0].address.as_str(), l[0].port, l[1].is_loopback()),
            ("*", 49152, true)
        );
    }
}
