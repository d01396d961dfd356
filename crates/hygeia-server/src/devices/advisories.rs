//! The server's advisory store: a `hygeia devices` store folder (`--devices-store`), read once
//! per snapshot and kept in memory, refreshed by the same update code as `hygeia devices update`
//! on a schedule (`--devices-update-hours`, off by default: a server without internet gets a
//! store made elsewhere with `hygeia devices update --from`). Whenever the active snapshot
//! changes, every practice's inventory is matched again.

use hygeia_devices::feeds::{Epss, Kev};
use hygeia_devices::store::{self, Manifest};
use hygeia_devices::{AdvisorySet, DevicesError};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One snapshot of the store, read.
#[derive(Debug)]
pub struct Loaded {
    /// The snapshot folder's name (changes with every update).
    pub snapshot: String,
    /// What the snapshot holds.
    pub manifest: Manifest,
    /// Its CSAF advisories.
    pub set: AdvisorySet,
    /// Its KEV catalog.
    pub kev: Kev,
    /// Its EPSS scores, when it has them.
    pub epss: Option<Epss>,
}

impl Loaded {
    /// One line naming the advisories a match used, stored with the match.
    pub fn describe(&self) -> String {
        format!(
            "{} CISA medical advisories and KEV {} (store of {})",
            self.manifest.csaf_documents, self.manifest.kev_version, self.manifest.fetched_at
        )
    }
}

/// The last scheduled update, for the page.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct UpdateAttempt {
    /// When it ran (Unix seconds).
    pub at: i64,
    /// Whether it worked.
    pub ok: bool,
    /// What happened, in words.
    pub message: String,
}

/// The advisory store of this server.
#[derive(Debug)]
pub struct AdvisoryStore {
    /// The store folder; `None` when the server has none.
    pub dir: Option<PathBuf>,
    /// Hours between scheduled updates; `None` when off.
    pub update_every: Option<Duration>,
    /// Where scheduled updates download from.
    pub sources: hygeia_devices::update::Sources,
    loaded: Mutex<Option<Arc<Loaded>>>,
    last_attempt: Mutex<Option<UpdateAttempt>>,
}

/// What the page and the API say about the store.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoreStatus {
    /// Whether the server has an advisory store with a snapshot.
    pub available: bool,
    /// When the snapshot was made (RFC 3339), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<String>,
    /// CSAF advisories in it.
    pub advisories: usize,
    /// KEV catalog version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kev_version: Option<String>,
    /// Hours between scheduled updates, when on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_every_hours: Option<u64>,
    /// The last scheduled update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_update: Option<UpdateAttempt>,
    /// Why there is no store, or what is wrong with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl AdvisoryStore {
    /// A store at `dir` (or none), updated from `sources` every `update_every` (or never).
    pub fn new(
        dir: Option<PathBuf>,
        update_every: Option<Duration>,
        sources: hygeia_devices::update::Sources,
    ) -> AdvisoryStore {
        AdvisoryStore {
            dir,
            update_every,
            sources,
            loaded: Mutex::default(),
            last_attempt: Mutex::default(),
        }
    }

    /// The active snapshot, read from disk when it changed since the last call. Blocking (reads
    /// every advisory of a new snapshot): call it from `spawn_blocking`. `Ok(None)` when the
    /// server has no store or the store has no snapshot yet.
    pub fn current(&self) -> Result<Option<Arc<Loaded>>, DevicesError> {
        let Some(dir) = &self.dir else {
            return Ok(None);
        };
        if !dir.join("CURRENT").exists() {
            return Ok(None);
        }
        let snapshot = store::open(dir)?;
        let name = snapshot
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(loaded) = self.cached().filter(|l| l.snapshot == name) {
            return Ok(Some(loaded));
        }
        let mut set = AdvisorySet::default();
        set.add_csaf(&snapshot.csaf_dir())?;
        let kev = hygeia_devices::load_kev(&snapshot.kev_file())?;
        let epss = snapshot
            .epss_file()
            .map(|path| hygeia_devices::load_epss(&path))
            .transpose()?;
        let loaded = Arc::new(Loaded {
            snapshot: name,
            manifest: snapshot.manifest,
            set,
            kev,
            epss,
        });
        if let Ok(mut slot) = self.loaded.lock() {
            *slot = Some(Arc::clone(&loaded));
        }
        Ok(Some(loaded))
    }

    fn cached(&self) -> Option<Arc<Loaded>> {
        self.loaded.lock().ok().and_then(|slot| slot.clone())
    }

    /// The name of the active snapshot on disk, without reading it (cheap: one small file).
    pub fn active_snapshot_name(&self) -> Option<String> {
        let dir = self.dir.as_ref()?;
        std::fs::read_to_string(dir.join("CURRENT"))
            .ok()
            .map(|n| n.trim().to_string())
    }

    /// The snapshot held in memory, by name.
    pub fn loaded_snapshot_name(&self) -> Option<String> {
        self.cached().map(|l| l.snapshot.clone())
    }

    /// Records the outcome of a scheduled update.
    pub fn record_attempt(&self, attempt: UpdateAttempt) {
        if let Ok(mut slot) = self.last_attempt.lock() {
            *slot = Some(attempt);
        }
    }

    /// The store's state in words, for the page and the API.
    pub fn status(&self) -> StoreStatus {
        let update_every_hours = self.update_every.map(|d| d.as_secs() / 3600);
        let last_update = self.last_attempt.lock().ok().and_then(|a| a.clone());
        let Some(dir) = &self.dir else {
            return StoreStatus {
                available: false,
                fetched_at: None,
                advisories: 0,
                kev_version: None,
                update_every_hours,
                last_update,
                problem: Some("This server has no advisory store, so inventories are checked for the hygiene controls and end-of-support systems only. Its operator starts it with --devices-store DIR.".into()),
            };
        };
        match store::open(dir) {
            Ok(snapshot) => StoreStatus {
                available: true,
                fetched_at: Some(snapshot.manifest.fetched_at),
                advisories: snapshot.manifest.csaf_documents,
                kev_version: Some(snapshot.manifest.kev_version),
                update_every_hours,
                last_update,
                problem: None,
            },
            Err(_) => StoreStatus {
                available: false,
                fetched_at: None,
                advisories: 0,
                kev_version: None,
                update_every_hours,
                last_update,
                problem: Some("The advisory store is empty. The server's operator fills it with `hygeia devices update --store DIR` (or `--from FOLDER` on a server without internet), or starts the server with --devices-update-hours 24.".into()),
            },
        }
    }
}

