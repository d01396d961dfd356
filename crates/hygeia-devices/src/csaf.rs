//! CSAF 2.0 security advisories (CISA ICSMA/ICSA and vendors') into [`Advisory`].
//!
//! Read with `serde_json::Value` rather than strict types: real advisories are typed by hand
//! and a single odd field must not cost the reader the rest of the document. What cannot be
//! interpreted is returned as [`Unparsed`], never dropped.

use crate::DevicesError;
use crate::advisory::{
    Advisory, Origin, Product, Remediation, Unparsed, Vulnerability, fixed_version_in,
};
use crate::spec::{SpecAnswer, VersionSpec};
use crate::version::Version;
use serde_json::Value;

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn strings(value: &Value, key: &str) -> Vec<String> {
    list(value, key)
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// Where a product sits in the branch tree while walking it.
#[derive(Default, Clone)]
struct Path {
    vendor: String,
    names: Vec<String>,
    version: Option<String>,
}

/// Parses one CSAF document. `source` names the file for messages.
pub fn parse(source: &str, bytes: &[u8]) -> Result<(Advisory, Vec<Unparsed>), DevicesError> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| DevicesError::Input {
        path: source.to_string(),
        message: format!(
            "not valid JSON (line {}, column {}): {e}",
            e.line(),
            e.column()
        ),
    })?;
    let document = doc.get("document").ok_or_else(|| DevicesError::Input {
        path: source.to_string(),
        message: "not a CSAF document: it has no `document` section".into(),
    })?;
    let version = text(document, "csaf_version");
    if version != "2.0" && version != "2.1" {
        return Err(DevicesError::Input {
            path: source.to_string(),
            message: format!("CSAF version `{version}` is not supported; expected 2.0"),
        });
    }
    let tracking = document.get("tracking").unwrap_or(&Value::Null);
    let id = match text(tracking, "id") {
        "" => source.to_string(),
        id => id.to_string(),
    };
    let mut unparsed = Vec::new();
    let mut products = Vec::new();
    if let Some(tree) = doc.get("product_tree") {
        walk(tree, Path::default(), &id, &mut products, &mut unparsed, 0);
        // Relationships ("X installed on Y") name a combined product id; it inherits the
        // product that is installed, which is what an inventory lists.
        for relation in list(tree, "relationships") {
            let reference = text(relation, "product_reference");
            let combined = relation
                .get("full_product_name")
                .map(|f| text(f, "product_id"))
                .unwrap_or("");
            if let Some(base) = products
                .iter()
                .find(|p: &&Product| p.id == reference)
                .cloned()
                && !combined.is_empty()
            {
                products.push(Product {
                    id: combined.to_string(),
                    ..base
                });
            }
        }
    }
    let mut vulnerabilities = Vec::new();
    let mut remediations = Vec::new();
    for v in list(&doc, "vulnerabilities") {
        let status = v.get("product_status").unwrap_or(&Value::Null);
        let mut affected = Vec::new();
        for key in [
            "known_affected",
            "first_affected",
            "last_affected",
            "under_investigation",
        ] {
            affected.extend(strings(status, key));
        }
        let mut unaffected = Vec::new();
        for key in ["fixed", "first_fixed", "known_not_affected"] {
            unaffected.extend(strings(status, key));
        }
        let cvss = list(v, "scores")
            .iter()
            .filter_map(|score| {
                let base = ["cvss_v3", "cvss_v4", "cvss_v2"]
                    .iter()
                    .find_map(|k| score.get(k)?.get("baseScore")?.as_f64())?;
                Some((base as f32, strings(score, "products")))
            })
            .collect();
        let exploited = list(v, "threats").iter().any(|t| {
            text(t, "category") == "exploit_status" && {
                let details = text(t, "details").to_lowercase();
                (details.contains("exploited") || details.contains("active"))
                    && !details.contains("not ")
                    && !details.contains("no ")
            }
        });
        for r in list(v, "remediations") {
            let product_ids = strings(r, "product_ids");
            let remediation = Remediation {
                category: text(r, "category").to_string(),
                details: text(r, "details").trim().to_string(),
                url: Some(text(r, "url").to_string()).filter(|u| !u.is_empty()),
                product_ids,
            };
            if !remediations.contains(&remediation) {
                remediations.push(remediation);
            }
        }
        // Some advisories list in `product_status` only the first of the products that a
        // vulnerability's scores and remediations name (ICSMA-17-215-02 gives four Siemens
        // systems a score and a fix, and one a status). A product the vulnerability scores or
        // remediates, and whose status it does not give, is affected as the advisory reads.
        let status_given: Vec<&String> = affected.iter().chain(unaffected.iter()).collect();
        let mut named_elsewhere: Vec<String> = Vec::new();
        for score in list(v, "scores") {
            named_elsewhere.extend(strings(score, "products"));
        }
        for r in list(v, "remediations") {
            named_elsewhere.extend(strings(r, "product_ids"));
        }
        let mut unstated: Vec<String> = named_elsewhere
            .into_iter()
            .filter(|id| !status_given.contains(&id))
            .filter(|id| products.iter().any(|p: &Product| &p.id == id))
            .collect();
        unstated.sort();
        unstated.dedup();
        if !affected.is_empty() {
            affected.extend(unstated);
        }
        vulnerabilities.push(Vulnerability {
            cve: Some(text(v, "cve").to_string()).filter(|c| !c.is_empty()),
            affected,
            unaffected,
            cvss,
            exploited,
        });
    }
    // A product tree whose product name is only the word "Version" (ICSMA-18-086-01): the
    // product is the one the title names.
    let title = text(document, "title");
    for product in &mut products {
        if is_placeholder_name(&product.name)
            && let Some(named) = product_in_title(title, &product.vendor)
        {
            product.name = named;
        }
    }
    // Fixed versions given only in remediation text.
    for product in &mut products {
        let fixes: Vec<_> = remediations
            .iter()
            .filter(|r| r.category == "vendor_fix" && r.product_ids.contains(&product.id))
            .filter_map(|r| fixed_version_in(&r.details))
            .collect();
        // "a version later than 2.2.3" and "an update for version 1.6.1" name a version the
        // product's own versions call affected: that is not the fix. ("All versions" with a fix
        // means every version before it.)
        if let [only] = fixes.as_slice()
            && !calls_affected(&product.spec, only)
        {
            product.fixed_in = Some(only.clone());
        }
    }
    let url = list(document, "references")
        .iter()
        .filter(|r| text(r, "category") == "self")
        .map(|r| text(r, "url"))
        .find(|u| u.contains("cisa.gov") || !u.ends_with(".json"))
        .map(str::to_string);
    let public_exploit = exploit_note(document);
    Ok((
        Advisory {
            id,
            title: text(document, "title").to_string(),
            url,
            origin: Origin::Csaf,
            products,
            vulnerabilities,
            remediations,
            public_exploit,
        },
        unparsed,
    ))
}

