//! The attestation report as a PDF: US Letter pages, the standard Helvetica fonts (no font
//! files to embed), text wrapped with Helvetica's published character widths, tables that
//! repeat their header on each page, and a footer with the page number.

use super::attestation::{Report, Wording};
use super::layout::{capitalized, date, datetime};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

const PAGE_W: f32 = 612.0;
const PAGE_H: f32 = 792.0;
const MARGIN: f32 = 50.0;
const TOP: f32 = PAGE_H - MARGIN;
const BOTTOM: f32 = MARGIN + 20.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;

/// Advance widths (1/1000 em) of Helvetica for the characters 32 to 126 (Adobe's AFM).
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
/// The same for Helvetica-Bold.
const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Font {
    Regular,
    Bold,
}

impl Font {
    fn name(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
        }
    }

    fn width_of(self, byte: u8) -> f32 {
        let table = match self {
            Font::Regular => &HELVETICA,
            Font::Bold => &HELVETICA_BOLD,
        };
        match byte {
            32..=126 => f32::from(table[usize::from(byte - 32)]),
            // Accented letters and typographic punctuation: about a lower-case letter.
            _ => 556.0,
        }
    }

    /// Width of WinAnsi-encoded text at `size` points (the tests check lines against it).
    #[cfg(test)]
    fn measure(self, encoded: &[u8], size: f32) -> f32 {
        encoded.iter().map(|b| self.width_of(*b)).sum::<f32>() * size / 1000.0
    }
}

/// Text in the standard fonts' WinAnsi encoding: Latin-1 as is, typographic punctuation mapped,
/// anything else as `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '\u{20}'..='\u{7e}' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '\u{2013}' => 0x96,
            '\u{2014}' => 0x97,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201c}' => 0x93,
            '\u{201d}' => 0x94,
            '\u{2022}' => 0x95,
            '\u{2026}' => 0x85,
            '\u{20ac}' => 0x80,
            '\t' | '\n' | '\r' => b' ',
            _ => b'?',
        })
        .collect()
}

