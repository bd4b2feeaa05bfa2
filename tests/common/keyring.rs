//! A real Secret Service for the keychain tests: a private D-Bus session bus
//! (`dbus-daemon --session`) and `gnome-keyring-daemon` on it, unlocked with a
//! known password, in a throwaway HOME. Each `SecretService` is its own
//! keychain, so tests run in parallel without seeing each other's entries.
//! Both daemons are killed when it is dropped.
//!
//! ```ignore
//! let ss = SecretService::start();
//! let mut cmd = sb.cmd();
//! ss.connect(&mut cmd);            // sets DBUS_SESSION_BUS_ADDRESS
//! ```
//!
//! Needs Debian's `dbus` (dbus-daemon) and `gnome-keyring` packages
//! (.ci/run installs them).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long `start` waits for the Secret Service to answer.
const READY_TIMEOUT: Duration = Duration::from_secs(20);

pub struct SecretService {
    bus: Child,
    keyring: Child,
    address: String,
    home: tempfile::TempDir,
}

fn setup_hint() -> &'static str {
    "the keychain tests need a D-Bus daemon and gnome-keyring: apt-get install dbus gnome-keyring"
}

impl SecretService {
    /// Starts the bus and the keyring daemon; waits until stauth can use it.
    pub fn start() -> Self {
        let home = tempfile::Builder::new()
            .prefix("stauth-keyring-home-")
            .tempdir()
            .unwrap();
        // A session bus without service activation: a Secret Service call
        // that comes early must not start a second, locked gnome-keyring.
        let config = home.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                home.path().display()
            ),
        )
        .unwrap();
        let mut config_arg = std::ffi::OsString::from("--config-file=");
        config_arg.push(&config);
        let mut bus = Command::new("dbus-daemon")
            .arg(config_arg)
            .args(["--nofork", "--nopidfile", "--print-address=1"])
            .env("HOME", home.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start dbus-daemon: {e}: {}", setup_hint()));
        let mut address = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut address)
            .expect("dbus-daemon printed no address");
        let address = address.trim().to_string();
        assert!(!address.is_empty(), "dbus-daemon printed no address");

        let mut keyring = match Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("XDG_RUNTIME_DIR", home.path())
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(child) => child,
            Err(e) => {
                let _ = bus.kill();
                let _ = bus.wait();
                panic!("cannot start gnome-keyring-daemon: {e}: {}", setup_hint());
            }
        };
        // The password of the login keyring it creates, then EOF.
        {
            let mut stdin = keyring.stdin.take().unwrap();
            stdin.write_all(b"stauth-test-password").unwrap();
        }
        let ss = SecretService {
            bus,
            keyring,
            address,
            home,
        };
        ss.wait_ready();
        ss
    }

    /// The bus address for DBUS_SESSION_BUS_ADDRESS.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Points a command at this Secret Service.
    pub fn connect<'a>(&self, cmd: &'a mut assert_cmd::Command) -> &'a mut assert_cmd::Command {
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.address)
    }

    /// The same for a std Command.
    pub fn connect_std<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.address)
    }

    /// Polls until gnome-keyring created its unlocked login keyring and
    /// `stauth secrets list --all` works against it.
    fn wait_ready(&self) {
        let started = Instant::now();
        let empty = tempfile::tempdir().unwrap();
        let login = self.home.path().join(".local/share/keyrings/login.keyring");
        loop {
            if !login.exists() {
                assert!(
                    started.elapsed() < READY_TIMEOUT,
                    "gnome-keyring-daemon created no login keyring in {READY_TIMEOUT:?}"
                );
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            let out = Command::new(assert_cmd::cargo::cargo_bin("stauth"))
                .args(["secrets", "list", "--all", "--json"])
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", empty.path())
                .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
                .current_dir(empty.path())
                .output()
                .expect("run stauth");
            if out.status.success() {
                return;
            }
            if started.elapsed() > READY_TIMEOUT {
                panic!(
                    "the Secret Service did not come up in {READY_TIMEOUT:?}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        for child in [&mut self.keyring, &mut self.bus] {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = &self.home;
    }
}
