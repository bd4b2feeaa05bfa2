//! `pip install stauth` and `uv tool install stauth` as a user gets them: the
//! wheel pyproject.toml describes, built from this checkout by the pinned
//! maturin (tests/wheel/requirements.lock, installed by `bash tests/setup.sh`),
//! installed with pip into a fresh venv and with the pinned uv as a tool, and
//! the installed `stauth` run by path.
//!
//! The wheel is built with the dev profile in the target directory this test
//! binary was built in, so cargo reuses what `cargo test` compiled (Cargo.toml
//! turns on libc's `extra_traits`, which the dev-dependencies turn on, so a
//! plain build has the same features): about 18 s after `cargo test`, where a
//! cold `--release` build (LTO, one codegen unit) took about 9 minutes on CI's
//! two CPUs. What the test checks (packaging, metadata, the installed binary
//! runs) does not depend on the profile; publishing uses `maturin build
//! --release`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common;

use common::Sandbox;
use insta::assert_snapshot;
use serde_json::Value;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The target directory this test binary was built in (CARGO_TARGET_TMPDIR is
/// its `tmp/`), so maturin's build reuses cargo's cache.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR has a parent")
        .to_path_buf()
}

fn maturin() -> PathBuf {
    let maturin = repo().join("tests/.venv-maturin/bin/maturin");
    assert!(
        maturin.is_file(),
        "{} is missing: run bash tests/setup.sh first (it installs the pinned maturin \
         from tests/wheel/requirements.lock)",
        maturin.display()
    );
    maturin
}

/// Runs `cmd`, panicking with its output when it cannot start or fails.
fn must(cmd: &mut Command, what: &str) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what} ({cmd:?}): {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `maturin build --profile dev --out DIR` in the checkout; the one wheel it wrote.
fn build_wheel(out_dir: &Path) -> PathBuf {
    let mut cmd = Command::new(maturin());
    cmd.args(["build", "--profile", "dev", "--out"])
        .arg(out_dir)
        .current_dir(repo())
        .env("CARGO_TARGET_DIR", target_dir())
        // A developer's active venv must not become the build's interpreter.
        .env_remove("VIRTUAL_ENV");
    // `cargo test` gives this process the package's CARGO_PKG_*,
    // CARGO_MANIFEST_DIR, ... Build scripts (ring's) watch some of them with
    // rerun-if-env-changed, which cargo compares with its own environment: left
    // in, they would rebuild ring and everything above it on every run (a
    // minute) instead of reusing what `cargo build` made.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if set_by_cargo_for_the_test(&name) {
            cmd.env_remove(&*name);
        }
    }
    must(&mut cmd, "maturin build --profile dev");
    let wheels: Vec<PathBuf> = std::fs::read_dir(out_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .collect();
    assert_eq!(
        wheels.len(),
        1,
        "one wheel expected in {out_dir:?}: {wheels:?}"
    );
    wheels.into_iter().next().unwrap()
}

/// The variables cargo sets for the crate it runs (not the user's own
/// CARGO_HOME, CARGO_BUILD_*, ...).
fn set_by_cargo_for_the_test(name: &str) -> bool {
    ["CARGO_PKG_", "CARGO_BIN_", "CARGO_MANIFEST_"]
        .iter()
        .any(|p| name.starts_with(p))
        || [
            "CARGO_CRATE_NAME",
            "CARGO_PRIMARY_PACKAGE",
            "CARGO_TARGET_TMPDIR",
            "CARGO_RUSTC_CURRENT_DIR",
            "OUT_DIR",
        ]
        .contains(&name)
}

