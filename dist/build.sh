#!/usr/bin/env bash
# Builds Hygeia's packages into target/dist/, each with a .sha256 file and a CycloneDX SBOM
# (.cdx.json) of the crates compiled into it:
#   hygeia_VERSION-1_amd64.deb               Debian/Ubuntu (cargo-deb): binary, systemd units
#                                             (not enabled), man pages, completions
#   hygeia-VERSION-x86_64-linux-musl.tar.gz  any Linux, statically linked
#   hygeia-VERSION-x64.msi                   Windows (wixl): Program Files, PATH, the
#                                             HygeiaAgent service (stopped until enrolled)
#   hygeia-VERSION-ARCH-apple-darwin.tar.gz  macOS, when a macOS linker and SDK are present
#                                             (see below); otherwise the script says what is missing
# Needs: cargo-deb, wixl and msibuild (msitools), musl-gcc (musl-tools), the Rust targets
# x86_64-pc-windows-gnu and x86_64-unknown-linux-musl, and the MinGW linker. .ci/run installs
# them; dist/check.sh then installs and inspects what this built.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n==> dist: %s\n' "$*"; }
need() {
  command -v "$1" >/dev/null || { echo "dist/build.sh: $1 is missing: $2" >&2; exit 1; }
}
need cargo-deb "cargo install cargo-deb --version 3.8.0 --locked"
need wixl "apt-get install wixl"
need msibuild "apt-get install msitools"
need musl-gcc "apt-get install musl-tools"

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
# The build date is the commit's (reproducible builds): the same commit gives the same
# `hygeia --version`, man pages and SBOM timestamps.
if git rev-parse --git-dir >/dev/null 2>&1; then
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
  export SOURCE_DATE_EPOCH
fi

dist=target/dist
# Inside target/release/: cargo-deb finds its assets there (crates/hygeia/Cargo.toml).
stage=target/release/dist-stage
rm -rf "$dist" "$stage"
mkdir -p "$dist" "$stage/man" "$stage/completions" "$stage/systemd"

# Each artifact gets its checksum file and its SBOM, side by side.
finish() { # ARTIFACT TARGET-TRIPLE
  local artifact=$1 target=$2 name
  name=$(basename "$artifact")
  (cd "$(dirname "$artifact")" && sha256sum "$name" > "$name.sha256")
  python3 dist/sbom.py "$target" "$name" "$artifact.cdx.json"
}

step "Linux binary (release)"
cargo build --release --locked -p hygeia
bin=target/release/hygeia
"$bin" --version

