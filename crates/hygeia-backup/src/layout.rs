//! Where a restic repository keeps each file, relative to its root: `config`, `keys/ID`,
//! `snapshots/ID`, `index/ID`, `locks/ID` and `data/XX/ID` (XX: the id's first two hex digits).
//! The S3 and SFTP backends store files under these names so restic reads what Hygeia writes.

use rustic_core::{FileType, Id};

/// `relative` under `root` (`root` without a trailing slash; empty for the top).
pub(crate) fn under(root: &str, relative: &str) -> String {
    if root.is_empty() {
        relative.to_string()
    } else {
        format!("{root}/{relative}")
    }
}

/// The file of type `tpe` and id `id` under `root`.
pub(crate) fn file(root: &str, tpe: FileType, id: &Id) -> String {
    let hex = id.to_hex();
    match tpe {
        FileType::Config => under(root, "config"),
        FileType::Pack => under(root, &format!("data/{}/{}", &hex[..2], &*hex)),
        _ => under(root, &format!("{}/{}", tpe.dirname(), &*hex)),
    }
}
