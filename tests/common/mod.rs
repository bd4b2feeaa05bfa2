//! Shared test helpers: a sandbox (throwaway app folder and HOME, clean
//! environment) for running the real `stauth` binary, and redaction of values
//! that change from run to run.
#![allow(dead_code)]

pub mod dev_provider;
pub mod hostile_server;
pub mod idp;
pub mod keyring;
pub mod nginx;
pub mod oracle;
pub mod probe;
pub mod pty;
pub mod releases;
pub mod snapshot;
pub mod st_cookies;
pub mod streamlit;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The client secret every test uses, so tests can grep output for it.
pub const SECRET: &str = "s3cr3t-VALUE-never-printed";

pub struct Sandbox {
    /// The app folder lives alone inside `root`, so checks that look at
    /// sibling folders (doctor) never see other tests' apps.
    root: tempfile::TempDir,
    dir: PathBuf,
    home: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        let root = tempfile::Builder::new()
            .prefix("stauth-app-")
            .tempdir()
            .unwrap();
        let dir = root.path().join("app");
        std::fs::create_dir(&dir).unwrap();
        Sandbox {
            root,
            dir,
            home: tempfile::Builder::new()
                .prefix("stauth-home-")
                .tempdir()
                .unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// `stauth` run in the app folder with an empty environment (PATH and a
    /// throwaway HOME only) and no stdin.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("stauth").unwrap();
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.home().join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .current_dir(self.path())
            .write_stdin("")
            .timeout(std::time::Duration::from_secs(60));
        cmd
    }

    /// `stauth init` for Google with the test secret on stdin, offline.
    /// `stauth init` for the test provider at `issuer` (client `stauth-test`,
    /// the given redirect URI) with `client_secret` in the environment,
    /// then `extra` flags.
    pub fn init_test_idp(
        &self,
        issuer: &str,
        redirect_uri: &str,
        client_secret: &str,
        extra: &[&str],
    ) -> Command {
        let mut cmd = self.cmd();
        cmd.args([
            "init",
            "--issuer",
            issuer,
            "--client-id",
            "stauth-test",
            "--redirect-uri",
            redirect_uri,
        ])
        .args(extra)
        .env("STAUTH_CLIENT_SECRET", client_secret);
        cmd
    }

    pub fn init_google(&self, extra: &[&str]) -> Command {
        let mut cmd = self.cmd();
        cmd.args([
            "init",
            "--provider",
            "google",
            "--client-id",
            "app.apps.googleusercontent.com",
            "--client-secret-stdin",
        ])
        .args(extra)
        .write_stdin(format!("{SECRET}\n"));
        cmd
    }

    pub fn file(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
    }

    pub fn write(&self, rel: &str, contents: &str) {
        let path = self.file(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    /// Writes an executable file (a stand-in command) at `rel`.
    pub fn write_executable(&self, rel: &str, contents: &str) {
        use std::os::unix::fs::PermissionsExt;
        self.write(rel, contents);
        std::fs::set_permissions(self.file(rel), std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.file(rel)).unwrap()
    }

    pub fn secrets(&self) -> String {
        self.read(".streamlit/secrets.toml")
    }

    pub fn git_init(&self) {
        let ok = std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(self.path())
            .env("HOME", self.home())
            .status()
            .unwrap()
            .success();
        assert!(ok, "git init failed");
    }

    pub fn git(&self, args: &[&str]) {
        let ok = std::process::Command::new("git")
            .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
            .args(args)
            .current_dir(self.path())
            .env("HOME", self.home())
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?} failed");
    }
}

/// Bytes and inode of a file, to prove it was not touched: stauth replaces
/// files by renaming a new one over them, which changes the inode (no clock
/// involved, so no wait is needed between two runs).
pub fn fingerprint(path: &Path) -> (Vec<u8>, u64) {
    use std::os::unix::fs::MetadataExt;
    (
        std::fs::read(path).unwrap(),
        std::fs::symlink_metadata(path).unwrap().ino(),
    )
}

/// Output of a finished command as (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Replaces values that differ between runs with stable placeholders (the
/// snapshot rules for secrets and ports, on a string).
pub fn redact(text: &str) -> String {
    snapshot::redact(text, &[snapshot::Rules::Secrets])
}

/// Asserts the test secret appears nowhere in the given outputs.
pub fn assert_no_secret(outputs: &[&str]) {
    for o in outputs {
        assert!(
            !o.contains(SECRET),
            "the client secret leaked into output:\n{o}"
        );
    }
}

/// A real provider (tests/idp) with one client, `stauth-test` /
/// `client_secret`, whose redirect URI is `http://localhost:PORT/oauth2callback`
/// on a free PORT; and an app folder whose secrets file `stauth init` wrote
/// for it. `extra` is merged into the provider's configuration.
pub fn provider_app(extra: serde_json::Value, client_secret: &str) -> (idp::Idp, Sandbox, u16) {
    let port = idp::free_port();
    let redirect = format!("http://localhost:{port}/oauth2callback");
    let mut config = serde_json::json!({
        "clients": [{
            "client_id": "stauth-test",
            "client_secret": client_secret,
            "redirect_uris": [redirect],
            "post_logout_redirect_uris": [redirect],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        }],
    });
    for (k, v) in extra.as_object().expect("extra is an object") {
        config[k] = v.clone();
    }
    let idp = idp::Idp::start(config);
    let sb = Sandbox::new();
    let (code, _, err) = run(&mut sb.init_test_idp(&idp.issuer, &redirect, client_secret, &[]));
    assert_eq!(code, 0, "init failed: {err}");
    (idp, sb, port)
}