step "man pages, completions and systemd units for the packages"
"$bin" man-pages --out-dir "$stage/man"
gzip -9n "$stage"/man/*.1
"$bin" completions bash > "$stage/completions/hygeia.bash"
"$bin" completions zsh > "$stage/completions/_hygeia"
"$bin" completions fish > "$stage/completions/hygeia.fish"
"$bin" completions powershell > "$stage/completions/hygeia.ps1"
# The units in packaging/ are for a hand-installed binary in /usr/local/bin; the package's is
# in /usr/bin.
for unit in hygeia-agent.service hygeia-agent.timer hygeia-serve.service; do
  sed 's#/usr/local/bin/hygeia#/usr/bin/hygeia#g' "packaging/systemd/$unit" > "$stage/systemd/$unit"
done

step ".deb (cargo-deb)"
cargo deb -p hygeia --no-build --output "$dist/"
deb=$(ls "$dist"/hygeia_*.deb)
finish "$deb" x86_64-unknown-linux-gnu

step "static Linux tarball (x86_64-unknown-linux-musl)"
# ring, SQLite and zstd compile C: with musl-gcc the whole binary links statically.
CC_x86_64_unknown_linux_musl=musl-gcc \
  cargo build --release --locked -p hygeia --target x86_64-unknown-linux-musl
musl_name=hygeia-$version-x86_64-linux-musl
musl_dir=$stage/$musl_name
mkdir -p "$musl_dir/man" "$musl_dir/completions" "$musl_dir/systemd"
cp target/x86_64-unknown-linux-musl/release/hygeia "$musl_dir/"
strip "$musl_dir/hygeia"
cp "$stage"/man/*.1.gz "$musl_dir/man/"
cp "$stage"/completions/hygeia.bash "$stage"/completions/_hygeia "$stage"/completions/hygeia.fish \
  "$musl_dir/completions/"
cp packaging/systemd/hygeia-agent.service packaging/systemd/hygeia-agent.timer \
  packaging/systemd/hygeia-serve.service "$musl_dir/systemd/"
cp LICENSE README.md "$musl_dir/"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@${SOURCE_DATE_EPOCH:-0}" \
  -C "$stage" -czf "$dist/$musl_name.tar.gz" "$musl_name"
finish "$dist/$musl_name.tar.gz" x86_64-unknown-linux-musl

step "Windows installer (wixl)"
cargo build --release --locked -p hygeia --target x86_64-pc-windows-gnu
msi_stage=$stage/msi
mkdir -p "$msi_stage"
cp target/x86_64-pc-windows-gnu/release/hygeia.exe "$msi_stage/"
x86_64-w64-mingw32-strip "$msi_stage/hygeia.exe"
cp LICENSE "$msi_stage/LICENSE.txt"
cp "$stage/completions/hygeia.ps1" "$msi_stage/"
cp packaging/windows/hygeia.wxs "$msi_stage/"
# Environment.idt must keep Windows line ends for msibuild.
cp packaging/windows/Environment.idt "$msi_stage/"
msi=hygeia-$version-x64.msi
# wixl resolves sources relative to the current folder.
(cd "$msi_stage" && wixl -a x64 -D "Version=$version" -D Exe=hygeia.exe -D License=LICENSE.txt \
  -D Completion=hygeia.ps1 -o "$msi" hygeia.wxs)
# wixl has no Environment element: the PATH entry and the actions that write and remove it.
(cd "$msi_stage" && msibuild "$msi" -i Environment.idt \
  -q "INSERT INTO \`InstallExecuteSequence\` (\`Action\`, \`Sequence\`) VALUES ('RemoveEnvironmentStrings', 3300)" \
  -q "INSERT INTO \`InstallExecuteSequence\` (\`Action\`, \`Sequence\`) VALUES ('WriteEnvironmentStrings', 5200)")
mv "$msi_stage/$msi" "$dist/$msi"
finish "$dist/$msi" x86_64-pc-windows-gnu

step "macOS tarballs"
# Linking a macOS binary needs Apple's SDK (libSystem and the frameworks, for the linker) and a
# C compiler for macOS (ring, SQLite and zstd compile C): osxcross provides both as
# x86_64-apple-darwinNN-clang and aarch64-apple-darwinNN-clang with SDKROOT set. Debian has
# neither, and the SDK cannot be downloaded here, so without them this step only says so;
# .ci/run still type-checks the macOS code (cargo check --target aarch64-apple-darwin).
macos_built=0
for target in aarch64-apple-darwin x86_64-apple-darwin; do
  linker=$(compgen -c "${target%%-*}-apple-darwin" | grep -- '-clang$' | head -n1 || true)
  if [ -z "$linker" ] || [ -z "${SDKROOT:-}" ]; then
    echo "macOS ($target): not built: no ${target%%-*}-apple-darwin*-clang on PATH and/or no SDKROOT (a macOS SDK); install osxcross with an SDK to build it"
    continue
  fi
  env_target=$(echo "$target" | tr '[:lower:]-' '[:upper:]_')
  env "CARGO_TARGET_${env_target}_LINKER=$linker" "CC_${target//-/_}=$linker" \
    cargo build --release --locked -p hygeia --target "$target"
  mac_name=hygeia-$version-$target
  mkdir -p "$stage/$mac_name/man"
  cp "target/$target/release/hygeia" "$stage/$mac_name/"
  cp "$stage"/man/*.1.gz "$stage/$mac_name/man/"
  cp packaging/macos/org.hygeia.agent.plist packaging/macos/org.hygeia.backup.plist LICENSE README.md \
    "$stage/$mac_name/"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@${SOURCE_DATE_EPOCH:-0}" \
    -C "$stage" -czf "$dist/$mac_name.tar.gz" "$mac_name"
  finish "$dist/$mac_name.tar.gz" "$target"
  macos_built=$((macos_built + 1))
done

step "done"
rm -rf "$stage"
ls -l "$dist"
echo "macOS tarballs built: $macos_built"
