//! QR codes in pictures: a phone that scans one opens its link outside the computer's
//! protections ("quishing"). Images are decoded with hard limits on size and dimensions, so a
//! decompression bomb is refused rather than expanded.

use image::{ImageReader, Limits};
use std::io::Cursor;

/// Pictures larger than this (encoded) are not decoded.
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;
/// Pictures whose shorter side is below this many pixels cannot hold a code a phone would scan.
pub const MIN_SIDE: u32 = 60;
/// Pictures with more pixels than this are not searched.
pub const MAX_PIXELS: u64 = 4_000_000;

/// Whether the bytes look like a picture this module can read (PNG, JPEG, GIF).
pub fn is_picture(data: &[u8]) -> bool {
    data.starts_with(b"\x89PNG")
        || data.starts_with(&[0xFF, 0xD8, 0xFF])
        || data.starts_with(b"GIF8")
}

/// The texts of the QR codes found in a picture (empty when it cannot be read or is too big).
pub fn decode_qr_codes(data: &[u8]) -> Vec<String> {
    if data.len() > MAX_IMAGE_BYTES || !is_picture(data) {
        return Vec::new();
    }
    // The header alone says whether the picture could hold a readable code: icons, tracking
    // pixels and wide banners are skipped without decoding them.
    let Ok((width, height)) = ImageReader::new(Cursor::new(data))
        .with_guessed_format()
        .and_then(|r| r.into_dimensions().map_err(std::io::Error::other))
    else {
        return Vec::new();
    };
    let (short, long) = (width.min(height), width.max(height));
    if short < MIN_SIDE || long > short * 3 {
        return Vec::new();
    }
    let Ok(mut reader) = ImageReader::new(Cursor::new(data)).with_guessed_format() else {
        return Vec::new();
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(4096);
    limits.max_image_height = Some(4096);
    limits.max_alloc = Some(64 * 1024 * 1024);
    reader.limits(limits);
    let Ok(picture) = reader.decode() else {
        return Vec::new();
    };
    if u64::from(picture.width()) * u64::from(picture.height()) > MAX_PIXELS {
        return Vec::new();
    }
    let grey = picture.to_luma8();
    let (width, height) = (grey.width() as usize, grey.height() as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        grey.get_pixel(x as u32, y as u32)[0]
    });
    prepared
        .detect_grids()
        .into_iter()
        .take(8)
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}

/// The web address in a QR code's text, if it holds one.
pub fn url_in(text: &str) -> Option<String> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some(text.to_string());
    }
    lower.starts_with("www.").then(|| format!("http://{text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_it_cannot_or_should_not_read() {
        assert!(decode_qr_codes(b"not a picture").is_empty());
        assert!(decode_qr_codes(b"\x89PNG\r\n\x1a\ntruncated").is_empty());
        assert_eq!(
            url_in("https://evil.example/x").as_deref(),
            Some("https://evil.example/x")
        );
        assert_eq!(url_in("WIFI:S:home;;"), None);
    }
}
