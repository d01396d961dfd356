//! `hygeia serve`, `hygeia serve init` and `hygeia serve add-practice`.

use crate::Failure;
use crate::cli::{ServeAction, ServeArgs};
use hygeia_server::db::beside_database;
use hygeia_server::init::{Setup, create};
use hygeia_server::ratelimit::Limit;
use hygeia_server::serve::Listen;
use hygeia_server::{Db, Settings};

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
    let key_file = args
        .key_file
        .clone()
        .unwrap_or_else(|| beside_database(&args.database, ".key", "hygeia-server.key"));
    let settings = Settings {
        max_report_bytes: args.max_report_bytes,
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
        mail_ca: args.mail_ca.clone(),
        simulation_every: std::time::Duration::from_secs(args.simulations_every),
        ..Settings::default()
    };
    if let Some(ca) = &args.mail_ca {
        let pem = std::fs::read_to_string(ca)
            .map_err(|e| Failure::Input(format!("--mail-ca {}: {e}", ca.display())))?;
        if !pem.contains("-----BEGIN CERTIFICATE-----") {
            return Err(Failure::Input(format!(
                "--mail-ca {}: no PEM certificate in it; give the CA certificate of the practice's mail server",
                ca.display()
            )));
        }
    }
    hygeia_server::start::serve(db, &args.database, &listen, &key_file, settings)
        .await
        .map_err(|e| Failure::Input(e.to_string()))?;
    Ok(0)
}
