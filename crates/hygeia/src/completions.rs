//! `hygeia completions SHELL`: the shell completion script, generated from the same argument
//! definitions as `--help`, so it never falls behind the commands.

use crate::Failure;
use crate::cli::{Cli, CompletionsArgs};
use clap::CommandFactory;

/// Prints the completion script for `args.shell` on standard output.
pub fn run(args: CompletionsArgs) -> Result<u8, Failure> {
    let script = script(args.shell);
    crate::emit(&script, None, "")?;
    Ok(0)
}

/// The completion script for `shell`.
pub fn script(shell: clap_complete::Shell) -> String {
    let mut command = Cli::command();
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut command, "hygeia", &mut buffer);
    String::from_utf8_lossy(&buffer).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap_complete::Shell;

    #[test]
    fn bash_script_registers_the_command_and_knows_its_subcommands() {
        let script = script(Shell::Bash);
        assert!(script.contains("complete -F _hygeia"), "{script}");
        for sub in ["check", "mail", "devices", "agent", "backup", "completions"] {
            assert!(script.contains(sub), "no {sub} in the bash script");
        }
    }

    #[test]
    fn every_shell_gets_a_script() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell] {
            let script = script(shell);
            assert!(script.contains("hygeia"), "{shell}");
            // Fish names options without their dashes (`-l format`).
            assert!(script.contains("format"), "{shell}: options are completed");
            assert!(
                script.contains("terminal"),
                "{shell}: option values are completed"
            );
        }
    }
}
