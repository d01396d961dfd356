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

// Optional fields of a request body. A field the API document marks optional but not nullable
// takes its default when left out, and `null` is refused: accepting it would be a second,
// undocumented spelling of "left out" (schemathesis' ST201). Use these with
// `#[serde(default, deserialize_with = "...")]`: serde calls them only for a field that is present.

/// An optional field that, when present, must hold a value: `null` is refused.
pub fn not_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// An optional whole number (see [`whole`]): `null` and anything but a whole number are refused.
pub fn whole_number<'de, D>(deserializer: D) -> Result<Option<i64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::Deserialize;
    let number = serde_json::Number::deserialize(deserializer)?;
    whole_or_refusal::<D::Error>(&number).map(Some)
}

/// An optional whole number that the API document also allows as `null` (which means the same
/// as leaving it out, or "nobody" where the field names a person).
pub fn whole_number_or_null<'de, D>(deserializer: D) -> Result<Option<i64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::Deserialize;
    match Option::<serde_json::Number>::deserialize(deserializer)? {
        Some(number) => whole_or_refusal::<D::Error>(&number).map(Some),
        None => Ok(None),
    }
}

/// An optional list of whole numbers (see [`whole`]): `null` is refused.
pub fn whole_numbers<'de, D>(deserializer: D) -> Result<Option<Vec<i64>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::Deserialize;
    Vec::<serde_json::Number>::deserialize(deserializer)?
        .iter()
        .map(whole_or_refusal::<D::Error>)
        .collect::<Result<Vec<i64>, D::Error>>()
        .map(Some)
}

fn whole_or_refusal<E: serde::de::Error>(number: &serde_json::Number) -> Result<i64, E> {
    whole(number).ok_or_else(|| E::custom(format!("{number} is not a whole number within 64 bits")))
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
        assert!(days(r#"{"days": null}"#).is_err(), "null is not a number");
        assert_eq!(days("{}").unwrap(), None);
        assert!(days(r#"{"days": 30.5}"#).is_err());
        assert!(days(r#"{"days": 1e300}"#).is_err());
        assert!(days(r#"{"days": 18446744073709551616}"#).is_err());
        assert!(days(r#"{"days": "30"}"#).is_err());
    }

    #[derive(Debug, serde::Deserialize)]
    struct Owner {
        #[serde(default, deserialize_with = "super::whole_number_or_null")]
        owner: Option<i64>,
    }

    #[test]
    fn null_where_the_document_allows_it() {
        let owner = |json: &str| serde_json::from_str::<Owner>(json).map(|o| o.owner);
        assert_eq!(owner(r#"{"owner": null}"#).unwrap(), None);
        assert_eq!(owner("{}").unwrap(), None);
        assert_eq!(owner(r#"{"owner": 7.0}"#).unwrap(), Some(7));
        assert!(owner(r#"{"owner": 7.5}"#).is_err());
        assert!(owner(r#"{"owner": "7"}"#).is_err());
    }

    #[derive(Debug, serde::Deserialize)]
    struct Folder {
        #[serde(default, deserialize_with = "super::not_null")]
        folder: Option<String>,
    }

    #[test]
    fn null_refused_where_the_field_is_only_optional() {
        let folder = |json: &str| serde_json::from_str::<Folder>(json).map(|f| f.folder);
        assert_eq!(folder("{}").unwrap(), None);
        assert_eq!(
            folder(r#"{"folder": "Junk"}"#).unwrap(),
            Some("Junk".to_string())
        );
        assert!(folder(r#"{"folder": null}"#).is_err());
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
        assert!(ids(r#"{"ids": null}"#).is_err());
        assert!(ids(r#"{"ids": [1.5]}"#).is_err());
        // Read back a fraction of a unit off by serde_json, still the whole number written.
        assert_eq!(
            ids(r#"{"ids": [2061048004112041.0]}"#).unwrap(),
            Some(vec![2_061_048_004_112_041])
        );
    }
}
