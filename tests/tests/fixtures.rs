//! The embedded fixture table is complete, sorted, and byte-identical to the files in the
//! repository, and the loaders work from it alone.
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]

use atlas_admin_testing::fixtures::{self, FixtureError};
use std::path::{Path, PathBuf};

/// The embedded folders, as shipped.
const DIRS: &[&str] = &["golden", "responses", "seed", "spec"];

fn on_disk() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut out = Vec::new();
    for dir in DIRS {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap();
            out.push((format!("{dir}/{name}"), path.clone()));
        }
    }
    out.sort();
    out
}

#[test]
fn the_table_names_exactly_the_fixture_files_with_their_bytes() {
    let disk = on_disk();
    let table: Vec<&str> = fixtures::files().iter().map(|(p, _)| *p).collect();
    let listed: Vec<&str> = disk.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(table, listed, "add new files to FILES in tests/src/fixtures.rs (sorted)");
    for ((path, bytes), (_, file)) in fixtures::files().iter().zip(&disk) {
        assert_eq!(*bytes, std::fs::read(file).unwrap().as_slice(), "{path}");
    }
}

#[test]
fn the_table_is_sorted_so_lookups_find_every_file() {
    assert!(fixtures::files().windows(2).all(|w| w[0].0 < w[1].0));
    for (path, bytes) in fixtures::files() {
        assert_eq!(fixtures::file(path), Some(*bytes), "{path}");
    }
    assert_eq!(fixtures::file("responses/no_such_fixture.http"), None);
    assert_eq!(fixtures::file("../Cargo.toml"), None);
}

#[test]
fn loaders_read_the_embedded_responses_and_seed_bodies() {
    let names = fixtures::names();
    assert!(names.len() >= 50, "{} fixtures", names.len());
    assert!(names.windows(2).all(|w| w[0] < w[1]));
    for name in &names {
        assert!(fixtures::load(name).is_ok(), "{name}");
    }
    let challenge = fixtures::response("digest_401_challenge");
    assert_eq!(challenge.status(), 401);
    assert!(challenge.headers().contains_key("www-authenticate"));
    assert!(fixtures::raw("digest_401_challenge").unwrap().starts_with(b"HTTP/1.1 401"));
    let body: serde_json::Value = serde_json::from_slice(fixtures::seed("request-body.json")).unwrap();
    assert!(body.is_object());
}

#[test]
fn a_missing_fixture_is_a_typed_error_naming_it() {
    match fixtures::load("no_such_fixture") {
        Err(e @ FixtureError::Missing(_)) => assert_eq!(e.to_string(), "no fixture named no_such_fixture"),
        other => panic!("expected Missing, got {other:?}"),
    }
}