/// A product name that names no product: the advisory put a label where the name belongs.
fn is_placeholder_name(name: &str) -> bool {
    matches!(
        name.trim().to_lowercase().as_str(),
        "version" | "versions" | "all versions" | "firmware" | "software" | "product" | "products"
    )
}

/// The product a title names: "Philips Alice 6 Vulnerabilities (Update B)" is "Alice 6" for
/// the vendor Philips. `None` when nothing is left.
fn product_in_title(title: &str, vendor: &str) -> Option<String> {
    let mut words: Vec<&str> = title.split_whitespace().collect();
    // "(Update B)" and everything after the first parenthesis.
    if let Some(open) = words.iter().position(|w| w.starts_with('(')) {
        words.truncate(open);
    }
    // "... Vulnerabilities", "... Vulnerability", "... Improper Authentication": from the first
    // word that says what is wrong.
    if let Some(cut) = words
        .iter()
        .position(|w| w.to_lowercase().starts_with("vulnerab"))
    {
        words.truncate(cut);
    }
    let vendor_words: Vec<String> = vendor
        .split_whitespace()
        .map(|w| w.to_lowercase())
        .collect();
    while words
        .first()
        .is_some_and(|w| vendor_words.contains(&w.to_lowercase()))
    {
        words.remove(0);
    }
    let name = words.join(" ");
    (!name.is_empty() && name.chars().any(char::is_alphanumeric)).then_some(name)
}

/// What CISA's "Exploitability"/"Risk evaluation" notes say about public exploits.
fn exploit_note(document: &Value) -> Option<bool> {
    let mut answer = None;
    for note in list(document, "notes") {
        let body = text(note, "text").to_lowercase();
        for sentence in body.split(". ") {
            if !sentence.contains("exploit") || !sentence.contains("public") {
                continue;
            }
            if sentence.contains("no known public") || sentence.contains("not publicly") {
                answer = answer.or(Some(false));
            } else if sentence.contains("publicly available")
                || sentence.contains("exploits that target")
                || sentence.contains("public exploits target")
                || sentence.contains("known to be exploited")
            {
                answer = Some(true);
            }
        }
    }
    answer
}

