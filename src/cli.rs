//! The command-line model: every command, flag and environment variable.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::ColorMode;

#[derive(Debug, Parser)]
#[command(
    name = "stauth",
    version,
    about = "Set up, test and inspect Streamlit's native login (st.login, st.user) for any OpenID Connect provider",
    long_about = None,
    propagate_version = true,
    after_help = "Exit codes: 0 success, 1 a check or verification failed, 2 usage or configuration error, 3 provider or network error, 4 timed out, 130 interrupted (Ctrl-C)."
)]
pub struct Cli {
    /// When to colour human output (it goes to stderr)
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto, env = "STAUTH_COLOR")]
    pub color: ColorArg,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Whether the command prints JSON on stdout (`--json`), so a failure
    /// is reported there too.
    pub fn wants_json(&self) -> bool {
        match &self.command {
            Command::Init(a) => a.json,
            Command::TestLogin(a) => a.json,
            Command::Decode(a) => a.json,
            Command::Doctor(a) => a.json,
            Command::Providers(a) => a.json,
            Command::Snippet(a) => a.json,
            Command::Secrets(a) => a.json(),
            Command::DevProvider(a) => a.json,
            Command::Probe(a) => a.json,
            Command::Completions(_) | Command::Run(_) => false,
        }
    }

    /// Whether the command writes files the user keeps (secrets.toml, the
    /// keychain, `snippet --out`), so an error can say nothing was written.
    pub fn writes_files(&self) -> bool {
        match &self.command {
            Command::Init(_) => true,
            Command::Snippet(a) => a.out.is_some(),
            Command::Secrets(a) => matches!(a.action, SecretsAction::Set(_) | SecretsAction::Rm(_)),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

impl From<ColorArg> for ColorMode {
    fn from(c: ColorArg) -> Self {
        match c {
            ColorArg::Auto => ColorMode::Auto,
            ColorArg::Always => ColorMode::Always,
            ColorArg::Never => ColorMode::Never,
        }
    }
}

// Deferred: only the command being run gets its arguments built, which is
// most of a short command's start-up (`stauth decode` is benchmarked).
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Write a correct [auth] block to .streamlit/secrets.toml for a provider
    Init(Box<InitArgs>),
    /// Log in for real, exactly as Streamlit would, and report what st.user will hold
    TestLogin(Box<TestLoginArgs>),
    /// Read an ID token or Streamlit's login cookies; verify them when asked
    Decode(Box<DecodeArgs>),
    /// Find every known st.login misconfiguration: files, Python environment, providers
    Doctor(DoctorArgs),
    /// List provider presets, or show one preset's console steps and quirks
    Providers(ProvidersArgs),
    /// Write app code for a login pattern, rendered for the providers in secrets.toml
    Snippet(SnippetArgs),
    /// Print a shell completion script, or the manual page
    Completions(CompletionsArgs),
    /// Run a command (e.g. streamlit run app.py) with the app's secrets from the OS keychain
    Run(RunArgs),
    /// The app's secrets in the OS keychain: list, get, set, rm, export
    Secrets(SecretsArgs),
    /// A built-in OpenID Connect provider on loopback, for logins with no account, offline and in CI
    DevProvider(Box<DevProviderArgs>),
    /// Check the deployed app from outside: its URL, redirect_uri, the proxy's login routes, the largest Cookie header it lets through, replicas
    Probe(Box<ProbeArgs>),
}

#[derive(Debug, Args)]
#[command(after_help = "\
The client secret is never taken from a plain flag (it would show in the process list):
pipe it with --client-secret-stdin, set STAUTH_CLIENT_SECRET, or type it at the hidden prompt.

Examples:
  stauth init --provider dev
  stauth init --provider google --client-id ID --client-secret-stdin < secret.txt
  stauth init --provider microsoft --tenant contoso.onmicrosoft.com --name microsoft
  stauth init --issuer https://sso.example.com/realms/main --client-id app")]
pub struct InitArgs {
    /// Provider preset (see `stauth providers`), or `dev` for stauth's own dev provider (`stauth dev-provider`)
    #[arg(long, env = "STAUTH_PROVIDER", value_name = "PRESET")]
    pub provider: Option<String>,

    /// Full discovery URL, for any provider (overrides the preset's)
    #[arg(long, env = "STAUTH_METADATA_URL", value_name = "URL")]
    pub metadata_url: Option<String>,

    /// OAuth client ID from the provider's console
    #[arg(long, env = "STAUTH_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,

    /// Read the client secret from standard input (or set STAUTH_CLIENT_SECRET)
    #[arg(long)]
    pub client_secret_stdin: bool,

    /// Write a named provider [auth.NAME], used as st.login("NAME")
    #[arg(long, env = "STAUTH_NAME", value_name = "NAME")]
    pub name: Option<String>,

    /// The app's callback URL [default: from .streamlit/config.toml, e.g. http://localhost:8501/oauth2callback]
    #[arg(long, env = "STAUTH_REDIRECT_URI", value_name = "URL")]
    pub redirect_uri: Option<String>,

    /// The Streamlit app's folder
    #[arg(long, env = "STAUTH_APP_DIR", value_name = "DIR", default_value = ".")]
    pub app_dir: PathBuf,

    /// The secrets file to write [default: <app-dir>/.streamlit/secrets.toml]
    #[arg(long, env = "STAUTH_SECRETS_FILE", value_name = "PATH")]
    pub secrets_file: Option<PathBuf>,

    /// Scopes to request [Streamlit's default: "openid email profile"]
    #[arg(long, value_name = "SCOPES")]
    pub scope: Option<String>,

    /// prompt parameter to send [Streamlit's default: select_account]
    #[arg(long, value_name = "PROMPT")]
    pub prompt: Option<String>,

    /// Expose tokens to the app as st.user.tokens (Streamlit 1.53+)
    #[arg(long, value_name = "id,access", value_delimiter = ',')]
    pub expose_tokens: Option<Vec<String>>,

    /// Show what would change, write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Do not ask for confirmation before writing
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Allow replacing an existing client ID, client secret or provider
    #[arg(long)]
    pub force: bool,

    /// Do not fetch the provider's discovery document
    #[arg(long)]
    pub offline: bool,

    /// With --provider dev: shape the dev provider's tokens like this preset (issuer http://localhost:PORT/like/PRESET)
    #[arg(long, value_name = "PRESET")]
    pub like: Option<String>,

    /// With --provider dev: the dev provider's port [default: 9400]
    #[arg(long, env = "STAUTH_DEV_PORT", value_name = "PORT")]
    pub dev_port: Option<u16>,

    /// Replace cookie_secret with a new one (logs every user out)
    #[arg(long)]
    pub rotate_cookie_secret: bool,

    /// Where to keep client_secret and cookie_secret: the OS keychain (start the app with `stauth run`) or the secrets file [default: where the app keeps them now; file for a new app without a terminal]
    #[arg(long, env = "STAUTH_STORE", value_enum, value_name = "STORE")]
    pub store: Option<StoreArg>,

    /// Do not add the secrets file to .gitignore
    #[arg(long)]
    pub no_gitignore: bool,

    /// Print a JSON report on stdout
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub inputs: PresetInputs,

    #[command(flatten)]
    pub release: ReleaseArgs,
}

// Which Streamlit release the app runs, for every command whose advice
// depends on it. A plain comment: a doc comment would become a command's
// about once commands defer.
#[derive(Debug, Args, Default, Clone)]
pub struct ReleaseArgs {
    /// The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app's Python, else the newest stauth knows]
    #[arg(long, value_name = "X.Y[.Z]")]
    pub streamlit_version: Option<String>,

    /// The app's Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
}

// The values presets need to build their discovery URL (`stauth providers
// NAME` says which). Flag names equal the catalog's input ids. A plain
// comment: a doc comment would become `init`'s about once commands defer.
#[derive(Debug, Args, Default, Clone)]
#[command(next_help_heading = "Preset inputs (see `stauth providers NAME`)")]
pub struct PresetInputs {
    /// Issuer URL (generic OpenID Connect provider, Dex)
    #[arg(long, env = "STAUTH_ISSUER", value_name = "URL")]
    pub issuer: Option<String>,
    /// Microsoft tenant ID or verified domain (or `consumers`)
    #[arg(long, value_name = "TENANT")]
    pub tenant: Option<String>,
    /// Tenant GUID (Entra External ID)
    #[arg(long, value_name = "GUID")]
    pub tenant_id: Option<String>,
    /// Azure AD B2C user flow, e.g. B2C_1_susi
    #[arg(long, value_name = "POLICY")]
    pub policy: Option<String>,
    /// Subdomain (Entra External ID, Kinde, OneLogin)
    #[arg(long, value_name = "SUBDOMAIN")]
    pub subdomain: Option<String>,
    /// Domain (Auth0, Okta, Clerk)
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Option<String>,
    /// Okta custom authorization server ID
    #[arg(long, value_name = "ID")]
    pub auth_server: Option<String>,
    /// Region (Cognito, PingOne)
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Cognito user pool ID
    #[arg(long, value_name = "ID")]
    pub user_pool_id: Option<String>,
    /// Host name (Keycloak, Authentik, GitLab, Logto, Salesforce, Casdoor...)
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// Keycloak realm
    #[arg(long, value_name = "REALM")]
    pub realm: Option<String>,
    /// Authentik application slug
    #[arg(long, value_name = "SLUG")]
    pub slug: Option<String>,
    /// PingOne environment ID
    #[arg(long, value_name = "ID")]
    pub environment_id: Option<String>,
    /// Descope project ID
    #[arg(long, value_name = "ID")]
    pub project_id: Option<String>,
}

impl PresetInputs {
    /// The value for a catalog input id (`tenant-id` → `--tenant-id`).
    pub fn get(&self, id: &str) -> Option<&str> {
        let v = match id {
            "issuer" => &self.issuer,
            "tenant" => &self.tenant,
            "tenant-id" => &self.tenant_id,
            "policy" => &self.policy,
            "subdomain" => &self.subdomain,
            "domain" => &self.domain,
            "auth-server" => &self.auth_server,
            "region" => &self.region,
            "user-pool-id" => &self.user_pool_id,
            "host" => &self.host,
            "realm" => &self.realm,
            "slug" => &self.slug,
            "environment-id" => &self.environment_id,
            "project-id" => &self.project_id,
            _ => return None,
        };
        v.as_deref()
    }
}

/// Every input id `PresetInputs::get` knows.
pub const ALL_INPUT_IDS: &[&str] = &[
    "issuer",
    "tenant",
    "tenant-id",
    "policy",
    "subdomain",
    "domain",
    "auth-server",
    "region",
    "user-pool-id",
    "host",
    "realm",
    "slug",
    "environment-id",
    "project-id",
];

#[derive(Debug, Args)]
#[command(after_help = "\
stauth listens on the redirect URI's loopback port, so stop the Streamlit app while testing
(or test with another registered local redirect URI via --redirect-uri).

Examples:
  stauth test-login
  stauth test-login --provider okta --no-browser
  stauth test-login --redirect-uri http://localhost:8502/oauth2callback --json")]
pub struct TestLoginArgs {
    /// A named provider [auth.NAME] (default: the default provider in [auth])
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,

    /// The Streamlit app's folder
    #[arg(long, env = "STAUTH_APP_DIR", value_name = "DIR", default_value = ".")]
    pub app_dir: PathBuf,

    /// Secrets files in the order Streamlit reads them (repeatable) [default: ~/.streamlit/secrets.toml, <app-dir>/.streamlit/secrets.toml]
    #[arg(long = "secrets-file", value_name = "PATH")]
    pub secrets_files: Vec<PathBuf>,

    /// Use this registered redirect URI instead of the one in secrets.toml
    #[arg(long, value_name = "URL")]
    pub redirect_uri: Option<String>,

    /// Paste the URL from the browser's address bar instead of listening (for a deployed app's redirect URI)
    #[arg(long)]
    pub manual: bool,

    /// Print the login URL instead of opening a browser
    #[arg(long)]
    pub no_browser: bool,

    /// Open the login URL with this command (the URL is added as its last argument)
    #[arg(long, value_name = "CMD", env = "STAUTH_BROWSER_COMMAND")]
    pub browser_command: Option<String>,

    /// Seconds to wait for the login
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub timeout: u64,

    /// Log in as this user of the dev provider with no browser (the provider must be stauth's dev provider; started for the login when it is not running)
    #[arg(long, value_name = "SUB", conflicts_with_all = ["manual", "browser_command"])]
    pub login_as: Option<String>,

    #[command(flatten)]
    pub release: ReleaseArgs,

    /// Print the raw ID and access tokens
    #[arg(long)]
    pub show_tokens: bool,

    /// Print a JSON report on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Without a key option the signature is NOT verified (the output says so).

Examples:
  stauth decode eyJhbGciOi...
  pbpaste | stauth decode
  stauth decode TOKEN --provider            # verify with the app's default provider
  stauth decode TOKEN --issuer https://accounts.google.com --audience CLIENT_ID
  stauth decode --cookie-header \"$(pbpaste)\"  # Streamlit's cookies, with the app's cookie_secret")]
