#!/usr/bin/env python3
"""Builds the project's labelled device inventory from the real CISA medical advisories.

    python3 tests/devices-labelled/build.py ../shared/data/csaf-icsma tests/devices-labelled

Each advisory product becomes devices written the way a biomedical or IT person writes an
inventory (issue 15): the maker under its current or former name, the model with or without the
maker's name, in another word order, with its generic kind added or a family member's number,
versions inside the advisory's range; plus near misses (the fixed version, a sibling model the
advisory does not name, another maker's product of the same name) and devices whose Windows is
split over the `os` and `os_version` columns.

The label of a device is the advisory it was written from, decided here from the advisory's
product tree and never from `hygeia devices match`. Other advisories that name the same product
were found by reading the matcher's extra findings by hand and are listed in `also.toml` (one
entry per device with the reason). Output: inventory.csv and expected.toml (deterministic).
"""
import glob
import json
import os
import re
import sys

# Makers under the name a practice uses today, or the one on the device's label.
OWNER = {
    "St. Jude Medical": "Abbott",
    "Abbott Laboratories": "St. Jude Medical",
    "Becton, Dickinson and Company (BD)": "BD",
    "GE Healthcare": "GE HealthCare",
    "General Electric (GE)": "GE Healthcare",
    "Hillrom": "Baxter",
    "Baxter": "Hill-Rom",
    "Smiths Medical": "ICU Medical",
    "Natus Medical, Inc. (Natus)": "Natus",
    "Phillips": "Philips",
    "Philips": "Philips Healthcare",
    "B. Braun Medical": "B. Braun",
    "B. Braun Melsungen AG": "BBraun",
    "Innokas YhtymÃ¤ Oy": "Innokas Yhtymä",
    "Medtronic ": "Medtronic",
    "Silex Technology and GE Healthcare": "Silex Technology",
    "Hillrom and ELI, Baxter International Inc.": "Welch Allyn",
    "Dräger": "Draeger",
    "Fresenius Kabi": "Fresenius",
    "SOOIL Developments Co, Ltd.": "SOOIL",
}
KIND = {
    "infusion": "infusion-pump", "pump": "infusion-pump", "monitor": "patient-monitor",
    "ct": "ct-scanner", "mr": "mri", "mri": "mri", "ventilator": "ventilator",
    "pacs": "pacs", "server": "server", "workstation": "workstation", "programmer": "programmer",
}
KIND_WORDS = {
    "infusion-pump": "Infusion Pump", "patient-monitor": "Patient Monitor", "mri": "MRI System",
    "ct-scanner": "CT Scanner", "programmer": "Programmer", "device": "Unit",
}
CURATED = [
    ("k01", "patient-monitor", "Philips", "IntelliVue MX450", "K", ["ICSMA-18-156-01"], "MX450 inside the range MX400-550, Rev K inside Rev J-M"),
    ("k02", "ultrasound", "GE Healthcare", "LOGIQ E10", "", ["ICSMA-20-049-02"], "LOGIQ family, not including LOGIQ 100 Pro"),
    ("k03", "ultrasound", "GE Healthcare", "LOGIQ 100 Pro", "", [], "the LOGIQ member the advisory excludes"),
    ("k04", "ultrasound", "GE", "Vivid E95", "", ["ICSMA-20-049-02"], "Vivid products, not including EchoPAC"),
    ("k05", "patient-monitor", "GE Healthcare", "CARESCAPE Monitor B650", "2.1", ["ICSMA-20-023-01"], "B650 in other words, version 2.1 inside 2.X"),
    ("k06", "patient-monitor", "GE Healthcare", "CARESCAPE B650", "3.0", [], "version 3.0 is outside 1.X and 2.X"),
    ("k07", "mri", "Philips", "1.5T MRI Scanner", "5.7.1", ["ICSMA-21-313-01"], "MRI 1.5T, software 5.x.x, written with its kind first"),
    ("k08", "pacs", "Philips", "Vue PACS", "12.2.1.5", ["ICSMA-21-187-01", "ICSMA-24-200-01"], "12.2.1.5 inside <= 12.2.x.x and < 12.2.8.410"),
    ("k09", "pacs", "Philips", "Vue PACS", "12.3.0.1", [], "after both advisories' ranges"),
    ("k10", "cardiology", "Change Healthcare", "Horizon Cardiology", "11.3", ["ICSMA-19-241-01"], "11.3 inside <= 11.x"),
    ("k11", "patient-monitor", "Philips", "Efficia CM12", "B.02", ["ICSMA-21-322-02"], "a member of the Efficia CM Series, B.02 inside A.01 to C.0x"),
    ("k12", "infusion-pump", "B. Braun", "SpaceCom 2", "028U000061", ["ICSMA-20-296-02"], "build 028U000061 is U61, inside <= U61"),
    ("k13", "vital-signs", "Welch Allyn", "Spot Vital Signs 4400", "1.10.00", ["ICSMA-21-152-01"], "Welch Allyn is Hillrom, now Baxter; 1.10.00 below 1.11.00"),
    ("k14", "infusion-pump", "Baxter", "Spectrum IQ", "9.1", ["ICSMA-20-170-04", "ICSMA-22-251-01"], "Spectrum IQ 9.x (model 35700BAX3)"),
    ("k15", "pet-ct", "Philips", "Gemini TF Big Bore", "", ["ICSMA-21-084-01"], "a model the Gemini PET/CT Family advisory lists"),
    ("k16", "sleep-diagnostics", "Philips Respironics", "Alice 6", "R8.0.2", ["ICSMA-18-086-01"], "the product is named only in the title; R8.0.2 inside R8.0.3 or prior"),
    ("k17", "sleep-diagnostics", "Philips", "Alice 6", "R8.0.4", [], "after R8.0.3 or prior"),
    ("k18", "infusion-pump", "CareFusion", "Alaris 8015 PC unit", "9.19", ["ICSMA-17-017-02", "ICSMA-20-170-06", "ICSMA-20-317-01"], "CareFusion is BD; 9.19 is listed"),
]
NOISE_VERSION = re.compile(r"^(vers:all/\*|\*)$")


