//! The phone check page: what a phone's browser tells about its OS. The User-Agent string
//! names iPhone/iPad and Android, but current browsers hide details in it (Chrome on Android
//! always says "Android 10; K"; every iOS browser since iOS 26 says "iPhone OS 18_6"), so the
//! page asks for User-Agent Client Hints (`Accept-CH`) and prefers them, and Safari's own
//! `Version/` token on iOS. Anything else is `unknown`, never a guess.

use crate::facts::{Family, Reading};

/// What the browser sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrowserSignals {
    /// `User-Agent`.
    pub user_agent: String,
    /// `Sec-CH-UA-Platform` ("Android", "iOS").
    pub platform: Option<String>,
    /// `Sec-CH-UA-Platform-Version` ("14.0.0").
    pub platform_version: Option<String>,
    /// `Sec-CH-UA-Model` ("Pixel 8").
    pub model: Option<String>,
    /// `navigator.maxTouchPoints`, sent by the page: an iPad in desktop mode says "Macintosh".
    pub touch_points: Option<u32>,
}

/// The phone as its browser describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserReading {
    /// iOS or Android.
    pub family: Family,
    /// "iPhone", "iPad", "Pixel 8", or "Android phone".
    pub model: String,
    /// The OS version, measured from the browser when it could be read.
    pub os_version: Reading<String>,
}

fn unquote(value: &str) -> &str {
    value.trim().trim_matches('"').trim()
}

/// The number right after `marker` in `text`, with `_` read as `.` ("18_6_1" → "18.6.1").
fn version_after(text: &str, marker: &str) -> Option<String> {
    let start = text.find(marker)? + marker.len();
    let version: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '_')
        .map(|c| if c == '_' { '.' } else { c })
        .collect();
    let version = version.trim_end_matches('.').to_string();
    crate::version::OsVersion::parse(&version).map(|_| version)
}

