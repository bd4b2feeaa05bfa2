//! The release matrix: real Streamlit releases, one venv each, that the
//! release tests run against. `bash tests/setup.sh` builds `tests/.venvs/NAME`
//! from the lock `tests/matrix/NAME.txt`; the newest release is the main test
//! venv, `tests/.venv` (tests/requirements.lock).
//!
//! ```ignore
//! let python = common::releases::python("1.52.1");
//! let streamlit = common::releases::streamlit_bin("1.53.1");
//! ```
#![allow(dead_code)]

use std::path::PathBuf;

/// One venv of the matrix: what it holds and why it is there.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// Directory name under `tests/.venvs` and lock name in `tests/matrix`.
    pub name: &'static str,
    /// `streamlit.__version__`.
    pub streamlit: &'static str,
    /// `authlib.__version__`.
    pub authlib: &'static str,
    /// Whether `httpx` is installed (the Starlette server needs it).
    pub httpx: bool,
    /// What this entry proves that its neighbours do not.
    pub why: &'static str,
}

/// The entry served by `tests/.venv` rather than `tests/.venvs`.
pub const NEWEST: &str = "1.67.0";

/// Every entry, oldest release first. The locks must say the same (the
/// `release_venvs` tests check both the locks and the built venvs).
pub const MATRIX: &[Entry] = &[
    Entry {
        name: "1.42.2",
        streamlit: "1.42.2",
        authlib: "1.6.5",
        httpx: false,
        why: "1.42-1.44: Tornado, `st.experimental_user` only, no `auth` extra",
    },
    Entry {
        name: "1.45.1",
        streamlit: "1.45.1",
        authlib: "1.6.5",
        httpx: false,
        why: "`st.user` arrives; secrets still only in the working directory",
    },
    Entry {
        name: "1.48.0",
        streamlit: "1.48.0",
        authlib: "1.6.5",
        httpx: false,
        why: "the only release before 1.53 with provider logout and `provider` in the cookie",
    },
    Entry {
        name: "1.48.1",
        streamlit: "1.48.1",
        authlib: "1.6.5",
        httpx: false,
        why: "reverts 1.48.0's provider logout and `provider` claim",
    },
    Entry {
        name: "1.52.1-authlib-1.6.5",
        streamlit: "1.52.1",
        authlib: "1.6.5",
        httpx: false,
        why: "the last release that passes session=None, with an Authlib that copes",
    },
    Entry {
        name: "1.52.1",
        streamlit: "1.52.1",
        authlib: "1.9.10",
        httpx: false,
        why: "the newest Authlib writes into session=None: login breaks",
    },
    Entry {
        name: "1.52.2",
        streamlit: "1.52.2",
        authlib: "1.9.10",
        httpx: false,
        why: "passes an empty dict: works with the newest Authlib",
    },
    Entry {
        name: "1.53.1",
        streamlit: "1.53.1",
        authlib: "1.9.10",
        httpx: true,
        why: "Tornado by default, Starlette opt-in (no PKCE, no provider logout)",
    },
    Entry {
        name: "1.56.0",
        streamlit: "1.56.0",
        authlib: "1.9.10",
        httpx: true,
        why: "the last Tornado release; Starlette opt-in with provider logout",
    },
    Entry {
        name: "1.57.0-no-httpx",
        streamlit: "1.57.0",
        authlib: "1.9.10",
        httpx: false,
        why: "exactly what `streamlit[auth]` installs: no httpx, login fails",
    },
    Entry {
        name: "1.57.0",
        streamlit: "1.57.0",
        authlib: "1.9.10",
        httpx: true,
        why: "Starlette only, without PKCE",
    },
    Entry {
        name: "1.58.0",
        streamlit: "1.58.0",
        authlib: "1.9.10",
        httpx: true,
        why: "Starlette with PKCE; a null `code_challenge_methods_supported` is tolerated",
    },
    Entry {
        name: "1.59.0",
        streamlit: "1.59.0",
        authlib: "1.9.10",
        httpx: true,
        why: "login clears undecodable and stale auth cookies",
    },
    Entry {
        name: NEWEST,
        streamlit: "1.67.0",
        authlib: "1.9.10",
        httpx: true,
        why: "the newest release, the one the rest of the suite runs (tests/.venv)",
    },
];

/// The entry called `name`; panics on a name the table lacks.
pub fn entry(name: &str) -> &'static Entry {
    MATRIX
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no release matrix entry {name:?} in tests/common/releases.rs"))
}

/// The venv of entry `name` (which may not be built yet).
pub fn venv_dir(name: &str) -> PathBuf {
    let tests = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests");
    if entry(name).name == NEWEST {
        tests.join(".venv")
    } else {
        tests.join(".venvs").join(name)
    }
}

/// `bin/python` of entry `name`'s venv.
pub fn python(name: &str) -> PathBuf {
    built(name, "python")
}

/// `bin/streamlit` of entry `name`'s venv.
pub fn streamlit_bin(name: &str) -> PathBuf {
    built(name, "streamlit")
}

fn built(name: &str, program: &str) -> PathBuf {
    let path = venv_dir(name).join("bin").join(program);
    assert!(
        path.is_file(),
        "{} is missing: run `bash tests/setup.sh` (it builds the release matrix venvs)",
        path.display()
    );
    path
}
