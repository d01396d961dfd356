//! `hygeia man-pages --out-dir DIR`: one manual page per command (hygeia.1, hygeia-check.1,
//! hygeia-mail-scan.1, ...), generated from the argument definitions. The packages run it at
//! build time and install the pages, so `man hygeia` matches the binary it ships with.

use crate::Failure;
use crate::cli::{Cli, ManPagesArgs};
use clap::CommandFactory;
use std::path::{Path, PathBuf};

/// Writes every page into `args.out_dir` and lists them on standard error.
pub fn run(args: ManPagesArgs) -> Result<u8, Failure> {
    let written = write_pages(&args.out_dir)?;
    eprintln!(
        "Wrote {} manual pages into {}.",
        written.len(),
        args.out_dir.display()
    );
    Ok(0)
}

/// Every page as (file name, roff text), the top command first.
pub fn pages() -> Result<Vec<(String, Vec<u8>)>, Failure> {
    let mut command = Cli::command().disable_help_subcommand(true);
    // Building gives each sub-command its display name (hygeia-mail-scan), used as the page's name.
    command.build();
    let mut pages = Vec::new();
    collect(&command, &mut pages)?;
    Ok(pages)
}

fn collect(command: &clap::Command, pages: &mut Vec<(String, Vec<u8>)>) -> Result<(), Failure> {
    let page = clap_mangen::Man::new(command.clone())
        .date(env!("HYGEIA_BUILD_DATE"))
        .source(format!("hygeia {}", env!("CARGO_PKG_VERSION")))
        .manual("Hygeia manual");
    let mut text = Vec::new();
    page.render(&mut text)
        .map_err(|e| Failure::Internal(anyhow::anyhow!("rendering a manual page: {e}")))?;
    pages.push((page.get_filename(), text));
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, pages)?;
    }
    Ok(())
}

/// Writes the pages, never through a symlink planted in the folder.
fn write_pages(dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::Input(format!("cannot create the folder {}: {e}", dir.display())))?;
    let mut written = Vec::new();
    for (name, text) in pages()? {
        let path = dir.join(&name);
        hygeia_core::private_file::replace_file(&path, &text, 0o644)
            .map_err(|e| Failure::Input(format!("cannot write {}: {e}", path.display())))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_page_per_visible_command_with_its_examples() {
        let pages = pages().unwrap_or_else(|e| panic!("{e:?}"));
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        for expected in [
            "hygeia.1",
            "hygeia-check.1",
            "hygeia-mail-scan.1",
            "hygeia-agent-enroll.1",
            "hygeia-completions.1",
        ] {
            assert!(
                names.contains(&expected),
                "{expected} missing from {names:?}"
            );
        }
        assert!(!names.iter().any(|n| n.contains("man-pages")));
        assert!(!names.iter().any(|n| n.starts_with("hygeia-help")));
        let check = &pages
            .iter()
            .find(|(n, _)| n == "hygeia-check.1")
            .unwrap_or_else(|| panic!("no check page"))
            .1;
        let check = String::from_utf8_lossy(check);
        assert!(check.contains("hygeia check \\-\\-format html"), "{check}");
    }

    #[test]
    fn writes_into_a_folder_and_refuses_a_planted_symlink() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, b"keep").unwrap_or_else(|e| panic!("{e}"));
        #[cfg(unix)]
        std::os::unix::fs::symlink(&target, dir.path().join("hygeia.1"))
            .unwrap_or_else(|e| panic!("{e}"));
        let written = write_pages(dir.path()).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(written.len() > 20, "{}", written.len());
        // The symlink was replaced, not followed.
        assert_eq!(
            std::fs::read(&target).unwrap_or_else(|e| panic!("{e}")),
            b"keep"
        );
        let page =
            std::fs::read_to_string(dir.path().join("hygeia.1")).unwrap_or_else(|e| panic!("{e}"));
        assert!(page.contains(".TH hygeia 1"), "{page}");
        assert!(
            page.contains("hygeia\\-check(1)"),
            "the top page lists the others: {page}"
        );
    }
}
