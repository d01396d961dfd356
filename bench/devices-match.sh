#!/usr/bin/env bash
# Times `hygeia devices match` with 10,000 devices against every CISA medical advisory and the
# KEV catalog in ../shared/data (target of issue 4: at most 1 s).
#
#   bench/devices-match.sh [DEVICES]      (default 10000)
#
# The inventory is generated from the advisories' own product names (about a third of the
# devices name an advised product, at versions inside and outside the ranges), plus unrelated
# devices and devices running Windows 7 or XP, so that every matching path is exercised.
set -euo pipefail
cd "$(dirname "$0")/.."
devices="${1:-10000}"
data="../shared/data"
[ -d "$data/csaf-icsma" ] || { echo "needs $data/csaf-icsma (on CI and developer machines)" >&2; exit 2; }
cargo build --release -q
out="target/bench-devices"
mkdir -p "$out"
python3 - "$data/csaf-icsma" "$devices" > "$out/inventory.csv" <<'PY'
import json, glob, random, sys
random.seed(4)
products = []
def walk(node, vendor, name):
    for b in node.get("branches", []) or []:
        v, n = vendor, name
        if b["category"] == "vendor": v = b["name"]
        elif b["category"] == "product_name": n = b["name"]
        if "product" in b: products.append((v, n))
        walk(b, v, n)
for f in sorted(glob.glob(sys.argv[1] + "/*.json")):
    walk(json.load(open(f)).get("product_tree", {}), "", "")
print("name,kind,vendor,model,version,os,os_version,segment,life_critical,stores_phi,patch_owner")
segments = ["flat", "clinical-vlan", "isolated"]
for i in range(int(sys.argv[2])):
    r = random.random()
    if r < 0.35:
        vendor, model = random.choice(products)
    elif r < 0.45:
        vendor, model = "Dell", "OptiPlex 7010"
    else:
        vendor, model = random.choice(["Acme", "Zeta Medical", "Nihon Kohden", "Masimo"]), "Model %d" % random.randint(1, 500)
    version = "%d.%d.%d" % (random.randint(0, 12), random.randint(0, 9), random.randint(0, 20))
    os = random.choice(["", "", "", "Windows 7 Professional", "Windows XP Embedded", "Windows 10 IoT Enterprise LTSC 2019"])
    model = model.replace('"', "")
    print('dev-%d,device,"%s","%s",%s,%s,,%s,%s,%s,%s' % (i, vendor.replace('"', ""), model, version, os,
          random.choice(segments), random.random() < 0.2, random.random() < 0.3, random.choice(["", "Ana", "Jo"])))
PY
bin=target/release/hygeia
args=(devices match --inventory "$out/inventory.csv" --advisories "$data/csaf-icsma"
      --kev "$data/kev/known_exploited_vulnerabilities.json" --format json -o "$out/findings.json")
"$bin" "${args[@]}" 2>/dev/null || true
python3 -c "
import json; d = json.load(open('$out/findings.json'))
b = {}
for f in d['findings']: b[f['basis']] = b.get(f['basis'], 0) + 1
print(f\"{d['devices']} devices, {d['advisories']} advisories, {len(d['findings'])} findings, by basis {b}\")"
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 2 --runs 10 --export-markdown "$out/hyperfine.md" "$bin ${args[*]}"
else
  time "$bin" "${args[@]}"
fi
/usr/bin/time -f "peak memory: %M KB" "$bin" "${args[@]}" 2>&1 | tail -1

# Precision and recall on the project's labelled inventory (tests/devices-labelled, issue 15).
labels="tests/devices-labelled"
"$bin" devices match --inventory "$labels/inventory.csv" --advisories "$data/csaf-icsma" \
  --kev "$data/kev/known_exploited_vulnerabilities.json" --format json -o "$out/labelled.json" 2>/dev/null || true
python3 - "$labels/expected.toml" "$out/labelled.json" <<'PY'
import json, sys, tomllib
labels = tomllib.load(open(sys.argv[1], "rb"))
report = json.load(open(sys.argv[2]))
found = {(f["device"].split(" (")[0], f["advisory"]) for f in report["findings"]}
expected = {(e["device"], e["advisory"]) for e in labels["expect"]}
right = len(found & expected)
os_pairs = [p for p in expected if p[1].startswith("OS: ")]
near = {n["device"] for n in labels["near_miss"]}
print("labelled inventory: %d devices, %d expected pairs: precision %.3f, recall %.3f, "
      "embedded-OS recall %.3f, near misses matched %d of %d"
      % (report["devices"], len(expected), right / max(1, len(found)), right / max(1, len(expected)),
         sum(p in found for p in os_pairs) / max(1, len(os_pairs)),
         len({d for d, _ in found} & near), len(near)))
for pair in sorted(expected - found):
    print("  missed:", *pair)
for pair in sorted(found - expected):
    print("  not labelled:", *pair)
PY