pub struct DecodeArgs {
    /// The token, or - to read it from stdin (default when stdin is piped)
    pub token: Option<String>,

    /// Read the token from a file
    #[arg(long, value_name = "PATH", conflicts_with = "token")]
    pub file: Option<PathBuf>,

    /// Verify the signature and claims (implied by any key option)
    #[arg(long)]
    pub verify: bool,

    /// Verify with keys from a JWKS URL or file
    #[arg(long, value_name = "URL|FILE")]
    pub jwks: Option<String>,

    /// Verify with the keys of this issuer (from its discovery document) and expect it as iss
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,

    /// Expect this audience (client ID)
    #[arg(long, value_name = "AUD")]
    pub audience: Option<String>,

    /// Verify against a provider in the app's secrets file (NAME, or the default provider)
    #[arg(long, value_name = "NAME", num_args = 0..=1, default_missing_value = "default")]
    pub provider: Option<String>,

    /// The Streamlit app's folder (for --provider and cookies)
    #[arg(long, env = "STAUTH_APP_DIR", value_name = "DIR", default_value = ".")]
    pub app_dir: PathBuf,

    /// Secrets files in the order Streamlit reads them (repeatable)
    #[arg(long = "secrets-file", value_name = "PATH")]
    pub secrets_files: Vec<PathBuf>,

