//! The whole per-message path must survive hostile input: every fixture message, truncated,
//! corrupted, duplicated and replaced by random bytes, goes through `analyze` without a panic.
//! (cargo-fuzz needs a nightly toolchain, which this project's machines cannot install; this
//! deterministic mutation run stands in for it in the test suite.)

use hygeia_mail::{Context, MailCatalog, Settings, analyze};
use std::path::Path;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    match rng.below(7) {
        0 => bytes.truncate(rng.below(bytes.len() + 1)),
        1 => {
            for _ in 0..1 + rng.below(16) {
                let at = rng.below(bytes.len() + 1);
                bytes.insert(at, (rng.next() & 0xFF) as u8);
            }
        }
        2 => {
            let at = rng.below(bytes.len() + 1);
            let chunk: Vec<u8> = bytes[at..].iter().take(300).copied().collect();
            for _ in 0..rng.below(40) {
                bytes.extend_from_slice(&chunk);
            }
        }
        3 => bytes.retain(|_| rng.below(12) != 0),
        4 => {
            // Markup and MIME structure characters in bulk.
            let noise = [
                b"<a href=" as &[u8],
                b"--",
                b"\r\n\r\n",
                b"=?utf-8?b?",
                b"<div style=display:none>",
                b"PK\x05\x06",
                b"Content-Type: multipart/mixed; boundary=x\r\n",
            ];
            for _ in 0..rng.below(200) {
                let at = rng.below(bytes.len() + 1);
                let piece = noise[rng.below(noise.len())];
                bytes.splice(at..at, piece.iter().copied());
            }
        }
        5 => bytes.extend(std::iter::repeat_n(b'<', rng.below(20_000))),
        _ => {
            bytes = (0..rng.below(8192))
                .map(|_| (rng.next() & 0xFF) as u8)
                .collect()
        }
    }
    bytes
}

#[test]
fn analyze_never_panics_on_mutated_messages() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/messages");
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read(e.path()).ok())
        .collect();
    seeds.push(Vec::new());
    let catalog = MailCatalog::builtin().unwrap_or_else(|e| panic!("{e}"));
    let settings = Settings {
        protected: vec!["clinic.example".into()],
        trusted_authserv: vec!["mx.clinic.example".into()],
        model: None,
    };
    let context = Context {
        catalog: &catalog,
        settings: &settings,
        verifier: None,
    };
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for seed in &seeds {
        for _ in 0..40 {
            let message = mutate(seed, &mut rng);
            let analysis = analyze(&message, None, &context);
            assert!(analysis.score.is_finite());
        }
    }
}
