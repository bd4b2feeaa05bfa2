//! `stauth dev-provider`: stauth's own OpenID Connect provider on loopback,
//! for the app's own clients, until Ctrl-C; or, with `-- COMMAND`, for as
//! long as COMMAND runs, COMMAND getting an `[auth]` for it.

mod banner;
mod command;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::dev_provider::clients::{self, Client};
use crate::dev_provider::keys::{Algorithm, KeyRing};
use crate::dev_provider::server::{self, Options, Running};
use crate::dev_provider::users::{self, Users};

use crate::cli::{AlgArg, DevProviderArgs};
use crate::commands::common::{like_preset, with_release};
use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::fsutil;
use crate::output::{untrusted, Output};
use crate::secret_store::KeychainFallback;
use crate::streamlit::AppContext;

/// How long one wait for a request event lasts before signals are checked.
const POLL: Duration = Duration::from_millis(200);

pub fn run(args: &DevProviderArgs, out: &Output) -> Result<ExitCode> {
    if !args.app_dir.is_dir() {
        return Err(Error::InvalidValue {
            what: "--app-dir".into(),
            value: args.app_dir.display().to_string(),
            reason: "no such folder (point --app-dir to the folder you run `streamlit run` from)"
                .into(),
        });
    }
    let users_path = args
        .users
        .clone()
        .unwrap_or_else(|| users::default_path(&args.app_dir));
    if args.init_users {
        return init_users(&users_path, out);
    }
    check_bind(args)?;
    // This command stops the server (and COMMAND) itself on a signal.
    crate::interrupt::leave_signals_to_the_command();
    let like = args.like.as_deref().map(like_preset).transpose()?;
    let users = load_users(args, &users_path)?;
    if let Some(sub) = &args.auto_login {
        if users.find(sub).is_none() {
            return Err(Error::InvalidValue {
                what: "--auto-login".into(),
                value: sub.clone(),
                reason: format!("no such user (the users are: {})", subs(&users)),
            });
        }
    }

    let script = crate::streamlit::app::script_in_command(&args.command)
        .map(|s| std::path::absolute(&s).unwrap_or(s));
    let app = AppContext::load(&args.app_dir)?
        .with_script(script)
        .with_secrets_files(&args.secrets_files)
        .with_fallback(KeychainFallback::new(&args.app_dir));
    // Serving comes first: asking the app's Python which Streamlit it runs
    // takes longer than the provider needs to start. The release decides
    // which secrets files Streamlit reads, so the clients are read again
    // with it below. COMMAND's private [auth] is made from those files, so
    // with a COMMAND the release is asked first (Streamlit starts slower
    // than that anyway).
    let (mut app, asked_already) = if args.command.is_empty() {
        (app, false)
    } else {
        (with_release(app, &args.release, false, out)?.0, true)
    };
    // `streamlit run app.py --server.port N`: the app listens there, so
    // COMMAND's redirect_uri must name that port.
    if let Some(port) = crate::streamlit::app::port_in_command(&args.command) {
        app.server.port = port;
        app.server.port_source = "--server.port in the command".into();
    }
    let mut clients = clients::from_app(&app, args.port)?;
    let for_command = if args.command.is_empty() {
        None
    } else {
        let made = command::secrets(&app, args.port)?;
        clients.extend(made.clients.iter().cloned());
        Some(made)
    };

    let (keys, key_note) = keys(args)?;
    let key_line = banner::key_line(&keys, &key_note);
    let key_json = banner::key_json(&keys, &key_note);
    let mut options = Options::new(args.port, clients.clone(), users.clone(), keys);
    options.root_like = like;
    options.auto_login = args.auto_login.clone();
    options.token_ttl = Duration::from_secs(args.token_ttl);
    options.release = asked_already.then(|| *app.release());
    options.extra_addresses = args.bind.clone();
    let running = server::start(options)?;
    if !asked_already {
        app = with_release(app, &args.release, false, out)?.0;
        clients = clients::from_app(&app, running.port())?;
        running.update(clients.clone(), Some(*app.release()));
    }
    let facts = banner::Facts {
        clients: client_rows(&clients),
        users,
        like,
        key_line,
        key_json,
        remote: remote_addresses(args),
        for_command: for_command.is_some(),
        auto_login: args.auto_login.clone(),
    };

    banner::ready(out, &running, &facts);

    let code = match for_command {
        None => serve_until_signal(&running, out),
        Some(made) => command::run(&running, &args.command, &app, made, out),
    };
    running.stop();
    code
}

/// Until Ctrl-C, SIGTERM or SIGHUP: one line (or JSON object) per request.
fn serve_until_signal(running: &Running, out: &Output) -> Result<ExitCode> {
    let caught = Arc::new(AtomicI32::new(0));
    watch_signals(Arc::clone(&caught));
    loop {
        if let Some(event) = running.next_event(POLL) {
            banner::event(out, &event);
        }
        let signal = caught.load(Ordering::Relaxed);
        if signal != 0 {
            out.line(out.dim("Stopped; the keys stay on disk for the next start."));
            return Ok(ExitCode::Child(128 + signal));
        }
    }
}

