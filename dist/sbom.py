#!/usr/bin/env python3
"""CycloneDX 1.5 SBOM of what one Hygeia artifact is built from: the `hygeia` crate and every
crate compiled into it for one target, with versions, licences, package URLs and the SHA-256
that Cargo.lock pins for each crates.io download.

The list comes from `cargo tree` (normal dependencies only, for that target, with the default
features), so build tools and test-only crates are left out, and crates only another platform
needs are too. Usage:

    dist/sbom.py TARGET-TRIPLE ARTIFACT-FILE-NAME OUTPUT.cdx.json
"""

import json
import os
import re
import subprocess
import sys
import tomllib
import uuid
from datetime import datetime, timezone

LINE = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+) v(?P<version>\S+)(?: \((?P<source>[^)]*)\))?(?: (?P<license>.+))?$")


def crates_for(target):
    """(name, version, source, license) of each crate compiled into `hygeia` for `target`."""
    output = subprocess.run(
        ["cargo", "tree", "--locked", "-p", "hygeia", "--target", target, "-e", "normal",
         "--prefix", "none", "--format", "{p} {l}"],
        check=True, capture_output=True, text=True).stdout
    seen = {}
    for raw in output.splitlines():
        line = raw.removesuffix(" (*)").strip()
        match = LINE.match(line)
        if not match:
            continue
        name, version = match["name"], match["version"]
        source = match["source"] or ""
        license_ = (match["license"] or "").strip()
        seen[(name, version)] = (name, version, source, license_)
    return sorted(seen.values())


def lock_checksums(lock_path):
    with open(lock_path, "rb") as handle:
        lock = tomllib.load(handle)
    return {(p["name"], p["version"]): p.get("checksum") for p in lock.get("package", [])}


def component(name, version, source, license_, checksum):
    local = source.startswith("/") or source.startswith("file:")
    entry = {
        "type": "library",
        "bom-ref": f"pkg:cargo/{name}@{version}",
        "name": name,
        "version": version,
        "purl": f"pkg:cargo/{name}@{version}",
    }
    if license_:
        entry["licenses"] = [{"expression": license_.replace("/", " OR ")}]
    if checksum:
        entry["hashes"] = [{"alg": "SHA-256", "content": checksum}]
    if source == "proc-macro":
        # Runs in the compiler, not in the artifact: listed, but outside what ships.
        entry["scope"] = "excluded"
    if local:
        # Hygeia's own crates, and third-party code vendored in this repository (patched).
        entry["properties"] = [{"name": "cdx:cargo:source", "value": "this repository"}]
    return entry


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    target, artifact, out = sys.argv[1:]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.chdir(root)
    checksums = lock_checksums("Cargo.lock")
    crates = crates_for(target)
    top = [c for c in crates if c[0] == "hygeia"]
    if not top:
        sys.exit("cargo tree did not list the hygeia crate")
    _, version, _, license_ = top[0]
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        # The same build gives the same serial number: the artifact's name and the crate list.
        "serialNumber": "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, artifact + repr(crates))),
        "version": 1,
        "metadata": {
            "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tools": {"components": [{"type": "application", "name": "hygeia dist/sbom.py"}]},
            "component": {
                "type": "application",
                "bom-ref": f"pkg:cargo/hygeia@{version}",
                "name": "hygeia",
                "version": version,
                "purl": f"pkg:cargo/hygeia@{version}",
                "licenses": [{"expression": license_ or "Apache-2.0"}],
                "properties": [
                    {"name": "hygeia:artifact", "value": artifact},
                    {"name": "hygeia:target", "value": target},
                ],
            },
        },
        "components": [
            component(n, v, s, l, checksums.get((n, v)))
            for (n, v, s, l) in crates if n != "hygeia"
        ],
    }
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(bom, handle, indent=2, sort_keys=False)
        handle.write("\n")
    print(f"{out}: {len(bom['components'])} components for {target}")


if __name__ == "__main__":
    main()