/// Downloads a new snapshot with the same code as `hygeia devices update`. Blocking.
pub fn download(store: &AdvisoryStore) -> UpdateAttempt {
    let at = crate::db::now();
    let Some(dir) = &store.dir else {
        return UpdateAttempt {
            at,
            ok: false,
            message: "no advisory store folder is set".into(),
        };
    };
    match hygeia_devices::update::update(dir, &store.sources, &mut |_| {}) {
        Ok(manifest) => UpdateAttempt {
            at,
            ok: true,
            message: format!(
                "{} advisories, KEV {}",
                manifest.csaf_documents, manifest.kev_version
            ),
        },
        Err(e) => UpdateAttempt {
            at,
            ok: false,
            message: format!("{e}; the previous advisories stay in use"),
        },
    }
}

/// How often the schedule looks for a new snapshot by default (one small file read).
pub const WATCH_EVERY: Duration = Duration::from_secs(60);

/// Downloads when the schedule says so; `last` is when the last download started.
async fn download_if_due(store: &Arc<AdvisoryStore>, last: &mut Option<std::time::Instant>) {
    let Some(every) = store.update_every else {
        return;
    };
    if last.is_some_and(|t| t.elapsed() < every) {
        return;
    }
    *last = Some(std::time::Instant::now());
    let for_download = Arc::clone(store);
    let attempt = tokio::task::spawn_blocking(move || download(&for_download))
        .await
        .unwrap_or_else(|e| UpdateAttempt {
            at: crate::db::now(),
            ok: false,
            message: format!("the update stopped: {e}"),
        });
    if !attempt.ok {
        eprintln!("hygeia serve: advisory update failed: {}", attempt.message);
    }
    store.record_attempt(attempt);
}

/// Runs forever: downloads on the schedule when it is on, and matches every practice's
/// inventory again whenever the active snapshot differs from the one last matched against
/// (an inventory already matched against it is left alone, so a restart redoes nothing).
pub async fn schedule(state: crate::state::AppState) {
    let store = Arc::clone(&state.advisories);
    let watch_every = state.settings.devices_watch_every;
    let mut last_download: Option<std::time::Instant> = None;
    let mut matched_snapshot: Option<String> = None;
    loop {
        download_if_due(&store, &mut last_download).await;
        let active = store.active_snapshot_name();
        if active.is_some() && active != matched_snapshot {
            let started = std::time::Instant::now();
            match super::evaluate::rematch_all(&state).await {
                Ok(count) => {
                    matched_snapshot = active;
                    if count > 0 {
                        eprintln!(
                            "hygeia serve: matched {count} practice inventories against the new advisories in {:.1} s",
                            started.elapsed().as_secs_f64()
                        );
                    }
                }
                Err(e) => eprintln!(
                    "hygeia serve: matching inventories against the new advisories failed: {}",
                    e.message
                ),
            }
        }
        tokio::time::sleep(watch_every).await;
    }
}
