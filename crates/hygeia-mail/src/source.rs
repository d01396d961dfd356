//! Where messages come from: `.eml` files, folders (recursive), mbox files, Maildir folders and
//! standard input. Each message is read up to a size limit; one bad input is reported and the
//! others are still read.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Default largest message examined, in bytes.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 50 * 1024 * 1024;
/// Files in one folder tree beyond this are not read.
pub const MAX_FILES: usize = 1_000_000;

/// One message's bytes and where it came from.
#[derive(Debug, Clone)]
pub struct RawMessage {
    /// `path`, `path#n` for the n-th message of an mbox, or `-` for standard input.
    pub origin: String,
    /// Bytes, cut at the size limit.
    pub bytes: Vec<u8>,
    /// The size limit, when the message was longer.
    pub truncated: Option<usize>,
}

/// An input that could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{path}: {message}")]
pub struct InputError {
    /// The path given or found.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

/// What kind of input a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum InputKind {
    /// One message.
    File,
    /// An mbox file (starts with "From ").
    Mbox,
    /// A Maildir folder (has cur/ and new/).
    Maildir,
    /// Any other folder: every file below it.
    Folder,
}

/// Decides what a path holds.
pub fn kind_of(path: &Path) -> std::io::Result<InputKind> {
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        if path.join("cur").is_dir() && path.join("new").is_dir() {
            return Ok(InputKind::Maildir);
        }
        return Ok(InputKind::Folder);
    }
    // A FIFO, socket or device would block the scan or never end: only regular files are read.
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a pipe, socket or device); skipped",
        ));
    }
    let mut head = [0u8; 5];
    let mut file = std::fs::File::open(path)?;
    let n = file.read(&mut head)?;
    Ok(if &head[..n] == b"From " {
        InputKind::Mbox
    } else {
        InputKind::File
    })
}

/// Reads at most `limit` bytes of a reader; the flag says whether more was there.
fn read_capped(reader: impl Read, limit: usize) -> std::io::Result<(Vec<u8>, bool)> {
    let mut bytes = Vec::new();
    let mut limited = reader.take(limit as u64 + 1);
    limited.read_to_end(&mut bytes)?;
    let over = bytes.len() > limit;
    bytes.truncate(limit);
    Ok((bytes, over))
}

/// Expands paths into the list of message files and mboxes to read, depth first and sorted,
/// reporting paths that cannot be read.
pub fn expand(paths: &[String]) -> (Vec<(PathBuf, InputKind)>, Vec<InputError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path == "-" {
            inputs.push((PathBuf::from("-"), InputKind::File));
            continue;
        }
        let p = PathBuf::from(path);
        match kind_of(&p) {
            Ok(InputKind::Folder) => walk(&p, &mut inputs, &mut errors),
            Ok(InputKind::Maildir) => {
                for sub in ["cur", "new"] {
                    walk(&p.join(sub), &mut inputs, &mut errors);
                }
            }
            Ok(kind) => inputs.push((p, kind)),
            Err(e) => errors.push(InputError {
                path: path.clone(),
                message: describe_io(&e),
            }),
        }
    }
    (inputs, errors)
}

fn walk(dir: &Path, inputs: &mut Vec<(PathBuf, InputKind)>, errors: &mut Vec<InputError>) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = match std::fs::read_dir(&current) {
            Ok(entries) => entries,
            Err(e) => {
                errors.push(InputError {
                    path: current.display().to_string(),
                    message: describe_io(&e),
                });
                continue;
            }
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths.into_iter().rev() {
            if inputs.len() >= MAX_FILES {
                return;
            }
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.starts_with('.') {
                continue;
            }
            match kind_of(&path) {
                Ok(InputKind::Folder) | Ok(InputKind::Maildir) => stack.push(path),
                Ok(kind) => inputs.push((path, kind)),
                Err(e) => errors.push(InputError {
                    path: path.display().to_string(),
                    message: describe_io(&e),
                }),
            }
        }
    }
    inputs.sort();
}

fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::InvalidInput => e.to_string(),
        _ => e.to_string(),
    }
}

/// Reads the messages of one input, calling `each` for every message.
pub fn read_input(
    path: &Path,
    kind: InputKind,
    limit: usize,
    each: &mut dyn FnMut(RawMessage),
) -> Result<(), InputError> {
    let origin = path.display().to_string();
    let fail = |e: std::io::Error| InputError {
        path: origin.clone(),
        message: describe_io(&e),
    };
    if path == Path::new("-") {
        let (bytes, over) = read_capped(std::io::stdin().lock(), limit).map_err(fail)?;
        each(RawMessage {
            origin: "-".into(),
            bytes,
            truncated: over.then_some(limit),
        });
        return Ok(());
    }
    let file = std::fs::File::open(path).map_err(fail)?;
    match kind {
        InputKind::Mbox => read_mbox(BufReader::new(file), &origin, limit, each).map_err(fail),
        _ => {
            let (bytes, over) = read_capped(file, limit).map_err(fail)?;
            each(RawMessage {
                origin,
                bytes,
                truncated: over.then_some(limit),
            });
            Ok(())
        }
    }
}

/// Splits an mbox on `From ` lines, undoing `>From ` quoting; each message capped at `limit`.
pub fn read_mbox(
    mut reader: impl BufRead,
    origin: &str,
    limit: usize,
    each: &mut dyn FnMut(RawMessage),
) -> std::io::Result<()> {
    let mut current: Option<(Vec<u8>, bool)> = None;
    let mut index = 0usize;
    // Hands a finished message (bytes, cut at the limit?) to `each`, numbered from 1.
    let mut finish = |message: Option<(Vec<u8>, bool)>| {
        if let Some((bytes, over)) = message {
            index += 1;
            each(RawMessage {
                origin: format!("{origin}#{index}"),
                bytes,
                truncated: over.then_some(limit),
            });
        }
    };
    let mut line = Vec::with_capacity(256);
    loop {
        line.clear();
        // A single line is capped too, so a file without newlines cannot exhaust memory.
        let read = (&mut reader)
            .take(limit as u64 + 1)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            break;
        }
        if line.starts_with(b"From ") {
            finish(current.take());
            current = Some((Vec::new(), false));
            continue;
        }
        let Some((bytes, over)) = current.as_mut() else {
            continue;
        };
        let unquoted: &[u8] = if line.starts_with(b">")
            && line
                .iter()
                .skip_while(|&&b| b == b'>')
                .take(5)
                .eq(b"From ".iter())
        {
            &line[1..]
        } else {
            &line
        };
        if bytes.len() + unquoted.len() > limit {
            *over = true;
        } else {
            bytes.extend_from_slice(unquoted);
        }
    }
    finish(current.take());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_mbox_and_caps_size() {
        let mbox = b"From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\n>From the start\n\nFrom c@d Mon Jan  1 00:00:00 2024\nSubject: two\n\nbody\n";
        let mut seen = Vec::new();
        read_mbox(&mbox[..], "box", 1000, &mut |m| seen.push(m)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(seen.len(), 2);
        assert!(seen[0].bytes.windows(10).any(|w| w == b"From the s"));
        assert_eq!(seen[1].origin, "box#2");
        let mut capped = Vec::new();
        read_mbox(&mbox[..], "box", 10, &mut |m| capped.push(m)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(capped[0].truncated, Some(10));
    }

    #[test]
    fn missing_paths_are_reported_not_fatal() {
        let (inputs, errors) = expand(&["/nonexistent/hygeia/mail".to_string()]);
        assert!(inputs.is_empty());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("no such file"));
    }
}
