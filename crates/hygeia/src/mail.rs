//! `hygeia mail scan` and `hygeia mail eval`: read messages in parallel, analyse them, print
//! verdicts with reasons, and measure detection on labelled folders.

use crate::Failure;
use crate::cli::{
    MailEvalArgs, MailFormat, MailOptions, MailOutput, MailScanArgs, MailTrainArgs, VerdictLevel,
};
use anyhow::Context as _;
use hygeia_mail::batch::{self, Scanned};
use hygeia_mail::source::{InputError, InputKind, expand};
use hygeia_mail::{Context, MailCatalog, SenderVerifier, Settings, Verdict};
use hygeia_report::mail::{self as report, ScanOutcome};
use std::io::Write;
use std::path::PathBuf;

fn settings(options: &MailOptions) -> Result<Settings, Failure> {
    Settings::from_options(
        &options.protect,
        &options.trusted_authserv,
        options.model.as_deref(),
    )
    .map_err(Failure::Input)
}

/// The live sender checks of `--verify-dns`, when asked for.
fn verifier(options: &MailOptions) -> Result<Option<Box<dyn SenderVerifier>>, Failure> {
    hygeia_mail::live_verifier(options.verify_dns).map_err(Failure::Input)
}

/// Tells the reader about live checks that could not be made (DNS that did not answer).
fn report_shortfall(verifier: Option<&dyn SenderVerifier>) {
    if let Some(note) = verifier.and_then(|v| v.shortfall()) {
        eprintln!("{note}");
    }
}

/// Reads and analyses every message of `inputs` on the threads `--jobs` asks for (default:
/// one per core), in input order, with a progress bar on a terminal when asked.
fn scan_inputs(
    inputs: &[(PathBuf, InputKind)],
    options: &MailOptions,
    context: &Context,
    progress: bool,
) -> (Vec<Scanned>, Vec<InputError>, f64) {
    let bar = progress
        .then(|| crate::progress::counter(inputs.len(), "Scanning"))
        .flatten();
    let tell = |finished: usize, _: usize| {
        if let Some(bar) = &bar {
            bar.set_position(finished as u64);
        }
    };
    let result = batch::scan(
        inputs,
        max_bytes(options),
        jobs(options),
        context,
        bar.is_some()
            .then_some(&tell as &(dyn Fn(usize, usize) + Sync)),
    );
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result
}

fn max_bytes(options: &MailOptions) -> usize {
    options.max_size_mb.max(1) * 1024 * 1024
}

fn jobs(options: &MailOptions) -> usize {
    options
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1)
}

fn at_least(verdict: Verdict, level: VerdictLevel) -> bool {
    match level {
        VerdictLevel::Suspicious => verdict >= Verdict::Suspicious,
        VerdictLevel::Phishing => verdict == Verdict::Phishing,
    }
}

/// Runs `hygeia mail scan`.
pub fn scan(args: MailScanArgs) -> Result<u8, Failure> {
    let catalog = MailCatalog::builtin().context("loading the mail catalog")?;
    let (inputs, mut errors) = expand(&args.paths);
    let progress = inputs.len() > 200;
    let verifier = verifier(&args.options)?;
    let settings = settings(&args.options)?;
    let context = Context {
        catalog: &catalog,
        settings: &settings,
        verifier: verifier.as_deref(),
    };
    let (scanned, read_errors, seconds) = scan_inputs(&inputs, &args.options, &context, progress);
    errors.extend(read_errors);
    report_shortfall(verifier.as_deref());
    print_results(&scanned, &errors, seconds, &args.output)
}