/// Splits text into lines no wider than `width`; words longer than a line are cut. One pass
/// over the text: widths are added up as it goes.
fn wrap(text: &str, font: Font, size: f32, width: f32) -> Vec<Vec<u8>> {
    let fits = |units: f32| units * size / 1000.0 <= width;
    let space = font.width_of(b' ');
    let mut lines = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    let mut line_units = 0.0;
    for word in win_ansi(text)
        .split(|b| *b == b' ')
        .filter(|w| !w.is_empty())
    {
        let word_units: f32 = word.iter().map(|b| font.width_of(*b)).sum();
        let with_word = if line.is_empty() {
            word_units
        } else {
            line_units + space + word_units
        };
        if fits(with_word) {
            if !line.is_empty() {
                line.push(b' ');
            }
            line.extend_from_slice(word);
            line_units = with_word;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // The word on its own lines, cut where the width runs out.
        line_units = 0.0;
        for &byte in word {
            let units = font.width_of(byte);
            if !line.is_empty() && !fits(line_units + units) {
                lines.push(std::mem::take(&mut line));
                line_units = 0.0;
            }
            line.push(byte);
            line_units += units;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// A table cell's lines, at most what fits on half a page: a row must fit on one page, and a
/// cell longer than that (a pasted essay in a note) ends with `...`.
fn cell_lines(text: &str, font: Font, size: f32, width: f32) -> Vec<Vec<u8>> {
    let most = ((TOP - BOTTOM) / 2.0 / (size * 1.3)) as usize;
    let mut lines = wrap(text, font, size, width);
    if lines.len() > most {
        lines.truncate(most);
        if let Some(last) = lines.last_mut() {
            last.extend_from_slice(b"...");
        }
    }
    lines
}

/// Pages being filled from the top down.
struct Layout {
    pages: Vec<Content>,
    y: f32,
}

impl Layout {
    fn new() -> Layout {
        Layout {
            pages: vec![Content::new()],
            y: TOP,
        }
    }

    fn page(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.pages.push(Content::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = TOP;
    }

    /// Starts a new page unless `height` still fits on this one.
    fn ensure(&mut self, height: f32) {
        if self.y - height < BOTTOM {
            self.new_page();
        }
    }

    fn text_at(&mut self, x: f32, baseline: f32, font: Font, size: f32, encoded: &[u8]) {
        let content = self.page();
        content.begin_text();
        content.set_font(font.name(), size);
        content.next_line(x, baseline);
        content.show(Str(encoded));
        content.end_text();
    }

    fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    fn paragraph(&mut self, text: &str, font: Font, size: f32) {
        let leading = size * 1.35;
        for line in wrap(text, font, size, CONTENT_W) {
            self.ensure(leading);
            self.y -= leading;
            self.text_at(MARGIN, self.y + size * 0.3, font, size, &line);
        }
        self.gap(size * 0.5);
    }

    fn heading(&mut self, text: &str, size: f32) {
        // Keep a heading with at least three lines of what follows.
        self.ensure(size * 1.6 + 70.0);
        self.gap(size * 0.8);
        self.paragraph(text, Font::Bold, size);
    }

    fn rule(&mut self, y: f32, gray: f32) {
        let content = self.page();
        content.set_stroke_gray(gray);
        content.set_line_width(0.5);
        content.move_to(MARGIN, y);
        content.line_to(MARGIN + CONTENT_W, y);
        content.stroke();
    }

    fn row(&mut self, cells: &[String], widths: &[f32], font: Font, size: f32) -> f32 {
        let leading = size * 1.3;
        let wrapped: Vec<Vec<Vec<u8>>> = cells
            .iter()
            .zip(widths)
            .map(|(cell, w)| cell_lines(cell, font, size, w * CONTENT_W - 6.0))
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        let height = lines as f32 * leading + 6.0;
        let top = self.y;
        let mut x = MARGIN;
        for (cell, w) in wrapped.iter().zip(widths) {
            for (i, line) in cell.iter().enumerate() {
                let baseline = top - 3.0 - (i as f32 + 1.0) * leading + size * 0.3;
                self.text_at(x + 3.0, baseline, font, size, line);
            }
            x += w * CONTENT_W;
        }
        self.y -= height;
        height
    }

    fn row_height(cells: &[String], widths: &[f32], font: Font, size: f32) -> f32 {
        let lines = cells
            .iter()
            .zip(widths)
            .map(|(cell, w)| cell_lines(cell, font, size, w * CONTENT_W - 6.0).len())
            .max()
            .unwrap_or(1);
        lines as f32 * size * 1.3 + 6.0
    }

    /// A table; `widths` are shares of the text width. The header repeats on each new page.
    fn table(&mut self, header: &[&str], widths: &[f32], rows: &[Vec<String>]) {
        let size = 8.5;
        let header: Vec<String> = header.iter().map(|h| (*h).to_string()).collect();
        let header_height = Self::row_height(&header, widths, Font::Bold, size);
        let first = rows
            .first()
            .map_or(0.0, |r| Self::row_height(r, widths, Font::Regular, size));
        self.ensure(header_height + first);
        self.row(&header, widths, Font::Bold, size);
        self.rule(self.y, 0.3);
        for row in rows {
            let height = Self::row_height(row, widths, Font::Regular, size);
            if self.y - height < BOTTOM {
                self.new_page();
                self.row(&header, widths, Font::Bold, size);
                self.rule(self.y, 0.3);
            }
            self.row(row, widths, Font::Regular, size);
            self.rule(self.y, 0.8);
        }
        self.gap(8.0);
    }
}

/// The report as PDF bytes.
pub fn render(report: &Report, wording: &Wording) -> Vec<u8> {
    let mut layout = Layout::new();
    let title = format!("{}: {}", capitalized(&wording.title), report.practice);
    layout.paragraph(&title, Font::Bold, 16.0);
    layout.paragraph(
        &format!("Status as of the end of {} (UTC)", report.day),
        Font::Regular,
        10.0,
    );

    layout.heading("1. Scope and date", 12.0);
    layout.table(
        &["Item", "Value"],
        &[0.3, 0.7],
        &[
            vec!["Practice".into(), report.practice.clone()],
            vec!["Organization".into(), report.organization.clone()],
            vec![
                "Status as of".into(),
                format!("end of {} (UTC)", report.day),
            ],
            vec!["Computers in scope".into(), report.assets.len().to_string()],
            vec![
                "Devices in scope".into(),
                report.devices.as_ref().map_or_else(
                    || "no device inventory uploaded".into(),
                    |d| format!("{} (device inventory)", d.total),
                ),
            ],
            vec![
                "Prepared".into(),
                format!(
                    "{} by {} with Hygeia",
                    datetime(report.generated_at),
                    report.generated_by
                ),
            ],
        ],
    );
    layout.paragraph(&wording.scope, Font::Regular, 9.5);
    layout.paragraph(&wording.method, Font::Regular, 9.5);

    layout.heading("2. Asset inventory: enrolled computers", 12.0);
    if report.assets.is_empty() {
        layout.paragraph("No computer was enrolled on this day.", Font::Regular, 9.5);
    } else {
        let rows: Vec<Vec<String>> = report
            .assets
            .iter()
            .map(|a| {
                vec![
                    a.hostname.clone(),
                    format!("{} - {}", capitalized(&a.platform), a.os_version),
                    a.owner.clone().unwrap_or_else(|| "not assigned".into()),
                    date(a.enrolled_at),
                    a.last_report_at.map_or_else(|| "none".into(), datetime),
                    a.failing.to_string(),
                ]
            })
            .collect();
        layout.table(
            &[
                "Computer",
                "System",
                "Used by",
                "Enrolled",
                "Latest report",
                "Failing",
            ],
            &[0.18, 0.24, 0.16, 0.12, 0.2, 0.1],
            &rows,
        );
    }

    devices_section(&mut layout, report);
    phones_section(&mut layout, report);
    workforce_section(&mut layout, report);

    layout.heading("3. Safeguards by HICP practice", 12.0);
    if report.groups.is_empty() {
        layout.paragraph("No results were stored by this day.", Font::Regular, 9.5);
    }
    for group in &report.groups {
        layout.heading(&group.practice, 10.0);
        let rows: Vec<Vec<String>> = group
            .controls
            .iter()
            .map(|c| match &c.inventory_reason {
                // Measured once, on the device inventory: the reason instead of counts.
                Some(reason) => vec![
                    format!("{} ({}). Device inventory: {reason}", c.title, c.id),
                    c.hipaa.clone(),
                    c.status_word().into(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                ],
                None => vec![
                    format!("{} ({})", c.title, c.id),
                    c.hipaa.clone(),
                    c.status_word().into(),
                    c.passing.to_string(),
                    c.attested.to_string(),
                    c.failing.to_string(),
                    c.other.to_string(),
                ],
            })
            .collect();
        layout.table(
            &[
                "Control", "HIPAA", "Status", "Pass", "Attested", "Fail", "Not det.",
            ],
            &[0.36, 0.17, 0.15, 0.07, 0.09, 0.07, 0.09],
            &rows,
        );
    }

    layout.heading("4. Attested safeguards", 12.0);
    layout.paragraph(
        "Names and notes are self-reported: typed on the computer and sent by its agent, not checked by the server.",
        Font::Regular,
        9.5,
    );
    if report.attested.is_empty() {
        layout.paragraph("No answers were given by this day.", Font::Regular, 9.5);
    } else {
        let rows: Vec<Vec<String>> = report
            .attested
            .iter()
            .map(|a| {
                let mut control = a.title.clone();
                if !a.note.is_empty() {
                    control.push_str(&format!(" (self-reported note: {})", a.note));
                }
                let mut until = date(a.expires);
                if a.expires < report.day_end {
                    until.push_str(" (expired)");
                }
                vec![
                    a.hostname.clone(),
                    control,
                    if a.answer { "In place" } else { "Not in place" }.into(),
                    a.by.clone(),
                    date(a.at),
                    until,
                ]
            })
            .collect();
        layout.table(
            &[
                "Computer",
                "Control",
                "Answer",
                "By (self-reported)",
                "On",
                "Counts until",
            ],
            &[0.16, 0.34, 0.12, 0.14, 0.1, 0.14],
            &rows,
        );
    }

    layout.heading("5. Open risks", 12.0);
    if report.risks.is_empty() {
        layout.paragraph(
            "No control was failing on any computer or on the device inventory on this day.",
            Font::Regular,
            9.5,
        );
    } else {
        let rows: Vec<Vec<String>> = report
            .risks
            .iter()
            .map(|r| {
                vec![
                    format!("{} ({}, severity {})", r.title, r.control_id, r.severity),
                    format!(
                        "{} of {}: {}",
                        r.hosts_failing.len(),
                        r.hosts_reporting,
                        r.hosts_failing.join(", ")
                    ),
                    capitalized(r.likelihood),
                    capitalized(&r.impact),
                    capitalized(&r.level),
                    r.hipaa.clone(),
                ]
            })
            .collect();
        layout.table(
            &[
                "Risk",
                "Computers or devices",
                "Likelihood",
                "Impact",
                "Level",
                "HIPAA",
            ],
            &[0.32, 0.2, 0.11, 0.09, 0.09, 0.19],
            &rows,
        );
    }

    layout.heading("6. Remediation plan", 12.0);
    if report.risks.is_empty() {
        layout.paragraph("Nothing to remediate.", Font::Regular, 9.5);
    } else {
        let rows: Vec<Vec<String>> = report
            .risks
            .iter()
            .map(|r| {
                let mut due = date(r.due);
                if r.due < report.day_end {
                    due.push_str(" (overdue)");
                }
                vec![
                    r.title.clone(),
                    r.action.clone(),
                    r.owner.clone(),
                    date(r.since),
                    due,
                ]
            })
            .collect();
        layout.table(
            &["Control", "Action", "Owner", "Failing since", "Due"],
            &[0.2, 0.42, 0.14, 0.11, 0.13],
            &rows,
        );
    }

    layout.heading("7. Sign-off", 12.0);
    for line in &wording.signoff {
        layout.ensure(60.0);
        layout.gap(8.0);
        layout.paragraph(line, Font::Bold, 9.5);
        layout.gap(14.0);
        layout.paragraph(
            "Name: ______________________   Signature: ______________________   Date: ____________",
            Font::Regular,
            9.5,
        );
    }

    finish(layout, report, &title)
}

/// Section 2c: the phones and tablets on record.
fn phones_section(layout: &mut Layout, report: &Report) {
    layout.heading("2c. Asset inventory: phones and tablets", 12.0);
    if report.phones.is_empty() {
        layout.paragraph(
            "No phone or tablet was on record by this day, so the phone safeguards (HY-PH-001 to 004) are measured only as computers report them.",
            Font::Regular,
            9.5,
        );
        return;
    }
    let rows: Vec<Vec<String>> = report
        .phones
        .iter()
        .map(|p| {
            vec![
                format!("{} ({})", p.name, p.model),
                phone_system(p),
                p.owner.clone(),
                crate::phones::source_label(&p.source).to_string(),
                datetime(p.seen_at),
                capitalized(&p.status),
            ]
        })
        .collect();
    layout.table(
        &["Phone", "System", "Owner", "Source", "Seen", "Status"],
        &[0.24, 0.18, 0.2, 0.14, 0.14, 0.1],
        &rows,
    );
}

/// Section 2d: the workforce's awareness training and simulations.
fn workforce_section(layout: &mut Layout, report: &Report) {
    layout.heading("2d. Workforce security awareness training", 12.0);
    layout.paragraph(WORKFORCE_NOTE, Font::Regular, 9.5);
    if report.workforce.is_empty() {
        layout.paragraph(
            "The practice had no dashboard users by this day.",
            Font::Regular,
            9.5,
        );
        return;
    }
    let rows: Vec<Vec<String>> = report.workforce.iter().map(workforce_cells).collect();
    layout.table(
        &[
            "Person",
            "Role",
            "Training (12 months)",
            "Simulations",
            "Clicked",
            "Reported",
        ],
        &[0.22, 0.14, 0.34, 0.1, 0.1, 0.1],
        &rows,
    );
}

/// What section 2d measures, for both renderings.
pub const WORKFORCE_NOTE: &str = "45 CFR 164.308(a)(5): the latest awareness lesson each person passed on this server in the 12 months before the day (HY-EM-002), and the phishing simulations the practice sent them. Training taken elsewhere is not listed here; it counts through the person's own answer on their computer.";

/// One person's cells in section 2d.
pub fn workforce_cells(w: &crate::awareness::storage::WorkforceRow) -> Vec<String> {
    vec![
        w.name.clone(),
        if w.role == "practice_admin" {
            "Administrator".into()
        } else {
            "Clinician".into()
        },
        match &w.training {
            Some((module, at, score, questions)) => format!(
                "{} on {} ({score}/{questions})",
                crate::awareness::storage::module_title(module),
                crate::pages::layout::date(*at)
            ),
            None => "None recorded".into(),
        },
        w.simulations.to_string(),
        w.clicked.to_string(),
        w.reported.to_string(),
    ]
}

/// "iOS 15.6" or "Android 11, patch 2021-03-05".
pub fn phone_system(p: &crate::phones::PhoneRow) -> String {
    let os = if p.family == "ios" { "iOS" } else { "Android" };
    if p.security_patch.is_empty() {
        format!("{os} {}", p.os_version)
    } else {
        format!("{os} {}, patch {}", p.os_version, p.security_patch)
    }
}

/// Section 2b: the device inventory in force on the day.
fn devices_section(layout: &mut Layout, report: &Report) {
    layout.heading("2b. Asset inventory: medical and IT devices", 12.0);
    let Some(inventory) = &report.devices else {
        layout.paragraph(
            "No device inventory had been uploaded by this day, so the device safeguards (HICP 9) are not determined.",
            Font::Regular,
            9.5,
        );
        return;
    };
    let matched = match &inventory.matched {
        Some((at, against)) => format!("Findings as matched {} against {against}.", datetime(*at)),
        None => "Not matched against advisories.".into(),
    };
    layout.paragraph(
        &format!(
            "Inventory {}, uploaded {}, {} devices and components. {matched}",
            inventory.file_name,
            datetime(inventory.uploaded_at),
            inventory.total
        ),
        Font::Regular,
        9.5,
    );
    let rows: Vec<Vec<String>> = inventory
        .devices
        .iter()
        .map(|d| {
            let mut label = d.label.clone();
            if d.life_critical {
                label.push_str(" (life-critical)");
            }
            vec![
                label,
                d.operating_system.clone(),
                d.segment.clone(),
                if d.patch_owner.is_empty() {
                    "none named".into()
                } else {
                    d.patch_owner.clone()
                },
                d.findings.to_string(),
                d.top_priority
                    .as_deref()
                    .map(capitalized)
                    .unwrap_or_default(),
            ]
        })
        .collect();
    layout.table(
        &[
            "Device",
            "System",
            "Network",
            "Patch owner",
            "Advisories",
            "Most urgent",
        ],
        &[0.34, 0.16, 0.13, 0.14, 0.11, 0.12],
        &rows,
    );
    if inventory.total > inventory.devices.len() {
        layout.paragraph(
            &format!(
                "The first {} are listed; the Devices page lists all {}.",
                inventory.devices.len(),
                inventory.total
            ),
            Font::Regular,
            9.5,
        );
    }
}

fn finish(layout: Layout, report: &Report, title: &str) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let regular_id = Ref::new(3);
    let bold_id = Ref::new(4);
    let info_id = Ref::new(5);
    let count = layout.pages.len();
    let page_ids: Vec<Ref> = (0..count).map(|i| Ref::new(10 + 2 * i as i32)).collect();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(count as i32);
    pdf.type1_font(regular_id)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold_id)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info_id)
        .title(TextStr(title))
        .producer(TextStr("Hygeia"));
    for (i, mut content) in layout.pages.into_iter().enumerate() {
        let footer = win_ansi(&format!(
            "{} - status as of {} - page {} of {}",
            report.practice,
            report.day,
            i + 1,
            count
        ));
        content.set_fill_gray(0.35);
        content.begin_text();
        content.set_font(Font::Regular.name(), 8.0);
        content.next_line(MARGIN, MARGIN - 10.0);
        content.show(Str(&footer));
        content.end_text();
        let page_id = page_ids[i];
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree_id)
            .contents(content_id);
        page.resources()
            .fonts()
            .pair(Font::Regular.name(), regular_id)
            .pair(Font::Bold.name(), bold_id);
        page.finish();
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_wraps_within_the_width() {
        let lines = wrap(
            "Keep security patches current on every computer that opens patient records",
            Font::Regular,
            10.0,
            150.0,
        );
        assert!(lines.len() > 2);
        for line in &lines {
            assert!(Font::Regular.measure(line, 10.0) <= 150.0, "{line:?}");
        }
        let long = wrap(&"x".repeat(200), Font::Bold, 10.0, 50.0);
        assert!(long.len() > 5);
        for line in &long {
            assert!(Font::Bold.measure(line, 10.0) <= 50.0, "{line:?}");
        }
        assert_eq!(
            long.concat(),
            "x".repeat(200).into_bytes(),
            "nothing lost in the cuts"
        );
        // A megabyte without a space is cut in one pass (this was quadratic).
        let huge = wrap(&"w".repeat(1_000_000), Font::Regular, 8.5, 100.0);
        assert_eq!(huge.iter().map(Vec::len).sum::<usize>(), 1_000_000);
        assert_eq!(wrap("", Font::Regular, 10.0, 50.0), vec![Vec::<u8>::new()]);
    }

    #[test]
    fn long_tables_continue_on_new_pages_without_losing_rows() {
        use super::super::attestation::{Asset, Report, wording};
        let assets: Vec<Asset> = (0..120)
            .map(|i| Asset {
                hostname: format!("computer-{i:03}"),
                platform: "windows".into(),
                os_version: "Windows 11 Pro 23H2".into(),
                enrolled_at: 1_795_860_000,
                last_report_at: Some(1_795_860_000),
                owner: Some("Dr Lee".into()),
                failing: i % 4,
            })
            .collect();
        let report = Report {
            practice_id: 1,
            practice: "Riverside Family Practice".into(),
            organization: "Northside Mutual".into(),
            day: "2026-11-28".into(),
            day_end: 1_795_910_399,
            generated_at: 1_795_860_000,
            generated_by: "Pat Admin".into(),
            assets,
            devices: None,
            phones: vec![],
            workforce: vec![],
            groups: vec![],
            attested: vec![],
            risks: vec![],
        };
        let bytes = render(
            &report,
            wording().unwrap_or_else(|e| panic!("{}", e.message)),
        );
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.starts_with("%PDF-") && text.trim_end().ends_with("%%EOF"));
        for i in 0..120 {
            let name = format!("(computer-{i:03})");
            assert_eq!(text.matches(&name).count(), 1, "{name} once");
        }
        let pages: usize = text
            .split("/Count ")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(pages >= 3, "120 rows need several pages ({pages})");
        // `/Type /Pages` once, `/Type /Page` once per page.
        assert_eq!(text.matches("/Type /Page").count(), pages + 1);
        // The table's header starts every page it runs over.
        assert!(text.matches("(Latest report)").count() >= 3);
        assert!(
            text.contains(&format!("page {pages} of {pages}")),
            "footer on the last page"
        );
    }

    #[test]
    fn a_cell_longer_than_a_page_is_cut_short() {
        let lines = cell_lines(&"word ".repeat(5_000), Font::Regular, 8.5, 100.0);
        assert!(lines.len() as f32 * 8.5 * 1.3 <= (TOP - BOTTOM) / 2.0);
        assert!(lines.last().is_some_and(|l| l.ends_with(b"...")));
    }

    #[test]
    fn characters_map_to_win_ansi() {
        assert_eq!(win_ansi("Café – “ok”"), b"Caf\xe9 \x96 \x93ok\x94".to_vec());
        assert_eq!(win_ansi("→"), b"?".to_vec());
    }
}
