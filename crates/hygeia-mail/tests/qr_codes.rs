//! A QR code in a picture is read and its link judged (quishing).

use hygeia_mail::{Context, MailCatalog, Settings, analyze};
use image::{GrayImage, ImageFormat, Luma};
use std::io::Cursor;

/// A PNG of a QR code for `text`, 8 pixels per module with a quiet zone.
fn qr_png(text: &str) -> Vec<u8> {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let width = code.width();
    let colors = code.to_colors();
    let scale = 8u32;
    let border = 4u32;
    let size = (width as u32 + 2 * border) * scale;
    let picture = GrayImage::from_fn(size, size, |x, y| {
        let (mx, my) = (
            (x / scale).wrapping_sub(border),
            (y / scale).wrapping_sub(border),
        );
        let dark = (mx as usize) < width
            && (my as usize) < width
            && colors[my as usize * width + mx as usize] == qrcode::Color::Dark;
        Luma([if dark { 0 } else { 255 }])
    });
    let mut png = Vec::new();
    picture
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .unwrap_or_else(|e| panic!("{e}"));
    png
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn qr_code_link_is_read_and_judged() {
    let png = qr_png("https://198.51.100.77/m365/login");
    let message = format!(
        "From: \"Microsoft 365\" <no-reply@m365-alerts.example>\r\nSubject: Action required: re-authenticate your mailbox\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nScan the code below with your phone to keep your password.\r\n--b\r\nContent-Type: image/png; name=\"code.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
        base64(&png)
    );
    let catalog = MailCatalog::builtin().unwrap_or_else(|e| panic!("{e}"));
    let settings = Settings::default();
    let analysis = analyze(
        message.as_bytes(),
        None,
        &Context {
            catalog: &catalog,
            settings: &settings,
            verifier: None,
        },
    );
    let ids: Vec<&str> = analysis.indicators.iter().map(|i| i.id).collect();
    assert!(ids.contains(&"link.qr-code"), "{ids:?}");
    assert!(
        ids.contains(&"link.ip-address"),
        "the QR link itself is judged: {ids:?}"
    );
    assert!(
        analysis
            .indicators
            .iter()
            .any(|i| i.evidence.contains("198.51.100.77"))
    );
}