def products(folder):
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        doc = json.load(open(path, encoding="utf-8"))
        advisory = doc["document"]["tracking"]["id"]

        def walk(node, trail):
            for branch in node.get("branches", []) or []:
                step = trail + [(branch["category"], branch["name"])]
                if "product" in branch:
                    yield dict(step), branch["product"]["product_id"]
                yield from walk(branch, step)

        for fields, pid in walk(doc.get("product_tree", {}), []):
            yield {
                "advisory": advisory,
                "vendor": fields.get("vendor", ""),
                "name": fields.get("product_name", ""),
                "version": fields.get("product_version_range", fields.get("product_version", "")),
            }


def kind_of(name):
    lower = name.lower()
    for word, kind in KIND.items():
        if re.search(r"\b%s\b" % re.escape(word), lower):
            return kind
    return "device"


def numeric(v):
    return re.fullmatch(r"\d+(\.\d+)*", v) is not None


def below(v):
    """A version just under v (8.2.2 -> 8.2.1, 2.0 -> 1.9), or None."""
    parts = [int(p) for p in v.split(".")]
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] > 0:
            parts[i] -= 1
            for j in range(i + 1, len(parts)):
                parts[j] = 9
            return ".".join(str(p) for p in parts)
    return None


def above(v):
    parts = v.split(".")
    parts[-1] = str(int(parts[-1]) + 1)
    return ".".join(parts)


def versions(spec):
    """(a version inside, a version outside or None) for the spec forms that are certain."""
    spec = spec.strip()
    if NOISE_VERSION.match(spec):
        return "", None
    m = re.fullmatch(r"<\s*(\d+(?:\.\d+)+)", spec)
    if m:
        return below(m.group(1)), m.group(1)
    m = re.fullmatch(r"<=\s*(\d+(?:\.\d+)+)", spec)
    if m:
        return m.group(1), above(m.group(1))
    if numeric(spec) and "." in spec:
        return spec, None
    return "", None


VENDOR_PREFIXES = ("becton dickinson and company bd ", "bd ", "ge healthcare ", "ge ", "philips ",
                   "phillips ", "siemens ", "medtronic ", "baxter ", "b braun ", "natus ")


def product_key(name):
    """A product name compared across advisories: lower case, punctuation as spaces, the maker's
    name in front removed. Only identical keys are the same product here; looser matches are
    decided by hand in also.toml."""
    key = " " .join(re.sub(r"[^0-9a-z]+", " ", name.lower()).split()) + " "
    for prefix in VENDOR_PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix):]
    return key.strip()


MAKER_GROUPS = (("becton", "bd"), ("bd)", "bd"), ("carefusion", "bd"), ("ge healthcare", "ge"),
                ("general electric", "ge"), ("philips", "philips"), ("phillips", "philips"),
                ("baxter", "baxter"), ("hillrom", "baxter"), ("welch allyn", "baxter"),
                ("st. jude", "abbott"), ("abbott", "abbott"), ("b. braun", "bbraun"),
                ("medtronic", "medtronic"), ("smiths", "smiths"), ("siemens", "siemens"))


