//! The MSI (packaging/windows/hygeia.wxs) registers the service the agent answers to: the same
//! name and the same arguments, or the service manager would start a process that never
//! reports in and Windows would call the service hung.

use hygeia_agent::windows::{SERVICE_ARGUMENTS, SERVICE_DISPLAY_NAME, SERVICE_NAME};

fn attribute<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let start = element.find(&format!(" {name}=\""))? + name.len() + 3;
    let rest = &element[start..];
    Some(&rest[..rest.find('"')?])
}

fn element<'a>(wxs: &'a str, tag: &str) -> &'a str {
    let start = wxs
        .find(&format!("<{tag} "))
        .unwrap_or_else(|| panic!("no <{tag}> in hygeia.wxs"));
    let end = wxs[start..]
        .find("/>")
        .unwrap_or_else(|| panic!("<{tag}> is not closed"));
    &wxs[start..start + end]
}

#[test]
fn the_installer_registers_the_service_the_agent_runs_as() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../packaging/windows/hygeia.wxs"
    );
    let wxs = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let install = element(&wxs, "ServiceInstall");
    assert_eq!(attribute(install, "Name"), Some(SERVICE_NAME));
    assert_eq!(
        attribute(install, "DisplayName"),
        Some(SERVICE_DISPLAY_NAME)
    );
    assert_eq!(attribute(install, "Arguments"), Some(SERVICE_ARGUMENTS));
    assert_eq!(attribute(install, "Account"), Some("LocalSystem"));
    assert_eq!(attribute(install, "Start"), Some("auto"));
    let control = element(&wxs, "ServiceControl");
    assert_eq!(attribute(control, "Name"), Some(SERVICE_NAME));
    // Stopped and removed with the program; never started by the installer, since the
    // agent has nothing to do before `hygeia agent enroll`.
    assert_eq!(attribute(control, "Remove"), Some("uninstall"));
    assert_eq!(attribute(control, "Start"), None);
}
