//! The portal's static files, built into the binary: the script (bundled from `crates/portal/web`, committed),
//! the style sheet and the icon. Nothing is fetched from another host.
//!
//! While working on the front end, `PUBLICA_PORTAL_ASSETS=DIR` serves these files from `DIR` instead (read at
//! each request, never cached), so a rebuilt script shows on reload without rebuilding the node.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The environment variable naming a folder to serve the assets from instead of the built-in copies.
pub const ASSETS_DIR_VAR: &str = "PUBLICA_PORTAL_ASSETS";

/// The files: name, content type, built-in bytes.
const FILES: &[(&str, &str, &[u8])] = &[
    ("portal.js", "text/javascript; charset=utf-8", include_bytes!("../assets/portal.js")),
    ("portal.css", "text/css; charset=utf-8", include_bytes!("../assets/portal.css")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../assets/favicon.svg")),
];

/// `GET /assets/{file}`.
pub async fn serve(Path(file): Path<String>) -> Response {
    let Some((name, content_type, built_in)) = FILES.iter().find(|(name, _, _)| *name == file) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let (bytes, cache) = match std::env::var_os(ASSETS_DIR_VAR) {
        Some(dir) => match std::fs::read(std::path::Path::new(&dir).join(name)) {
            Ok(bytes) => (bytes, "no-store"),
            Err(e) => {
                tracing::warn!(file = %name, error = %e, "cannot read an asset from {ASSETS_DIR_VAR}");
                (built_in.to_vec(), "no-store")
            }
        },
        None => (built_in.to_vec(), "public, max-age=300"),
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}
