//! HY-PC-011 and HY-PC-012: services reachable from the network, and SSH password logins.

use super::{Input, name_list};
use crate::parse::listeners::{
    Listener, parse_lsof, parse_netstat_ano, parse_ss, parse_tasklist_csv,
};
use crate::parse::sshd::{SshAuth, effective_config_text, parse_sshd_settings};
use hygeia_core::{Finding, NetworkService, Platform, ServiceRisk, UnknownCause};

fn listeners(input: &Input) -> Result<Vec<Listener>, Finding> {
    let text = input.command_ok("listeners", "the listening network services")?;
    let parsed = match input.snapshot.platform {
        Platform::Linux => parse_ss(text),
        Platform::Macos => parse_lsof(text),
        Platform::Windows => {
            let names = input
                .command_ok("processes", "program names")
                .map(parse_tasklist_csv)
                .unwrap_or_default();
            parse_netstat_ano(text, &names)
        }
    };
    parsed.map_err(|e| {
        Finding::unknown(
            UnknownCause::Unreadable,
            format!("The list of listening services could not be understood ({e})."),
        )
    })
}

fn service_for<'a>(
    services: &'a [NetworkService],
    listener: &Listener,
) -> Option<&'a NetworkService> {
    services.iter().find(|s| {
        s.ports.contains(&listener.port) && (s.protocol == "any" || s.protocol == listener.protocol)
    })
}

/// Reads the SSH server's password settings: `sshd -T` when allowed, else the config files.
fn ssh_settings(input: &Input) -> Result<(SshAuth, String), Finding> {
    if let Ok(text) = input.command_ok("sshd_effective", "the SSH server settings")
        && text.contains("passwordauthentication")
    {
        return Ok((
            parse_sshd_settings(text),
            "sshd -T (effective settings)".into(),
        ));
    }
    let main = input
        .file("sshd_config", "the SSH server configuration")?
        .ok_or_else(|| {
            Finding::unknown(
                UnknownCause::Inconclusive,
                "An SSH server runs but its configuration file was not found.",
            )
        })?;
    let drop_ins: Vec<(String, String)> = input
        .listing("sshd_config_d", "the SSH server configuration folder")
        .ok()
        .flatten()
        .map(|entries| {
            entries
                .iter()
                .filter_map(|e| Some((e.name.clone(), e.content.clone()?)))
                .collect()
        })
        .unwrap_or_default();
    let text = effective_config_text(main.content, &drop_ins);
    Ok((
        parse_sshd_settings(&text),
        format!(
            "{} and {} drop-in file(s)",
            input.source("sshd_config"),
            drop_ins.len()
        ),
    ))
}

fn ssh_listeners(all: &[Listener]) -> Vec<&Listener> {
    all.iter()
        .filter(|l| {
            l.protocol == "tcp"
                && (l.port == 22 || l.process.as_deref().is_some_and(|p| p.starts_with("sshd")))
        })
        .collect()
}

/// HY-PC-011.
pub fn remote_access_exposure(input: &Input) -> Finding {
    let all = match listeners(input) {
        Ok(l) => l,
        Err(f) => return f,
    };
    let services = &input.catalog.network_services;
    let mut failing = Vec::new();
    let mut warning = Vec::new();
    let mut system = Vec::new();
    for listener in all.iter().filter(|l| !l.is_loopback()) {
        let described = listener.describe();
        let is_ssh_process = listener
            .process
            .as_deref()
            .is_some_and(|p| p.starts_with("sshd"));
        let service = service_for(services, listener);
        match service.map(|s| s.risk) {
            Some(ServiceRisk::Ssh) => {
                let passwords = ssh_settings(input)
                    .map(|(s, _)| s.accepts_passwords())
                    .unwrap_or(true);
                if passwords {
                    failing.push(format!("SSH remote login accepting passwords: {described}"));
                } else {
                    warning.push(format!("SSH remote login (keys only): {described}"));
                }
            }
            Some(ServiceRisk::RemoteAccess) | Some(ServiceRisk::Database) => {
                failing.push(format!(
                    "{}: {described}",
                    service.map_or("", |s| s.name.as_str())
                ));
            }
            Some(ServiceRisk::FileSharing) => warning.push(format!(
                "{}: {described}",
                service.map_or("", |s| s.name.as_str())
            )),
            Some(ServiceRisk::System) => system.push(format!(
                "{}: {described}",
                service.map_or("", |s| s.name.as_str())
            )),
            None if is_ssh_process => warning.push(format!(
                "SSH remote login on a non-standard port: {described}"
            )),
            None if listener.protocol == "tcp" => {
                warning.push(format!("unrecognised service: {described}"))
            }
            None => system.push(format!("UDP service: {described}")),
        }
    }
    let evidence: Vec<String> = failing
        .iter()
        .chain(&warning)
        .chain(&system)
        .cloned()
        .collect();
    if !failing.is_empty() {
        Finding::fail(format!(
            "{} remote-access or database service(s) accept connections from the network.",
            failing.len()
        ))
        .with_all(evidence)
    } else if !warning.is_empty() {
        Finding::warn(format!(
            "{} service(s) accept connections from the network; turn off the ones you do not need.",
            warning.len()
        ))
        .with_all(evidence)
    } else {
        let loopback = all.iter().filter(|l| l.is_loopback()).count();
        Finding::pass(format!("No remote-access, file-sharing or database service is open to the network ({loopback} service(s) listen only on this computer)."))
            .with_all(evidence)
    }
}

/// HY-PC-012.
pub fn ssh_passwords(input: &Input) -> Finding {
    let all = match listeners(input) {
        Ok(l) => l,
        Err(f) => return f,
    };
    let ssh = ssh_listeners(&all);
    if ssh.is_empty() {
        return Finding::not_applicable("No SSH server is listening on this computer.");
    }
    let on_network = ssh.iter().any(|l| !l.is_loopback());
    let where_ = name_list(&ssh.iter().map(|l| l.describe()).collect::<Vec<_>>(), 4);
    let (settings, source) = match ssh_settings(input) {
        Ok(s) => s,
        Err(f) => return f.with(format!("listening: {where_}")),
    };
    let evidence = [
        format!("listening: {where_}"),
        format!("read from {source}"),
        format!(
            "PasswordAuthentication {}, KbdInteractiveAuthentication {}, UsePAM {}",
            yes_no(settings.password),
            yes_no(settings.keyboard_interactive),
            yes_no(settings.use_pam)
        ),
    ];
    if settings.permit_empty {
        return Finding::fail("The SSH server lets accounts with an empty password log in.")
            .with_all(evidence);
    }
    if settings.accepts_passwords() {
        let reach = if on_network {
            "from the network"
        } else {
            "on this computer"
        };
        return Finding::fail(format!(
            "The SSH server accepts password logins {reach}, which robots guess at all day."
        ))
        .with_all(evidence);
    }
    Finding::pass("The SSH server accepts only key-based logins.").with_all(evidence)
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}
