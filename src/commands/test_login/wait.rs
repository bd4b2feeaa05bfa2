//! Waiting for the provider's redirect: on the loopback listener after
//! opening the browser, after `--login-as` delivered it, or pasted by the
//! user (`--manual`).

use std::io::{BufRead, IsTerminal};
use std::time::{Duration, Instant};

use url::Url;

use super::{browser, login_as};
use crate::cli::TestLoginArgs;
use crate::error::{Error, Result};
use crate::oidc::loopback::{self, Callback, Listener, WaitError};
use crate::output::{untrusted, Output};
use crate::streamlit::login_request::LoginRequest;

/// Stray requests warned about one by one; a flood of them (any local
/// process can send some) must not bury the rest of the output.
const SHOWN_STRAYS: usize = 10;

pub fn wait_in_browser(
    args: &TestLoginArgs,
    out: &Output,
    listener: &Listener,
    request: &LoginRequest,
) -> Result<(Callback, loopback::Pending)> {
    let mut opened = browser::open(
        &request.authorization_url,
        args.browser_command.as_deref(),
        args.no_browser,
    )?;
    match opened {
        browser::Opened::Printed => {
            out.line("Open this URL in a browser to log in:");
            out.line(format!("  {}", request.authorization_url));
        }
        _ => out.line(
            "Opened the login page in the browser. If it did not appear, open:\n  ".to_string()
                + &request.authorization_url,
        ),
    }
    let result = listen(
        out,
        listener,
        request,
        Duration::from_secs(args.timeout),
        "Waiting for the login in the browser",
    );
    result.map_err(|WaitError::TimedOut { strays }| {
        let mut hint = format!(
            "If the browser shows an error page from the provider, it usually names the problem: most often {} is not registered exactly as a redirect URI. Run again with a longer --timeout if you needed more time.",
            request.redirect_uri
        );
        if let Some(note) = opened.timeout_note() {
            hint = format!("{note}\n{hint}");
        }
        if strays > 0 {
            hint.push_str(&format!("\n{strays} request(s) reached the listener but were not this login's callback."));
        }
        Error::TimedOut {
            message: format!("no login came back within {} s", args.timeout),
            hint,
        }
    })
}

/// How long `--login-as` waits for its own delivery of the redirect.
const LOGIN_AS_WAIT_SECS: u64 = 30;

/// `--login-as`: the dev provider approves at once, and stauth delivers its
/// redirect to the listener itself.
pub fn wait_login_as(
    args: &TestLoginArgs,
    out: &Output,
    listener: &Listener,
    request: &LoginRequest,
    dev: &login_as::DevLogin,
) -> Result<(Callback, loopback::Pending)> {
    let location = dev.authorize(&request.authorization_url, &request.redirect_uri)?;
    out.line("The dev provider approved the login, with no browser");
    // Detached: it ends when the listener answers, or at its own timeout.
    let _delivery = login_as::deliver(location);
    let timeout = args.timeout.min(LOGIN_AS_WAIT_SECS);
    listen(
        out,
        listener,
        request,
        Duration::from_secs(timeout),
        "Waiting for the dev provider's redirect",
    )
    .map_err(|WaitError::TimedOut { .. }| Error::TimedOut {
        message: format!(
            "the dev provider's redirect did not reach the listener within {timeout} s"
        ),
        hint: "Something on this machine intercepted the loopback connection. Run the same command again, or log in in the browser (without --login-as).".into(),
    })
}

/// Waits for the callback on `listener`, showing the time left on a
/// terminal and warning about stray requests.
fn listen(
    out: &Output,
    listener: &Listener,
    request: &LoginRequest,
    timeout: Duration,
    waiting_for: &str,
) -> std::result::Result<(Callback, loopback::Pending), WaitError> {
    let listening: Vec<String> = listener.addresses.iter().map(|a| a.to_string()).collect();
    out.detail(format!(
        "Listening on {} (loopback only)",
        listening.join(" and ")
    ));
    let tty = out.stderr_is_terminal();
    if !tty {
        out.line(format!(
            "Waiting up to {} s for the login...",
            timeout.as_secs()
        ));
    }
    let deadline = Instant::now() + timeout;
    let mut shown_strays = 0usize;
    let result = listener.wait(
        &request.state,
        deadline,
        |left| {
            if tty {
                let s = left.as_secs();
                out.progress(format!(
                    "{waiting_for}: {}:{:02} left (Ctrl-C to stop)",
                    s / 60,
                    s % 60
                ));
            }
        },
        |stray| {
            shown_strays += 1;
            if shown_strays > SHOWN_STRAYS {
                return;
            }
            if tty {
                out.end_progress();
            }
            out.warning(format!(
                "ignored {} (answered {}; still waiting)",
                stray.explain(),
                stray.status()
            ));
            if shown_strays == SHOWN_STRAYS {
                out.detail(
                    "Further requests that are not the callback are answered but not shown.",
                );
            }
        },
    );
    if tty {
        out.end_progress();
    }
    result
}

/// `--manual`: the user pastes the URL the browser ended on.
pub fn wait_for_paste(out: &Output, request: &LoginRequest, redirect: &Url) -> Result<Callback> {
    out.line("Open this URL in a browser and log in:");
    out.line(format!("  {}", request.authorization_url));
    out.line(format!(
        "The browser then goes to {} (it may show an error page: that is fine).",
        request.redirect_uri
    ));
    out.line("Paste the whole URL from the address bar here and press Enter:");
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        crate::interrupt::restore_terminal_on_interrupt();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::Prompt(e.to_string()))?;
    let pasted = line.trim();
    let url = Url::parse(pasted).map_err(|_| Error::InvalidValue {
        what: "pasted URL".into(),
        value: untrusted(pasted).into_owned(),
        reason: "paste the complete URL, starting with http:// or https://".into(),
    })?;
    let path_and_query = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    loopback::classify(&path_and_query, redirect.path(), &request.state).map_err(|stray| {
        Error::InvalidValue {
            what: "pasted URL".into(),
            value: format!("{}{}", url.origin().ascii_serialization(), url.path()),
            reason: format!("it is {}", stray.explain()),
        }
    })
}