def maker(vendor):
    """The maker group of an advisory's vendor field, by the names CISA uses."""
    lower = vendor.lower()
    for needle, group in MAKER_GROUPS:
        if needle in lower:
            return group
    return lower.strip()


def as_tuple(v):
    return tuple(int(p) for p in v.split(".")) if numeric(v) else None


def covers(spec, version):
    """Whether an advisory's version text includes version; True when it cannot be read here
    (the matcher then reports it as possibly affected, which counts)."""
    spec = spec.strip()
    v = as_tuple(version) if version else None
    if v is None or NOISE_VERSION.match(spec):
        return True
    alternatives = [a.strip() for a in spec.split("|")]
    readable = False
    for a in alternatives:
        m = re.fullmatch(r"(<=|<|>=|>)?\s*(\d+(?:\.\d+)*)", a)
        if not m:
            continue
        readable = True
        op, bound = m.group(1) or "=", as_tuple(m.group(2))
        width = max(len(v), len(bound))
        vv, bb = v + (0,) * (width - len(v)), bound + (0,) * (width - len(bound))
        if (op == "=" and vv == bb) or (op == "<" and vv < bb) or (op == "<=" and vv <= bb) \
                or (op == ">" and vv > bb) or (op == ">=" and vv >= bb):
            # ">= A | <= B" is one range: both ends must hold.
            if op.startswith(">") and any(x.startswith("<") for x in alternatives):
                continue
            return True
    if any(a.startswith(">") for a in alternatives) and readable:
        lows = [re.fullmatch(r">=?\s*(\d+(?:\.\d+)*)", a) for a in alternatives]
        highs = [re.fullmatch(r"<=?\s*(\d+(?:\.\d+)*)", a) for a in alternatives]
        low = next((as_tuple(m.group(1)) for m in lows if m), None)
        high = next((as_tuple(m.group(1)) for m in highs if m), None)
        if low and high:
            return low <= v <= high
    return not readable


def practice_model(name, vendor_words, style):
    """The product name as an inventory writes it."""
    base = re.sub(r"\s+", " ", name).strip()
    if style == 1 and vendor_words and not base.lower().startswith(vendor_words.lower()):
        return vendor_words + " " + base
    if style == 2:
        # "Unit Model 1234" -> "1234 Unit": the model number first, "Model" dropped.
        words = [w for w in base.split() if w.lower() not in ("model", "models")]
        numbers = [w for w in words if re.search(r"\d", w)]
        if numbers and len(words) > 1 and "(" not in base:
            rest = [w for w in words if w not in numbers]
            return " ".join(numbers + rest)
    if style == 3:
        return base + " " + KIND_WORDS.get(kind_of(base), "Unit")
    return base