    /// Read the HMAC secret (HS* tokens) or the cookie secret from stdin
    #[arg(long)]
    pub secret_stdin: bool,

    /// Verify with a public key: a PEM file or a JWK (JSON) file
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,

    /// Seconds of clock leeway for exp, nbf and iat
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub leeway: u64,

    /// A _streamlit_user cookie value (or - for stdin)
    #[arg(long, value_name = "VALUE", conflicts_with_all = ["token", "file"])]
    pub cookie: Option<String>,

    /// A whole Cookie header as copied from the browser (or - for stdin)
    #[arg(long, value_name = "HEADER", conflicts_with_all = ["token", "file", "cookie"])]
    pub cookie_header: Option<String>,

    #[command(flatten)]
    pub release: ReleaseArgs,

    /// Print JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The Streamlit app's folder (where you run `streamlit run`)
    #[arg(long, env = "STAUTH_APP_DIR", value_name = "DIR", default_value = ".")]
    pub app_dir: PathBuf,

    /// The app's script (Streamlit 1.46+ also reads secrets next to it)
    #[arg(long, value_name = "app.py")]
    pub script: Option<PathBuf>,

    /// Skip the provider checks (no network)
    #[arg(long)]
    pub offline: bool,

    #[command(flatten)]
    pub release: ReleaseArgs,

