//! `hygeia check` and `hygeia controls`.

use crate::Failure;
use crate::cli::{CheckArgs, ControlsArgs, FailOn, Format, NetworkArgs, ReportOutput};
use anyhow::Context as _;
use hygeia_core::{Catalog, Measured, Report, Severity};
use std::io::IsTerminal;

fn severity(fail_on: FailOn) -> Severity {
    match fail_on {
        FailOn::Low => Severity::Low,
        FailOn::Medium => Severity::Medium,
        FailOn::High => Severity::High,
        FailOn::Critical => Severity::Critical,
    }
}

/// The snapshot (saved or live, saved when asked) and the report `hygeia check` and the agent
/// print and send.
pub(crate) fn report_for(
    catalog: &Catalog,
    saved: Option<&std::path::Path>,
    save_to: Option<&std::path::Path>,
    options: &hygeia_host::Options,
) -> Result<Report, Failure> {
    if options.network && saved.is_none() {
        eprintln!(
            "Checking the home network: asking the router and devices on this network (a few seconds)..."
        );
    }
    let (snapshot, source) =
        hygeia_host::assemble::obtain_snapshot(saved, catalog, options).map_err(Failure::Input)?;
    if let Some(dir) = save_to.filter(|_| saved.is_none()) {
        let path = snapshot
            .save(dir)
            .map_err(|e| Failure::Input(e.to_string()))?;
        eprintln!("Saved the raw outputs of this check to {}", path.display());
    }
    let answers = hygeia_host::answers::config_dir()
        .and_then(|dir| hygeia_host::answers::load(&dir))
        .map_err(|e| Failure::Input(e.to_string()))?;
    Ok(hygeia_host::assemble::build_report(
        catalog,
        &snapshot,
        source,
        &answers,
        time::OffsetDateTime::now_utc(),
    ))
}

/// Whether terminal output may use colours: on a terminal, without --no-color or NO_COLOR.
fn wants_color(output: &ReportOutput) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    output.format == Format::Terminal
        && output.output.is_none()
        && !output.no_color
        && !no_color
        && std::io::stdout().is_terminal()
}

/// Runs `hygeia check`.
pub fn run(args: CheckArgs) -> Result<u8, Failure> {
    let catalog = Catalog::builtin()
        .context("loading the built-in catalog")?
        .restricted_to(|c| c.measured != Measured::Inventory);
    let options = hygeia_host::Options {
        network: args.network,
        kev: kev_option(args.kev.as_deref(), args.network)?,
        nvd: nvd_option(args.nvd.as_deref())?,
        network_only: false,
    };
    let report = report_for(
        &catalog,
        args.snapshot.as_deref(),
        args.save_snapshot.as_deref(),
        &options,
    )?;
    print_report(&report, &args.report)
}

/// Runs `hygeia network`: the home network controls alone.
pub fn run_network(args: NetworkArgs) -> Result<u8, Failure> {
    let catalog = Catalog::builtin()
        .context("loading the built-in catalog")?
        .restricted_to(|c| hygeia_host::rules::HOME_NETWORK_CONTROLS.contains(&c.id.as_str()));
    let options = hygeia_host::Options {
        network: true,
        kev: kev_option(args.kev.as_deref(), true)?,
        nvd: nvd_option(args.nvd.as_deref())?,
        network_only: true,
    };
    let report = report_for(&catalog, None, args.save_snapshot.as_deref(), &options)?;
    print_report(&report, &args.report)
}

/// The KEV file for the router: `--kev` read once to refuse a missing or damaged file before
/// anything is sent; else the store's when the network is probed.
fn kev_option(
    flag: Option<&std::path::Path>,
    network: bool,
) -> Result<Option<std::path::PathBuf>, Failure> {
    let Some(path) = flag else {
        return Ok(network.then(default_kev).flatten());
    };
    feed_file(path, "--kev", "the KEV catalog file (known_exploited_vulnerabilities.json), or leave --kev out to use the one `hygeia devices update` keeps", |p| {
        hygeia_devices::load_kev(p).map(|_| ())
    })
    .map(Some)
}

/// The NVD file for the router: `--nvd`, refused before anything is sent when it is missing,
/// damaged or too big to keep in the snapshot.
fn nvd_option(flag: Option<&std::path::Path>) -> Result<Option<std::path::PathBuf>, Failure> {
    let Some(path) = flag else { return Ok(None) };
    feed_file(path, "--nvd", "NVD's CVE API 2.0 answer for your router's CPE name (for example `virtualMatchString=cpe:2.3:o:dlink:dir-859_firmware`)", |p| {
        let bytes = hygeia_devices::read_limited(p)?;
        hygeia_devices::feeds::parse_nvd(&p.display().to_string(), &bytes).map(|_| ())
    })
    .map(Some)
}

