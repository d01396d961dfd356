//! The HTTP handlers, by who uses them.

pub mod admin;
pub mod agent;
pub mod awareness;
pub mod devices;
pub mod phones;
pub mod read;
pub mod risk;
pub mod session;

/// A name or label from a request, trimmed: refused (400, with `what_to_give`) when empty, longer
/// than `max` characters, or holding control characters, never cut short silently.
pub fn plain_text(
    field: &str,
    value: &str,
    max: usize,
    what_to_give: &str,
) -> crate::error::ApiResult<String> {
    use crate::error::ApiError;
    let value = value.trim();
    if value.is_empty() {
        return Err(ApiError::bad_request(what_to_give));
    }
    if value.chars().count() > max {
        return Err(ApiError::bad_request(format!(
            "{field} is longer than {max} characters."
        )));
    }
    crate::ingest::agent_text(field, value, max, false).map_err(ApiError::bad_request)
}

/// A JSON number as a whole number: `30`, or `30.0` (both are integers to JSON Schema, and so
/// to the API's document). serde_json reads `2061048004112041.0` as a float a fraction of a unit
/// away, so a float within a few units in the last place of a whole number is that number; a
/// real fraction (`30.5`) or a number beyond 64 bits is not.
fn whole(number: &serde_json::Number) -> Option<i64> {
    if let Some(whole) = number.as_i64() {
        return Some(whole);
    }
    let x = number.as_f64()?;
    let nearest = x.round();
    let tolerance = 4.0 * f64::EPSILON * x.abs();
    ((x - nearest).abs() <= tolerance && (-9.2e18..=9.2e18).contains(&nearest))
        .then_some(nearest as i64)
}

/// Reads an optional whole number (see [`whole`]); anything else is refused.
pub fn whole_number<'de, D>(deserializer: D) -> Result<Option<i64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::Deserialize;
    use serde::de::Error;
    let Some(number) = Option::<serde_json::Number>::deserialize(deserializer)? else {
        return Ok(None);
    };
    whole(&number)
        .map(Some)
        .ok_or_else(|| D::Error::custom(format!("{number} is not a whole number within 64 bits")))
}

/// Reads an optional list of whole numbers (see [`whole`]).
pub fn whole_numbers<'de, D>(deserializer: D) -> Result<Option<Vec<i64>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::Deserialize;
    use serde::de::Error;
    let Some(numbers) = Option::<Vec<serde_json::Number>>::deserialize(deserializer)? else {
        return Ok(None);
    };
    numbers
        .iter()
        .map(|number| {
            whole(number).ok_or_else(|| {
                D::Error::custom(format!("{number} is not a whole number within 64 bits"))
            })
        })
        .collect::<Result<Vec<i64>, D::Error>>()
        .map(Some)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[derive(Debug, serde::Deserialize)]
    struct Days {
        #[serde(default, deserialize_with = "super::whole_number")]
        days: Option<i64>,
    }

    fn days(json: &str) -> Result<Option<i64>, serde_json::Error> {
        serde_json::from_str::<Days>(json).map(|d| d.days)
    }

    #[test]
    fn whole_numbers_in_either_spelling() {
        assert_eq!(days(r#"{"days": 30}"#).unwrap(), Some(30));
        assert_eq!(days(r#"{"days": 30.0}"#).unwrap(), Some(30));
        assert_eq!(days(r#"{"days": null}"#).unwrap(), None);
        assert_eq!(days("{}").unwrap(), None);
        assert!(days(r#"{"days": 30.5}"#).is_err());
        assert!(days(r#"{"days": 1e300}"#).is_err());
        assert!(days(r#"{"days": 18446744073709551616}"#).is_err());
        assert!(days(r#"{"days": "30"}"#).is_err());
    }

    #[derive(Debug, serde::Deserialize)]
    struct Ids {
        #[serde(default, deserialize_with = "super::whole_numbers")]
        ids: Option<Vec<i64>>,
    }

    #[test]
    fn lists_of_whole_numbers_in_either_spelling() {
        let ids = |json: &str| serde_json::from_str::<Ids>(json).map(|i| i.ids);
        assert_eq!(ids(r#"{"ids": [1, 2.0]}"#).unwrap(), Some(vec![1, 2]));
        assert_eq!(ids("{}").unwrap(), None);
        assert!(ids(r#"{"ids": [1.5]}"#).is_err());
        // Read back a fraction of a unit off by serde_json, still the whole number written.
        assert_eq!(
            ids(r#"{"ids": [2061048004112041.0]}"#).unwrap(),
            Some(vec![2_061_048_004_112_041])
        );
    }
}