    /// Print every check (passed ones too) as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ProvidersArgs {
    /// A preset (or a refused provider) to show in detail
    pub name: Option<String>,

    /// Print JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Provider names come from the secrets file: the default provider in [auth] (st.login()) and each
[auth.NAME] (st.login(\"NAME\")). --provider NAME (repeatable; `default` is [auth]) overrides them.

Examples:
  stauth snippet --list
  stauth snippet login > streamlit_app.py
  stauth snippet roles --provider okta --out auth_guard.py
  stauth snippet providers --provider default --provider microsoft")]
pub struct SnippetArgs {
    /// What to write (see --list)
    #[arg(value_enum, value_name = "KIND", required_unless_present = "list")]
    pub kind: Option<SnippetKind>,

    /// List the kinds with a one-line description
    #[arg(long, conflicts_with = "kind")]
    pub list: bool,

    /// Write for this provider: a name from [auth.NAME], or `default` for [auth] (repeatable)
    #[arg(long = "provider", value_name = "NAME")]
    pub providers: Vec<String>,

    /// The Streamlit app's folder
    #[arg(long, env = "STAUTH_APP_DIR", value_name = "DIR", default_value = ".")]
    pub app_dir: PathBuf,

    /// The secrets file that names the providers [default: <app-dir>/.streamlit/secrets.toml]
    #[arg(long, env = "STAUTH_SECRETS_FILE", value_name = "PATH")]
    pub secrets_file: Option<PathBuf>,

    /// Write the code to this file instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Replace the --out file if it exists
    #[arg(long, requires = "out")]
    pub force: bool,

    /// With --list: print JSON on stdout
    #[arg(long, conflicts_with = "kind")]
    pub json: bool,

    #[command(flatten)]
    pub release: ReleaseArgs,
}

/// The app code `stauth snippet` writes. The doc comments are the
/// descriptions `--help` and `--list` show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SnippetKind {
    /// Gate the app: a login button, then a greeting and a logout button
    Login,
    /// A login page with one button per configured provider
    Providers,
    /// require(roles=, groups=, email_domains=): a guard with a "not allowed" page
    Roles,
    /// A multipage app (st.navigation) that lists pages by login state and role
    Pages,
    /// A sidebar profile with the user's picture, or initials when there is none
    Avatar,
    /// Identity from a reverse proxy's headers (oauth2-proxy, Google IAP)
    Headers,
    /// Call an API with the user's access token (expose_tokens)
    Tokens,
    /// Read the browser's cookies with st.context.cookies
    Cookies,
    /// A logout button, and what logging out does at the provider
    Logout,
    /// st.App(secrets=...) with the secrets from STAUTH_SECRETS_TOML (1.57+)
    AppSecrets,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for, or man for the manual page (roff)
    #[arg(value_enum)]
    pub shell: CompletionsTarget,
}

/// A shell, or `man`: the manual page committed as completions/stauth.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionsTarget {
    Bash,
    Elvish,
    Fish,
    Powershell,
    Zsh,
    Man,
}

/// Where `stauth init` keeps client_secret and cookie_secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreArg {
    // keychain: the OS keychain (Secret Service, macOS Keychain, Windows
    // Credential Manager), the app then starts with `stauth run`; file: the
    // secrets file (mode 0600), where Streamlit reads them by itself.
    Keychain,
    File,
}

