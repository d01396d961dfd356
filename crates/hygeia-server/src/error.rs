//! Errors as the API answers them: a status code and `{"error": code, "message": words}`.
//! Internal details (SQL, stack) go to the server's log, never to the caller.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code (`not_found`, `csrf`, ...).
    pub code: &'static str,
    /// What went wrong and what to do, in plain words.
    pub message: String,
}

impl ApiError {
    /// A built-in catalog file the server needs does not read (a bug in this build): logged
    /// with its file, line and column; the caller gets a 500 that names `what` is missing.
    pub fn catalog(error: &hygeia_core::catalog_files::CatalogFileError, what: &str) -> ApiError {
        eprintln!("hygeia serve: {error}");
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "catalog",
            format!("{what} (catalog/{}) cannot be read.", error.file),
        )
    }

    /// An error with its status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 401: no valid session or token.
    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Sign in first (or send an API token in the Authorization header).",
        )
    }

    /// 404 for what does not exist *or* is outside the caller's organization or practice:
    /// the answer must not reveal which.
    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("No such {what}."),
        )
    }

    /// 403: visible, but the caller's role may not do this.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 400 with a message.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 429 with how long to wait.
    pub fn too_many(retry_after_seconds: u64) -> ApiError {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("Too many attempts; try again in {retry_after_seconds} seconds."),
        )
    }
}

impl From<crate::db::DbError> for ApiError {
    fn from(error: crate::db::DbError) -> ApiError {
        eprintln!("hygeia serve: {error}");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database",
            "The server could not reach its database; try again shortly.",
        )
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> ApiError {
        ApiError::from(crate::db::DbError::Query(error))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": self.code, "message": self.message});
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("60"));
        }
        response
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
