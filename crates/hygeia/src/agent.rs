//! `hygeia agent enroll | run | status`: the audit is `hygeia check`'s, the sending is
//! hygeia-agent's.

use crate::Failure;
use crate::cli::{AgentEnrollArgs, AgentRunArgs, AgentStateArgs};
use hygeia_agent::run::{enroll, run_forever, run_once};
use hygeia_agent::{Identity, Schedule, state};
use hygeia_core::{Catalog, Measured, Platform};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub(crate) fn state_dir(args: &AgentStateArgs) -> PathBuf {
    args.state_dir.clone().unwrap_or_else(state::default_dir)
}

/// This computer's name and system, for enrolment.
fn identity() -> Identity {
    // Through the check's own reader: the kernel's name first, `hostname` only from the system
    // folders (the agent runs as root).
    let hostname = hygeia_host::context::hostname();
    let hostname = if hostname == "unknown" {
        "unnamed-computer".to_string()
    } else {
        hostname
    };
    Identity {
        hostname,
        os: Platform::current()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        os_version: String::new(),
    }
}

/// The enroll secret: the first line of `--secret-file`, else `--secret` or
/// HYGEIA_ENROLL_SECRET.
fn enroll_secret(args: &AgentEnrollArgs) -> Result<String, Failure> {
    let Some(path) = &args.secret_file else {
        return args.secret.clone().ok_or_else(|| {
            Failure::Input(
                "no enroll secret: set HYGEIA_ENROLL_SECRET or give --secret-file FILE".into(),
            )
        });
    };
    read_secret_file(path)
}

/// The first line of a small file, trimmed. A secret is a few dozen characters: anything
/// beyond 4 KiB is not a secret file.
fn read_secret_file(path: &std::path::Path) -> Result<String, Failure> {
    use std::io::Read;
    let cannot = |why: String| {
        Failure::Input(format!(
            "cannot read the enroll secret from {}: {why}",
            path.display()
        ))
    };
    let file = std::fs::File::open(path).map_err(|e| cannot(e.to_string()))?;
    let mut text = Vec::new();
    file.take(4097)
        .read_to_end(&mut text)
        .map_err(|e| cannot(e.to_string()))?;
    if text.len() > 4096 {
        return Err(cannot(
            "it is larger than 4 KiB; it should hold only the secret from the dashboard".into(),
        ));
    }
    let text = String::from_utf8(text).map_err(|_| cannot("it is not text".into()))?;
    let secret = text.lines().next().unwrap_or_default().trim().to_string();
    if secret.is_empty() {
        return Err(cannot(
            "its first line is empty; copy the enroll secret from the dashboard into it".into(),
        ));
    }
    Ok(secret)
}

/// How the agent is started on this system once enrolled (the packages install the service,
/// the timer or the launchd job, stopped).
fn next_step_after_enrolment() -> &'static str {
    if cfg!(windows) {
        "start the service with `Start-Service HygeiaAgent` (or restart the computer); it then checks this computer every hour."
    } else if cfg!(target_os = "macos") {
        "sudo launchctl bootstrap system /Library/LaunchDaemons/org.hygeia.agent.plist (it then checks this computer every hour), or `hygeia agent run`."
    } else {
        "sudo systemctl enable --now hygeia-agent.timer (installed by the .deb; it then checks this computer every hour), or `hygeia agent run`."
    }
}

/// `hygeia agent enroll`.
pub fn run_enroll(args: AgentEnrollArgs) -> Result<u8, Failure> {
    let dir = state_dir(&args.state);
    let secret = enroll_secret(&args)?;
    let enrolment = enroll(&dir, &args.server, &secret, args.ca.as_deref(), &identity())
        .map_err(|e| Failure::Input(e.to_string()))?;
    println!(
        "Enrolled with {} as computer {}. Its key is in {} (readable by this account only).",
        enrolment.server,
        enrolment.host_id,
        dir.display()
    );
    println!("Next: {}", next_step_after_enrolment());
    Ok(0)
}

/// The audit the agent sends: `hygeia check --format json`, live or from a saved snapshot.
pub(crate) fn audit(
    snapshot: Option<PathBuf>,
    network: bool,
) -> impl Fn() -> Result<Vec<u8>, String> {
    move || {
        let options = hygeia_host::Options {
            network,
            kev: network.then(crate::check::default_kev).flatten(),
            nvd: None,
            network_only: false,
        };
        let catalog = Catalog::builtin()
            .map_err(|e| e.to_string())?
            .restricted_to(|c| c.measured != Measured::Inventory);
        let report = crate::check::report_for(&catalog, snapshot.as_deref(), None, &options)
            .map_err(|e| match e {
                Failure::Input(m) => m,
                Failure::Internal(e) => e.to_string(),
            })?;
        Ok(hygeia_report::render_json(&report).into_bytes())
    }
}

fn log(line: &str) {
    eprintln!("hygeia agent: {line}");
}