/// Reads the phone's OS from its browser; `Err` with a sentence when it is not a phone.
pub fn read_browser(signals: &BrowserSignals) -> Result<BrowserReading, String> {
    let ua = signals.user_agent.as_str();
    let hinted_platform = signals.platform.as_deref().map(unquote).unwrap_or("");
    let hinted_version = signals
        .platform_version
        .as_deref()
        .map(unquote)
        .filter(|v| !v.is_empty());
    let hinted_model = signals
        .model
        .as_deref()
        .map(unquote)
        .filter(|m| !m.is_empty());
    let ipad_as_mac = ua.contains("Macintosh") && signals.touch_points.is_some_and(|t| t > 1);
    if ua.contains("iPhone") || ua.contains("iPad") || ua.contains("iPod") || ipad_as_mac {
        let model = if ua.contains("iPad") || ipad_as_mac {
            "iPad"
        } else {
            "iPhone"
        };
        // Safari's Version/ follows the iOS version; other iOS browsers have no such token.
        let safari = ua.contains("Safari/")
            && !["CriOS", "FxiOS", "EdgiOS", "OPiOS"]
                .iter()
                .any(|b| ua.contains(b));
        let from_safari = safari.then(|| version_after(ua, "Version/")).flatten();
        let from_os = version_after(ua, "OS ").filter(|_| !ipad_as_mac);
        let os_version = match (from_safari, from_os) {
            (Some(v), _) => Reading::measured(v),
            (None, Some(v)) if v == "18.6" => Reading::unknown(
                "this browser reports every iOS from 18.6 on as 18.6: open the page in Safari to read the real version",
            ),
            (None, Some(v)) => Reading::measured(v),
            (None, None) => Reading::unknown(
                "the browser did not say which iOS version it runs: open the page in Safari",
            ),
        };
        return Ok(BrowserReading {
            family: Family::Ios,
            model: model.to_string(),
            os_version,
        });
    }
    if ua.contains("Android") || hinted_platform.eq_ignore_ascii_case("Android") {
        let from_ua = version_after(ua, "Android ");
        let ua_model = ua
            .split("Android ")
            .nth(1)
            .and_then(|rest| rest.split([';', ')']).nth(1))
            .map(str::trim)
            .filter(|m| {
                !m.is_empty()
                    && !["K", "Mobile", "Tablet"].contains(m)
                    && !m.starts_with("wv")
                    && !m.starts_with("rv:")
            });
        // Chrome's reduced User-Agent says "Android 10; K" whatever the phone runs.
        let reduced = ua.contains("Android 10; K)");
        let os_version = match (hinted_version, from_ua) {
            (Some(v), _) => match crate::version::OsVersion::parse(v) {
                Some(parsed) => Reading::measured(parsed.major().to_string()),
                None => Reading::unknown(format!(
                    "the browser sent an unreadable platform version {v:?}"
                )),
            },
            (None, Some(_)) if reduced => Reading::unknown(
                "this browser hides the Android version: open the page in Chrome over https, or enter the version from Settings > About phone",
            ),
            (None, Some(v)) => Reading::measured(v),
            (None, None) => {
                Reading::unknown("the browser did not say which Android version it runs")
            }
        };
        let model = hinted_model
            .or(ua_model)
            .unwrap_or("Android phone")
            .to_string();
        return Ok(BrowserReading {
            family: Family::Android,
            model,
            os_version,
        });
    }
    Err("This page must be opened on the phone or tablet being checked (its browser did not identify as iOS or Android).".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(ua: &str) -> BrowserSignals {
        BrowserSignals {
            user_agent: ua.into(),
            ..BrowserSignals::default()
        }
    }

    #[test]
    fn safari_on_an_old_iphone() {
        let reading = read_browser(&signals("Mozilla/5.0 (iPhone; CPU iPhone OS 15_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.6 Mobile/15E148 Safari/604.1")).unwrap();
        assert_eq!(reading.family, Family::Ios);
        assert_eq!(reading.model, "iPhone");
        assert_eq!(reading.os_version, Reading::measured("15.6".to_string()));
    }

    #[test]
    fn ios_26_safari_is_read_from_its_version_token_and_other_browsers_are_unknown() {
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Mobile/15E148 Safari/604.1";
        assert_eq!(
            read_browser(&signals(safari)).unwrap().os_version,
            Reading::measured("26.1".to_string())
        );
        let chrome = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1";
        assert!(matches!(
            read_browser(&signals(chrome)).unwrap().os_version,
            Reading::Unknown { .. }
        ));
        let ipad = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15";
        let mut ipad_signals = signals(ipad);
        ipad_signals.touch_points = Some(5);
        let reading = read_browser(&ipad_signals).unwrap();
        assert_eq!(
            (reading.model.as_str(), reading.os_version),
            ("iPad", Reading::measured("17.4".to_string()))
        );
        assert!(
            read_browser(&signals(ipad)).is_err(),
            "a Mac without touch is not a phone"
        );
    }

    #[test]
    fn android_prefers_client_hints_over_the_reduced_user_agent() {
        let reduced = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
        assert!(matches!(
            read_browser(&signals(reduced)).unwrap().os_version,
            Reading::Unknown { .. }
        ));
        let hinted = BrowserSignals {
            user_agent: reduced.into(),
            platform: Some("\"Android\"".into()),
            platform_version: Some("\"14.0.0\"".into()),
            model: Some("\"Pixel 8\"".into()),
            touch_points: None,
        };
        let reading = read_browser(&hinted).unwrap();
        assert_eq!(reading.os_version, Reading::measured("14".to_string()));
        assert_eq!(reading.model, "Pixel 8");
        let firefox = "Mozilla/5.0 (Android 11; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0";
        assert_eq!(
            read_browser(&signals(firefox)).unwrap().os_version,
            Reading::measured("11".to_string())
        );
        let samsung = "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36";
        let reading = read_browser(&signals(samsung)).unwrap();
        assert_eq!(
            (reading.model.as_str(), reading.os_version),
            ("SM-S911B", Reading::measured("13".to_string()))
        );
    }

    #[test]
    fn a_desktop_browser_is_not_a_phone() {
        assert!(read_browser(&signals("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")).is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_user_agent_is_read_without_panicking(ua in "\\PC{0,300}", version in "\\PC{0,20}") {
            let _ = read_browser(&BrowserSignals { user_agent: ua, platform_version: Some(version), ..BrowserSignals::default() });
        }
    }
}
