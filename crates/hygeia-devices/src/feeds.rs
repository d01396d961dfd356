//! The exploitation feeds: CISA's Known Exploited Vulnerabilities catalog (JSON), FIRST's EPSS
//! scores (CSV) and NVD CVE API 2.0 records (JSON, turned into [`Advisory`] values).

use crate::DevicesError;
use crate::advisory::{Advisory, Origin, Product, Vulnerability};
use crate::spec::{Alternative, Bound, VersionSpec};
use crate::version::Version;
use serde_json::Value;
use std::collections::HashMap;

/// One entry of the KEV catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KevEntry {
    /// Vendor as CISA writes it.
    pub vendor: String,
    /// Product as CISA writes it.
    pub product: String,
    /// When CISA added it (YYYY-MM-DD).
    pub date_added: String,
    /// "Known" use in ransomware campaigns.
    pub ransomware: bool,
    /// What CISA requires federal agencies to do.
    pub required_action: String,
    /// The date by which federal agencies must have done it (YYYY-MM-DD).
    pub due_date: String,
    /// CISA's short name of the vulnerability.
    pub name: String,
}

/// The KEV catalog by CVE id.
#[derive(Debug, Clone, Default)]
pub struct Kev {
    /// Entries by CVE id.
    pub entries: HashMap<String, KevEntry>,
    /// The catalog's version (its release date).
    pub version: String,
}

fn input_error(path: &str, message: String) -> DevicesError {
    DevicesError::Input {
        path: path.to_string(),
        message,
    }
}

/// A JSON document with a top-level `vulnerabilities` list, the shape of both KEV and NVD files;
/// `what` names the expected file in messages.
fn vulnerabilities_document(source: &str, bytes: &[u8], what: &str) -> Result<Value, DevicesError> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| {
        input_error(
            source,
            format!(
                "expected {what}, but the file is not valid JSON (line {}): {e}",
                e.line()
            ),
        )
    })?;
    if !doc.get("vulnerabilities").is_some_and(Value::is_array) {
        return Err(input_error(
            source,
            format!("expected {what}, but the file has no `vulnerabilities` list"),
        ));
    }
    Ok(doc)
}

/// The `vulnerabilities` list of a document accepted by [`vulnerabilities_document`].
fn vulnerability_list(doc: &Value) -> &[Value] {
    doc.get("vulnerabilities")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// Reads `known_exploited_vulnerabilities.json`.
pub fn parse_kev(source: &str, bytes: &[u8]) -> Result<Kev, DevicesError> {
    let doc = vulnerabilities_document(source, bytes, "the KEV catalog")?;
    let list = vulnerability_list(&doc);
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut kev = Kev {
        version: text(&doc, "catalogVersion"),
        ..Kev::default()
    };
    for entry in list {
        let cve = text(entry, "cveID");
        if !cve.starts_with("CVE-") {
            continue;
        }
        kev.entries.insert(
            cve,
            KevEntry {
                vendor: text(entry, "vendorProject"),
                product: text(entry, "product"),
                date_added: text(entry, "dateAdded"),
                ransomware: text(entry, "knownRansomwareCampaignUse").eq_ignore_ascii_case("known"),
                required_action: text(entry, "requiredAction"),
                due_date: text(entry, "dueDate"),
                name: text(entry, "vulnerabilityName"),
            },
        );
    }
    if kev.entries.is_empty() {
        return Err(input_error(
            source,
            "the KEV catalog lists no CVE; the download may be damaged".into(),
        ));
    }
    Ok(kev)
}

/// The KEV entries whose vendor is `vendor` (through the vendor aliases) and whose product
/// names the model `model` word for word ("DIR-859" in "DIR-859 Router", not in "DIR-8590"),
/// ordered by CVE. KEV gives no versions, so a hit means "this model has a vulnerability that
/// attackers use": whether the installed firmware still has it needs the maker's advisory.
pub fn kev_entries_for_model<'k>(
    kev: &'k Kev,
    vendors: &crate::names::VendorTable,
    vendor: &str,
    model: &str,
) -> Vec<(&'k String, &'k KevEntry)> {
    let vendor_id = vendors.canonical(vendor);
    if vendor_id.is_empty() {
        return Vec::new();
    }
    let forms: Vec<Vec<String>> = vendors
        .model_word_forms(&vendor_id, model)
        .into_iter()
        .filter(|form| !form.is_empty())
        .collect();
    let mut hits: Vec<(&String, &KevEntry)> = kev
        .entries
        .iter()
        .filter(|(_, entry)| vendors.canonical(&entry.vendor) == vendor_id)
        .filter(|(_, entry)| {
            let product = crate::names::words(&entry.product);
            forms.iter().any(|form| {
                product
                    .windows(form.len())
                    .any(|window| window == form.as_slice())
            })
        })
        .collect();
    hits.sort_by(|a, b| a.0.cmp(b.0));
    hits
}

