//! `hygeia check` and `hygeia controls`.

use crate::Failure;
use crate::cli::{CheckArgs, ControlsArgs, FailOn, Format};
use anyhow::Context as _;
use hygeia_core::{Catalog, HostInfo, Measured, Platform, Report, Severity, attested_finding};
use hygeia_host::Snapshot;
use std::io::IsTerminal;

pub(crate) fn severity(fail_on: FailOn) -> Severity {
    match fail_on {
        FailOn::Low => Severity::Low,
        FailOn::Medium => Severity::Medium,
        FailOn::High => Severity::High,
        FailOn::Critical => Severity::Critical,
    }
}

fn obtain_snapshot(args: &CheckArgs, catalog: &Catalog) -> Result<(Snapshot, String), Failure> {
    if let Some(dir) = &args.snapshot {
        let snapshot = Snapshot::load(dir).map_err(|e| Failure::Input(e.to_string()))?;
        return Ok((snapshot, format!("snapshot {}", dir.display())));
    }
    let platform = Platform::current().ok_or_else(|| {
        Failure::Input(
            "this operating system is not supported; Hygeia checks Linux, macOS and Windows".into(),
        )
    })?;
    let snapshot = hygeia_host::collect(platform, catalog);
    if let Some(dir) = &args.save_snapshot {
        let path = snapshot
            .save(dir)
            .map_err(|e| Failure::Input(e.to_string()))?;
        eprintln!("Saved the raw outputs of this check to {}", path.display());
    }
    Ok((snapshot, "live".into()))
}

/// Builds the report for a snapshot, with the stored answers for attested controls.
pub fn build_report(
    catalog: &Catalog,
    snapshot: &Snapshot,
    source: String,
) -> Result<Report, Failure> {
    let now = time::OffsetDateTime::now_utc();
    let mut findings = hygeia_host::evaluate(snapshot, catalog);
    let answers = crate::attest::load()?;
    for control in catalog
        .controls
        .iter()
        .filter(|c| c.measured == Measured::Attested)
    {
        findings.insert(
            control.id.clone(),
            attested_finding(&control.id, answers.get(&control.id), now),
        );
    }
    let host = HostInfo {
        hostname: snapshot.context.hostname.clone(),
        platform: snapshot.platform,
        os: hygeia_host::describe_os(snapshot),
        user: snapshot.context.user.clone(),
        source,
        collected_at: snapshot.collected_at.clone(),
    };
    Ok(Report::build(
        host,
        hygeia_core::time_util::rfc3339(now),
        catalog,
        findings,
        &answers,
    ))
}

/// Whether terminal output may use colours: on a terminal, without --no-color or NO_COLOR.
pub(crate) fn wants_color(
    format: Format,
    output: Option<&std::path::Path>,
    no_color_flag: bool,
) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    format == Format::Terminal
        && output.is_none()
        && !no_color_flag
        && !no_color
        && std::io::stdout().is_terminal()
}

/// Runs `hygeia check`.
pub fn run(args: CheckArgs) -> Result<u8, Failure> {
    let catalog = Catalog::builtin()
        .context("loading the built-in catalog")?
        .restricted_to(|c| c.measured != Measured::Inventory);
    let (snapshot, source) = obtain_snapshot(&args, &catalog)?;
    let report = build_report(&catalog, &snapshot, source)?;
    let color = wants_color(args.format, args.output.as_deref(), args.no_color);
    crate::emit(
        &render(&report, args.format, color),
        args.output.as_deref(),
        &report.summary.headline,
    )?;
    Ok(report.exit_code(args.fail_on.map(severity)) as u8)
}

/// A check report in the format asked for.
pub(crate) fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Terminal => hygeia_report::render_terminal(report, color),
        Format::Json => hygeia_report::render_json(report) + "\n",
        Format::Html => hygeia_report::render_html(report),
        Format::Junit => hygeia_report::render_junit(report),
        Format::Sarif => hygeia_report::sarif::check(report) + "\n",
    }
}

/// Runs `hygeia controls`.
pub fn list_controls(args: ControlsArgs) -> Result<u8, Failure> {
    let catalog = Catalog::builtin().context("loading the built-in catalog")?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&catalog.controls).context("serialising the catalog")?
        );
        return Ok(0);
    }
    for control in &catalog.controls {
        let how = match control.measured {
            Measured::Automatic => "automatic",
            Measured::Attested => "attested",
            Measured::Inventory => "inventory",
        };
        println!(
            "{:<11} {:<9} {:<9} {:<15} {}",
            control.id,
            control.severity.as_str(),
            how,
            control.area.as_str(),
            control.title
        );
    }
    Ok(0)
}
