//! The insurer's view: every practice of the organization ranked by risk, with its trend and
//! the controls failing most often; filterable, and exportable as CSV.

use super::chart;
use super::layout::{capitalized, control_title, empty_state, meter, page, percent};
use super::{PageResult, Viewer};
use crate::api::risk::{self, DeviceRisk, RankedPractice};
use crate::db::now;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

/// `?q=&risk=` filters.
#[derive(Debug, Default, Deserialize)]
pub struct Filter {
    /// Part of the practice's name.
    #[serde(default)]
    q: String,
    /// `high`, `medium`, `low`, or empty for all.
    #[serde(default)]
    risk: String,
}

impl Filter {
    fn keeps(&self, practice: &RankedPractice) -> bool {
        let name = practice.name.to_lowercase();
        let q = self.q.trim().to_lowercase();
        (q.is_empty() || name.contains(&q)) && (self.risk.is_empty() || practice.risk == self.risk)
    }

    fn query_string(&self) -> String {
        serde_urlencoded::to_string([("q", self.q.trim()), ("risk", self.risk.as_str())])
            .unwrap_or_default()
    }
}

async fn ranked(
    state: &AppState,
    viewer: &Viewer,
    filter: &Filter,
) -> PageResult<Vec<RankedPractice>> {
    let all = risk::ranking(state, &viewer.caller()).await?;
    Ok(all.into_iter().filter(|p| filter.keeps(p)).collect())
}

fn risk_badge(risk: &str) -> Markup {
    let class = match risk {
        "high" => "bad",
        "medium" => "warn",
        "low" => "ok",
        _ => "unknown",
    };
    html! { span class={ "badge " (class) } { (capitalized(risk)) } }
}

fn trend_of(practice: &RankedPractice, first_unix: i64) -> Vec<chart::Day> {
    let known: Vec<(String, f64)> = practice
        .trend
        .iter()
        .map(|d| (d.day.clone(), d.pass_rate))
        .collect();
    chart::fill_days(first_unix, 30, &known)
}

/// `GET /insurer`.
pub async fn practices(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(filter): Query<Filter>,
) -> PageResult<Markup> {
    let items = ranked(&state, &viewer, &filter).await?;
    let bands = crate::practice_risk::bands()?;
    let first = now() - 29 * 86_400;
    let filtered = !filter.q.trim().is_empty() || !filter.risk.is_empty();
    let body = html! {
        h1 { "Practices by risk" }
        p.lead { "Risk: the share of a practice's computers with a failing critical or high control (" (bands.describe()) ")." }
        form.filters method="get" action="/insurer" role="search" {
            label { "Practice name contains" input type="search" name="q" value=(filter.q); }
            label { "Risk"
                select name="risk" {
                    @for (value, word) in [("", "All"), ("high", "High"), ("medium", "Medium"), ("low", "Low"), ("no data", "No data")] {
                        option value=(value) selected[filter.risk == value] { (word) }
                    }
                }
            }
            button type="submit" { "Filter" }
            a href={ "/insurer.csv?" (filter.query_string()) } download { "Download CSV" }
        }
        @if items.is_empty() {
            @if filtered {
                (empty_state("No practice matches", html! { "Change the filter or " a href="/insurer" { "show all practices" } "." }))
            } @else {
                (empty_state("No practices yet", html! {
                    "Add the practices you cover on the server with " code { "hygeia serve add-practice --insurer NAME --practice NAME --admin-email EMAIL" }
                    "; each practice's administrator then enrols its computers."
                }))
            }
        } @else {
            p.hint { (items.len()) " practices" }
            div.table-wrap { table {
                thead { tr {
                    th { "Practice" } th { "Risk" } th.num { "Computers" } th.num { "Critical/high failing" }
                    th { "Passing results" } th { "Last 30 days" } th { "Failing most often" } th.num { "Not reporting" }
                    th { "Devices" } th { "Phones" } th { "Phish-prone" }
                } }
                tbody { @for p in &items {
                    tr {
                        td { a href={ "/practices/" (p.practice_id) } { (p.name) } }
                        td { (risk_badge(p.risk)) }
                        td.num { (p.hosts) }
                        td.num { (p.hosts_failing_serious) }
                        td { @match p.pass_rate { Some(r) => { (meter(r)) }, None => { "no data" } } }
                        td { (chart::sparkline(&trend_of(p, first))) }
                        td { @for c in &p.top_failing {
                            div { (control_title(&c.control_id)) " (" (c.failing) ")" }
                        } }
                        td.num { (p.not_reporting) }
                        td { (devices_cell(p.devices.as_ref())) }
                        td { @match &p.phones {
                            Some(c) => { (c.phones) " phones" br; span.hint { (c.out_of_date) " out of date, " (c.failing) " failing a control" } },
                            None => { span.hint { "none on record" } },
                        } }
                        td { @match &p.phishing {
                            Some(f) => { a href={ "/practices/" (p.practice_id) "/simulations" } { (percent(f.phish_prone)) } br; span.hint { "of " (f.sent) " simulations clicked; " (percent(f.report_rate)) " reported" } },
                            None => { span.hint { "no simulations" } },
                        } }
                    }
                } }
            } }
        }
    };
    Ok(page("Practices by risk", &viewer, body))
}