#[derive(Debug, Args)]
#[command(after_help = "\
COMMAND gets STREAMLIT_SECRETS_FILES listing the app's secrets files and, last, a file
(mode 0600, in a private temporary folder) holding the complete [auth] with the secrets from
the OS keychain. The file is removed when COMMAND exits or stauth is interrupted; Ctrl-C and
SIGTERM are passed on to COMMAND, and stauth exits with COMMAND's exit code.

Examples:
  stauth run -- streamlit run app.py
  stauth run --app-dir apps/dashboard -- streamlit run apps/dashboard/app.py --server.port 8502")]
pub struct RunArgs {
    /// The Streamlit app's folder (whose secrets to pass)
    #[arg(long, env = "STAUTH_APP_DIR", value_name = "DIR", default_value = ".")]
    pub app_dir: PathBuf,

    #[command(flatten)]
    pub release: ReleaseArgs,

    /// The command to run, after `--`
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND",
        value_parser = clap::value_parser!(std::ffi::OsString)
    )]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
#[command(after_help = "\
NAME is the secret's place in secrets.toml: auth.cookie_secret, auth.client_secret (the default
provider) or auth.NAME.client_secret. Entries are kept per app folder under the service \"stauth\".

Examples:
  stauth secrets list
  stauth secrets set auth.client_secret < secret.txt
  stauth secrets get auth.okta.client_secret --reveal
  stauth secrets export --reveal | pbcopy     # for a hosting platform's secrets page
  stauth secrets export --reveal --format kubernetes | kubectl apply -f -")]
pub struct SecretsArgs {
    #[command(subcommand)]
    pub action: SecretsAction,
}

impl SecretsArgs {
    /// Whether the subcommand prints JSON.
    pub fn json(&self) -> bool {
        matches!(&self.action, SecretsAction::List(a) if a.json)
    }
}

#[derive(Debug, Subcommand)]
pub enum SecretsAction {
    /// List the app's secrets in the keychain (names only, never values)
    List(SecretsListArgs),
    /// Say whether a secret is in the keychain; print its value with --reveal
    Get(SecretsGetArgs),
    /// Store a secret in the keychain (the value from stdin, or a hidden prompt)
    Set(SecretsNameArgs),
    /// Remove a secret from the keychain
    Rm(SecretsNameArgs),
    /// Print a complete secrets.toml (files and keychain) for a hosting platform's secrets page
    Export(SecretsExportArgs),
}