#[cfg(unix)]
fn watch_signals(caught: Arc<AtomicI32>) {
    let signals = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP]
        .into_iter()
        .filter(|&sig| !crate::interrupt::is_ignored(sig));
    let Ok(mut signals) = signal_hook::iterator::Signals::new(signals) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            caught.store(sig, Ordering::Relaxed);
        }
    });
}

#[cfg(not(unix))]
fn watch_signals(caught: Arc<AtomicI32>) {
    let _ = ctrlc::set_handler(move || caught.store(2, Ordering::Relaxed));
}

/// `--bind`: loopback addresses always; any other only with `--allow-remote`.
fn check_bind(args: &DevProviderArgs) -> Result<()> {
    let remote = remote_addresses(args);
    if remote.is_empty() {
        return Ok(());
    }
    if !args.allow_remote {
        return Err(Error::Input {
            message: format!(
                "--bind {} is not a loopback address: anyone who can reach it could log in to your app as any user, with no password",
                remote.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
            ),
            hint: "Leave out --bind (the dev provider listens on 127.0.0.1 and ::1), or add --allow-remote if you really mean it (a container or VM on a network you trust).".into(),
        });
    }
    Ok(())
}

fn remote_addresses(args: &DevProviderArgs) -> Vec<std::net::IpAddr> {
    args.bind
        .iter()
        .filter(|a| !a.is_loopback())
        .copied()
        .collect()
}

/// `--users`, else `<app>/.streamlit/dev-users.toml` when it exists, else
/// the samples.
fn load_users(args: &DevProviderArgs, path: &Path) -> Result<Users> {
    if args.users.is_some() || path.exists() {
        return users::load(path);
    }
    Ok(users::samples())
}

fn subs(users: &Users) -> String {
    users
        .users
        .iter()
        .map(|u| untrusted(&u.sub).into_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `--init-users`: the sample users as a file to edit; an existing file is
/// never replaced.
fn init_users(path: &Path, out: &Output) -> Result<ExitCode> {
    // `--app-dir .` (the default) would show as ./.streamlit/...
    let shown_path = path.strip_prefix(".").unwrap_or(path);
    let shown = untrusted(&shown_path.display().to_string()).into_owned();
    if path.exists() || path.is_symlink() {
        return Err(Error::Input {
            message: format!("{shown} already exists; it was not changed"),
            hint: "Edit it, or move it away and run `stauth dev-provider --init-users` again."
                .into(),
        });
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| Error::WriteFile {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let text = users::samples_toml();
    // The users file holds no secrets and is meant to be committed.
    let options = fsutil::WriteOptions {
        new_mode: Some(0o644),
        replace_read_only: false,
    };
    fsutil::replace_file(path, text.as_bytes(), &options)?;
    let samples = users::samples();
    out.success(format!(
        "Wrote {shown}: {} sample users ({})",
        samples.users.len(),
        subs(&samples)
    ));
    out.detail("It holds no secrets: commit it, edit the claims, add users. `stauth dev-provider` reads it from now on.");
    if out.json_mode() {
        out.data(
            serde_json::json!({"ok": true, "users_file": path, "users": samples.users.iter().map(|u| &u.sub).collect::<Vec<_>>()})
                .to_string(),
        );
    }
    Ok(ExitCode::Success)
}

/// What happened to the keys: made now, rotated, or loaded.
pub enum KeyNote {
    Created,
    Rotated,
    Loaded,
}

fn keys(args: &DevProviderArgs) -> Result<(KeyRing, (PathBuf, KeyNote))> {
    let dir = match &args.keys_dir {
        Some(d) => d.clone(),
        None => KeyRing::default_dir()?,
    };
    let alg = algorithm(args.alg);
    if args.rotate_keys {
        let ring = KeyRing::rotate(&dir, alg, Duration::from_secs(args.keep_old_key))?;
        return Ok((ring, (dir, KeyNote::Rotated)));
    }
    let (ring, created) = KeyRing::load_or_create(&dir, alg)?;
    let note = if created {
        KeyNote::Created
    } else {
        KeyNote::Loaded
    };
    Ok((ring, (dir, note)))
}

fn algorithm(alg: AlgArg) -> Algorithm {
    match alg {
        AlgArg::Rs256 => Algorithm::Rs256,
        AlgArg::Es256 => Algorithm::Es256,
        AlgArg::Ps256 => Algorithm::Ps256,
        AlgArg::EdDsa => Algorithm::EdDsa,
    }
}

/// The clients the banner lists (never their secrets).
fn client_rows(clients: &[Client]) -> Vec<banner::ClientRow> {
    clients
        .iter()
        .map(|c| banner::ClientRow {
            section: c.section.clone(),
            client_id: c.client_id.clone(),
            redirect_uri: c.redirect_uri.clone(),
            like: c.like.map(|p| p.name),
        })
        .collect()
}
