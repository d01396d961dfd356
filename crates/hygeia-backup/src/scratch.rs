//! What the restore test needs beside the engine: a random sample, and a private temporary
//! folder that is removed afterwards.

use crate::BackupError;
use std::path::PathBuf;

/// A small random number generator (xorshift) seeded from the clock: the sample only has to
/// differ from run to run, not be secret.
pub(crate) struct Random(u64);

impl Random {
    pub(crate) fn new() -> Random {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9E37_79B9_7F4A_7C15);
        Random(nanos ^ u64::from(std::process::id()).rotate_left(32) | 1)
    }

    pub(crate) fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound.max(1) as u64) as usize
    }

    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// A private temporary folder (0700), removed when dropped.
pub(crate) struct Scratch(pub(crate) PathBuf);

impl Scratch {
    pub(crate) fn create() -> Result<Scratch, BackupError> {
        let base = std::env::temp_dir();
        let mut random = Random::new();
        for _ in 0..16 {
            let path = base.join(format!(
                "hygeia-restore-test-{:016x}",
                random.below(usize::MAX)
            ));
            // On Windows the folder is in the person's own %TEMP%, which only they can read.
            #[cfg(not(unix))]
            let builder = std::fs::DirBuilder::new();
            #[cfg(unix)]
            let builder = {
                use std::os::unix::fs::DirBuilderExt;
                let mut builder = std::fs::DirBuilder::new();
                builder.mode(0o700);
                builder
            };
            // create, not create_all: an existing folder (or a planted link) is never reused.
            match builder.create(&path) {
                Ok(()) => return Ok(Scratch(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(BackupError::Engine {
                        doing: "making a folder for the restore test",
                        message: format!("{}: {e}", path.display()),
                    });
                }
            }
        }
        Err(BackupError::Engine {
            doing: "making a folder for the restore test",
            message: format!("no free name in {}", base.display()),
        })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