/// Walks `branches`, remembering the vendor and product names above each leaf.
fn walk(
    node: &Value,
    path: Path,
    advisory: &str,
    products: &mut Vec<Product>,
    unparsed: &mut Vec<Unparsed>,
    depth: usize,
) {
    // The tree is a few levels deep in every real advisory; a deeper one is hostile.
    if depth > 32 {
        unparsed.push(Unparsed {
            advisory: advisory.to_string(),
            message:
                "the product tree is nested more than 32 levels; the deeper products were not read"
                    .into(),
        });
        return;
    }
    for branch in list(node, "branches") {
        let mut here = path.clone();
        let name = text(branch, "name").trim().to_string();
        match text(branch, "category") {
            "vendor" => here.vendor = name,
            "product_version" | "product_version_range" => here.version = Some(name),
            // "8.0 SP2": a service pack or patch level refines the version above it.
            "service_pack" | "patch_level" => {
                here.version = Some(match here.version.take() {
                    Some(version) => format!("{version} {name}"),
                    None => name,
                })
            }
            // Facts that do not name a product: which build, language or host.
            "architecture" | "language" | "legacy" | "specification" | "host_name" => {}
            _ => here.names.push(name),
        }
        if let Some(product) = branch.get("product") {
            leaf(product, &here, advisory, products, unparsed);
        }
        walk(branch, here, advisory, products, unparsed, depth + 1);
    }
    for product in list(node, "full_product_names") {
        let name = text(product, "name").to_string();
        let mut here = path.clone();
        here.names.push(name);
        leaf(product, &here, advisory, products, unparsed);
    }
}

fn leaf(
    product: &Value,
    path: &Path,
    advisory: &str,
    products: &mut Vec<Product>,
    unparsed: &mut Vec<Unparsed>,
) {
    let id = text(product, "product_id").to_string();
    let full_name = text(product, "name");
    // The innermost name is the product; family names above it are context.
    let name = path
        .names
        .last()
        .cloned()
        .unwrap_or_else(|| full_name.to_string());
    let version_text = path.version.clone().unwrap_or_else(|| "vers:all/*".into());
    if path.vendor.is_empty() || name.is_empty() {
        unparsed.push(Unparsed {
            advisory: advisory.to_string(),
            message: format!(
                "product `{full_name}` ({id}) has no vendor or product name in the product tree; check the advisory by hand"
            ),
        });
        return;
    }
    let spec = VersionSpec::parse(&version_text);
    if let VersionSpec::Unparsed(raw) = &spec {
        unparsed.push(Unparsed {
            advisory: advisory.to_string(),
            message: format!(
                "the affected versions of {} {name} (`{raw}`) cannot be read; every version is treated as possibly affected",
                path.vendor
            ),
        });
    }
    // Model numbers and SKUs the vendor lists are other names of the same product.
    let helper = product
        .get("product_identification_helper")
        .unwrap_or(&Value::Null);
    let mut model_numbers = strings(helper, "model_numbers");
    model_numbers.extend(strings(helper, "skus"));
    model_numbers.retain(|m| m.chars().any(|c| c.is_ascii_alphanumeric()) && !m.contains('*'));
    products.push(Product {
        id,
        vendor: path.vendor.clone(),
        name,
        version_text,
        spec,
        fixed_in: None,
        is_os: false,
        model_numbers,
    });
}

/// Whether a product's own versions call `version` affected ("All versions" does not count:
/// with a fix it means every version before the fix).
fn calls_affected(spec: &VersionSpec, version: &Version) -> bool {
    !matches!(spec, VersionSpec::All)
        && matches!(
            spec.answer(version),
            SpecAnswer::Exact | SpecAnswer::InRange
        )
}

#[cfg(test)]
mod title_tests {
    use super::*;

