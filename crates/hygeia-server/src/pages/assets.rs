//! The dashboard's style sheet and script, compiled into the binary: the pages load nothing
//! from anywhere else.

use axum::http::header;
use axum::response::IntoResponse;

/// Where the style sheet is served (the version in the name lets browsers cache it safely).
pub const CSS_PATH: &str = concat!("/assets/app-", env!("CARGO_PKG_VERSION"), ".css");
/// Where the script is served.
pub const JS_PATH: &str = concat!("/assets/app-", env!("CARGO_PKG_VERSION"), ".js");

/// Where the icon is served.
pub const ICON_PATH: &str = concat!("/assets/icon-", env!("CARGO_PKG_VERSION"), ".svg");

const ICON: &str = include_str!("../../assets/icon.svg");
const CSS: &str = include_str!("../../assets/app.css");
const JS: &str = include_str!("../../assets/app.js");

/// `GET /assets/app-VERSION.css`.
pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        CSS,
    )
}

/// `GET /assets/app-VERSION.js`.
pub async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        JS,
    )
}

/// `GET /assets/icon-VERSION.svg`.
pub async fn icon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        ICON,
    )
}