/// The schedule `hygeia agent run`'s flags ask for.
pub(crate) fn schedule(args: &AgentRunArgs) -> Schedule {
    Schedule {
        interval: Duration::from_secs(args.interval_minutes.max(1) * 60),
        jitter: f64::from(args.jitter_percent.min(50)) / 100.0,
        first_backoff: Duration::from_secs(args.retry_seconds.max(1)),
        ..Schedule::default()
    }
}

/// `hygeia agent run --service` outside Windows.
#[cfg(not(windows))]
fn run_service(_args: AgentRunArgs) -> Result<u8, Failure> {
    Err(Failure::Input(
        "`--service` is for the Windows service manager. On Linux enable the systemd timer \
         (`systemctl enable --now hygeia-agent.timer`); on macOS load the launchd job \
         (org.hygeia.agent.plist); or run `hygeia agent run` in a terminal."
            .into(),
    ))
}

#[cfg(windows)]
fn run_service(args: AgentRunArgs) -> Result<u8, Failure> {
    crate::agent_service::run(args)
}

/// `hygeia agent run`.
pub fn run_agent(args: AgentRunArgs) -> Result<u8, Failure> {
    if args.service {
        return run_service(args);
    }
    let dir = state_dir(&args.state);
    let schedule = schedule(&args);
    let audit = audit(args.snapshot.clone(), args.network);
    if args.once {
        let delivery =
            run_once(&dir, &schedule, &audit, &log).map_err(|e| Failure::Input(e.to_string()))?;
        println!(
            "Sent {} report(s) ({}).",
            delivery.accepted.len(),
            if delivery.accepted.is_empty() {
                "none waiting".to_string()
            } else {
                delivery.accepted.join(", ")
            }
        );
        return Ok(if delivery.rejected > 0 { 1 } else { 0 });
    }
    let stop = Arc::new(AtomicBool::new(false));
    // Ctrl-C or SIGTERM (systemd stopping the service) ends the loop between steps, so a
    // report is never half-written to the queue.
    let flag = Arc::clone(&stop);
    if let Err(error) = ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed)) {
        log(&format!(
            "cannot catch Ctrl-C ({error}); stopping will interrupt"
        ));
    }
    log(&format!(
        "running; a check every {} minutes (± {}%)",
        args.interval_minutes, args.jitter_percent
    ));
    run_forever(&dir, &schedule, &audit, &log, &|| {
        stop.load(Ordering::Relaxed)
    })
    .map_err(|e| Failure::Input(e.to_string()))?;
    Ok(0)
}

/// `hygeia agent status`.
pub fn run_status(args: AgentStateArgs) -> Result<u8, Failure> {
    let dir = state_dir(&args);
    let enrolment = state::load(&dir).map_err(|e| Failure::Input(e.to_string()))?;
    let waiting = hygeia_agent::queue::Queue::new(&dir)
        .list()
        .map_err(|e| Failure::Input(e.to_string()))?;
    println!("Server:   {}", enrolment.server);
    println!("Computer: {}", enrolment.host_id);
    match &enrolment.removed {
        Some(removed) => println!(
            "Status:   removed from the server on {} ({}). This computer no longer reports; to enroll it again, ask the practice administrator for a new enroll secret and run `hygeia agent enroll`.",
            removed.at, removed.message
        ),
        None => println!("Status:   enrolled, reporting"),
    }
    println!(
        "Waiting:  {} report(s) in {}",
        waiting.len(),
        dir.join("queue").display()
    );
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(windows))]
    #[test]
    fn service_mode_outside_windows_says_what_to_use_instead() {
        use clap::Parser;
        let cli = crate::cli::Cli::try_parse_from(["hygeia", "agent", "run", "--service"])
            .unwrap_or_else(|e| panic!("{e}"));
        let crate::cli::Command::Agent(crate::cli::AgentCommand::Run(args)) = cli.command else {
            panic!("not agent run");
        };
        assert!(args.service);
        match run_agent(args) {
            Err(Failure::Input(message)) => {
                assert!(message.contains("Windows service manager"), "{message}");
                assert!(message.contains("hygeia-agent.timer"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn secret_file_gives_its_first_line_trimmed() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("secret");
        std::fs::write(&path, "  hye_abc123  \r\nsecond line\n").unwrap_or_else(|e| panic!("{e}"));
        let secret = read_secret_file(&path).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(secret, "hye_abc123");
    }

    #[test]
    fn secret_file_that_is_empty_huge_binary_or_missing_is_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let cases: [(&str, Vec<u8>, &str); 3] = [
            ("empty", b"\n\n".to_vec(), "first line is empty"),
            ("huge", vec![b'a'; 5000], "larger than 4 KiB"),
            ("binary", vec![0xff, 0xfe, 0x00], "not text"),
        ];
        for (name, content, reason) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, content).unwrap_or_else(|e| panic!("{e}"));
            match read_secret_file(&path) {
                Err(Failure::Input(message)) => assert!(message.contains(reason), "{message}"),
                other => panic!("{name}: {other:?}"),
            }
        }
        match read_secret_file(&dir.path().join("missing")) {
            Err(Failure::Input(message)) => assert!(message.contains("missing"), "{message}"),
            other => panic!("{other:?}"),
        }
    }
}
