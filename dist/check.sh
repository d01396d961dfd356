#!/usr/bin/env bash
# Checks what dist/build.sh put in target/dist/, as root on Debian (.ci/run runs it):
# - every artifact's checksum matches and its SBOM is a CycloneDX document that lists the crates;
# - the .deb passes lintian without errors, installs with dpkg, gives a working `hygeia
#   --version`, completions and `man hygeia`, creates the `hygeia` account, enables nothing,
#   and removes and purges cleanly;
# - the static tarball's binary runs and links nothing dynamically;
# - the MSI's tables hold the program, the HygeiaAgent service (automatic, LocalSystem, not
#   started by the installer, removed on uninstall) and the PATH entry.
set -euo pipefail
cd "$(dirname "$0")/.."
dist=target/dist
failures=0

ok() { printf '  ok    %s\n' "$*"; }
bad() { printf '  FAIL  %s\n' "$*"; failures=$((failures + 1)); }
expect() { # DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}
section() { printf '\n== %s\n' "$*"; }

commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
shopt -s nullglob
artifacts=("$dist"/*.deb "$dist"/*.msi "$dist"/*.tar.gz)
[ "${#artifacts[@]}" -ge 3 ] || { echo "dist/check.sh: run dist/build.sh first (found ${#artifacts[@]} artifacts in $dist)" >&2; exit 1; }

section "checksums and SBOMs"
for artifact in "${artifacts[@]}"; do
  name=$(basename "$artifact")
  expect "$name: SHA-256 matches" bash -c "cd '$dist' && sha256sum --check --strict '$name.sha256'"
  if python3 - "$artifact.cdx.json" <<'EOF'
import json, sys
bom = json.load(open(sys.argv[1]))
assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.5", "not CycloneDX 1.5"
assert bom["metadata"]["component"]["name"] == "hygeia"
components = bom["components"]
names = {c["name"] for c in components}
assert len(components) > 100, f"only {len(components)} components"
for needed in ("clap", "rustls", "ring", "serde"):
    assert needed in names, f"{needed} missing"
for c in components:
    assert c["purl"] == f"pkg:cargo/{c['name']}@{c['version']}", c
    assert c.get("licenses"), f"{c['name']} has no licence"
hashed = sum(1 for c in components if c.get("hashes"))
assert hashed >= len(components) - 15, f"only {hashed} of {len(components)} have a checksum"
EOF
  then ok "$name: SBOM lists $(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['components']))" "$artifact.cdx.json") crates"
  else bad "$name: SBOM"; fi
done

section ".deb"
deb=$(ls "$dist"/hygeia_*.deb)
if lintian --fail-on error "$deb" > "$dist/lintian.txt" 2>&1; then
  ok "lintian: no errors ($(grep -c '^W:' "$dist/lintian.txt" || true) warnings, in $dist/lintian.txt)"
else
  bad "lintian reports errors:"
  grep '^E:' "$dist/lintian.txt" || cat "$dist/lintian.txt"
fi
if [ "$(id -u)" = 0 ] && command -v dpkg >/dev/null; then
  if dpkg -s hygeia >/dev/null 2>&1; then
    bad "a hygeia package is already installed; not touching it"
  else
    # Slim images tell dpkg to leave manual pages out (path-exclude in /etc/dpkg/dpkg.cfg.d);
    # Hygeia's own are let in, so that `man hygeia` is checked as users get it.
    expect "dpkg -i" dpkg --path-include='/usr/share/man/man1/hygeia*' -i "$deb"
    version_line=$(/usr/bin/hygeia --version 2>&1 || true)
    case "$version_line" in
      "hygeia "*"(commit $commit, built "*) ok "hygeia --version: $version_line" ;;
      *) bad "hygeia --version said: $version_line (expected commit $commit)" ;;
    esac
    expect "hygeia completions bash" bash -c '/usr/bin/hygeia completions bash | grep -q "complete -F _hygeia"'
    expect "bash loads the installed completion" \
      bash -c '. /usr/share/bash-completion/completions/hygeia && complete -p hygeia | grep -q _hygeia'
    expect "man hygeia" bash -c 'MANPAGER=cat man hygeia 2>/dev/null | grep -q "hygeia check"'
    expect "man hygeia-agent-enroll" bash -c 'MANPAGER=cat man hygeia-agent-enroll 2>/dev/null | grep -q "secret"'
    expect "the hygeia system account exists" bash -c 'id -u hygeia && [ "$(id -u hygeia)" -lt 1000 ]'
    expect "units installed" test -f /lib/systemd/system/hygeia-agent.timer -a -f /lib/systemd/system/hygeia-serve.service
    expect "units point at /usr/bin/hygeia" grep -q '^ExecStart=/usr/bin/hygeia agent run' /lib/systemd/system/hygeia-agent.service
    # systemd reads the units offline: unknown settings, a missing binary or a bad timer fail.
    if verify=$(systemd-analyze verify /lib/systemd/system/hygeia-agent.timer \
        /lib/systemd/system/hygeia-agent.service /lib/systemd/system/hygeia-serve.service 2>&1) &&
      [ -z "$verify" ]; then
      ok "systemd-analyze verify: the three units"
    else
      bad "systemd-analyze verify: $verify"
    fi
    # The practice administrator's first step (docs/install.md), as the service's account.
    init=$(runuser -u hygeia -- /usr/bin/hygeia serve init --database /var/lib/hygeia/dist-check.db \
      --practice "Package check" --admin-email admin@package-check.invalid 2>&1 || true)
    if [[ "$init" == *"one-time password"* ]] &&
      [ "$(stat -c %U:%a /var/lib/hygeia/dist-check.db 2>/dev/null)" = hygeia:600 ]; then
      ok "the hygeia account sets up a server database in /var/lib/hygeia"
    else
      bad "hygeia serve init as the hygeia account: $init"
    fi
    rm -f /var/lib/hygeia/dist-check.db /var/lib/hygeia/dist-check.db.key \
      /var/lib/hygeia/dist-check.db-wal /var/lib/hygeia/dist-check.db-shm
    expect "nothing enabled on installation" bash -c '! ls /etc/systemd/system/*.wants/hygeia-* 2>/dev/null | grep -q .'
    expect "hygeia check runs from the package" bash -c '/usr/bin/hygeia check --no-color >/dev/null; [ $? -le 1 ]'
    expect "dpkg -r" dpkg -r hygeia
    expect "the binary is gone" test ! -e /usr/bin/hygeia
    expect "the man pages are gone" bash -c '! ls /usr/share/man/man1/hygeia* 2>/dev/null | grep -q .'
    expect "dpkg -P" dpkg -P hygeia
    expect "dpkg knows no hygeia" bash -c '! dpkg -s hygeia'
  fi
else
  echo "  skip  installing the .deb needs root and dpkg"
fi

section "static Linux tarball"
for tarball in "$dist"/hygeia-*-x86_64-linux-musl.tar.gz; do
  unpack=$(mktemp -d)
  tar -xzf "$tarball" -C "$unpack"
  musl_bin=$(ls "$unpack"/*/hygeia)
  expect "$(basename "$tarball"): runs" "$musl_bin" --version
  expect "$(basename "$tarball"): statically linked" bash -c "! ldd '$musl_bin' 2>&1 | grep -q '=>'"
  expect "$(basename "$tarball"): man pages, completions, units, licence" \
    test -f "$(dirname "$musl_bin")/man/hygeia.1.gz" -a -f "$(dirname "$musl_bin")/completions/hygeia.bash" \
    -a -f "$(dirname "$musl_bin")/systemd/hygeia-agent.timer" -a -f "$(dirname "$musl_bin")/LICENSE"
  rm -rf "$unpack"
done

section "MSI"
msi=$(ls "$dist"/hygeia-*-x64.msi)
expect "File: hygeia.exe" bash -c "msiinfo export '$msi' File | grep -qP '^HygeiaExe\tHygeiaProgram\thygeia.exe\t'"
expect "File: the PowerShell completion" bash -c "msiinfo export '$msi' File | grep -qP '^HygeiaPowerShellCompletion\tHygeiaCompletions\thygeia.ps1\t'"
expect "Directory: Program Files\\Hygeia" bash -c "msiinfo export '$msi' Directory | grep -qP '^INSTALLDIR\tProgramFiles64Folder\tHygeia\r?$'"
# ServiceType 16 (own process), StartType 2 (automatic), ErrorControl 1 (normal).
expect "ServiceInstall: HygeiaAgent, automatic, LocalSystem, agent run --service" \
  bash -c "msiinfo export '$msi' ServiceInstall | grep -qP '^HygeiaAgentService\tHygeiaAgent\tHygeia agent\t16\t2\t1\t\t\tLocalSystem\t\tagent run --service\tHygeiaProgram\t'"
# Event 162 = stop on install (2) + stop on uninstall (32) + delete on uninstall (128); no start.
expect "ServiceControl: stopped and removed on uninstall, never started" \
  bash -c "msiinfo export '$msi' ServiceControl | grep -qP '^HygeiaAgentControl\tHygeiaAgent\t162\t'"
expect "Environment: INSTALLDIR appended to the system PATH, removed on uninstall" \
  bash -c "msiinfo export '$msi' Environment | grep -qF '=-*PATH	[~];[INSTALLDIR]	HygeiaProgram'"
expect "InstallExecuteSequence writes and removes the PATH entry" \
  bash -c "table(){ msiinfo export '$msi' InstallExecuteSequence; }; table | grep -q '^WriteEnvironmentStrings' && table | grep -q '^RemoveEnvironmentStrings'"
expect "InstallExecuteSequence installs and deletes the service" \
  bash -c "msiinfo export '$msi' InstallExecuteSequence | grep -q '^InstallServices' && msiinfo export '$msi' InstallExecuteSequence | grep -q '^DeleteServices'"
expect "Upgrade: a newer MSI replaces this one" bash -c "msiinfo export '$msi' Upgrade | grep -q WIX_UPGRADE_DETECTED"
unpack=$(mktemp -d)
if (cd "$unpack" && msiextract "$OLDPWD/$msi" >/dev/null) && [ -n "$(find "$unpack" -name hygeia.exe -size +1M)" ]; then
  ok "msiextract: hygeia.exe is in the cabinet"
else
  bad "msiextract: no hygeia.exe"
fi
rm -rf "$unpack"

section "result"
if [ "$failures" -gt 0 ]; then
  echo "dist/check.sh: $failures check(s) failed"
  exit 1
fi
echo "dist/check.sh: all packages checked"
