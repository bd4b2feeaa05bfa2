//! Issue 10, items 7 and 8: files as users really have them, and processes
//! that run at once or get killed. With the real binary on real files:
//! a symlinked secrets.toml is written through (the link stays), a hard
//! link is refused, owner, group and mode stay, a read-only file needs
//! --force, three inits at once all keep their provider, a lock held by
//! another process ends in exit 4, SIGTERM/Ctrl-C mid-write leave no
//! temporary copy of the secret, .gitignore covers those copies, and
//! `stauth run` cleans the folder a SIGKILLed run left behind.

use crate::common;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::keyring::SecretService;
use common::{assert_no_secret, redact, run, Sandbox, SECRET};

const SECRETS: &str = ".streamlit/secrets.toml";
const OTHER: &str = "[db]\npassword = \"db-pass\"\n";

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Names in `dir` that stauth's temporary and lock files have.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(".stauth-"))
                .collect()
        })
        .unwrap_or_default()
}

/// Bytes and inode: the file was neither rewritten nor replaced.
fn untouched(path: &Path) -> (Vec<u8>, u64) {
    (
        std::fs::read(path).unwrap(),
        std::fs::symlink_metadata(path).unwrap().ino(),
    )
}

/// The folder next to the app folder (the sandbox's private root).
fn beside_app(sb: &Sandbox, name: &str) -> PathBuf {
    let dir = sb.path().parent().unwrap().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `stauth init` as `Sandbox::init_google` runs it, as a std Command (to
/// run several at once or signal it).
fn init_std(sb: &Sandbox, extra: &[&str]) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("stauth"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sb.home())
        .env("XDG_CONFIG_HOME", sb.home().join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("STAUTH_CLIENT_SECRET", SECRET)
        .current_dir(sb.path())
        .args([
            "init",
            "--provider",
            "google",
            "--client-id",
            "app.apps.googleusercontent.com",
            "--offline",
        ])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn wait_with_timeout(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("stauth did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn stderr_of(child: &mut Child) -> String {
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    err
}

#[test]
fn a_symlinked_secrets_file_is_written_through_and_stays_a_link() {
    let sb = Sandbox::new();
    // The real file lives in a shared folder; the app links to it (relative).
    let shared = beside_app(&sb, "shared");
    let target = shared.join("secrets.toml");
    std::fs::write(&target, OTHER).unwrap();
    chmod(&target, 0o600);
    std::fs::create_dir_all(sb.file(".streamlit")).unwrap();
    let link_text = Path::new("../../shared/secrets.toml");
    std::os::unix::fs::symlink(link_text, sb.file(SECRETS)).unwrap();

    let (code, out, err) = run(&mut sb.init_google(&["--offline"]));
    assert_eq!(code, 0, "{err}");
    assert_no_secret(&[&out, &err]);
    // Still the same link; the target holds what a plain file would hold.
    let meta = std::fs::symlink_metadata(sb.file(SECRETS)).unwrap();
    assert!(
        meta.file_type().is_symlink(),
        "the link was replaced by a file"
    );
    assert_eq!(std::fs::read_link(sb.file(SECRETS)).unwrap(), link_text);
    let real = std::fs::canonicalize(&target).unwrap();
    assert!(
        err.contains(&format!(
            "✓ Wrote .streamlit/secrets.toml (through the link, to {}; mode 0600)",
            real.display()
        )),
        "{err}"
    );

    let plain = Sandbox::new();
    plain.write(SECRETS, OTHER);
    chmod(&plain.file(SECRETS), 0o600);
    let (code, _, err) = run(&mut plain.init_google(&["--offline"]));
    assert_eq!(code, 0, "{err}");
    let written = std::fs::read_to_string(&target).unwrap();
    assert_eq!(redact(&written), redact(&plain.secrets()));
    assert!(written.starts_with(OTHER), "{written}");
    assert!(written.contains(&format!("client_secret = \"{SECRET}\"")));
    assert!(leftovers(&shared).is_empty() && leftovers(&sb.file(".streamlit")).is_empty());
}

#[test]
fn a_hard_linked_secrets_file_is_refused_and_both_names_stay() {
    let sb = Sandbox::new();
    sb.write(SECRETS, OTHER);
    let other_name = beside_app(&sb, "backup").join("secrets.toml");
    std::fs::hard_link(sb.file(SECRETS), &other_name).unwrap();
    let before = untouched(&sb.file(SECRETS));

    let (code, out, err) = run(&mut sb.init_google(&["--offline", "--force"]));
    assert_eq!(code, 2, "{err}");
    assert_eq!(out, "");
    assert_no_secret(&[&out, &err]);
    assert!(
        err.contains("error: cannot write .streamlit/secrets.toml: it has 1 other hard link (other names for the same file), which would keep the old contents"),
        "{err}"
    );
    assert!(err.contains("Nothing was changed."), "{err}");
    // The way out names the file absolutely (a relative `ln -s` target would
    // be read relative to the other name's folder).
    let absolute = sb.file(SECRETS).display().to_string();
    assert!(err.contains(&format!("`ln -sf {absolute} OTHER`")), "{err}");
    assert_eq!(untouched(&sb.file(SECRETS)), before);
    assert_eq!(std::fs::metadata(&other_name).unwrap().nlink(), 2);
    assert_eq!(std::fs::read_to_string(&other_name).unwrap(), OTHER);
    assert!(leftovers(&sb.file(".streamlit")).is_empty());
}

#[test]
fn owner_group_and_mode_stay_when_root_writes_the_apps_file() {
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: giving a file to uid 65534 needs root");
        return;
    }
    let sb = Sandbox::new();
    sb.write(SECRETS, OTHER);
    let path = sb.file(SECRETS);
    std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
    chmod(&path, 0o640);

    let (code, _, err) = run(&mut sb.init_google(&["--offline"]));
    assert_eq!(code, 0, "{err}");
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    assert_eq!(mode(&path), 0o640);
    assert!(
        err.contains("✓ Wrote .streamlit/secrets.toml (mode 0640)"),
        "{err}"
    );
    assert!(sb
        .secrets()
        .contains(&format!("client_secret = \"{SECRET}\"")));

    // A new file is the caller's, mode 0600.
    let fresh = Sandbox::new();
    let (code, _, err) = run(&mut fresh.init_google(&["--offline"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(mode(&fresh.file(SECRETS)), 0o600);
}

#[test]
fn a_user_who_cannot_keep_the_owner_is_refused() {
    use std::os::unix::process::CommandExt;
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: running stauth as uid 65534 needs root");
        return;
    }
    // root's file, in a folder user 65534 may write to, and writable by
    // all: a rename by 65534 would succeed and make the file 65534's.
    let sb = Sandbox::new();
    sb.write(SECRETS, OTHER);
    let path = sb.file(SECRETS);
    chmod(&path, 0o666);
    for dir in [
        sb.path().parent().unwrap(),
        sb.path(),
        &sb.file(".streamlit"),
        sb.home(),
    ] {
        chmod(dir, 0o777);
    }
    let before = untouched(&path);
    let mut cmd = init_std(&sb, &[]);
    cmd.uid(65534).gid(65534);
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("error: cannot write .streamlit/secrets.toml: it belongs to user 0 (group 0), and stauth, running as user 65534, cannot give a new copy that owner"),
        "{err}"
    );
    assert!(
        err.contains("Run the command as the file's owner (`sudo -u '#0' stauth ...`) or as root"),
        "{err}"
    );
    assert_no_secret(&[&err]);
    assert_eq!(untouched(&path), before);
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (0, 0));
    assert!(leftovers(&sb.file(".streamlit")).is_empty());
}

#[test]
fn a_read_only_secrets_file_needs_force() {
    let sb = Sandbox::new();
    sb.write(SECRETS, OTHER);
    let path = sb.file(SECRETS);
    chmod(&path, 0o400);
    let before = untouched(&path);

    let (code, out, err) = run(&mut sb.init_google(&["--offline"]));
    assert_eq!(code, 2, "{err}");
    assert_eq!(out, "");
    assert!(
        err.contains("error: cannot write .streamlit/secrets.toml: it is read-only (mode 0400), so stauth leaves it as it is"),
        "{err}"
    );
    assert!(
        err.contains("`chmod u+w .streamlit/secrets.toml`") && err.contains("add --force"),
        "{err}"
    );
    assert_eq!(untouched(&path), before);
    assert_eq!(mode(&path), 0o400);
    assert!(leftovers(&sb.file(".streamlit")).is_empty());

    // --force writes it; it stays read-only.
    let (code, _, err) = run(&mut sb.init_google(&["--offline", "--force"]));
    assert_eq!(code, 0, "{err}");
    assert!(sb.secrets().starts_with(OTHER));
    assert!(sb.secrets().contains("[auth]"));
    assert_eq!(mode(&path), 0o400);
}

#[test]
fn three_inits_at_once_all_keep_their_provider() {
    let mut reread = 0;
    for round in 0..4 {
        let sb = Sandbox::new();
        // Odd rounds: no .streamlit folder yet, all three create it.
        let existing = round % 2 == 0;
        if existing {
            sb.write(SECRETS, OTHER);
        }
        let mut children: Vec<(&str, Child)> = ["one", "two", "three"]
            .into_iter()
            .map(|name| {
                let mut cmd = init_std(&sb, &["--name", name]);
                // Widens the window between reading and renaming.
                cmd.env("STAUTH_TEST_PAUSE_BEFORE_RENAME_MS", "150");
                (name, cmd.spawn().unwrap())
            })
            .collect();
        for (name, child) in &mut children {
            let status = wait_with_timeout(child, Duration::from_secs(30));
            let err = stderr_of(child);
            assert_eq!(status.code(), Some(0), "round {round}, {name}: {err}");
            assert_no_secret(&[&err]);
            if err.contains("changed while stauth was running (another command wrote it); these changes apply to what it holds now") {
                reread += 1;
            }
        }
        let text = sb.secrets();
        for name in ["one", "two", "three"] {
            assert!(
                text.contains(&format!("[auth.{name}]")),
                "round {round}: [auth.{name}] was lost:\n{text}"
            );
        }
        assert_eq!(text.starts_with(OTHER), existing, "{text}");
        assert_eq!(text.matches("cookie_secret =").count(), 1, "{text}");
        assert_eq!(
            text.matches(&format!("client_secret = \"{SECRET}\""))
                .count(),
            3,
            "{text}"
        );
        assert!(leftovers(&sb.file(".streamlit")).is_empty());
    }
    // The later ones read the file again under the lock and said so.
    assert!(reread >= 2, "{reread}");
}

#[test]
fn a_lock_held_by_another_process_times_out_with_exit_4() {
    use std::os::unix::io::AsRawFd;
    let sb = Sandbox::new();
    sb.write(SECRETS, OTHER);
    let before = untouched(&sb.file(SECRETS));
    // What another stauth init holds while it writes.
    let lock_path = sb.file(".streamlit/.stauth-secrets.toml.lock");
    let held = std::fs::File::create(&lock_path).unwrap();
    assert_eq!(
        unsafe { libc::flock(held.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) },
        0
    );

    let started = Instant::now();
    let (code, out, err) = run(&mut sb.init_google(&["--offline"]));
    assert_eq!(code, 4, "{err}");
    assert_eq!(out, "");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert!(
        err.contains("error: another stauth command is changing .streamlit/secrets.toml (it holds .streamlit/.stauth-secrets.toml.lock); gave up after waiting 5 s"),
        "{err}"
    );
    assert!(err.contains("run the same command again"), "{err}");
    assert_eq!(untouched(&sb.file(SECRETS)), before);
    // The holder's lock file is the holder's to remove.
    assert!(lock_path.exists());
    drop(held);
}

/// Starts init with a pause before the rename, waits for its temporary copy
/// to appear, and returns the child and that copy's path.
fn init_paused_mid_write(sb: &Sandbox) -> (Child, PathBuf) {
    let mut cmd = init_std(sb, &["--force"]);
    cmd.env("STAUTH_TEST_PAUSE_BEFORE_RENAME_MS", "20000");
    let mut child = cmd.spawn().unwrap();
    let dir = sb.file(".streamlit");
    let started = Instant::now();
    loop {
        let temps: Vec<String> = leftovers(&dir)
            .into_iter()
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        if let [one] = temps.as_slice() {
            let path = dir.join(one);
            // Mid-write: the copy holds the secret.
            if std::fs::read_to_string(&path).is_ok_and(|t| t.contains(SECRET)) {
                return (child, path);
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "init finished ({status}) before it was interrupted: {}",
                stderr_of(&mut child)
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn sigterm_or_ctrl_c_mid_write_leave_no_copy_of_the_secret() {
    for (sig, code, says) in [
        (
            libc::SIGTERM,
            143,
            "stopped by signal 15: nothing was written",
        ),
        (libc::SIGINT, 130, "cancelled: nothing was written"),
        (
            libc::SIGHUP,
            129,
            "stopped by signal 1: nothing was written",
        ),
    ] {
        let sb = Sandbox::new();
        sb.write(SECRETS, OTHER);
        let before = untouched(&sb.file(SECRETS));
        let (mut child, temp) = init_paused_mid_write(&sb);
        assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
        let status = wait_with_timeout(&mut child, Duration::from_secs(10));
        let err = stderr_of(&mut child);
        assert_eq!(status.code(), Some(code), "signal {sig}: {err}");
        assert!(err.contains(says), "signal {sig}: {err}");
        assert_no_secret(&[&err]);
        assert!(!temp.exists(), "signal {sig}: {} stayed", temp.display());
        assert_eq!(
            leftovers(&sb.file(".streamlit")),
            Vec::<String>::new(),
            "signal {sig}"
        );
        assert_eq!(untouched(&sb.file(SECRETS)), before, "signal {sig}");
    }
}

#[test]
fn gitignore_covers_the_temporary_copies() {
    let check_ignore = |sb: &Sandbox, rel: &str| {
        Command::new("git")
            .args(["check-ignore", "-q", "--no-index", rel])
            .current_dir(sb.path())
            .env("HOME", sb.home())
            .status()
            .unwrap()
            .success()
    };
    // A new repository: both lines under stauth's comment.
    let sb = Sandbox::new();
    sb.git_init();
    let (code, _, err) = run(&mut sb.init_google(&["--offline"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        sb.read(".gitignore"),
        "# Streamlit secrets (added by stauth)\n/.streamlit/secrets.toml\n/.streamlit/.stauth-*\n"
    );
    assert!(check_ignore(&sb, ".streamlit/.stauth-Ab12Cd.tmp"));
    assert!(check_ignore(&sb, ".streamlit/.stauth-secrets.toml.lock"));
    assert!(!check_ignore(&sb, ".streamlit/config.toml"));

    // A repository that ignored the secrets file already gets the other line.
    let sb = Sandbox::new();
    sb.git_init();
    sb.write(".gitignore", ".streamlit/secrets.toml\n");
    let (code, _, err) = run(&mut sb.init_google(&["--offline"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("✓ Added /.streamlit/.stauth-* to .gitignore"),
        "{err}"
    );
    assert_eq!(
        sb.read(".gitignore"),
        ".streamlit/secrets.toml\n# Streamlit secrets (added by stauth)\n/.streamlit/.stauth-*\n"
    );
    // Run again: nothing more is added.
    let (code, _, err) = run(&mut sb.init_google(&["--offline"]));
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("to .gitignore"), "{err}");
    assert_eq!(
        sb.read(".gitignore"),
        ".streamlit/secrets.toml\n# Streamlit secrets (added by stauth)\n/.streamlit/.stauth-*\n"
    );
}

#[test]
fn snippet_out_onto_a_dangling_symlink_needs_force() {
    let sb = Sandbox::new();
    let link = sb.file("login_page.py");
    std::os::unix::fs::symlink("pages/login.py", &link).unwrap();
    std::fs::create_dir_all(sb.file("pages")).unwrap();

    let (code, out, err) = run(sb
        .cmd()
        .args(["snippet", "login", "--out", "login_page.py"]));
    assert_eq!(code, 2, "{err}");
    assert_eq!(out, "");
    assert!(
        err.contains("it is a symbolic link (to a file that does not exist yet); add --force to write through it"),
        "{err}"
    );
    assert!(!sb.file("pages/login.py").exists());
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());

    // With --force the code goes through the link.
    let (code, printed, _) = run(sb.cmd().args(["snippet", "login"]));
    assert_eq!(code, 0);
    let (code, _, err) =
        run(sb
            .cmd()
            .args(["snippet", "login", "--out", "login_page.py", "--force"]));
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(sb.read("pages/login.py"), printed);
}

/// A process id that is not running (a child that has exited and been reaped).
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

/// A folder in `base` shaped like one of `stauth run`'s.
fn plant(base: &Path, name: &str, files: &[&str]) -> PathBuf {
    let dir = base.join(name);
    std::fs::create_dir(&dir).unwrap();
    chmod(&dir, 0o700);
    for f in files {
        std::fs::write(dir.join(f), "[auth]\n").unwrap();
    }
    dir
}

#[test]
fn run_removes_the_folder_a_killed_run_left_and_nothing_else() {
    let ss = SecretService::start();
    let sb = Sandbox::new();
    let (code, _, err) =
        run(ss.connect(&mut sb.init_google(&["--offline", "--store", "keychain"])));
    assert_eq!(code, 0, "{err}");
    let runtime = tempfile::tempdir().unwrap();
    chmod(runtime.path(), 0o700);
    let stauth_run = |args: &[&str]| {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("stauth"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", sb.home())
            .env("XDG_RUNTIME_DIR", runtime.path())
            .current_dir(sb.path())
            .arg("run")
            .arg("--")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        ss.connect_std(&mut cmd);
        cmd
    };

    // SIGKILL: stauth cannot clean up; its folder stays.
    let mut killed = stauth_run(&[
        "sh",
        "-c",
        "echo \"$$ $STREAMLIT_SECRETS_FILES\"; exec sleep 60",
    ])
    .spawn()
    .unwrap();
    let mut line = String::new();
    BufReader::new(killed.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let mut words = line.split_whitespace();
    let command_pid: i32 = words.next().unwrap().parse().unwrap();
    let temp = PathBuf::from(words.next_back().unwrap());
    let stale = temp.parent().unwrap().to_path_buf();
    assert_eq!(stale.parent().unwrap(), runtime.path(), "{line}");
    let name = stale.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with(&format!("stauth-run-{}-", killed.id())),
        "the folder is named with stauth's process id: {name}"
    );
    assert!(temp.is_file());
    unsafe {
        libc::kill(killed.id() as i32, libc::SIGKILL);
        libc::kill(command_pid, libc::SIGKILL);
    }
    killed.wait().unwrap();
    assert!(
        temp.is_file(),
        "SIGKILL cannot be caught: the file is still there"
    );

    // What the next run must leave alone.
    let dead = dead_pid();
    let live = plant(
        runtime.path(),
        &format!("stauth-run-{}-aB3xYz", std::process::id()),
        &["secrets.toml"],
    );
    let foreign = plant(
        runtime.path(),
        &format!("stauth-run-{dead}-Qw3rTy"),
        &["secrets.toml", "notes.txt"],
    );
    let not_ours = plant(
        runtime.path(),
        &format!("other-{dead}-Zx9cVb"),
        &["secrets.toml"],
    );
    let plain_file = runtime.path().join(format!("stauth-run-{dead}-Fi1eXx"));
    std::fs::write(&plain_file, "x").unwrap();
    // A run whose process this one cannot see (another PID namespace) but
    // that still holds its folder's lock.
    let locked = plant(
        runtime.path(),
        &format!("stauth-run-{dead}-L0cked"),
        &["secrets.toml"],
    );
    let held = std::fs::File::open(&locked).unwrap();
    assert_eq!(
        unsafe {
            libc::flock(
                std::os::unix::io::AsRawFd::as_raw_fd(&held),
                libc::LOCK_EX | libc::LOCK_NB,
            )
        },
        0
    );

    let out = stauth_run(&["true"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stale.exists(), "the killed run's folder stayed");
    assert!(
        live.join("secrets.toml").exists(),
        "a live process's folder was removed"
    );
    assert!(
        foreign.join("notes.txt").exists(),
        "a folder holding other files was removed"
    );
    assert!(not_ours.exists() && plain_file.exists());
    assert!(
        locked.join("secrets.toml").exists(),
        "a folder whose lock is held was removed"
    );
    drop(held);
    // The new run cleaned up after itself too.
    let remaining: Vec<String> = std::fs::read_dir(runtime.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("stauth-run-"))
        .collect();
    assert_eq!(remaining.len(), 4, "{remaining:?}");
}
