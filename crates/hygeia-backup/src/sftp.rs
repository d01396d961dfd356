//! SFTP destinations (a NAS or a server at another site), laid out as restic lays them out so
//! restic's own `sftp:` backend reads them. SSH through `russh`: the server's host key must
//! already be in `~/.ssh/known_hosts` (it is never accepted blindly: connect once with `ssh` to
//! check and accept it), and the account is opened with the SSH agent or a key file without a
//! passphrase (`HYGEIA_SSH_KEY`, else `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa`).

use crate::BackupError;
use bytes::Bytes;
use russh::client::{self, Handle};
use russh::keys::{PrivateKeyWithHashAlg, PublicKey, check_known_hosts_path, load_secret_key};
use russh_sftp::client::SftpSession;
use russh_sftp::protocol::OpenFlags;
use rustic_core::{
    BytesList, ErrorKind, FileType, Id, ReadBackend, RusticError, RusticResult, WriteBackend,
};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

/// The variable naming a key file to use instead of the usual ones.
pub const KEY_VARIABLE: &str = "HYGEIA_SSH_KEY";

/// How long to wait for the server to answer the connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// The folders of a restic repository.
const FOLDERS: [&str; 5] = ["keys", "locks", "snapshots", "index", "data"];

/// Checks the server's host key against `known_hosts`; records why it refused.
struct HostKeyCheck {
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

/// A repository on an SFTP server.
pub struct SftpBackend {
    runtime: tokio::runtime::Runtime,
    sftp: SftpSession,
    _ssh: Handle<HostKeyCheck>,
    location: String,
    root: String,
}

impl std::fmt::Debug for SftpBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SftpBackend")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

fn home() -> Option<PathBuf> {
    std::env::var_os(if cfg!(windows) { "USERPROFILE" } else { "HOME" })
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

fn failed(doing: &'static str) -> impl Fn(String) -> BackupError {
    move |message| BackupError::Engine { doing, message }
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

impl SftpBackend {
    /// Connects to `host:port` as `user`, for the repository at `path` there.
    pub fn connect(
        user: &str,
        host: &str,
        port: u16,
        path: &str,
    ) -> Result<SftpBackend, BackupError> {
        let location = crate::location::Location::Sftp {
            user: user.into(),
            host: host.into(),
            port,
            path: path.into(),
        }
        .to_string();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| failed("starting the SFTP connection")(e.to_string()))?;
        let known_hosts = home()
            .map(|h| h.join(".ssh").join("known_hosts"))
            .ok_or_else(|| {
                failed("connecting to the SFTP server")(
                    "no home folder to find ~/.ssh/known_hosts in".into(),
                )
            })?;
        let refusal = Arc::new(Mutex::new(None));
        let check = HostKeyCheck {
            host: host.to_string(),
            port,
            known_hosts,
            refusal: refusal.clone(),
        };
        let (ssh, sftp) = runtime
            .block_on(async {
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
                        return Err(refused.unwrap_or_else(|| {
                            format!("cannot connect to {host}:{port}: {error}")
                        }));
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
            })
            .map_err(failed("connecting to the SFTP server"))?;
        Ok(SftpBackend {
            runtime,
            sftp,
            _ssh: ssh,
            location,
            root: path.trim_end_matches('/').to_string(),
        })
    }

    fn join(&self, relative: &str) -> String {
        if self.root.is_empty() {
            relative.to_string()
        } else {
            format!("{}/{relative}", self.root)
        }
    }

    fn file_path(&self, tpe: FileType, id: &Id) -> String {
        let hex = id.to_hex();
        match tpe {
            FileType::Config => self.join("config"),
            FileType::Pack => self.join(&format!("data/{}/{}", &hex[..2], &*hex)),
            _ => self.join(&format!("{}/{}", tpe.dirname(), &*hex)),
        }
    }

    /// Files in `folder` with their sizes (an absent folder is empty).
    fn listing(&self, folder: &str) -> RusticResult<Vec<(String, u64)>> {
        self.runtime.block_on(async {
            if !self.sftp.try_exists(folder).await.map_err(storage_error)? {
                return Ok(Vec::new());
            }
            let entries = self.sftp.read_dir(folder).await.map_err(storage_error)?;
            Ok(entries
                .filter(|e| e.file_type().is_file())
                .map(|e| (e.file_name(), e.metadata().size.unwrap_or(0)))
                .collect())
        })
    }
}

fn storage_error(error: impl std::error::Error + Send + Sync + 'static) -> Box<RusticError> {
    RusticError::with_source(ErrorKind::Backend, "the SFTP server failed", error)
}

impl ReadBackend for SftpBackend {
    fn location(&self) -> String {
        self.location.clone()
    }

    fn list_with_size(&self, tpe: FileType) -> RusticResult<Vec<(Id, u32)>> {
        let size = |s: u64| u32::try_from(s).unwrap_or(u32::MAX);
        if tpe == FileType::Config {
            return Ok(self
                .listing(&self.root_or_dot())?
                .into_iter()
                .filter(|(name, _)| name == "config")
                .map(|(_, s)| (Id::default(), size(s)))
                .collect());
        }
        let folders: Vec<String> = if tpe == FileType::Pack {
            (0..=255u8)
                .map(|b| self.join(&format!("data/{b:02x}")))
                .collect()
        } else {
            vec![self.join(tpe.dirname())]
        };
        let mut found = Vec::new();
        for folder in folders {
            for (name, s) in self.listing(&folder)? {
                if let Some(id) = Id::parse_some(&name, tpe) {
                    found.push((id, size(s)));
                }
            }
        }
        Ok(found)
    }

    fn read_full(&self, tpe: FileType, id: &Id) -> RusticResult<Bytes> {
        let path = self.file_path(tpe, id);
        self.runtime
            .block_on(self.sftp.read(path))
            .map(Bytes::from)
            .map_err(storage_error)
    }

    fn read_partial(
        &self,
        tpe: FileType,
        id: &Id,
        _cacheable: bool,
        offset: u32,
        length: u32,
    ) -> RusticResult<Bytes> {
        let path = self.file_path(tpe, id);
        self.runtime.block_on(async {
            let mut file = self.sftp.open(path).await.map_err(storage_error)?;
            file.seek(std::io::SeekFrom::Start(u64::from(offset)))
                .await
                .map_err(storage_error)?;
            let mut data = vec![0; length as usize];
            file.read_exact(&mut data).await.map_err(storage_error)?;
            Ok(Bytes::from(data))
        })
    }

    fn warmup_path(&self, tpe: FileType, id: &Id) -> String {
        self.file_path(tpe, id)
    }
}

impl SftpBackend {
    fn root_or_dot(&self) -> String {
        if self.root.is_empty() {
            ".".into()
        } else {
            self.root.clone()
        }
    }

    async fn make_folder(&self, path: &str) -> RusticResult<()> {
        if !self.sftp.try_exists(path).await.map_err(storage_error)? {
            self.sftp.create_dir(path).await.map_err(storage_error)?;
        }
        Ok(())
    }
}

impl WriteBackend for SftpBackend {
    fn create(&self) -> RusticResult<()> {
        self.runtime.block_on(async {
            // The repository's own folder and its parents, as `mkdir -p`.
            let mut built = String::new();
            for part in self.root.split('/') {
                if part.is_empty() {
                    built.push('/');
                    continue;
                }
                built.push_str(part);
                self.make_folder(&built).await?;
                built.push('/');
            }
            for folder in FOLDERS {
                self.make_folder(&self.join(folder)).await?;
            }
            for byte in 0..=255u8 {
                self.make_folder(&self.join(&format!("data/{byte:02x}")))
                    .await?;
            }
            Ok(())
        })
    }

    fn write_bytes(
        &self,
        tpe: FileType,
        id: &Id,
        _cacheable: bool,
        content: BytesList,
    ) -> RusticResult<()> {
        let path = self.file_path(tpe, id);
        // Written under a temporary name and renamed: a reader never sees half a file.
        let temporary = format!("{path}.{}.tmp", std::process::id());
        self.runtime.block_on(async {
            let mut file = self
                .sftp
                .open_with_flags(
                    temporary.clone(),
                    OpenFlags::CREATE | OpenFlags::TRUNCATE | OpenFlags::WRITE,
                )
                .await
                .map_err(storage_error)?;
            for part in content.slice() {
                file.write_all(part).await.map_err(storage_error)?;
            }
            file.shutdown().await.map_err(storage_error)?;
            if self
                .sftp
                .try_exists(path.clone())
                .await
                .map_err(storage_error)?
            {
                // The same id is the same content: keep the one there.
                let _ = self.sftp.remove_file(temporary).await;
                return Ok(());
            }
            self.sftp
                .rename(temporary, path)
                .await
                .map_err(storage_error)
        })
    }

    fn remove(&self, tpe: FileType, id: &Id, _cacheable: bool) -> RusticResult<()> {
        let path = self.file_path(tpe, id);
        self.runtime
            .block_on(self.sftp.remove_file(path))
            .map_err(storage_error)
    }
}
