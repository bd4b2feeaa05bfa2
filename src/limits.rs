//! Every size cap and deadline stauth applies to outside input, in one place
//! (the README's "Limits" section lists them). Past a cap, the read stops and
//! the command fails with a clear error instead of growing without bound.

use std::time::Duration;

/// A token or a Cookie header given on the command line, in a file or on stdin.
/// Real ID tokens with hundreds of groups stay well under 64 KiB.
pub const TOKEN_BYTES: u64 = 1024 * 1024;
/// A key file (`--key`, PEM or JWK) or a JWKS file (`--jwks FILE`).
pub const KEY_FILE_BYTES: u64 = 1024 * 1024;
/// A secret read from stdin (`--client-secret-stdin`, `--secret-stdin`, `secrets set`).
pub const STDIN_SECRET_BYTES: u64 = 64 * 1024;
/// A TOML file: `secrets.toml`, `config.toml`, `dev-users.toml`.
pub const TOML_FILE_BYTES: u64 = 1024 * 1024;
/// A Python source file that doctor scans.
pub(crate) const SOURCE_FILE_BYTES: u64 = 2 * 1024 * 1024;
/// Entries (files and folders) one of doctor's scans of the app folder
/// looks at; past it the scan stops with a note, so a huge tree cannot stall
/// doctor. Links are never followed and only regular files are read.
pub(crate) const WALK_ENTRIES: usize = 20_000;
/// A provider's HTTP response body (discovery, JWKS, token, userinfo).
pub const RESPONSE_BYTES: u64 = 1024 * 1024;
/// Per-request deadline for provider calls, body included.
pub const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a command waits for another stauth command that is changing the
/// same file (init's read-modify-write of secrets.toml) before giving up.
pub const FILE_LOCK_WAIT: Duration = Duration::from_secs(5);

/// The request line and headers of one request to test-login's callback
/// listener (a browser's callback request is well under 2 KiB).
pub(crate) const CALLBACK_HEAD_BYTES: u64 = 8 * 1024;
/// How long a connection to the callback listener may take to send its whole
/// request head; idle or slow connections are closed after it.
pub const CALLBACK_HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections the callback listener holds at once; past it, the oldest is closed.
pub(crate) const CALLBACK_CONNECTIONS: usize = 64;

/// What `stauth probe` reads of an app's answer body (enough for `ok`, an
/// error page's title, a redirect page).
pub const PROBE_BODY_BYTES: u64 = 16 * 1024;
/// The largest filler Cookie header `stauth probe` sends: past it a stack is
/// taken as unlimited (real logins stay well under it).
pub const PROBE_COOKIE_BYTES: usize = 64 * 1024;
/// Requests one `stauth probe` run sends at most (`--max-requests`).
pub const PROBE_REQUESTS: u64 = 40;
/// Per-request deadline of `stauth probe` (`--timeout`): a WebSocket
/// handshake that stalls waits this long.
pub const PROBE_TIMEOUT_SECS: u64 = 10;
/// The whole of one `stauth probe` run: past it no request is sent and the
/// report says which checks ended early.
pub const PROBE_TOTAL: Duration = Duration::from_secs(120);
/// The record of an app's last test-login that probe reads (a few hundred
/// bytes when stauth wrote it).
pub(crate) const LAST_LOGIN_BYTES: u64 = 64 * 1024;

/// A human-readable size for messages ("1 MiB", "64 KiB").
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}
