//! tests/py/cookie_oracle.py: the Set-Cookie headers Streamlit 1.67's own
//! /oauth2callback sends for a case (and Tornado's signed values), run with
//! the test venv's Python.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

pub fn oracle(case: &Value) -> Value {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("tests/.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run bash tests/setup.sh first",
        python.display()
    );
    let mut child = Command::new(&python)
        .arg(root.join("tests/py/cookie_oracle.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the cookie oracle");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(case.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "cookie oracle failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("oracle prints JSON");
    assert_eq!(
        v["streamlit_version"], "1.67.0",
        "tests/.venv has another Streamlit"
    );
    v
}
