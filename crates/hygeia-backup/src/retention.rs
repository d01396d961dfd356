//! The plan's retention: which snapshots to keep (one per day, week and month for so many), the
//! rest forgotten and the data only they used pruned.

use crate::BackupError;
use crate::location::Location;
use crate::repository::open;
use rustic_core::{KeepOptions, PruneOptions};

/// Applies `retention` to the snapshots of the same computer and folders as `snapshot` (the
/// one just made): forgets those no longer kept, then removes the data only they used.
/// Returns how many snapshots were forgotten.
pub fn apply_retention(
    location: &Location,
    password: &str,
    snapshot: &str,
    retention: &crate::plan::Retention,
) -> Result<usize, BackupError> {
    let repository = open(location, password)?;
    let all = repository
        .get_all_snapshots()
        .map_err(BackupError::engine("listing the snapshots"))?;
    let Some(made) = all.iter().find(|s| s.id.to_string() == snapshot) else {
        return Ok(0);
    };
    let (hostname, paths) = (made.hostname.clone(), made.paths.clone());
    let group: Vec<_> = all
        .into_iter()
        .filter(|s| s.hostname == hostname && s.paths == paths)
        .collect();
    let keep = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    let options = KeepOptions::default()
        .keep_daily(keep(retention.keep_daily))
        .keep_weekly(keep(retention.keep_weekly))
        .keep_monthly(keep(retention.keep_monthly));
    let decided = options
        .apply(group, &rustic_core::jiff::Zoned::now())
        .map_err(BackupError::engine("applying the retention"))?;
    let forget: Vec<_> = decided
        .into_iter()
        .filter(|s| !s.keep)
        .map(|s| s.snapshot.id)
        .collect();
    if forget.is_empty() {
        return Ok(0);
    }
    repository
        .delete_snapshots(&forget)
        .map_err(BackupError::engine("forgetting old snapshots"))?;
    let prune = PruneOptions::default();
    let plan = repository
        .prune_plan(&prune)
        .map_err(BackupError::engine("planning the clean-up"))?;
    repository
        .prune(&prune, plan)
        .map_err(BackupError::engine("cleaning up old data"))?;
    Ok(forget.len())
}
