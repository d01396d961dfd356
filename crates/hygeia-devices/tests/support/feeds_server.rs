//! A tiny HTTP server on loopback that serves the project's fixture advisories the way CISA
//! serves its feeds (CSAF provider metadata, a distribution's `index.txt`, the documents, KEV,
//! EPSS), for the tests of `hygeia devices update` and of the server's scheduled update.
//! Included with `#[path]` by `hygeia-devices/tests/update.rs` and `hygeia-server/tests/devices.rs`.
#![allow(dead_code)]

use hygeia_devices::update::Sources;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// What the server answers for one path.
#[derive(Clone)]
pub enum Reply {
    Body(Vec<u8>),
    /// Promises the whole body but sends only half, then closes the connection.
    CutOff(Vec<u8>),
    NotFound,
}

pub type Routes = Arc<Mutex<HashMap<String, Reply>>>;

/// A tiny HTTP/1.1 server on loopback; one thread, one connection at a time.
pub fn serve(routes: Routes) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap_or_else(|e| panic!("{e}")));
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            loop {
                let mut header = String::new();
                if reader
                    .read_line(&mut header)
                    .map(|n| n == 0)
                    .unwrap_or(true)
                    || header == "\r\n"
                {
                    break;
                }
            }
            let path = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .to_string();
            let reply = routes
                .lock()
                .map(|r| r.get(&path).cloned().unwrap_or(Reply::NotFound))
                .unwrap_or(Reply::NotFound);
            let _ = match reply {
                Reply::Body(body) => stream
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .and_then(|_| stream.write_all(&body)),
                Reply::CutOff(body) => stream
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .and_then(|_| stream.write_all(&body[..body.len() / 2])),
                Reply::NotFound => stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                ),
            };
        }
    });
    port
}

pub fn fixture(name: &str) -> Vec<u8> {
    // From either crate that includes this file: both sit in `crates/`.
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../hygeia-devices/tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap_or_else(|e| panic!("{e}"));
    encoder.finish().unwrap_or_else(|e| panic!("{e}"))
}

pub fn good_routes(port: u16) -> HashMap<String, Reply> {
    let mut routes = HashMap::new();
    let metadata = format!(
        r#"{{"canonical_url":"http://127.0.0.1:{port}/.well-known/csaf/provider-metadata.json","distributions":[{{"directory_url":"http://127.0.0.1:{port}/white/"}}],"metadata_version":"2.0","role":"csaf_trusted_provider"}}"#
    );
    routes.insert(
        "/.well-known/csaf/provider-metadata.json".into(),
        Reply::Body(metadata.into_bytes()),
    );
    routes.insert(
        "/white/index.txt".into(),
        Reply::Body(
            b"2090/icsma-90-001-01.json\n2090/icsma-90-002-01.json\n2090/icsma-90-003-01.json\n2090/icsa-90-004-01.json\n"
                .to_vec(),
        ),
    );
    for id in ["90-001-01", "90-002-01", "90-003-01"] {
        routes.insert(
            format!("/white/2090/icsma-{id}.json"),
            Reply::Body(fixture(&format!("csaf/icsma-{id}.json"))),
        );
    }
    routes.insert("/kev.json".into(), Reply::Body(fixture("kev.json")));
    routes.insert(
        "/epss.csv.gz".into(),
        Reply::Body(gzip(&fixture("epss.csv"))),
    );
    routes
}

pub fn sources(port: u16) -> Sources {
    Sources {
        csaf_provider: format!("http://127.0.0.1:{port}/.well-known/csaf/provider-metadata.json"),
        kev: format!("http://127.0.0.1:{port}/kev.json"),
        epss: Some(format!("http://127.0.0.1:{port}/epss.csv.gz")),
        all_ics: false,
    }
}