    #[test]
    fn a_placeholder_product_name_takes_the_product_from_the_title() {
        assert_eq!(
            product_in_title("Philips Alice 6 Vulnerabilities (Update B)", "Philips").as_deref(),
            Some("Alice 6")
        );
        assert_eq!(product_in_title("Philips Vulnerabilities", "Philips"), None);
        assert!(is_placeholder_name("Version"));
        assert!(!is_placeholder_name("Alice 6"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{
      "document": {"csaf_version": "2.0", "title": "Acme Infusion Pump", "category": "csaf_security_advisory",
        "tracking": {"id": "ICSMA-99-001-01"},
        "references": [{"category": "self", "url": "https://www.cisa.gov/news-events/ics-medical-advisories/icsma-99-001-01"}],
        "notes": [{"category": "other", "title": "Exploitability", "text": "No known public exploits specifically target this vulnerability."}]},
      "product_tree": {"branches": [{"category": "vendor", "name": "Acme Medical, Inc.", "branches": [
        {"category": "product_name", "name": "Acme Pump 300", "branches": [
          {"category": "product_version_range", "name": "<= 1.52", "product": {"name": "Acme Pump 300 <= 1.52", "product_id": "P1"}}]},
        {"category": "product_name", "name": "Acme Gateway", "branches": [
          {"category": "product_version_range", "name": "distributed < april 1, 2018", "product": {"name": "Acme Gateway", "product_id": "P2"}}]}]}]},
      "vulnerabilities": [{"cve": "CVE-2099-0001",
        "product_status": {"known_affected": ["P1", "P2"]},
        "scores": [{"cvss_v3": {"baseScore": 9.8}, "products": ["P1", "P2"]}],
        "remediations": [{"category": "vendor_fix", "details": "Update the pump to version 1.52.01 or later.", "product_ids": ["P1"], "url": "https://acme.example/fix"}]}]
    }"#;

    #[test]
    fn products_scores_remediations_and_unreadable_ranges() {
        let (advisory, unparsed) =
            parse("a.json", DOC.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(advisory.id, "ICSMA-99-001-01");
        assert_eq!(advisory.products.len(), 2);
        assert_eq!(advisory.products[0].vendor, "Acme Medical, Inc.");
        assert_eq!(
            advisory.products[0].fixed_in.as_ref().map(|v| v.as_str()),
            Some("1.52.01")
        );
        assert_eq!(advisory.affecting("P1").count(), 1);
        assert_eq!(advisory.vulnerabilities[0].score_for("P1"), Some(9.8));
        assert_eq!(advisory.public_exploit, Some(false));
        assert_eq!(unparsed.len(), 1);
        assert!(unparsed[0].message.contains("april 1, 2018"));
        assert!(advisory.url.is_some_and(|u| u.contains("cisa.gov")));
    }

    #[test]
    fn service_packs_and_model_numbers() {
        let doc = r#"{"document": {"csaf_version": "2.0", "title": "t", "tracking": {"id": "VENDOR-1"}},
          "product_tree": {"branches": [{"category": "vendor", "name": "Siemens", "branches": [
            {"category": "product_family", "name": "Imaging", "branches": [
              {"category": "product_name", "name": "Syngo", "branches": [
                {"category": "product_version", "name": "VB20", "branches": [
                  {"category": "service_pack", "name": "SP2", "branches": [
                    {"category": "architecture", "name": "x64",
                     "product": {"name": "Syngo VB20 SP2", "product_id": "S1",
                       "product_identification_helper": {"model_numbers": ["10496180"]}}}]}]}]}]}]}]},
          "vulnerabilities": []}"#;
        let (advisory, _) = parse("v.json", doc.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let product = &advisory.products[0];
        assert_eq!(product.name, "Syngo");
        assert_eq!(product.version_text, "VB20 SP2");
        assert_eq!(product.model_numbers, ["10496180"]);
    }

    #[test]
    fn products_scored_but_without_status_and_fixes_that_are_affected_versions() {
        // As in ICSMA-17-215-02 and ICSMA-21-047-01: the second system has a score and a fix
        // but no status; the "fix" of the first is "a version later than 2.2.3".
        let doc = r#"{"document": {"csaf_version": "2.0", "title": "t", "tracking": {"id": "V-2"}},
          "product_tree": {"branches": [{"category": "vendor", "name": "Acme", "branches": [
            {"category": "product_name", "name": "Vent T1", "branches": [
              {"category": "product_version_range", "name": "<= 2.2.3",
               "product": {"name": "Vent T1", "product_id": "P1"}}]},
            {"category": "product_name", "name": "Vent T2", "branches": [
              {"category": "product_version_range", "name": "vers:all/*",
               "product": {"name": "Vent T2", "product_id": "P2"}}]}]}]},
          "vulnerabilities": [{"cve": "CVE-2090-0001",
            "product_status": {"known_affected": ["P1"]},
            "scores": [{"cvss_v3": {"baseScore": 7.5}, "products": ["P1", "P2"]}],
            "remediations": [{"category": "vendor_fix", "product_ids": ["P1", "P2"],
              "details": "Acme recommends users update to a version later than Vent T1 Version 2.2.3."}]}]}"#;
        let (advisory, _) = parse("v.json", doc.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(advisory.affecting("P2").count(), 1);
        assert_eq!(advisory.products[0].fixed_in, None);
    }

    #[test]
    fn not_csaf_is_a_clear_error() {
        let error = parse("x.json", b"{\"a\":1}").err().map(|e| e.to_string());
        assert!(error.is_some_and(|e| e.contains("not a CSAF document")));
        assert!(parse("x.json", b"{").is_err());
    }
}
