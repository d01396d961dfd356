//! `hygeia phone`: phones and tablets, measured three ways and judged the same way.
//!
//! - over USB, with `adb` (Android) or libimobiledevice (iPhone, iPad): [`usb`];
//! - from the phone's own browser, on the dashboard's phone check page: [`browser`];
//! - from a device-management export (Microsoft Intune, Google Workspace): [`mdm`].
//!
//! Each produces [`facts::PhoneFacts`], where every value says whether it was measured or
//! answered by a person; [`judge`] turns them into the findings of HY-PH-001..004 with the
//! release lists of `catalog/mobile-os.toml` ([`catalog`]).

pub mod browser;
pub mod catalog;
pub mod facts;
pub mod judge;
pub mod mdm;
pub mod parse;
pub mod record;
#[cfg(feature = "usb")]
pub mod usb;
pub mod version;

pub use catalog::MobileOsCatalog;
pub use facts::{Family, PhoneFacts, Reading};
pub use record::{PhoneRecord, PhoneSource};