#[derive(Debug, Args)]
pub struct SecretsListArgs {
    /// The Streamlit app's folder
    #[arg(long, env = "STAUTH_APP_DIR", value_name = "DIR", default_value = ".")]
    pub app_dir: PathBuf,

    /// List the secrets of every app, not only this one
    #[arg(long)]
    pub all: bool,

    /// Print JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SecretsGetArgs {
    /// auth.cookie_secret, auth.client_secret or auth.NAME.client_secret
    pub name: String,

    /// The Streamlit app's folder
    #[arg(long, env = "STAUTH_APP_DIR", value_name = "DIR", default_value = ".")]
    pub app_dir: PathBuf,

    /// Print the value on stdout
    #[arg(long)]
    pub reveal: bool,
}

#[derive(Debug, Args)]
pub struct SecretsNameArgs {
    /// auth.cookie_secret, auth.client_secret or auth.NAME.client_secret
    pub name: String,

    /// The Streamlit app's folder
    #[arg(long, env = "STAUTH_APP_DIR", value_name = "DIR", default_value = ".")]
    pub app_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct SecretsExportArgs {
    /// The Streamlit app's folder
    #[arg(long, env = "STAUTH_APP_DIR", value_name = "DIR", default_value = ".")]
    pub app_dir: PathBuf,

    /// Print the secrets in plain text (required by every format that holds them: all but compose)
    #[arg(long)]
    pub reveal: bool,

    /// toml: secrets.toml itself; kubernetes: a Secret manifest and its mount; compose: a Compose secrets fragment; env: a variable for st.App(secrets=...)
    #[arg(long, value_enum, default_value = "toml", value_name = "FORMAT")]
    pub format: ExportFormat,

    /// The Kubernetes Secret's or Compose secret's name, made a DNS-1123 name [default: <app folder>-streamlit-secrets]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Where the app's container reads secrets.toml (kubernetes and compose)
    #[arg(
        long,
        value_name = "PATH",
        default_value = "/app/.streamlit/secrets.toml"
    )]
    pub mount_path: String,
}

/// What `stauth secrets export` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Toml,
    Kubernetes,
    Compose,
    Env,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_model_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_catalog_input_has_a_flag() {
        for preset in crate::catalog::PRESETS {
            for input in preset.inputs {
                assert!(
                    ALL_INPUT_IDS.contains(&input.id),
                    "preset {} input {} has no flag",
                    preset.name,
                    input.id
                );
            }
        }
    }
}

#[derive(Debug, Args)]
#[command(after_help = "\
Its clients are the app's own: every [auth] or [auth.NAME] whose server_metadata_url points at
http://localhost:PORT (write one with `stauth init --provider dev`). Users come from
<app-dir>/.streamlit/dev-users.toml, else four sample users (alice, bob, carol, dave).

Examples:
  stauth dev-provider
  stauth dev-provider --like microsoft --auto-login alice
  stauth dev-provider -- streamlit run app.py
  stauth dev-provider --init-users")]
pub struct DevProviderArgs {
    /// The Streamlit app's folder (its secrets name the clients)
    #[arg(long, env = "STAUTH_APP_DIR", value_name = "DIR", default_value = ".")]
    pub app_dir: PathBuf,

    /// Secrets files in the order Streamlit reads them (repeatable) [default: ~/.streamlit/secrets.toml, <app-dir>/.streamlit/secrets.toml]
    #[arg(long = "secrets-file", value_name = "PATH")]
    pub secrets_files: Vec<PathBuf>,

