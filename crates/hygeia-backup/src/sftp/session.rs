//! The SSH session under an SFTP destination: the server's host key checked against
//! `~/.ssh/known_hosts` (never accepted blindly), then the account opened with the SSH agent or
//! a key file.

use russh::client::{self, Handle};
use russh::keys::{PrivateKeyWithHashAlg, PublicKey, check_known_hosts_path, load_secret_key};
use russh_sftp::client::SftpSession;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The variable naming a key file to use instead of the usual ones.
pub const KEY_VARIABLE: &str = "HYGEIA_SSH_KEY";

/// How long to wait for the server to answer the connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Checks the server's host key against `known_hosts`; records why it refused.
pub(crate) struct HostKeyCheck {
    host: String,
    port: u16,
    known_hosts: PathBuf,
    refusal: Arc<Mutex<Option<String>>>,
}

impl HostKeyCheck {
    fn refuse(&self, why: String) -> bool {
        if let Ok(mut refusal) = self.refusal.lock() {
            *refusal = Some(why);
        }
        false
    }
}

impl client::Handler for HostKeyCheck {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        server_public_key: &russh::keys::PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let russh::keys::PublicKeyOrCertificate::PublicKey { key, .. } = server_public_key else {
            return Ok(self.refuse(
                "the server offered a host certificate, which Hygeia does not check yet".into(),
            ));
        };
        let ssh_command = if self.port == 22 {
            format!("ssh {}", self.host)
        } else {
            format!("ssh -p {} {}", self.port, self.host)
        };
        Ok(match check_known_hosts_path(&self.host, self.port, key, &self.known_hosts) {
            Ok(true) => true,
            Ok(false) => self.refuse(format!(
                "the server's host key is not in {} yet: connect once with `{ssh_command}`, check the key's fingerprint with whoever runs the server, and accept it",
                self.known_hosts.display()
            )),
            Err(russh::keys::Error::KeyChanged { line }) => self.refuse(format!(
                "the server's host key is not the one recorded in {} (line {line}): someone may be impersonating the server; do not back up there until whoever runs it confirms the new key",
                self.known_hosts.display()
            )),
            Err(error) => self.refuse(format!(
                "{} cannot be read ({error})",
                self.known_hosts.display()
            )),
        })
    }
}

fn home() -> Option<PathBuf> {
    std::env::var_os(if cfg!(windows) { "USERPROFILE" } else { "HOME" })
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// Key files to try, in order.
fn key_files() -> Vec<PathBuf> {
    if let Some(file) = std::env::var_os(KEY_VARIABLE).filter(|f| !f.is_empty()) {
        return vec![PathBuf::from(file)];
    }
    let Some(ssh) = home().map(|h| h.join(".ssh")) else {
        return Vec::new();
    };
    ["id_ed25519", "id_ecdsa", "id_rsa"]
        .iter()
        .map(|name| ssh.join(name))
        .filter(|p| p.is_file())
        .collect()
}

async fn authenticate(ssh: &mut Handle<HostKeyCheck>, user: &str) -> Result<(), String> {
    let mut tried = Vec::new();
    #[cfg(unix)]
    if let Ok(mut agent) = russh::keys::agent::client::AgentClient::connect_env().await {
        let identities = agent.request_identities().await.unwrap_or_default();
        for identity in identities {
            let russh::keys::agent::AgentIdentity::PublicKey { key, .. } = identity else {
                continue;
            };
            let hash = rsa_hash(ssh, &key).await;
            if let Ok(result) = ssh
                .authenticate_publickey_with(user, key, hash, &mut agent)
                .await
                && result.success()
            {
                return Ok(());
            }
        }
        tried.push("the SSH agent's keys".to_string());
    }
    for file in key_files() {
        let key = match load_secret_key(&file, None) {
            Ok(key) => key,
            Err(error) => {
                tried.push(format!(
                    "{} (unusable: {error}; a key with a passphrase needs the SSH agent)",
                    file.display()
                ));
                continue;
            }
        };
        let hash = rsa_hash(ssh, key.public_key()).await;
        let signed = PrivateKeyWithHashAlg::new(Arc::new(key), hash);
        match ssh.authenticate_publickey(user, signed).await {
            Ok(result) if result.success() => return Ok(()),
            _ => tried.push(file.display().to_string()),
        }
    }
    if tried.is_empty() {
        tried.push(format!(
            "no SSH agent and no key in ~/.ssh (set {KEY_VARIABLE} to a key file)"
        ));
    }
    Err(format!(
        "the server did not accept {user}'s keys (tried {}); add this computer's public key to {user}'s ~/.ssh/authorized_keys on the server",
        tried.join(", ")
    ))
}

/// The signature hash for an RSA key (the best the server supports); none for other keys.
async fn rsa_hash(ssh: &Handle<HostKeyCheck>, key: &PublicKey) -> Option<russh::keys::HashAlg> {
    if !key.algorithm().is_rsa() {
        return None;
    }
    ssh.best_supported_rsa_hash().await.ok().flatten().flatten()
}

/// Connects to `host:port`, checks its host key, logs in as `user` and starts SFTP. Errors are
/// sentences for the person.
pub(crate) async fn open(
    user: &str,
    host: &str,
    port: u16,
) -> Result<(Handle<HostKeyCheck>, SftpSession), String> {
    let known_hosts = home()
        .map(|h| h.join(".ssh").join("known_hosts"))
        .ok_or_else(|| "no home folder to find ~/.ssh/known_hosts in".to_string())?;
    let refusal = Arc::new(Mutex::new(None));
    let check = HostKeyCheck {
        host: host.to_string(),
        port,
        known_hosts,
        refusal: refusal.clone(),
    };
    let config = Arc::new(client::Config {
        inactivity_timeout: Some(Duration::from_secs(300)),
        ..Default::default()
    });
    let connecting = client::connect(config, (host, port), check);
    let mut ssh = match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
        Err(_) => {
            return Err(format!(
                "{host}:{port} did not answer within {} s",
                CONNECT_TIMEOUT.as_secs()
            ));
        }
        Ok(Err(error)) => {
            let refused = refusal.lock().ok().and_then(|r| r.clone());
            return Err(
                refused.unwrap_or_else(|| format!("cannot connect to {host}:{port}: {error}"))
            );
        }
        Ok(Ok(ssh)) => ssh,
    };
    authenticate(&mut ssh, user).await?;
    let channel = ssh
        .channel_open_session()
        .await
        .map_err(|e| format!("the server refused a session: {e}"))?;
    channel
        .request_subsystem(true, "sftp")
        .await
        .map_err(|e| format!("the server has no SFTP service: {e}"))?;
    let sftp = SftpSession::new(channel.into_stream())
        .await
        .map_err(|e| format!("the SFTP service did not start: {e}"))?;
    Ok((ssh, sftp))
}
