//! config.toml options that only some Streamlit releases have: elsewhere
//! Streamlit only logs "... is not a valid config option" and goes on without
//! them, which is easy to miss.

use super::{push, Area, Context, Diagnosis};
use crate::finding::Finding;
use crate::streamlit::release::{Release, Server};

pub fn check(ctx: &Context, out: &mut Vec<Diagnosis>) {
    let release = ctx.release();
    let server = &ctx.server;
    if let Some(file) = &server.trusted_user_headers {
        if !release.trusted_user_headers() {
            push(
                out,
                Area::Config,
                unknown_option(
                    release,
                    "server.trustedUserHeaders",
                    file,
                    "it arrived in 1.49.0, so st.user gets none of those headers",
                ),
            );
        }
    }
    // Only a config.toml makes Streamlit log the warning: an environment
    // variable for an option a release lacks is never read.
    if let Some(file) = server
        .use_starlette
        .as_deref()
        .filter(|s| *s != "STREAMLIT_SERVER_USE_STARLETTE")
    {
        // The option exists exactly where it can pick the opt-in server.
        if Release::new(release.version, true).server != Server::StarletteOptIn {
            push(
                out,
                Area::Config,
                unknown_option(
                    release,
                    "server.useStarlette",
                    file,
                    "only 1.53-1.56 have it (Starlette is the only server from 1.57)",
                ),
            );
        }
    }
}

fn unknown_option(release: &Release, option: &str, file: &str, why: &str) -> Finding {
    Finding::warning(
        "config.unknown_option",
        format!(
            "{option} in {file} is not an option of Streamlit {}",
            release.version
        ),
    )
    .why(format!(
        "Streamlit only logs \"\\\"{option}\\\" is not a valid config option\" and ignores it: {why}."
    ))
    .fix(format!("remove {option} from {file}, or use a Streamlit release that has it"))
}
