//! What `hygeia devices match` matches against: the CSAF advisories, NVD records, KEV catalog
//! and EPSS scores named on the command line, with the advisory store filling in what was not
//! named.

use crate::feeds::{Epss, Kev};
use crate::{AdvisorySet, DevicesError, load_epss, load_kev, store};
use std::path::PathBuf;

/// The files and store one match reads.
#[derive(Debug, Clone, Default)]
pub struct MatchSources {
    /// CSAF files or folders; when none, the store's advisories.
    pub advisories: Vec<PathBuf>,
    /// NVD CVE API answers.
    pub nvd: Vec<PathBuf>,
    /// A KEV catalog; when none, the store's.
    pub kev: Option<PathBuf>,
    /// EPSS scores; when none, the store's (if it has them).
    pub epss: Option<PathBuf>,
    /// The advisory store's folder, when one could be named.
    pub store: Option<PathBuf>,
}

/// The advisories, KEV catalog and EPSS scores a match uses.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Advisories (CSAF, NVD, embedded OS catalog).
    pub set: AdvisorySet,
    /// The KEV catalog, when one was found.
    pub kev: Option<Kev>,
    /// EPSS scores, when found.
    pub epss: Option<Epss>,
}

impl MatchSources {
    /// Reads every source. Without named advisories the store must open (it is the only
    /// source); with them, KEV and EPSS still come from the store when it opens and no file was
    /// named.
    pub fn load(&self) -> Result<Loaded, DevicesError> {
        let mut set = AdvisorySet::default();
        let mut kev_file = self.kev.clone();
        let mut epss_file = self.epss.clone();
        let stored = if self.advisories.is_empty() {
            let dir = self.store.clone().ok_or(DevicesError::NoStore)?;
            let snapshot = store::open(&dir)?;
            set.add_csaf(&snapshot.csaf_dir())?;
            Some(snapshot)
        } else {
            for path in &self.advisories {
                set.add_csaf(path)?;
            }
            self.store.as_deref().and_then(|dir| store::open(dir).ok())
        };
        if let Some(snapshot) = stored {
            kev_file = kev_file.or(Some(snapshot.kev_file()));
            epss_file = epss_file.or(snapshot.epss_file());
        }
        for path in &self.nvd {
            set.add_nvd(path)?;
        }
        Ok(Loaded {
            set,
            kev: kev_file.as_deref().map(load_kev).transpose()?,
            epss: epss_file.as_deref().map(load_epss).transpose()?,
        })
    }
}
