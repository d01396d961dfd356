//! `hygeia serve`, `hygeia serve init` and `hygeia serve add-practice`.

use crate::Failure;
use crate::cli::{ServeAction, ServeArgs};
use hygeia_server::db::beside_database;
use hygeia_server::init::{Setup, create};
use hygeia_server::ratelimit::Limit;
use hygeia_server::serve::{Listen, bind, run, tls_config};
use hygeia_server::{AppState, Db, Settings};

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Internal(anyhow::anyhow!("starting the server's threads: {e}")))
}

/// Runs `hygeia serve` or one of its set-up actions.
pub fn run_serve(args: ServeArgs) -> Result<u8, Failure> {
    let runtime = runtime()?;
    runtime.block_on(async move {
        let db = Db::open(&args.database)
            .await
            .map_err(|e| Failure::Input(e.to_string()))?;
        match args.action {
            Some(action) => set_up(&db, action).await,
            None => serve(db, &args).await,
        }
    })
}

async fn set_up(db: &Db, action: ServeAction) -> Result<u8, Failure> {
    let (setup, email, name) = match action {
        ServeAction::Init {
            insurer: Some(name),
            admin_email,
            admin_name,
            ..
        } => (Setup::Insurer { name }, admin_email, admin_name),
        ServeAction::Init {
            practice: Some(name),
            admin_email,
            admin_name,
            ..
        } => (Setup::Practice { name }, admin_email, admin_name),
        ServeAction::Init { .. } => {
            return Err(Failure::Input(
                "give --insurer NAME or --practice NAME".into(),
            ));
        }
        ServeAction::AddPractice {
            insurer,
            practice,
            admin_email,
            admin_name,
        } => (
            Setup::PracticeOfInsurer {
                insurer,
                name: practice,
            },
            admin_email,
            admin_name,
        ),
    };
    let created = create(db, &setup, &email, &name)
        .await
        .map_err(|e| Failure::Input(e.to_string()))?;
    println!(
        "Created. Sign in as {} ({}) with this one-time password:",
        created.email,
        created.role.as_str()
    );
    println!();
    println!("    {}", created.one_time_password);
    println!();
    println!(
        "It is shown only now. At first sign-in you choose your own password and set up an authenticator app."
    );
    Ok(0)
}

async fn serve(db: Db, args: &ServeArgs) -> Result<u8, Failure> {
    let listen = Listen {
        address: args.listen,
        tls: args.tls_cert.clone().zip(args.tls_key.clone()),
        insecure_http: args.insecure_http,
    };
    let tls = match &listen.tls {
        Some((cert, key)) => {
            Some(tls_config(cert, key).map_err(|e| Failure::Input(e.to_string()))?)
        }
        None => None,
    };
    let listener = bind(&listen)
        .await
        .map_err(|e| Failure::Input(e.to_string()))?;
    let key_file = args
        .key_file
        .clone()
        .unwrap_or_else(|| beside_database(&args.database, ".key", "hygeia-server.key"));
    let sealing_key = hygeia_server::sealing::SealingKey::load_or_create(&key_file)
        .map_err(|e| Failure::Input(e.to_string()))?;
    let sealed = hygeia_server::init::seal_stored_secrets(&db, &sealing_key)
        .await
        .map_err(|e| Failure::Input(e.to_string()))?;
    if sealed.sealed_now > 0 {
        eprintln!(
            "hygeia serve: sealed {} authenticator secret(s) stored in the clear by an earlier version",
            sealed.sealed_now
        );
    }
    if sealed.unreadable > 0 {
        eprintln!(
            "hygeia serve: warning: {} authenticator secret(s) do not open with the key file {}; those users cannot sign in until it is restored or an administrator resets their second factor",
            sealed.unreadable,
            key_file.display()
        );
    }
    let settings = Settings {
        max_report_bytes: args.max_report_bytes,
        sealing_key: std::sync::Arc::new(sealing_key),
        enroll_limit: Limit {
            burst: f64::from(args.enroll_rate.max(1)),
            per_minute: f64::from(args.enroll_rate.max(1)),
        },
        connection_limits: hygeia_server::serve::ConnectionLimits {
            total: args.max_connections.max(1),
            per_address: args.max_connections_per_address.max(1),
        },
        trusted_proxies: args.trusted_proxy.clone(),
        devices_store: Some(
            args.devices_store
                .clone()
                .unwrap_or_else(|| beside_database(&args.database, ".devices", "hygeia-devices")),
        ),
        devices_update_every: (args.devices_update_hours > 0).then(|| {
            std::time::Duration::from_secs(args.devices_update_hours.saturating_mul(3600))
        }),
        ..Settings::default()
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let address = listener.local_addr().unwrap_or(args.listen);
    eprintln!(
        "hygeia serve: listening on {scheme}://{address} (database {}); Ctrl-C stops",
        hygeia_server::db::redact_url(&args.database)
    );
    // 0.0.0.0 is where it listens, not an address to open: name the port instead.
    let dashboard = if address.ip().is_unspecified() {
        format!("{scheme}://<this server's name>:{}/", address.port())
    } else {
        format!("{scheme}://{address}/")
    };
    eprintln!("hygeia serve: the dashboard is at {dashboard} (sign in there)");
    run(
        listener,
        tls,
        AppState::new(db, settings),
        shutdown_signal(),
    )
    .await;
    eprintln!("hygeia serve: stopped");
    Ok(0)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
