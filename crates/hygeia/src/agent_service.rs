//! `hygeia agent run --service`: the agent as a Windows service. The service manager starts
//! `hygeia.exe agent run --service` (registered by the MSI as `HygeiaAgent`, automatic start,
//! LocalSystem); this answers its start, stop and shutdown requests and runs the same hourly
//! cycle as `hygeia agent run`. Until `hygeia agent enroll` has run, the service waits (it
//! checks every minute) instead of failing and being restarted in a loop. With no console, the
//! agent's messages go to `agent.log` in its state folder.

use crate::Failure;
use crate::cli::AgentRunArgs;
use hygeia_agent::windows::SERVICE_NAME;
use hygeia_agent::{log_file, state};
use std::ffi::OsString;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use windows_service::service::{
    ServiceControl, ServiceControlAccept, ServiceExitCode, ServiceState, ServiceStatus, ServiceType,
};
use windows_service::service_control_handler::{self, ServiceControlHandlerResult};
use windows_service::{define_windows_service, service_dispatcher};

/// The arguments of `hygeia agent run --service`, for the service's main function, which the
/// service manager calls on its own thread with arguments of its own.
static ARGUMENTS: OnceLock<AgentRunArgs> = OnceLock::new();

define_windows_service!(ffi_service_main, service_main);

/// Hands this process to the service manager; returns when the service has stopped.
pub fn run(args: AgentRunArgs) -> Result<u8, Failure> {
    let _ = ARGUMENTS.set(args);
    service_dispatcher::start(SERVICE_NAME, ffi_service_main).map_err(|e| {
        Failure::Input(format!(
            "`--service` is for the Windows service manager ({e}). Start the service with \
             `Start-Service {SERVICE_NAME}`, or run `hygeia agent run` in this console."
        ))
    })?;
    Ok(0)
}

fn service_main(_arguments: Vec<OsString>) {
    let Some(args) = ARGUMENTS.get() else {
        return;
    };
    let dir = crate::agent::state_dir(&args.state);
    let log = |line: &str| {
        let _ = log_file::append(&dir, line);
    };
    if let Err(error) = serve(args, &dir, &log) {
        log(&format!("the service stopped: {error}"));
    }
}

fn status(state: ServiceState, exit_code: u32) -> ServiceStatus {
    ServiceStatus {
        service_type: ServiceType::OWN_PROCESS,
        current_state: state,
        controls_accepted: if state == ServiceState::Running {
            ServiceControlAccept::STOP | ServiceControlAccept::SHUTDOWN
        } else {
            ServiceControlAccept::empty()
        },
        exit_code: if exit_code == 0 {
            ServiceExitCode::Win32(0)
        } else {
            ServiceExitCode::ServiceSpecific(exit_code)
        },
        checkpoint: 0,
        wait_hint: if state == ServiceState::StopPending {
            Duration::from_secs(10)
        } else {
            Duration::ZERO
        },
        process_id: None,
    }
}

fn serve(
    args: &AgentRunArgs,
    dir: &Path,
    log: &dyn Fn(&str),
) -> Result<(), windows_service::Error> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let handle = service_control_handler::register(SERVICE_NAME, move |control| match control {
        ServiceControl::Stop | ServiceControl::Shutdown => {
            flag.store(true, Ordering::Relaxed);
            ServiceControlHandlerResult::NoError
        }
        ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
        _ => ServiceControlHandlerResult::NotImplemented,
    })?;
    handle.set_service_status(status(ServiceState::Running, 0))?;
    // The state folder first, so that it is SYSTEM's and Administrators' alone before anything
    // is written into it.
    let mut exit_code = 0;
    if let Err(error) = state::ensure_private_dir(dir) {
        log(&error.to_string());
        exit_code = 1;
    }
    let stopped = || stop.load(Ordering::Relaxed);
    if exit_code == 0 {
        log(&format!(
            "service started; a check every {} minutes (± {}%)",
            args.interval_minutes, args.jitter_percent
        ));
        if hygeia_agent::run::wait_for_enrolment(dir, Duration::from_secs(60), log, &stopped) {
            let schedule = crate::agent::schedule(args);
            let audit = crate::agent::audit(args.snapshot.clone(), args.network);
            if let Err(error) =
                hygeia_agent::run::run_forever(dir, &schedule, &audit, log, &stopped)
            {
                log(&error.to_string());
                exit_code = 2;
            }
        }
    }
    handle.set_service_status(status(ServiceState::StopPending, exit_code))?;
    log("service stopped");
    handle.set_service_status(status(ServiceState::Stopped, exit_code))?;
    Ok(())
}