/// The output of `scan` and `imap` (a table, JSON Lines or SARIF), then the exit code (2 when
/// an input could not be read, 1 when a message reaches `fail_on`).
fn print_results(
    scanned: &[Scanned],
    errors: &[InputError],
    seconds: f64,
    output: &MailOutput,
) -> Result<u8, Failure> {
    let MailOutput {
        format,
        only,
        fail_on,
    } = *output;
    let shown: Vec<&Scanned> = scanned
        .iter()
        .filter(|s| only.is_none_or(|level| at_least(s.analysis.verdict, level)))
        .collect();
    let outcome = ScanOutcome {
        scanned,
        shown: &shown,
        errors,
        seconds,
    };
    let text = match format {
        MailFormat::Terminal => report::scan_terminal(&outcome),
        MailFormat::Json => report::scan_json_lines(&outcome),
        MailFormat::Sarif => hygeia_report::sarif::mail(&shown) + "\n",
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    for error in errors {
        eprintln!("hygeia: could not read {error}");
    }
    if !errors.is_empty() {
        return Ok(2);
    }
    let triggered =
        fail_on.is_some_and(|level| scanned.iter().any(|s| at_least(s.analysis.verdict, level)));
    Ok(u8::from(triggered))
}

/// Runs `hygeia mail eval`.
pub fn eval(args: MailEvalArgs) -> Result<u8, Failure> {
    if args.format == MailFormat::Sarif {
        return Err(Failure::Input(
            "--format sarif lists messages: use it with `hygeia mail scan` or `mail imap`; `mail eval` writes terminal or json".into(),
        ));
    }
    let catalog = MailCatalog::builtin().context("loading the mail catalog")?;
    let verifier = verifier(&args.options)?;
    let settings = settings(&args.options)?;
    let context = Context {
        catalog: &catalog,
        settings: &settings,
        verifier: verifier.as_deref(),
    };
    let labelled: Vec<(&String, bool)> = args
        .phish
        .iter()
        .map(|p| (p, true))
        .chain(args.ham.iter().map(|p| (p, false)))
        .collect();
    let evaluation = batch::evaluate(
        &labelled,
        args.cross_validate,
        max_bytes(&args.options),
        jobs(&args.options),
        &context,
    )
    .map_err(Failure::Input)?;
    for error in &evaluation.errors {
        eprintln!("hygeia: could not read {error}");
    }
    report_shortfall(verifier.as_deref());
    let text = match args.format {
        MailFormat::Json => report::eval_json(&evaluation),
        _ => report::eval_terminal(&evaluation),
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    Ok(if evaluation.errors.is_empty() { 0 } else { 2 })
}

/// Runs `hygeia mail train`.
pub fn train(args: MailTrainArgs) -> Result<u8, Failure> {
    let labelled: Vec<(&String, bool)> = args
        .phish
        .iter()
        .map(|p| (p, true))
        .chain(args.ham.iter().map(|p| (p, false)))
        .collect();
    // Training reads messages up to the scan's default size limit (50 MB).
    let (messages, errors) = batch::read_labelled(&labelled, 50 * 1024 * 1024);
    for error in &errors {
        eprintln!("hygeia: could not read {error}");
    }
    let mut model = batch::train(&messages).map_err(Failure::Input)?;
    model.save(&args.model).map_err(Failure::Input)?;
    println!(
        "Model written to {}: {} phishing and {} legitimate messages, {} distinct words and domains. Use it with --model {}.",
        args.model.display(),
        model.phish_messages,
        model.ham_messages,
        model.tokens.len(),
        args.model.display()
    );
    Ok(if errors.is_empty() { 0 } else { 2 })
}

/// Runs `hygeia mail imap`.
#[cfg(feature = "imap")]
pub fn imap(args: crate::cli::MailImapArgs) -> Result<u8, Failure> {
    use hygeia_mail::imap::{ImapConfig, Security, scan_mailbox};
    use std::io::IsTerminal;
    let catalog = MailCatalog::builtin().context("loading the mail catalog")?;
    let security = if args.starttls {
        Security::StartTls
    } else {
        Security::Tls
    };
    let (host, port) =
        hygeia_mail::imap::server_and_port(&args.server, args.starttls).map_err(Failure::Input)?;
    let password = match std::env::var("HYGEIA_IMAP_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ if std::io::stdin().is_terminal() => {
            rpassword::prompt_password(format!("IMAP password for {}@{host}: ", args.user))
                .map_err(|e| Failure::Input(format!("cannot read the password: {e}")))?
        }
        _ => {
            return Err(Failure::Input(
                "no password: set HYGEIA_IMAP_PASSWORD or run hygeia from a terminal to be asked (it is never taken from the command line)".into(),
            ));
        }
    };
    if let Some(day) = &args.since
        && hygeia_mail::imap::imap_date(day).is_none()
    {
        return Err(Failure::Input(format!(
            "--since {day:?} is not a date written YYYY-MM-DD"
        )));
    }
    let config = ImapConfig {
        host: host.clone(),
        port,
        user: args.user.clone(),
        password,
        folder: args.folder.clone(),
        since: args.since.clone(),
        security,
        ca_file: args.ca.clone(),
        max_message_bytes: args.options.max_size_mb.max(1) * 1024 * 1024,
        timeout: std::time::Duration::from_secs(30),
    };
    let mut settings = settings(&args.options)?;
    // The mailbox's own provider checked SPF, DKIM and DMARC on delivery: use its results.
    if let Some(provider) = catalog.provider_for_imap_host(&host)
        && !settings.trusted_authserv.contains(&provider.authserv_id)
    {
        eprintln!(
            "Using the sender checks (SPF, DKIM, DMARC) that {} recorded on delivery.",
            provider.name
        );
        settings.trusted_authserv.push(provider.authserv_id.clone());
    }
    let verifier = verifier(&args.options)?;
    let context = Context {
        catalog: &catalog,
        settings: &settings,
        verifier: verifier.as_deref(),
    };
    let (scanned, seconds) = scan_mailbox(&config, &context).map_err(|error| {
        Failure::Input(format!(
            "{error}. Check the server name, port, user and password, and for a private server pass its CA certificate with --ca."
        ))
    })?;
    report_shortfall(verifier.as_deref());
    print_results(&scanned, &[], seconds, &args.output)
}
