//! Runs probes concurrently. Every command runs without a shell and with a time limit; a
//! missing, failing or hanging command becomes an [`Outcome`], never a crash or a stall.

use crate::probe::{DirEntry, Outcome, Probe, RawOutput, Source, decode_output};
use std::collections::BTreeMap;
use std::io::{ErrorKind, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Most files a `ReadDir` probe reads, and the most bytes per file.
const READ_DIR_MAX_FILES: usize = 200;

/// Runs every probe at once and returns their outputs by probe id.
pub fn run_all(probes: &[Probe]) -> BTreeMap<String, RawOutput> {
    thread::scope(|scope| {
        let handles: Vec<_> = probes
            .iter()
            .map(|probe| (probe, scope.spawn(move || run_one(probe))))
            .collect();
        handles
            .into_iter()
            .map(|(probe, handle)| {
                let output = handle.join().unwrap_or_else(|_| RawOutput {
                    source: probe.describe(),
                    outcome: Outcome::Failed {
                        message: "the probe stopped unexpectedly".into(),
                    },
                    duration_ms: 0,
                });
                (probe.id.clone(), output)
            })
            .collect()
    })
}

/// Runs one probe.
pub fn run_one(probe: &Probe) -> RawOutput {
    let started = Instant::now();
    let outcome = match &probe.source {
        Source::Command {
            program,
            args,
            timeout,
            run_as,
        } => run_command(program, args, *timeout, run_as.as_ref()),
        Source::File { path, max_bytes } => read_file(path, *max_bytes),
        Source::ListDir { path } => list_dir(path, false),
        Source::ReadDir { path } => list_dir(path, true),
    };
    RawOutput {
        source: probe.describe(),
        outcome,
        duration_ms: started.elapsed().as_millis() as u64,
    }
}

fn io_outcome(error: &std::io::Error) -> Outcome {
    match error.kind() {
        ErrorKind::NotFound => Outcome::NotFound,
        ErrorKind::PermissionDenied => Outcome::PermissionDenied,
        _ => Outcome::Failed {
            message: error.to_string(),
        },
    }
}

fn run_command(
    program: &str,
    args: &[String],
    timeout: Duration,
    run_as: Option<&crate::probe::RunAs>,
) -> Outcome {
    let file = match crate::programs::resolve(program) {
        crate::programs::Resolution::Run(file) => file,
        crate::programs::Resolution::Missing => return Outcome::NotFound,
        crate::programs::Resolution::Unsafe(why) => {
            return Outcome::Failed {
                message: format!("not run: {why}"),
            };
        }
    };
    let mut command = Command::new(file);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Parsers expect the untranslated messages of each tool.
        .env("LC_ALL", "C")
        .env("LANG", "C");
    configure_platform(&mut command, run_as);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(error) => return io_outcome(&error),
    };
    // Read both pipes on their own threads so a chatty program never blocks on a full pipe.
    // If the program hangs and is killed, a grandchild may still hold a pipe open; the readers
    // are then abandoned rather than waited for.
    let (out_tx, out_rx) = mpsc::channel();
    let (err_tx, err_rx) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        thread::spawn(move || {
            let _ = out_tx.send(read_capped(stdout));
        });
    }
    if let Some(stderr) = child.stderr.take() {
        thread::spawn(move || {
            let _ = err_tx.send(read_capped(stderr));
        });
    }
    let deadline = Instant::now() + timeout;
    // Poll quickly at first (most commands finish in milliseconds), then back off so that
    // dozens of waiting threads do not steal CPU from the slow probes.
    let mut pause = Duration::from_millis(1);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                kill_tree(&mut child);
                return Outcome::TimedOut {
                    after_ms: timeout.as_millis() as u64,
                };
            }
            Ok(None) => {
                thread::sleep(pause.min(deadline.saturating_duration_since(Instant::now())));
                pause = (pause * 2).min(Duration::from_millis(25));
            }
            Err(error) => {
                return Outcome::Failed {
                    message: format!("waiting for {program}: {error}"),
                };
            }
        }
    };
    let grace = Duration::from_millis(500);
    let stdout = out_rx.recv_timeout(grace).unwrap_or_default();
    let stderr = err_rx.recv_timeout(grace).unwrap_or_default();
    Outcome::Ran {
        exit_code: status.code(),
        stdout: decode_output(&stdout),
        stderr: decode_output(&stderr),
    }
}

fn read_capped(mut pipe: impl Read) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    loop {
        match pipe.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                // Keep draining past the cap so the program is never blocked on a full pipe.
                if kept.len() < crate::probe::MAX_OUTPUT_BYTES {
                    kept.extend_from_slice(&buffer[..n]);
                }
            }
        }
    }
    kept
}