/// EPSS scores: probability of exploitation in the next 30 days, and its percentile.
#[derive(Debug, Clone, Default)]
pub struct Epss {
    /// (probability, percentile) by CVE id.
    pub scores: HashMap<String, (f32, f32)>,
    /// The `#model_version:...,score_date:...` line.
    pub model: String,
}

/// Reads the EPSS CSV (`epss_scores-current.csv`, after decompression).
pub fn parse_epss(source: &str, text: &str) -> Result<Epss, DevicesError> {
    let mut epss = Epss::default();
    let mut saw_header = false;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(comment) = line.strip_prefix('#') {
            epss.model = comment.to_string();
            continue;
        }
        if line.is_empty() {
            continue;
        }
        if line.starts_with("cve,") {
            saw_header = true;
            continue;
        }
        let mut fields = line.split(',');
        let (Some(cve), Some(p), Some(pct)) = (fields.next(), fields.next(), fields.next()) else {
            return Err(input_error(
                source,
                format!("line {}: expected cve,epss,percentile", index + 1),
            ));
        };
        let (Ok(p), Ok(pct)) = (p.parse::<f32>(), pct.parse::<f32>()) else {
            return Err(input_error(
                source,
                format!("line {}: the scores are not numbers", index + 1),
            ));
        };
        if !(0.0..=1.0).contains(&p) || !cve.starts_with("CVE-") {
            return Err(input_error(
                source,
                format!(
                    "line {}: `{line}` is not a CVE with a probability",
                    index + 1
                ),
            ));
        }
        epss.scores.insert(cve.to_string(), (p, pct));
    }
    if !saw_header || epss.scores.is_empty() {
        return Err(input_error(
            source,
            "not an EPSS score file: expected a `cve,epss,percentile` header and scores".into(),
        ));
    }
    Ok(epss)
}

/// Reads an NVD CVE API 2.0 response (or a file of them). Each CVE becomes one advisory whose
/// products are its vulnerable CPE match criteria.
pub fn parse_nvd(source: &str, bytes: &[u8]) -> Result<Vec<Advisory>, DevicesError> {
    let doc = vulnerabilities_document(source, bytes, "an NVD CVE API 2.0 response")?;
    let list = vulnerability_list(&doc);
    // KEV and OSV files have a `vulnerabilities` list too; an NVD answer's entries are `cve`
    // records. An empty list is a real answer (no CVE for that CPE name).
    if !list.is_empty()
        && !list
            .iter()
            .any(|item| item.get("cve").is_some_and(Value::is_object))
    {
        return Err(input_error(
            source,
            "expected an NVD CVE API 2.0 response, but its `vulnerabilities` entries are not `cve` records (is it the KEV catalog?)".into(),
        ));
    }
    let mut advisories = Vec::new();
    for item in list {
        let Some(cve) = item.get("cve") else { continue };
        let id = cve
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if id.is_empty() {
            continue;
        }
        let mut products = Vec::new();
        let configurations = cve.get("configurations").and_then(Value::as_array);
        for node in configurations
            .into_iter()
            .flatten()
            .filter_map(|c| c.get("nodes").and_then(Value::as_array))
            .flatten()
        {
            for criterion in node
                .get("cpeMatch")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if criterion.get("vulnerable").and_then(Value::as_bool) != Some(true) {
                    continue;
                }
                if let Some(product) = product_from_cpe(criterion, products.len()) {
                    products.push(product);
                }
            }
        }
        let score = [
            "cvssMetricV40",
            "cvssMetricV31",
            "cvssMetricV30",
            "cvssMetricV2",
        ]
        .iter()
        .find_map(|k| {
            cve.get("metrics")?
                .get(k)?
                .as_array()?
                .first()?
                .get("cvssData")?
                .get("baseScore")?
                .as_f64()
        });
        let description = cve
            .get("descriptions")
            .and_then(Value::as_array)
            .and_then(|d| {
                d.iter()
                    .find(|x| x.get("lang").and_then(Value::as_str) == Some("en"))
            })
            .and_then(|d| d.get("value").and_then(Value::as_str))
            .unwrap_or("")
            .chars()
            .take(160)
            .collect::<String>();
        let affected = products.iter().map(|p: &Product| p.id.clone()).collect();
        advisories.push(Advisory {
            url: Some(format!("https://nvd.nist.gov/vuln/detail/{id}")),
            title: description,
            origin: Origin::Nvd,
            products,
            vulnerabilities: vec![Vulnerability {
                cve: Some(id.clone()),
                affected,
                cvss: score.map(|s| (s as f32, Vec::new())).into_iter().collect(),
                ..Vulnerability::default()
            }],
            remediations: Vec::new(),
            public_exploit: None,
            id,
        });
    }
    Ok(advisories)
}