/// Checks a feed file given on the command line: small enough to be kept in the snapshot,
/// readable by `parse`, and made absolute (probes read absolute paths only).
fn feed_file(
    path: &std::path::Path,
    flag: &str,
    expected: &str,
    parse: impl Fn(&std::path::Path) -> Result<(), hygeia_devices::DevicesError>,
) -> Result<std::path::PathBuf, Failure> {
    let limit = hygeia_host::probe::FEED_MAX_BYTES;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.len() > limit
    {
        return Err(Failure::Input(format!(
            "{flag} {}: the file is {} MB, more than the {} MB Hygeia keeps with a check. Give {expected}",
            path.display(),
            meta.len().div_ceil(1024 * 1024),
            limit / (1024 * 1024)
        )));
    }
    parse(path).map_err(|e| Failure::Input(format!("{flag}: {e}. Give {expected}")))?;
    std::path::absolute(path).map_err(|e| Failure::Input(format!("{flag} {}: {e}", path.display())))
}

/// The KEV catalog of the advisory store `hygeia devices update` keeps, when there is one.
pub(crate) fn default_kev() -> Option<std::path::PathBuf> {
    let dir = crate::devices::store_dir(None).ok()?;
    let snapshot = hygeia_devices::store::open(&dir).ok()?;
    Some(snapshot.kev_file()).filter(|p| p.is_file())
}

/// Prints a check report as asked (`check`, `devices report`) and gives the exit code of
/// `--fail-on`.
pub(crate) fn print_report(report: &Report, output: &ReportOutput) -> Result<u8, Failure> {
    let text = match output.format {
        Format::Terminal => hygeia_report::render_terminal(report, wants_color(output)),
        Format::Json => hygeia_report::render_json(report) + "\n",
        Format::Html => hygeia_report::render_html(report),
        Format::Junit => hygeia_report::render_junit(report),
        Format::Sarif => hygeia_report::sarif::check(report) + "\n",
    };
    crate::emit(&text, output.output.as_deref(), &report.summary.headline)?;
    Ok(report.exit_code(output.fail_on.map(severity)) as u8)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_damaged_kev_file_is_refused_before_any_probe() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let missing = dir.path().join("missing.json");
        let Err(Failure::Input(message)) = kev_option(Some(&missing), true) else {
            panic!("a missing --kev file was accepted")
        };
        assert!(
            message.contains("--kev") && message.contains("missing.json"),
            "{message}"
        );
        let garbage = dir.path().join("garbage.json");
        std::fs::write(&garbage, "not json").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            kev_option(Some(&garbage), true),
            Err(Failure::Input(_))
        ));
        let good = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/network/kev-routers.json");
        let Ok(Some(path)) = kev_option(Some(&good), true) else {
            panic!("the fixture KEV was refused")
        };
        assert!(path.is_absolute());
    }

    #[test]
    fn an_nvd_file_is_checked_before_any_probe() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(nvd_option(None), Ok(None)));
        let missing = dir.path().join("missing.json");
        let Err(Failure::Input(message)) = nvd_option(Some(&missing)) else {
            panic!("a missing --nvd file was accepted")
        };
        assert!(
            message.contains("--nvd") && message.contains("missing.json"),
            "{message}"
        );
        // A KEV catalog is not an NVD answer.
        let kev = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/network/kev-routers.json");
        let Err(Failure::Input(message)) = nvd_option(Some(&kev)) else {
            panic!("a KEV file was accepted as NVD")
        };
        assert!(message.contains("CVE API 2.0"), "{message}");
        // Too big to keep in the snapshot: said before it is read.
        let big = dir.path().join("all-of-nvd.json");
        std::fs::File::create(&big)
            .and_then(|f| f.set_len(hygeia_host::probe::FEED_MAX_BYTES + 1))
            .unwrap_or_else(|e| panic!("{e}"));
        let Err(Failure::Input(message)) = nvd_option(Some(&big)) else {
            panic!("a file over the limit was accepted")
        };
        assert!(message.contains("more than the 4 MB"), "{message}");
        let good = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/network/nvd-dlink-routers.json");
        let Ok(Some(path)) = nvd_option(Some(&good)) else {
            panic!("the fixture NVD file was refused")
        };
        assert!(path.is_absolute());
    }
}
