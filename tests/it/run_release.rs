//! `stauth run` hands COMMAND the secrets files the app's Streamlit release
//! reads: `<script dir>/.streamlit/secrets.toml` only from 1.46.0. The
//! release comes from --streamlit-version or the app's Python, as in every
//! command. COMMAND is a stand-in `streamlit` that prints the list it got.

use crate::common;

use std::path::{Path, PathBuf};

use common::keyring::SecretService;
use common::{run, Sandbox};

/// A keychain app (so `stauth run` writes a list) with secrets next to the
/// script in pages/, and a stand-in `streamlit` in bin/.
fn app(ss: &SecretService) -> Sandbox {
    let sb = Sandbox::new();
    let mut init = sb.init_google(&["--offline", "--store", "keychain"]);
    ss.connect(&mut init);
    let (code, _, err) = run(&mut init);
    assert_eq!(code, 0, "{err}");
    sb.write("pages/.streamlit/secrets.toml", "[db]\nuser = \"pages\"\n");
    sb.write_executable(
        "bin/streamlit",
        "#!/bin/sh\necho \"$STREAMLIT_SECRETS_FILES\"\n",
    );
    sb
}

/// `stauth run [FLAGS] -- ./bin/streamlit run pages/app.py` → (files listed, stderr).
fn listed(sb: &Sandbox, ss: &SecretService, flags: &[&str]) -> (Vec<PathBuf>, String) {
    let mut cmd = sb.cmd();
    ss.connect(&mut cmd);
    cmd.arg("run")
        .args(flags)
        .args(["--", "./bin/streamlit", "run", "pages/app.py"]);
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 0, "{err}");
    (out.split_whitespace().map(PathBuf::from).collect(), err)
}

/// `p` with links resolved; stauth's own file is gone once COMMAND exits.
fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

#[test]
fn the_script_folders_secrets_are_listed_from_1_46_0() {
    let ss = SecretService::start();
    let sb = app(&ss);
    let app_secrets = canonical(&sb.file(".streamlit/secrets.toml"));
    let script_secrets = canonical(&sb.file("pages/.streamlit/secrets.toml"));

    // 1.45.1 reads only the home and working folders' files.
    let (files, err) = listed(&sb, &ss, &["--streamlit-version", "1.45.1"]);
    assert!(
        err.starts_with("Checking against Streamlit 1.45.1 on Tornado (--streamlit-version).\n"),
        "{err}"
    );
    assert_eq!(files.len(), 2, "the app's and stauth's: {files:?}");
    assert_eq!(canonical(&files[0]), app_secrets);
    assert!(!files.iter().any(|f| canonical(f) == script_secrets));

    // 1.46.0 also reads the script folder's, after the app folder's.
    let (files, err) = listed(&sb, &ss, &["--streamlit-version", "1.46.0"]);
    assert!(
        err.starts_with("Checking against Streamlit 1.46.0 on Tornado"),
        "{err}"
    );
    assert_eq!(files.len(), 3, "app, script folder, stauth's: {files:?}");
    assert_eq!(canonical(&files[0]), app_secrets);
    assert_eq!(canonical(&files[1]), script_secrets);

    // Without the flag, the release installed for the app's Python decides.
    let python = common::releases::python("1.45.1");
    let (files, err) = listed(&sb, &ss, &["--python", python.to_str().unwrap()]);
    assert!(
        err.starts_with("Checking against Streamlit 1.45.1 on Tornado (installed for "),
        "{err}"
    );
    assert_eq!(files.len(), 2, "{files:?}");
    let python = common::releases::python("1.48.0");
    let (files, _) = listed(&sb, &ss, &["--python", python.to_str().unwrap()]);
    assert_eq!(files.len(), 3, "{files:?}");
}
