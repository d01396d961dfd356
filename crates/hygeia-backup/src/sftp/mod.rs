//! SFTP destinations (a NAS or a server at another site), laid out as restic lays them out so
//! restic's own `sftp:` backend reads them. SSH through `russh`: the server's host key must
//! already be in `~/.ssh/known_hosts` (it is never accepted blindly: connect once with `ssh` to
//! check and accept it), and the account is opened with the SSH agent or a key file without a
//! passphrase (`HYGEIA_SSH_KEY`, else `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa`).

mod session;

pub use session::KEY_VARIABLE;

use crate::BackupError;
use bytes::Bytes;
use russh::client::Handle;
use russh_sftp::client::SftpSession;
use russh_sftp::protocol::OpenFlags;
use rustic_core::{
    BytesList, ErrorKind, FileType, Id, ReadBackend, RusticError, RusticResult, WriteBackend,
};
use session::HostKeyCheck;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

fn failed(doing: &'static str) -> impl Fn(String) -> BackupError {
    move |message| BackupError::Engine { doing, message }
}

/// The folders of a restic repository.
const FOLDERS: [&str; 5] = ["keys", "locks", "snapshots", "index", "data"];

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
        let (ssh, sftp) = runtime
            .block_on(session::open(user, host, port))
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
        crate::layout::under(&self.root, relative)
    }

    fn file_path(&self, tpe: FileType, id: &Id) -> String {
        crate::layout::file(&self.root, tpe, id)
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