def main():
    folder, out = sys.argv[1], sys.argv[2]
    rows, expect, near = [], [], []
    seen = set()
    by_advisory = {}
    by_key = {}
    for p in products(folder):
        by_advisory.setdefault(p["advisory"], []).append(p)
        by_key.setdefault((maker(p["vendor"]), product_key(p["name"])), []).append(p)

    def advisories_naming(vendor, name, version):
        key = (maker(vendor), product_key(name))
        return sorted({q["advisory"] for q in by_key.get(key, []) if covers(q["version"], version)})

    index = 0
    for advisory, items in sorted(by_advisory.items()):
        # Two products per advisory (the first and the last named), one device each.
        picks = [items[0]] if len(items) == 1 else [items[0], items[-1]]
        for p in picks:
            name = p["name"].strip()
            if not name or name.lower() == "version" or "not including" in name.lower() or (p["vendor"], name, p["version"]) in seen:
                continue
            seen.add((p["vendor"], name, p["version"]))
            inside, outside = versions(p["version"])
            vendor = OWNER.get(p["vendor"], p["vendor"]).strip()
            vendor_prefix = vendor.split(",")[0].split(" (")[0]
            style = index % 4
            model = practice_model(name, vendor_prefix, style)
            kind = kind_of(name)
            device = "d%03d" % index
            index += 1
            rows.append([device, kind, vendor, model, inside, "", "", "clinical-vlan", "false", "false", ""])
            expect.append((device, advisory, "written from: %s %s (%s)" % (p["vendor"], name, p["version"])))
            for other in advisories_naming(p["vendor"], name, inside):
                if other != advisory:
                    expect.append((device, other, "names the same product at this version"))
            if outside is not None:
                device = "n%03d" % index
                index += 1
                rows.append([device, kind, vendor, name, outside, "", "", "clinical-vlan", "false", "false", ""])
                later = advisories_naming(p["vendor"], name, outside)
                if later:
                    # A later advisory covers the version after this one's range: affected.
                    for other in later:
                        expect.append((device, other, "the version after %s's range (%s) is named by this advisory" % (advisory, p["version"])))
                else:
                    near.append((device, "the version after the advisory's range %s of %s" % (p["version"], advisory)))
    # Written by hand for the kinds of issue 15 that generated rows do not show, each checked
    # against its advisory: model ranges and series, families with exclusions, versions
    # written as text, build-style identifiers, kind and field strength, a product name that an
    # advisory only gives in its title. An empty advisory list is a near miss.
    for device, kind, vendor, model, version, advisories, why in CURATED:
        rows.append([device, kind, vendor, model, version, "", "", "clinical-vlan", "true", "false", ""])
        if advisories:
            for advisory in advisories:
                expect.append((device, advisory, why))
        else:
            near.append((device, why))
    # Another maker's product with the same name: never the advisory's.
    for i, advisory in enumerate(sorted(by_advisory)[:40]):
        p = by_advisory[advisory][0]
        device = "x%03d" % i
        rows.append([device, kind_of(p["name"]), "Nihon Kohden", p["name"].strip(), "1.0", "", "", "flat", "false", "false", ""])
        near.append((device, "same product name as %s under another maker" % advisory))
    # Windows split over two columns, every form an inventory uses.
    windows = [
        ("Windows", "7", "OS: Windows 7"), ("Windows", "XP", "OS: Windows XP"),
        ("Windows", "Server 2008 R2", "OS: Windows Server 2008"), ("Microsoft Windows", "XP SP3", "OS: Windows XP"),
        ("Windows", "6.1.7601", "OS: Windows 7"), ("Windows 7", "SP1", "OS: Windows 7"),
        ("", "Windows XP Embedded", "OS: Windows XP"), ("Windows", "Vista", "OS: Windows Vista"),
        ("Windows", "Server 2003", "OS: Windows Server 2003"), ("Windows", "8.1", "OS: Windows 8 / 8.1"),
        ("Windows", "2000", "OS: Windows NT 4.0 / 2000"), ("Windows", "Embedded Standard 7", "OS: Windows 7"),
        ("Windows", "10 IoT Enterprise LTSC 2019", "OS: Windows 10 IoT Enterprise LTSC 2019"),
        ("Windows", "10 Pro", "OS: Windows 10 (not LTSC)"), ("Windows", "NT 5.1", "OS: Windows XP"),
    ]
    for i, (os_name, os_version, advisory) in enumerate(windows * 3):
        device = "w%03d" % i
        rows.append([device, "workstation", "Acme Imaging", "Reading Station %d" % (100 + i), "2.0", os_name, os_version, "flat", "false", "true", ""])
        expect.append((device, advisory, "Windows in two columns: %s + %s" % (os_name, os_version)))
    also_path = os.path.join(out, "also.toml")
    if os.path.exists(also_path):
        import tomllib
        for entry in tomllib.load(open(also_path, "rb")).get("also", []):
            expect.append((entry["device"], entry["advisory"], entry["why"]))
            near = [n for n in near if n[0] != entry["device"]]
    with open(os.path.join(out, "inventory.csv"), "w", encoding="utf-8") as f:
        f.write("# Written by build.py from the CISA medical advisories; see README.md.\n")
        f.write("name,kind,vendor,model,version,os,os_version,segment,life_critical,stores_phi,patch_owner\n")
        for r in rows:
            f.write(",".join('"%s"' % c.replace('"', '""') if ("," in c or '"' in c) else c for c in r) + "\n")
    with open(os.path.join(out, "expected.toml"), "w", encoding="utf-8") as f:
        f.write("# Written by build.py: what each device must match (expect) and must not (near_miss).\n")
        for device, advisory, why in expect:
            f.write('\n[[expect]]\ndevice = "%s"\nadvisory = "%s"\nwhy = %s\n' % (device, advisory, json.dumps(why, ensure_ascii=False)))
        for device, why in near:
            f.write('\n[[near_miss]]\ndevice = "%s"\nwhy = %s\n' % (device, json.dumps(why, ensure_ascii=False)))
    print("%d devices, %d expected pairs, %d near misses" % (len(rows), len(expect), len(near)), file=sys.stderr)


main()