/// `cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*` with its version bounds.
fn product_from_cpe(criterion: &Value, index: usize) -> Option<Product> {
    let cpe = criterion.get("criteria")?.as_str()?;
    let fields: Vec<&str> = cpe.split(':').collect();
    if fields.len() < 6 || fields[0] != "cpe" {
        return None;
    }
    let unescape = |s: &str| s.replace("\\", "").replace('_', " ");
    let vendor = unescape(fields[3]);
    let mut name = unescape(fields[4]);
    // NVD files a device's own firmware as an operating system (`o:dlink:dir-859_firmware`):
    // it is the device's software, matched against the device's model, not an OS it runs.
    let mut is_os = fields[2] == "o";
    if let Some(model) = name
        .strip_suffix(" firmware")
        .filter(|m| !m.trim().is_empty())
    {
        name = model.trim().to_string();
        is_os = false;
    }
    let version = fields[5];
    let update = fields.get(6).copied().unwrap_or("*");
    let bound = |key: &str, inclusive: bool| {
        criterion
            .get(key)
            .and_then(Value::as_str)
            .and_then(Version::parse)
            .map(|version| Bound { version, inclusive })
    };
    let lower = bound("versionStartIncluding", true).or(bound("versionStartExcluding", false));
    let upper = bound("versionEndIncluding", true).or(bound("versionEndExcluding", false));
    let (spec, text) = if lower.is_some() || upper.is_some() {
        let text = format!(
            "{}{}",
            lower
                .as_ref()
                .map(|b| format!("{}{} ", if b.inclusive { ">=" } else { ">" }, b.version))
                .unwrap_or_default(),
            upper
                .as_ref()
                .map(|b| format!("{}{}", if b.inclusive { "<=" } else { "<" }, b.version))
                .unwrap_or_default()
        );
        (
            VersionSpec::AnyOf {
                alternatives: vec![Alternative::Interval { lower, upper }],
                cleaned: false,
            },
            text,
        )
    } else if matches!(version, "*" | "-") {
        // An OS CPE names its service pack in the update field (windows_7:-:sp1).
        match update {
            "*" | "-" => (VersionSpec::All, "all versions".to_string()),
            sp => (VersionSpec::parse(sp), sp.to_string()),
        }
    } else {
        (
            VersionSpec::parse(&version.replace('\\', "")),
            version.to_string(),
        )
    };
    Some(Product {
        id: format!("cpe-{index}"),
        vendor,
        name,
        version_text: text,
        spec,
        fixed_in: None,
        is_os,
        model_numbers: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kev_with_ransomware_use() {
        let kev = parse_kev(
            "kev.json",
            br#"{"catalogVersion":"2025.08.25","vulnerabilities":[{"cveID":"CVE-2017-0144","vendorProject":"Microsoft","product":"SMBv1","dateAdded":"2022-02-10","knownRansomwareCampaignUse":"Known","requiredAction":"Apply updates"}]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(kev.entries["CVE-2017-0144"].ransomware);
        assert!(parse_kev("kev.json", br#"{"vulnerabilities":[]}"#).is_err());
        assert!(parse_kev("kev.json", b"<html>").is_err());
    }

    #[test]
    fn epss_csv() {
        let epss = parse_epss(
            "epss.csv",
            "#model_version:v2025.03.14,score_date:2026-11-27T00:00:00+0000\ncve,epss,percentile\nCVE-2019-0708,0.94,0.999\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(epss.scores["CVE-2019-0708"].0, 0.94);
        assert!(parse_epss("epss.csv", "cve,epss,percentile\nCVE-1,x,y\n").is_err());
        assert!(parse_epss("epss.csv", "<html></html>").is_err());
    }

    #[test]
    fn nvd_cpe_ranges() {
        let advisories = parse_nvd(
            "nvd.json",
            br#"{"vulnerabilities":[{"cve":{"id":"CVE-2019-0708","metrics":{"cvssMetricV31":[{"cvssData":{"baseScore":9.8}}]},
            "configurations":[{"nodes":[{"operator":"OR","cpeMatch":[
              {"vulnerable":true,"criteria":"cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*"},
              {"vulnerable":true,"criteria":"cpe:2.3:a:acme:pump_server:*:*:*:*:*:*:*:*","versionEndExcluding":"2.1"},
              {"vulnerable":false,"criteria":"cpe:2.3:h:acme:pump:-:*:*:*:*:*:*:*"}]}]}]}}]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let a = &advisories[0];
        assert_eq!(a.products.len(), 2);
        assert!(a.products[0].is_os);
        assert_eq!(a.products[0].name, "windows 7");
        assert_eq!(a.products[1].version_text, "<2.1");
        assert_eq!(a.vulnerabilities[0].score_for("cpe-0"), Some(9.8));
        // A KEV catalog is refused, an empty answer is none.
        assert!(
            parse_nvd(
                "kev.json",
                br#"{"vulnerabilities":[{"cveID":"CVE-2019-0708"}]}"#
            )
            .is_err()
        );
        assert!(parse_nvd("nvd.json", br#"{"vulnerabilities":[]}"#).is_ok_and(|a| a.is_empty()));
    }

    #[test]
    fn nvd_firmware_cpe_is_the_device_itself() {
        let advisories = parse_nvd(
            "nvd.json",
            br#"{"vulnerabilities":[{"cve":{"id":"CVE-2019-17621",
            "configurations":[{"operator":"AND","nodes":[
              {"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:o:dlink:dir-859_firmware:*:*:*:*:*:*:*:*","versionEndIncluding":"1.06b01"}]},
              {"operator":"OR","cpeMatch":[{"vulnerable":false,"criteria":"cpe:2.3:h:dlink:dir-859:a3:*:*:*:*:*:*:*"}]}]}]}}]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let product = &advisories[0].products[0];
        assert_eq!(advisories[0].products.len(), 1);
        assert_eq!(product.name, "dir-859");
        assert_eq!(product.vendor, "dlink");
        assert!(!product.is_os);
        assert_eq!(product.version_text, "<=1.06b01");
        // A bare `firmware` product stays what it says.
        let bare = parse_nvd(
            "nvd.json",
            br#"{"vulnerabilities":[{"cve":{"id":"CVE-2090-1","configurations":[{"nodes":[{"cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:o:acme:firmware:1.0:*:*:*:*:*:*:*"}]}]}]}}]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(bare[0].products[0].name, "firmware");
        assert!(bare[0].products[0].is_os);
    }

    #[test]
    fn kev_entries_name_a_router_model_word_for_word() {
        let kev = parse_kev(
            "kev.json",
            br#"{"catalogVersion":"2026.12.01","vulnerabilities":[
              {"cveID":"CVE-2024-0769","vendorProject":"D-Link","product":"DIR-859 Router","vulnerabilityName":"D-Link DIR-859 Router Path Traversal Vulnerability","dateAdded":"2024-06-13","dueDate":"2024-07-04","requiredAction":"Apply mitigations per vendor instructions or discontinue use of the product if mitigations are unavailable.","knownRansomwareCampaignUse":"Unknown"},
              {"cveID":"CVE-2019-17621","vendorProject":"D-Link","product":"DIR-859 Router","vulnerabilityName":"D-Link DIR-859 Router Command Execution Vulnerability","dateAdded":"2023-06-29","dueDate":"2023-07-20","requiredAction":"Apply updates per vendor instructions.","knownRansomwareCampaignUse":"Unknown"},
              {"cveID":"CVE-2020-0001","vendorProject":"D-Link","product":"DIR-8590 Router","dateAdded":"2020-01-01","dueDate":"2020-02-01","requiredAction":"x"},
              {"cveID":"CVE-2023-1389","vendorProject":"TP-Link","product":"Archer AX-21","dateAdded":"2023-05-01","dueDate":"2023-05-22","requiredAction":"x"}
            ]}"#,
        )
        .unwrap();
        let vendors = crate::names::VendorTable::builtin().unwrap();
        let hits = kev_entries_for_model(&kev, &vendors, "D-Link", "DIR-859");
        let cves: Vec<&str> = hits.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(cves, vec!["CVE-2019-17621", "CVE-2024-0769"]);
        assert_eq!(hits[1].1.due_date, "2024-07-04");
        assert_eq!(
            kev_entries_for_model(&kev, &vendors, "D-Link Corporation", "D-Link DIR-859").len(),
            2
        );
        assert_eq!(
            kev_entries_for_model(&kev, &vendors, "TP-LINK", "Archer AX21").len(),
            0
        );
        assert_eq!(
            kev_entries_for_model(&kev, &vendors, "TP-LINK", "Archer AX-21").len(),
            1
        );
        assert!(kev_entries_for_model(&kev, &vendors, "Netgear", "DIR-859").is_empty());
        assert!(kev_entries_for_model(&kev, &vendors, "", "DIR-859").is_empty());
    }
}