/// A practice's devices in a few words: what needs patching and which safeguards are missing.
fn devices_cell(devices: Option<&DeviceRisk>) -> Markup {
    let Some(devices) = devices else {
        return html! { span.hint { "no inventory" } };
    };
    html! {
        (devices.devices) " devices"
        br; span.hint { (devices.findings_critical_or_high) " critical/high findings, " (devices.findings_kev) " exploited (KEV)" }
        br; span.hint { (devices.safeguards_not_in_place) " of " (hygeia_devices::hygiene::RULES.len()) " safeguards not in place" }
    }
}

/// A CSV cell: quoted, and a leading `=`, `+`, `-`, `@` neutralized so a spreadsheet does not
/// run it as a formula (a practice name is typed by people).
pub fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// `GET /insurer.csv`: the same list as the page, with the same filter.
pub async fn practices_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(filter): Query<Filter>,
) -> PageResult<Response> {
    let items = ranked(&state, &viewer, &filter).await?;
    let mut out = String::from(
        "practice,risk,computers,computers_failing_critical_or_high,pass_rate_percent,not_reporting,failing_most_often,devices,device_findings_critical_or_high,device_findings_kev,device_safeguards_not_in_place,phones,phones_out_of_date,phishing_simulations,phish_prone_percent,phishing_report_rate_percent\r\n",
    );
    for p in &items {
        let top: Vec<String> = p
            .top_failing
            .iter()
            .map(|c| format!("{} ({})", c.control_id, c.failing))
            .collect();
        // Empty cells for a practice without an inventory: not measured is not zero.
        let device_cell = |count: fn(&DeviceRisk) -> i64| {
            p.devices
                .as_ref()
                .map(|d| count(d).to_string())
                .unwrap_or_default()
        };
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n",
            csv_cell(&p.name),
            p.risk,
            p.hosts,
            p.hosts_failing_serious,
            p.pass_rate
                .map(|r| format!("{:.1}", r * 100.0))
                .unwrap_or_default(),
            p.not_reporting,
            csv_cell(&top.join("; ")),
            device_cell(|d| d.devices),
            device_cell(|d| d.findings_critical_or_high),
            device_cell(|d| d.findings_kev),
            device_cell(|d| d.safeguards_not_in_place),
            p.phones.map(|c| c.phones.to_string()).unwrap_or_default(),
            p.phones
                .map(|c| c.out_of_date.to_string())
                .unwrap_or_default(),
            p.phishing.map(|f| f.sent.to_string()).unwrap_or_default(),
            p.phishing
                .map(|f| format!("{:.1}", f.phish_prone * 100.0))
                .unwrap_or_default(),
            p.phishing
                .map(|f| format!("{:.1}", f.report_rate * 100.0))
                .unwrap_or_default(),
        ));
    }
    let filename = format!(
        "attachment; filename=\"hygeia-practices-{}.csv\"",
        crate::rollup::day_of(now())
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, filename),
        ],
        out,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(
            csv_cell("Smith \"Family\" Clinic"),
            "\"Smith \"\"Family\"\" Clinic\""
        );
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-1+2"), "\"'-1+2\"");
    }
}
