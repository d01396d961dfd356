//! What the dashboard shows: practices, computers, their latest posture, pass rates, history and
//! trends. Every list is paginated (`Paged<T>` of `sqlx::FromRow` rows, read by `fetch_page`);
//! every query is limited to what the caller may see. One module per resource: `practices`
//! (list, overview, pass rates, trend) and `hosts` (list, detail, latest report, history,
//! changes). Pages call these functions and get the same typed values.

mod hosts;
mod practices;

pub use hosts::*;
pub use practices::*;

use crate::error::{ApiError, ApiResult};
use serde::Deserialize;

/// `?limit=&offset=` on every list.
#[derive(Debug, Deserialize)]
pub struct Page {
    /// Items per page (1 to 500, default 50).
    pub limit: Option<i64>,
    /// Items to skip.
    pub offset: Option<i64>,
}

impl Page {
    /// The limit and offset; a value outside the documented range is refused, not bent.
    pub fn bounds(&self) -> ApiResult<(i64, i64)> {
        let limit = self.limit.unwrap_or(50);
        if !(1..=500).contains(&limit) {
            return Err(ApiError::bad_request("limit must be between 1 and 500."));
        }
        let offset = self.offset.unwrap_or(0);
        if !(0..=MAX_OFFSET).contains(&offset) {
            return Err(ApiError::bad_request(format!(
                "offset must be between 0 and {MAX_OFFSET}."
            )));
        }
        Ok((limit, offset))
    }
}

/// The largest offset accepted: beyond any list's length, and far from integer overflow.
const MAX_OFFSET: i64 = 1_000_000_000;

/// A `?control=` filter: a control id (`HY-PC-001`); left out, all controls (`""` inside).
pub(crate) fn control_filter(control: Option<&str>) -> ApiResult<&str> {
    let Some(control) = control else {
        return Ok("");
    };
    let mut parts = control.split('-');
    let well_formed = matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("HY"), Some(area), Some(number), None)
            if !area.is_empty() && area.bytes().all(|b| b.is_ascii_uppercase())
            && number.len() == 3 && number.bytes().all(|b| b.is_ascii_digit())
    );
    if well_formed {
        Ok(control)
    } else {
        Err(ApiError::bad_request(
            "control must be a control id such as HY-PC-001 (leave it out for all controls).",
        ))
    }
}

/// A page of a list, typed: what the JSON list routes answer and the pages read.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Paged<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Page size asked for.
    pub limit: i64,
    /// Items skipped.
    pub offset: i64,
    /// Where the next page starts, when there is one.
    pub next_offset: Option<i64>,
}

impl<T> Paged<T> {
    /// A page from rows read with one extra row (to know whether there is a next page).
    pub fn new(mut items: Vec<T>, limit: i64, offset: i64) -> Paged<T> {
        let more = items.len() as i64 > limit;
        items.truncate(usize::try_from(limit).unwrap_or(0));
        Paged {
            items,
            limit,
            offset,
            next_offset: more.then_some(offset + limit),
        }
    }
}

/// `part / whole`, 0 when there is no whole.
pub(crate) fn share(part: i64, whole: i64) -> f64 {
    if whole > 0 {
        part as f64 / whole as f64
    } else {
        0.0
    }
}

/// Hosts silent for longer than this count as not reporting.
pub const SILENT_AFTER_SECONDS: i64 = 24 * 3600;

pub(crate) fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    values: &[i64],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for v in values {
        query = query.bind(*v);
    }
    query
}

/// Reads a page of typed rows. The query's SQL ends with `LIMIT $n OFFSET $n+1`, which this
/// binds (one row more than `limit`, to know whether there is a next page).
pub(crate) async fn fetch_page<'q, T>(
    query: sqlx::query::QueryAs<'q, sqlx::Any, T, sqlx::any::AnyArguments<'q>>,
    db: &sqlx::AnyPool,
    limit: i64,
    offset: i64,
) -> Result<Paged<T>, sqlx::Error>
where
    T: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
{
    let items = query.bind(limit + 1).bind(offset).fetch_all(db).await?;
    Ok(Paged::new(items, limit, offset))
}