    /// Port to listen on (loopback only); the issuer is http://localhost:PORT
    #[arg(
        long,
        env = "STAUTH_DEV_PORT",
        value_name = "PORT",
        default_value_t = 9400
    )]
    pub port: u16,

    /// Users file [default: <app-dir>/.streamlit/dev-users.toml, else the sample users]
    #[arg(long, value_name = "FILE")]
    pub users: Option<PathBuf>,

    /// Write the sample users to the users file (not overwriting one) and exit
    #[arg(long)]
    pub init_users: bool,

    /// Shape tokens like this catalog provider (see `stauth providers`) at the root issuer
    #[arg(long, value_name = "PRESET")]
    pub like: Option<String>,

    /// Approve every authorization as this user, without a login page (for CI)
    #[arg(long, value_name = "SUB")]
    pub auto_login: Option<String>,

    /// ID token signing algorithm for new keys
    #[arg(long, value_enum, value_name = "ALG", default_value = "rs256")]
    pub alg: AlgArg,

    /// Make a new signing key; the old one stays published (for refetch on an unknown kid) for --keep-old-key
    #[arg(long)]
    pub rotate_keys: bool,

    /// Seconds a rotated-out key stays in the JWKS
    #[arg(long, value_name = "SECS", default_value_t = 86400)]
    pub keep_old_key: u64,

    /// Folder of the signing keys [default: $XDG_DATA_HOME/stauth/dev-provider, else ~/.local/share/stauth/dev-provider]
    #[arg(long, env = "STAUTH_DEV_KEYS_DIR", value_name = "DIR")]
    pub keys_dir: Option<PathBuf>,

    /// Lifetime of ID and access tokens, in seconds
    #[arg(long, value_name = "SECS", default_value_t = 3600)]
    pub token_ttl: u64,

    /// Also listen on this non-loopback address (repeatable; needs --allow-remote)
    #[arg(long, value_name = "ADDR")]
    pub bind: Vec<std::net::IpAddr>,

    /// Allow --bind to a non-loopback address (anyone who reaches it can log in as any user)
    #[arg(long)]
    pub allow_remote: bool,

    /// Print one JSON object per request on stdout
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub release: ReleaseArgs,

    /// Run this command (e.g. streamlit run app.py) with an [auth] for the dev provider, then stop
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum AlgArg {
    #[value(name = "rs256", alias = "RS256")]
    Rs256,
    #[value(name = "es256", alias = "ES256")]
    Es256,
    #[value(name = "ps256", alias = "PS256")]
    Ps256,
    #[value(name = "eddsa", alias = "EdDSA")]
    EdDsa,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Every request carries a filler cookie (stauth_probe=aaa...), never a real cookie, token or secret;
at most --max-requests requests are sent, each with the --timeout deadline. Without --report,
--claims or --groups, the login to compare with is the app's last `stauth test-login`.

Examples:
  stauth probe https://app.example.com/
  stauth probe https://example.com/tools/ --groups 300
  stauth test-login --json > login.json && stauth probe https://app.example.com/ --report login.json")]
pub struct ProbeArgs {
    /// The URL the app is served at, with its base path (e.g. https://app.example.com/tools/)
    #[arg(value_name = "URL")]
    pub url: String,

    /// The Streamlit app's folder (its secrets hold redirect_uri)
    #[arg(long, env = "STAUTH_APP_DIR", value_name = "DIR", default_value = ".")]
    pub app_dir: PathBuf,

    /// Secrets files in the order Streamlit reads them (repeatable), e.g. the deployed app's [default: ~/.streamlit/secrets.toml, <app-dir>/.streamlit/secrets.toml]
    #[arg(long = "secrets-file", value_name = "PATH")]
    pub secrets_files: Vec<PathBuf>,

    /// Compare with the login in this `stauth test-login --json` report
    #[arg(long, value_name = "FILE", conflicts_with_all = ["claims", "groups"])]
    pub report: Option<PathBuf>,

    /// Compare with a login whose ID token holds these claims (a JSON object, or `stauth decode --json` output)
    #[arg(long, value_name = "FILE", conflicts_with = "groups")]
    pub claims: Option<PathBuf>,

    /// Compare with a login of a user in N groups (group IDs in the ID token, as Entra ID sends them)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(0..=5000))]
    pub groups: Option<u16>,

    /// Seconds each request may take (a stalled WebSocket handshake waits this long)
    #[arg(long, value_name = "SECS", default_value_t = crate::limits::PROBE_TIMEOUT_SECS, value_parser = clap::value_parser!(u64).range(1..=120))]
    pub timeout: u64,

    /// Requests the probe may send in all
    #[arg(long, value_name = "N", default_value_t = crate::limits::PROBE_REQUESTS, value_parser = clap::value_parser!(u64).range(5..=200))]
    pub max_requests: u64,

    #[command(flatten)]
    pub release: ReleaseArgs,

    /// Print a JSON report on stdout
    #[arg(long)]
    pub json: bool,
}
