//! What is known about one phone, each value marked as measured by a program or answered by a
//! person (or unknown, with why): the dashboard keeps the two apart, and a rule never turns an
//! answer into a measurement.

use serde::{Deserialize, Serialize};

/// The phone's operating system family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// iPhone and iPad (iOS, iPadOS).
    Ios,
    /// Android.
    Android,
}

impl Family {
    /// The identifier used in JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Ios => "ios",
            Family::Android => "android",
        }
    }

    /// Parses `ios` or `android`.
    pub fn parse(text: &str) -> Option<Family> {
        match text {
            "ios" => Some(Family::Ios),
            "android" => Some(Family::Android),
            _ => None,
        }
    }

    /// The OS name for people.
    pub fn os_name(self) -> &'static str {
        match self {
            Family::Ios => "iOS",
            Family::Android => "Android",
        }
    }
}

/// One value and how it is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum Reading<T> {
    /// Read from the phone by a program.
    Measured {
        /// The value.
        value: T,
    },
    /// Declared by a person.
    Answered {
        /// The value.
        value: T,
    },
    /// Not known.
    Unknown {
        /// Why, in a sentence for people.
        why: String,
    },
}

impl<T> Reading<T> {
    /// A measured value.
    pub fn measured(value: T) -> Reading<T> {
        Reading::Measured { value }
    }

    /// An answered value.
    pub fn answered(value: T) -> Reading<T> {
        Reading::Answered { value }
    }

    /// An unknown value.
    pub fn unknown(why: impl Into<String>) -> Reading<T> {
        Reading::Unknown { why: why.into() }
    }

    /// The value, however it is known.
    pub fn value(&self) -> Option<&T> {
        match self {
            Reading::Measured { value } | Reading::Answered { value } => Some(value),
            Reading::Unknown { .. } => None,
        }
    }

    /// Whether a program read it.
    pub fn is_measured(&self) -> bool {
        matches!(self, Reading::Measured { .. })
    }

    /// `measured`, `answered` or `unknown`.
    pub fn how(&self) -> &'static str {
        match self {
            Reading::Measured { .. } => "measured",
            Reading::Answered { .. } => "answered",
            Reading::Unknown { .. } => "unknown",
        }
    }
}

/// Everything known about one phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneFacts {
    /// iOS or Android.
    pub family: Family,
    /// Model for people ("Pixel 5", "iPhone 15").
    pub model: String,
    /// Apple's model identifier ("iPhone15,4"), empty when not known.
    #[serde(default)]
    pub model_id: String,
    /// "18.1.1", "14".
    pub os_version: Reading<String>,
    /// Android security patch level (YYYY-MM-DD).
    pub security_patch: Reading<String>,
    /// A screen lock (PIN, pattern, password, passcode) is set.
    pub screen_lock: Reading<bool>,
    /// Storage is encrypted.
    pub encrypted: Reading<bool>,
    /// Updates install automatically.
    pub automatic_updates: Reading<bool>,
    /// Android developer options are on.
    pub developer_options: Reading<bool>,
    /// Android USB debugging is on.
    pub usb_debugging: Reading<bool>,
    /// Apps allowed to install other apps from outside the store (Android package names).
    pub unknown_sources: Reading<Vec<String>>,
    /// Device management: "device owner com.example.dpc", "work profile ...", or empty.
    pub management: Reading<Vec<String>>,
    /// Installed apps (Android package names, iOS bundle ids).
    pub installed_apps: Reading<Vec<String>>,
    /// The apps used for video visits (names from `catalog/telehealth-apps.toml`, or "none").
    pub visit_apps: Reading<Vec<String>>,
}

impl PhoneFacts {
    /// Facts with nothing known yet but the family and model.
    pub fn new(family: Family, model: impl Into<String>) -> PhoneFacts {
        let not_read = || "not read";
        PhoneFacts {
            family,
            model: model.into(),
            model_id: String::new(),
            os_version: Reading::unknown(not_read()),
            security_patch: Reading::unknown(not_read()),
            screen_lock: Reading::unknown(not_read()),
            encrypted: Reading::unknown(not_read()),
            automatic_updates: Reading::unknown(not_read()),
            developer_options: Reading::unknown(not_read()),
            usb_debugging: Reading::unknown(not_read()),
            unknown_sources: Reading::unknown(not_read()),
            management: Reading::unknown(not_read()),
            installed_apps: Reading::unknown(not_read()),
            visit_apps: Reading::unknown(not_read()),
        }
    }

    /// "Pixel 5 (Android 11)".
    pub fn describe(&self) -> String {
        match self.os_version.value() {
            Some(version) => format!("{} ({} {version})", self.model, self.family.os_name()),
            None => format!("{} ({})", self.model, self.family.os_name()),
        }
    }
}
