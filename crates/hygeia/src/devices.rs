//! `hygeia devices match`, `update` and `report`.

use crate::Failure;
use crate::cli::{DevicesFormat, DevicesMatchArgs, DevicesReportArgs, DevicesUpdateArgs};
use anyhow::Context as _;
use hygeia_core::{Catalog, Measured};
use hygeia_devices::priority::Priority;
use hygeia_devices::sources::{Loaded, MatchSources};
use hygeia_devices::{DevicesError, inventory, store};
use std::path::{Path, PathBuf};

fn input(error: DevicesError) -> Failure {
    Failure::Input(error.to_string())
}

/// The advisory store: `--store`, else `HYGEIA_DEVICES_STORE`, else `devices` in Hygeia's
/// config folder.
pub(crate) fn store_dir(flag: Option<&Path>) -> Result<PathBuf, Failure> {
    if let Some(dir) = flag {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os("HYGEIA_DEVICES_STORE").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let dir = hygeia_host::answers::config_dir().map_err(|e| Failure::Input(e.to_string()))?;
    Ok(dir.join("devices"))
}

/// Reads the inventory and says on stderr which rows were left out.
fn read_inventory(path: &Path) -> Result<inventory::Inventory, Failure> {
    let inventory = inventory::load(path).map_err(input)?;
    for problem in &inventory.problems {
        eprintln!("hygeia: {}", hygeia_report::devices::problem_line(problem));
    }
    if inventory.devices.is_empty() {
        return Err(Failure::Input(format!(
            "{} lists no usable device; see the messages above",
            path.display()
        )));
    }
    Ok(inventory)
}

/// Runs `hygeia devices match`.
pub fn run_match(args: DevicesMatchArgs) -> Result<u8, Failure> {
    let inventory = read_inventory(&args.inventory)?;
    // The store is needed only when no advisories are named; then its folder must be found.
    let store = if args.advisories.is_empty() {
        Some(store_dir(args.store.as_deref())?)
    } else {
        store_dir(args.store.as_deref()).ok()
    };
    let sources = MatchSources {
        advisories: args.advisories.clone(),
        nvd: args.nvd.clone(),
        kev: args.kev.clone(),
        epss: args.epss.clone(),
        store,
    };
    let Loaded { set, kev, epss } = sources.load().map_err(input)?;
    let report = hygeia_devices::match_inventory(&inventory, &set, kev.as_ref(), epss.as_ref())
        .context("loading the device catalogs")?;
    let text = match args.format {
        DevicesFormat::Terminal => hygeia_report::devices::terminal(&report),
        DevicesFormat::Json => hygeia_report::devices::json(&report) + "\n",
        DevicesFormat::Csv => hygeia_report::devices::csv(&report),
        DevicesFormat::Html => hygeia_report::devices::html(&report),
        DevicesFormat::Sarif => hygeia_report::sarif::devices(&report) + "\n",
    };
    let done = format!("{} finding(s).", report.findings.len());
    crate::emit(&text, args.output.as_deref(), &done)?;
    for file in &set.unreadable {
        eprintln!(
            "hygeia: {file} could not be read as CSAF, so none of its products were matched (the reason is under `unparsed`)"
        );
    }
    if inventory.problems.iter().any(|p| p.skipped) || !set.unreadable.is_empty() {
        // The findings are printed, but a skipped row or an unreadable advisory file is an
        // input error to fix.
        return Ok(2);
    }
    let threshold = args.fail_on.map(|level| match level {
        crate::cli::PriorityLevel::Low => Priority::Low,
        crate::cli::PriorityLevel::Medium => Priority::Medium,
        crate::cli::PriorityLevel::High => Priority::High,
        crate::cli::PriorityLevel::Critical => Priority::Critical,
    });
    let failing = threshold.is_some_and(|t| report.findings.iter().any(|f| f.priority >= t));
    Ok(u8::from(failing))
}

/// Runs `hygeia devices update`: downloads, or with `--from` copies a store made elsewhere.
pub fn update(args: DevicesUpdateArgs) -> Result<u8, Failure> {
    let Some(from) = &args.from else {
        return download(args);
    };
    let dir = store_dir(args.store.as_deref())?;
    let manifest = store::import(&dir, from).map_err(input)?;
    println!(
        "Advisory store in {} now holds the copy of {}: {} CSAF advisories, KEV {} ({} entries), {} EPSS scores.",
        dir.display(),
        from.display(),
        manifest.csaf_documents,
        manifest.kev_version,
        manifest.kev_entries,
        manifest.epss_scores
    );
    Ok(0)
}

/// Downloads the feeds into the store.
#[cfg(feature = "devices-update")]
fn download(args: DevicesUpdateArgs) -> Result<u8, Failure> {
    use hygeia_devices::update::Sources;
    let dir = store_dir(args.store.as_deref())?;
    let defaults = Sources::default();
    let sources = Sources {
        csaf_provider: args.csaf_provider.unwrap_or(defaults.csaf_provider),
        kev: args.kev_url.unwrap_or(defaults.kev),
        epss: if args.no_epss {
            None
        } else {
            args.epss_url.or(defaults.epss)
        },
        all_ics: args.all_ics,
    };
    let spinner = crate::progress::steps();
    let manifest = hygeia_devices::update::update(&dir, &sources, &mut |step| match &spinner {
        Some(spinner) => spinner.set_message(step.to_string()),
        None => eprintln!("{step}"),
    });
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    let manifest = manifest.map_err(input)?;
    println!(
        "Advisory store updated in {}: {} CSAF advisories, KEV {} ({} entries), {} EPSS scores.",
        dir.display(),
        manifest.csaf_documents,
        manifest.kev_version,
        manifest.kev_entries,
        manifest.epss_scores
    );
    Ok(0)
}

/// Downloading in a build without downloads.
#[cfg(not(feature = "devices-update"))]
fn download(_: DevicesUpdateArgs) -> Result<u8, Failure> {
    Err(Failure::Input(
        "this build of Hygeia cannot download; copy a store made elsewhere with `hygeia devices update --from DIR`, or pass --advisories and --kev files to `hygeia devices match`".into(),
    ))
}

/// Runs `hygeia devices report`: the inventory hygiene controls in the `hygeia check` format.
pub fn report(args: DevicesReportArgs) -> Result<u8, Failure> {
    let inventory = read_inventory(&args.inventory)?;
    let catalog = Catalog::builtin()
        .context("loading the built-in catalog")?
        .restricted_to(|c| c.measured == Measured::Inventory);
    let os_catalog =
        hygeia_devices::os::OsCatalog::builtin().context("loading the device OS catalog")?;
    let report = hygeia_devices::hygiene::report(
        &inventory,
        &args.inventory,
        &catalog,
        &os_catalog,
        hygeia_host::answers::who(),
        time::OffsetDateTime::now_utc(),
    );
    let code = crate::check::print_report(&report, &args.report)?;
    // The report is printed, but a skipped row is an input error to fix.
    if inventory.problems.iter().any(|p| p.skipped) {
        return Ok(2);
    }
    Ok(code)
}
