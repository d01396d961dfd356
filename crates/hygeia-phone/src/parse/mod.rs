//! Pure parsers of what `adb` and libimobiledevice print, tested with their real outputs.

pub mod adb;
pub mod ios;
