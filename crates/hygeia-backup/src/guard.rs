//! A safety net around the engine's restore, which unwraps a decryption failure inside its
//! worker threads: a damaged repository must be an error for the person, not a crash with a
//! backtrace.

use std::sync::Mutex;

/// The last panic message caught while the net is up.
static CAUGHT: Mutex<Option<String>> = Mutex::new(None);

/// Runs `work`; a panic inside it (on any thread it waits for) becomes `Err` with the panic's
/// message, and nothing is printed.
pub(crate) fn without_panics<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        if let Ok(mut caught) = CAUGHT.lock() {
            caught.get_or_insert(message);
        }
    }));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
    std::panic::set_hook(previous);
    outcome.map_err(|_| {
        let message = CAUGHT
            .lock()
            .ok()
            .and_then(|mut caught| caught.take())
            .unwrap_or_default();
        // The engine's message holds a Debug dump of its error; its guidance is the useful part.
        match message.split_once("guidance: \"") {
            Some((_, rest)) => rest.split('"').next().unwrap_or("").to_string(),
            None => message.chars().take(200).collect(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_guidance() {
        let result: Result<(), String> = without_panics(|| {
            panic!(
                "called `Result::unwrap()` on an `Err` value: RusticError {{ kind: Cryptography, guidance: \"Data decryption failed, MAC check failed.\", docs_url: None }}"
            )
        });
        assert_eq!(
            result.unwrap_err(),
            "Data decryption failed, MAC check failed."
        );
        assert_eq!(without_panics(|| 3).unwrap(), 3);
    }
}
