//! The release matrix's venvs hold exactly the Streamlit, Authlib and httpx
//! their entries in `common::releases::MATRIX` say: checked in the committed
//! locks, and in the built venvs by their own Python and `streamlit` command.
//! A release test that logs in with the wrong Authlib would prove nothing.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::releases::{self, Entry, MATRIX, NEWEST};

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// The lock an entry's venv is built from.
fn lock_path(e: &Entry) -> PathBuf {
    if e.name == NEWEST {
        tests_dir().join("requirements.lock")
    } else {
        tests_dir().join("matrix").join(format!("{}.txt", e.name))
    }
}

/// `name==version` pins of a requirements file, by normalized name.
fn pins(lock: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(lock).unwrap_or_else(|e| panic!("{}: {e}", lock.display()));
    text.lines()
        .filter_map(|l| l.split_whitespace().next()?.split_once("=="))
        .map(|(n, v)| (n.to_lowercase().replace('_', "-"), v.to_string()))
        .collect()
}

#[test]
fn every_lock_pins_what_its_entry_says() {
    let mut wrong = Vec::new();
    for e in MATRIX {
        let lock = lock_path(e);
        let pins = pins(&lock);
        let got = (
            pins.get("streamlit").map(String::as_str),
            pins.get("authlib").map(String::as_str),
            pins.contains_key("httpx"),
        );
        if got != (Some(e.streamlit), Some(e.authlib), e.httpx) {
            wrong.push(format!(
                "{}: (streamlit, authlib, httpx) = {got:?}, the entry says ({}, {}, {})",
                lock.display(),
                e.streamlit,
                e.authlib,
                e.httpx
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_lock_has_an_entry() {
    let mut names: Vec<String> = std::fs::read_dir(tests_dir().join("matrix"))
        .unwrap()
        .filter_map(|f| {
            let name = f.unwrap().file_name().into_string().unwrap();
            Some(name.strip_suffix(".txt")?.to_string())
        })
        .collect();
    names.sort();
    let mut listed: Vec<String> = MATRIX
        .iter()
        .filter(|e| e.name != NEWEST)
        .map(|e| e.name.to_string())
        .collect();
    listed.sort();
    assert_eq!(names, listed, "tests/matrix/*.txt and MATRIX disagree");
}

/// What a venv's own Python reports: the installed Streamlit (importing it
/// takes a second and a half; `streamlit --version` below does), the imported
/// Authlib, and whether httpx can be imported.
const PROBE: &str = "import importlib.metadata, importlib.util, authlib
print(importlib.metadata.version('streamlit'), authlib.__version__, importlib.util.find_spec('httpx') is not None)";

fn probe(e: &Entry) -> Result<(), String> {
    let out = Command::new(releases::python(e.name))
        .args(["-c", PROBE])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let want = format!(
        "{} {} {}",
        e.streamlit,
        e.authlib,
        if e.httpx { "True" } else { "False" }
    );
    if !out.status.success() || stdout.trim() != want {
        return Err(format!(
            "{}: python says {:?} (exit {:?}, stderr {}), the entry says {want:?}",
            e.name,
            stdout.trim(),
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let out = Command::new(releases::streamlit_bin(e.name))
        .arg("--version")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let want = format!("Streamlit, version {}", e.streamlit);
    if !out.status.success() || stdout.trim() != want {
        return Err(format!(
            "{}: `streamlit --version` says {:?} (exit {:?}), expected {want:?}",
            e.name,
            stdout.trim(),
            out.status.code()
        ));
    }
    Ok(())
}

#[test]
fn every_venv_holds_exactly_its_entry() {
    // A missing venv panics here, with its message, rather than in a thread.
    for e in MATRIX {
        releases::python(e.name);
        releases::streamlit_bin(e.name);
    }
    // Each probe imports Streamlit once (a second and a half): all at once.
    let wrong: Vec<String> = std::thread::scope(|s| {
        let probes: Vec<_> = MATRIX.iter().map(|e| s.spawn(move || probe(e))).collect();
        probes
            .into_iter()
            .filter_map(|p| p.join().unwrap().err())
            .collect()
    });
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