#[cfg(unix)]
fn configure_platform(command: &mut Command, run_as: Option<&crate::probe::RunAs>) {
    use std::os::unix::process::CommandExt;
    // Own process group, so a timed-out command can be stopped together with its children.
    command.process_group(0);
    if let Some(user) = run_as {
        command.uid(user.uid).gid(user.gid).env("HOME", &user.home);
    }
}

#[cfg(not(unix))]
fn configure_platform(_command: &mut Command, _run_as: Option<&crate::probe::RunAs>) {}

fn kill_tree(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        // `kill -KILL -PGID` reaches the whole group; it exists on every Unix and needs no
        // unsafe code. Failing that, the direct child is still killed below.
        let group = format!("-{}", child.id());
        let crate::programs::Resolution::Run(kill) = crate::programs::resolve("kill") else {
            let _ = child.kill();
            let _ = child.wait();
            return;
        };
        let _ = Command::new(kill)
            .args(["-KILL", "--", &group])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn read_file(path: &str, max_bytes: u64) -> Outcome {
    let privileged = crate::programs::privileged();
    // One byte more than allowed tells a file at the limit from a bigger one.
    match crate::safe_read::read_file(std::path::Path::new(path), max_bytes + 1, privileged) {
        Ok((bytes, _)) if bytes.len() as u64 > max_bytes => Outcome::Failed {
            message: format!(
                "{path} is larger than {} KiB, so it was not read",
                max_bytes / 1024
            ),
        },
        Ok((bytes, modified)) => Outcome::Read {
            content: decode_output(&bytes),
            modified,
        },
        Err(error) => io_outcome(&error),
    }
}

fn list_dir(path: &str, with_content: bool) -> Outcome {
    let privileged = crate::programs::privileged();
    let listed = crate::safe_read::list_dir(
        std::path::Path::new(path),
        READ_DIR_MAX_FILES,
        with_content.then_some(crate::probe::FILE_MAX_BYTES),
        privileged,
    );
    let mut entries: Vec<DirEntry> = match listed {
        Ok(entries) => entries
            .into_iter()
            .map(|entry| DirEntry {
                name: entry.name,
                content: entry.content.as_deref().map(decode_output),
                modified: entry.modified,
            })
            .collect(),
        Err(error) => return io_outcome(&error),
    };
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Outcome::Listed { entries }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_program_is_not_found() {
        let out = run_one(&Probe::command("x", "hygeia-no-such-program-xyz", &[]));
        assert_eq!(out.outcome, Outcome::NotFound);
    }

    #[test]
    fn a_file_over_its_limit_is_refused_not_cut() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("big.json");
        std::fs::write(
            &path,
            vec![b'x'; (crate::probe::FILE_MAX_BYTES + 1) as usize],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let path = path.to_string_lossy();
        match run_one(&Probe::file("x", &path)).outcome {
            Outcome::Failed { message } => {
                assert!(message.contains("larger than 1024 KiB"), "{message}")
            }
            other => panic!("a file over the limit was read: {other:?}"),
        }
        // The same file is within a feed's limit, and read whole.
        match run_one(&Probe::feed("x", &path)).outcome {
            Outcome::Read { content, .. } => {
                assert_eq!(content.len() as u64, crate::probe::FILE_MAX_BYTES + 1)
            }
            other => panic!("a feed file was not read: {other:?}"),
        }
    }

    #[test]
    fn missing_file_is_not_found() {
        assert_eq!(
            run_one(&Probe::file("x", "/nonexistent/hygeia/file")).outcome,
            Outcome::NotFound
        );
        assert_eq!(
            run_one(&Probe::list_dir("x", "/nonexistent/hygeia")).outcome,
            Outcome::NotFound
        );
    }

    #[cfg(unix)]
    #[test]
    fn hanging_command_times_out() {
        let probe = Probe::command("x", "sleep", &["30"]).timeout(Duration::from_millis(300));
        let started = Instant::now();
        let out = run_one(&probe);
        assert_eq!(out.outcome, Outcome::TimedOut { after_ms: 300 });
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[cfg(unix)]
    #[test]
    fn captures_output_and_exit_code() {
        let out = run_one(&Probe::command(
            "x",
            "sh",
            &["-c", "echo out; echo err >&2; exit 3"],
        ));
        assert_eq!(
            out.outcome,
            Outcome::Ran {
                exit_code: Some(3),
                stdout: "out\n".into(),
                stderr: "err\n".into()
            }
        );
    }
}