/// A fresh venv (`python3 -m venv`) with the wheel pip-installed, offline.
fn venv_with(wheel: &Path, dir: &Path) -> PathBuf {
    must(
        Command::new("python3").arg("-m").arg("venv").arg(dir),
        "python3 -m venv (on Debian: apt-get install python3-venv)",
    );
    must(
        Command::new(dir.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            // The wheel has no dependencies: nothing may come from an index.
            .args(["--no-index", "--no-cache-dir"])
            .arg(wheel),
        "pip install WHEEL",
    );
    dir.to_path_buf()
}

/// The venv's `bin/stauth`, run by path with a clean environment whose PATH
/// does not hold the venv (as after `uv tool install` or pipx, which link it).
fn installed(venv: &Path, sb: &Sandbox) -> Command {
    let mut cmd = Command::new(venv.join("bin/stauth"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sb.home())
        .env("XDG_CONFIG_HOME", sb.home().join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .current_dir(sb.path());
    cmd
}

#[test]
fn pip_and_uv_install_a_working_stauth() {
    let work = tempfile::Builder::new()
        .prefix("stauth-wheel-")
        .tempdir()
        .unwrap();
    let wheel = build_wheel(&work.path().join("dist"));

    // The name pip and PyPI see: stauth, this version, one wheel per platform
    // that holds no Python code (py3-none-PLATFORM).
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with(&format!("stauth-{VERSION}-py3-none-")),
        "unexpected wheel name {name}"
    );

    let venv = venv_with(&wheel, &work.path().join("venv"));
    let bin = venv.join("bin/stauth");
    // The binary itself, not a Python launcher that needs the venv's interpreter.
    #[cfg(target_os = "linux")]
    assert_eq!(
        &std::fs::read(&bin).unwrap()[..4],
        b"\x7fELF",
        "{} is not the native binary",
        bin.display()
    );

    // What `pip show stauth` and PyPI's page show, from the installed metadata.
    let python = venv.join("bin/python");
    let meta = must(
        Command::new(&python).arg("-c").arg(
            "import importlib.metadata as m\n\
             d = m.metadata('stauth')\n\
             for k in ('Name', 'Version', 'Summary', 'License-Expression', 'Requires-Python', 'Description-Content-Type'):\n    \
                 print(f'{k}: {d.get(k)}')\n\
             for c in d.get_all('Classifier'):\n    print(f'Classifier: {c}')\n\
             print('README:', d.get_payload().splitlines()[0])\n",
        ),
        "reading the installed metadata",
    );
    assert_snapshot!(
        "metadata",
        text(&meta.stdout).replace(&format!("Version: {VERSION}\n"), "Version: [VERSION]\n")
    );

    let sb = Sandbox::new();
    let out = must(installed(&venv, &sb).arg("--version"), "stauth --version");
    assert_eq!(text(&out.stdout), format!("stauth {VERSION}\n"));

    // A real command: the catalog as JSON.
    let out = must(
        installed(&venv, &sb).args(["providers", "--json"]),
        "stauth providers --json",
    );
    let catalog: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON: {e}\n{}", text(&out.stdout)));
    assert!(
        catalog.to_string().contains("\"google\""),
        "no google preset in {catalog}"
    );

    // And one that writes a file: secrets for the dev provider in another folder.
    let app = sb.path().join("myapp");
    std::fs::create_dir(&app).unwrap();
    let out = must(
        installed(&venv, &sb)
            .args(["init", "--provider", "dev", "--yes"])
            .args(["--streamlit-version", "1.67", "--app-dir"])
            .arg(&app),
        "stauth init --provider dev",
    );
    assert_eq!(text(&out.stdout), "", "human output goes to stderr");
    let secrets = std::fs::read_to_string(app.join(".streamlit/secrets.toml"))
        .expect("init wrote no .streamlit/secrets.toml");
    assert!(
        secrets.contains(
            "server_metadata_url = \"http://localhost:9400/.well-known/openid-configuration\""
        ),
        "{secrets}"
    );
    assert!(
        secrets.contains("redirect_uri = \"http://localhost:8501/oauth2callback\""),
        "{secrets}"
    );

    // pip takes it away again.
    must(
        Command::new(venv.join("bin/pip")).args(["uninstall", "--yes", "--quiet", "stauth"]),
        "pip uninstall stauth",
    );
    assert!(!bin.exists(), "pip uninstall left {}", bin.display());

    // `uv tool install WHEEL` (the pinned uv tests/setup.sh installs): its
    // own venv, and `stauth` linked into the tool bin folder, offline.
    let uv = repo().join("tests/.venvs/.tools/bin/uv");
    assert!(
        uv.is_file(),
        "{} is missing: run bash tests/setup.sh first",
        uv.display()
    );
    let (tools, bins) = (work.path().join("uv-tools"), work.path().join("uv-bin"));
    let uv_cmd = |args: &[&str]| {
        let mut cmd = Command::new(&uv);
        cmd.args(args)
            .env("UV_TOOL_DIR", &tools)
            .env("UV_TOOL_BIN_DIR", &bins)
            .env("UV_CACHE_DIR", work.path().join("uv-cache"))
            .env("UV_OFFLINE", "1")
            .env("UV_PYTHON_DOWNLOADS", "never")
            .env_remove("VIRTUAL_ENV");
        cmd
    };
    must(
        uv_cmd(&["tool", "install", "--python", "python3"]).arg(&wheel),
        "uv tool install WHEEL",
    );
    let linked = bins.join("stauth");
    let out = must(
        Command::new(&linked).arg("--version").env_clear(),
        "stauth --version (uv tool)",
    );
    assert_eq!(text(&out.stdout), format!("stauth {VERSION}\n"));
    must(
        &mut uv_cmd(&["tool", "uninstall", "stauth"]),
        "uv tool uninstall stauth",
    );
    assert!(
        !linked.exists(),
        "uv tool uninstall left {}",
        linked.display()
    );
}
