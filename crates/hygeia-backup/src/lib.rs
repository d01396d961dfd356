//! `hygeia backup`: backups of a clinician's files into repositories in the restic format
//! (through `rustic_core`), so that restic itself can always list and restore them and a
//! practice is never locked in.
//!
//! [`location`] reads where a repository is; [`password`] where its password comes from;
//! [`repository`] initialises, backs up, lists and restores.

mod guard;
mod layout;
pub mod location;
pub mod media;
pub mod password;
pub mod plan;
pub mod progress;
pub mod repository;
pub mod restore;
pub mod retention;
pub mod run;
pub mod s3;
mod scratch;
pub mod sftp;
mod skipped;
pub mod state;
pub mod status;
pub mod verify;

/// What went wrong, in words for the person at the keyboard, with the next step.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The `--repo` text is not a location Hygeia understands.
    #[error(
        "{0:?} is not a backup location: give a folder (such as /media/usb/backup), s3:https://HOST/BUCKET/PREFIX or sftp:USER@HOST:/PATH"
    )]
    BadLocation(String),
    /// An S3 location without credentials.
    #[error(
        "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or put them in ~/.aws/credentials (and set AWS_DEFAULT_REGION if the bucket is not in us-east-1)"
    )]
    NoS3Credentials,
    /// An S3 endpoint that would send backups in the clear.
    #[error(
        "{0} is plain http: backups and credentials would cross the network unencrypted; use https:// (plain http is accepted only for a server on this computer)"
    )]
    InsecureEndpoint(String),
    /// No password was given.
    #[error(
        "no backup password: set HYGEIA_BACKUP_PASSWORD, give --password-file FILE (readable by you only), or run from a terminal to be asked"
    )]
    NoPassword,
    /// The password file cannot be used.
    #[error("cannot use the password file {path}: {why}")]
    PasswordFile {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        why: String,
    },
    /// The repository refused the password.
    #[error(
        "the password does not open the backup repository at {0}; check it (passwords are case-sensitive)"
    )]
    WrongPassword(String),
    /// A repository is already there.
    #[error(
        "there is already a backup repository at {0}; use it with `hygeia backup run --repo {0}`"
    )]
    AlreadyExists(String),
    /// No repository is there.
    #[error(
        "there is no backup repository at {0}; create one with `hygeia backup init --repo {0}`"
    )]
    NotARepository(String),
    /// Restoring would replace files that exist.
    #[error(
        "{count} file(s) already exist in {target} (first: {first}); restore into an empty folder, or pass --overwrite to replace them"
    )]
    WouldOverwrite {
        /// The folder.
        target: String,
        /// How many.
        count: usize,
        /// The first one.
        first: String,
    },
    /// The backup plan cannot be used.
    #[error("the backup plan is not usable: {0}")]
    InvalidPlan(String),
    /// Anything else the backup engine reports.
    #[error("{doing}: {message}")]
    Engine {
        /// What Hygeia was doing.
        doing: &'static str,
        /// The engine's words.
        message: String,
    },
}

impl BackupError {
    /// An engine error while `doing` something.
    pub(crate) fn engine(
        doing: &'static str,
    ) -> impl Fn(Box<rustic_core::RusticError>) -> BackupError {
        move |error| BackupError::Engine {
            doing,
            message: engine_message(&error),
        }
    }
}

/// The engine's error in one line. Its full Display adds a backtrace and a plea to report a
/// bug, and its log form embeds a wrapped engine error in that full form: keep the outer
/// sentence and the inner error's own message.
pub(crate) fn engine_message(error: &rustic_core::RusticError) -> String {
    let log = error.display_log();
    let log = log.trim_start_matches("Error: ");
    let outer = log.split(" (kind: ").next().unwrap_or(log).trim();
    let inner = log
        .split_once("\nMessage:\n")
        .map(|(_, rest)| rest.lines().next().unwrap_or("").trim())
        .filter(|m| !m.is_empty())
        .or_else(|| {
            log.split_once(": caused by: ")
                .map(|(_, cause)| cause.lines().next().unwrap_or("").trim())
                .filter(|c| !c.is_empty() && !c.starts_with('`'))
        });
    match inner {
        Some(inner) if inner != outer => format!("{outer}: {inner}"),
        _ => outer.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use rustic_core::{ErrorKind, RusticError};

    #[test]
    fn a_wrapped_engine_error_reads_as_one_line() {
        let inner = RusticError::new(
            ErrorKind::Cryptography,
            "Data decryption failed, MAC check failed.",
        );
        let outer =
            RusticError::with_source(ErrorKind::Backend, "error processing Pack:4836e63c", inner);
        let message = super::engine_message(&outer);
        assert_eq!(
            message,
            "error processing Pack:4836e63c: Data decryption failed, MAC check failed."
        );
        assert!(!message.contains('\n'));
        let plain = RusticError::new(ErrorKind::Repository, "No repository config file found.");
        assert_eq!(
            super::engine_message(&plain),
            "No repository config file found."
        );
    }
}
