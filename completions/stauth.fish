# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_stauth_global_optspecs
    string join \n color= h/help V/version
end

function __fish_stauth_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_stauth_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_stauth_using_subcommand
    set -l cmd (__fish_stauth_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c stauth -n "__fish_stauth_needs_command" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_needs_command" -s h -l help -d 'Print help'
complete -c stauth -n "__fish_stauth_needs_command" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_needs_command" -f -a "init" -d 'Write a correct [auth] block to .streamlit/secrets.toml for a provider'
complete -c stauth -n "__fish_stauth_needs_command" -f -a "test-login" -d 'Log in for real, exactly as Streamlit would, and report what st.user will hold'
complete -c stauth -n "__fish_stauth_needs_command" -f -a "decode" -d 'Read an ID token or Streamlit\'s login cookies; verify them when asked'
complete -c stauth -n "__fish_stauth_needs_command" -f -a "doctor" -d 'Find every known st.login misconfiguration: files, Python environment, providers'
complete -c stauth -n "__fish_stauth_needs_command" -f -a "providers" -d 'List provider presets, or show one preset\'s console steps and quirks'
complete -c stauth -n "__fish_stauth_needs_command" -f -a "snippet" -d 'Write app code for a login pattern, rendered for the providers in secrets.toml'
complete -c stauth -n "__fish_stauth_needs_command" -f -a "completions" -d 'Print a shell completion script, or the manual page'
complete -c stauth -n "__fish_stauth_needs_command" -f -a "run" -d 'Run a command (e.g. streamlit run app.py) with the app\'s secrets from the OS keychain'
complete -c stauth -n "__fish_stauth_needs_command" -f -a "secrets" -d 'The app\'s secrets in the OS keychain: list, get, set, rm, export'
complete -c stauth -n "__fish_stauth_needs_command" -f -a "dev-provider" -d 'A built-in OpenID Connect provider on loopback, for logins with no account, offline and in CI'
complete -c stauth -n "__fish_stauth_needs_command" -f -a "probe" -d 'Check the deployed app from outside: its URL, redirect_uri, the proxy\'s login routes, the largest Cookie header it lets through, replicas'
complete -c stauth -n "__fish_stauth_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stauth -n "__fish_stauth_using_subcommand init" -l provider -d 'Provider preset (see `stauth providers`), or `dev` for stauth\'s own dev provider (`stauth dev-provider`)' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l metadata-url -d 'Full discovery URL, for any provider (overrides the preset\'s)' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l client-id -d 'OAuth client ID from the provider\'s console' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l name -d 'Write a named provider [auth.NAME], used as st.login("NAME")' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l redirect-uri -d 'The app\'s callback URL [default: from .streamlit/config.toml, e.g. http://localhost:8501/oauth2callback]' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l app-dir -d 'The Streamlit app\'s folder' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand init" -l secrets-file -d 'The secrets file to write [default: <app-dir>/.streamlit/secrets.toml]' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand init" -l scope -d 'Scopes to request [Streamlit\'s default: "openid email profile"]' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l prompt -d 'prompt parameter to send [Streamlit\'s default: select_account]' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l expose-tokens -d 'Expose tokens to the app as st.user.tokens (Streamlit 1.53+)' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l like -d 'With --provider dev: shape the dev provider\'s tokens like this preset (issuer http://localhost:PORT/like/PRESET)' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l dev-port -d 'With --provider dev: the dev provider\'s port [default: 9400]' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l store -d 'Where to keep client_secret and cookie_secret: the OS keychain (start the app with `stauth run`) or the secrets file [default: where the app keeps them now; file for a new app without a terminal]' -r -f -a "keychain\t''
file\t''"
complete -c stauth -n "__fish_stauth_using_subcommand init" -l issuer -d 'Issuer URL (generic OpenID Connect provider, Dex)' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l tenant -d 'Microsoft tenant ID or verified domain (or `consumers`)' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l tenant-id -d 'Tenant GUID (Entra External ID)' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l policy -d 'Azure AD B2C user flow, e.g. B2C_1_susi' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l subdomain -d 'Subdomain (Entra External ID, Kinde, OneLogin)' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l domain -d 'Domain (Auth0, Okta, Clerk)' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l auth-server -d 'Okta custom authorization server ID' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l region -d 'Region (Cognito, PingOne)' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l user-pool-id -d 'Cognito user pool ID' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l host -d 'Host name (Keycloak, Authentik, GitLab, Logto, Salesforce, Casdoor...)' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l realm -d 'Keycloak realm' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l slug -d 'Authentik application slug' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l environment-id -d 'PingOne environment ID' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l project-id -d 'Descope project ID' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l streamlit-version -d 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app\'s Python, else the newest stauth knows]' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l python -d 'The app\'s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand init" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_using_subcommand init" -l client-secret-stdin -d 'Read the client secret from standard input (or set STAUTH_CLIENT_SECRET)'
complete -c stauth -n "__fish_stauth_using_subcommand init" -l dry-run -d 'Show what would change, write nothing'
complete -c stauth -n "__fish_stauth_using_subcommand init" -s y -l yes -d 'Do not ask for confirmation before writing'
complete -c stauth -n "__fish_stauth_using_subcommand init" -l force -d 'Allow replacing an existing client ID, client secret or provider'
complete -c stauth -n "__fish_stauth_using_subcommand init" -l offline -d 'Do not fetch the provider\'s discovery document'
complete -c stauth -n "__fish_stauth_using_subcommand init" -l rotate-cookie-secret -d 'Replace cookie_secret with a new one (logs every user out)'
complete -c stauth -n "__fish_stauth_using_subcommand init" -l no-gitignore -d 'Do not add the secrets file to .gitignore'
complete -c stauth -n "__fish_stauth_using_subcommand init" -l json -d 'Print a JSON report on stdout'
complete -c stauth -n "__fish_stauth_using_subcommand init" -s h -l help -d 'Print help'
complete -c stauth -n "__fish_stauth_using_subcommand init" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l provider -d 'A named provider [auth.NAME] (default: the default provider in [auth])' -r
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l app-dir -d 'The Streamlit app\'s folder' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l secrets-file -d 'Secrets files in the order Streamlit reads them (repeatable) [default: ~/.streamlit/secrets.toml, <app-dir>/.streamlit/secrets.toml]' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l redirect-uri -d 'Use this registered redirect URI instead of the one in secrets.toml' -r
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l browser-command -d 'Open the login URL with this command (the URL is added as its last argument)' -r
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l timeout -d 'Seconds to wait for the login' -r
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l login-as -d 'Log in as this user of the dev provider with no browser (the provider must be stauth\'s dev provider; started for the login when it is not running)' -r
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l streamlit-version -d 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app\'s Python, else the newest stauth knows]' -r
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l python -d 'The app\'s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l manual -d 'Paste the URL from the browser\'s address bar instead of listening (for a deployed app\'s redirect URI)'
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l no-browser -d 'Print the login URL instead of opening a browser'
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l show-tokens -d 'Print the raw ID and access tokens'
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l json -d 'Print a JSON report on stdout'
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -s h -l help -d 'Print help'
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_using_subcommand decode" -l file -d 'Read the token from a file' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand decode" -l jwks -d 'Verify with keys from a JWKS URL or file' -r
complete -c stauth -n "__fish_stauth_using_subcommand decode" -l issuer -d 'Verify with the keys of this issuer (from its discovery document) and expect it as iss' -r
complete -c stauth -n "__fish_stauth_using_subcommand decode" -l audience -d 'Expect this audience (client ID)' -r
complete -c stauth -n "__fish_stauth_using_subcommand decode" -l provider -d 'Verify against a provider in the app\'s secrets file (NAME, or the default provider)' -r
complete -c stauth -n "__fish_stauth_using_subcommand decode" -l app-dir -d 'The Streamlit app\'s folder (for --provider and cookies)' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand decode" -l secrets-file -d 'Secrets files in the order Streamlit reads them (repeatable)' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand decode" -l key -d 'Verify with a public key: a PEM file or a JWK (JSON) file' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand decode" -l leeway -d 'Seconds of clock leeway for exp, nbf and iat' -r
complete -c stauth -n "__fish_stauth_using_subcommand decode" -l cookie -d 'A _streamlit_user cookie value (or - for stdin)' -r
complete -c stauth -n "__fish_stauth_using_subcommand decode" -l cookie-header -d 'A whole Cookie header as copied from the browser (or - for stdin)' -r
complete -c stauth -n "__fish_stauth_using_subcommand decode" -l streamlit-version -d 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app\'s Python, else the newest stauth knows]' -r
complete -c stauth -n "__fish_stauth_using_subcommand decode" -l python -d 'The app\'s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand decode" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_using_subcommand decode" -l verify -d 'Verify the signature and claims (implied by any key option)'
complete -c stauth -n "__fish_stauth_using_subcommand decode" -l secret-stdin -d 'Read the HMAC secret (HS* tokens) or the cookie secret from stdin'
complete -c stauth -n "__fish_stauth_using_subcommand decode" -l json -d 'Print JSON on stdout'
complete -c stauth -n "__fish_stauth_using_subcommand decode" -s h -l help -d 'Print help'
complete -c stauth -n "__fish_stauth_using_subcommand decode" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_using_subcommand doctor" -l app-dir -d 'The Streamlit app\'s folder (where you run `streamlit run`)' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand doctor" -l script -d 'The app\'s script (Streamlit 1.46+ also reads secrets next to it)' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand doctor" -l streamlit-version -d 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app\'s Python, else the newest stauth knows]' -r
complete -c stauth -n "__fish_stauth_using_subcommand doctor" -l python -d 'The app\'s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand doctor" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_using_subcommand doctor" -l offline -d 'Skip the provider checks (no network)'
complete -c stauth -n "__fish_stauth_using_subcommand doctor" -l json -d 'Print every check (passed ones too) as JSON on stdout'
complete -c stauth -n "__fish_stauth_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c stauth -n "__fish_stauth_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_using_subcommand providers" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_using_subcommand providers" -l json -d 'Print JSON on stdout'
complete -c stauth -n "__fish_stauth_using_subcommand providers" -s h -l help -d 'Print help'
complete -c stauth -n "__fish_stauth_using_subcommand providers" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_using_subcommand snippet" -l provider -d 'Write for this provider: a name from [auth.NAME], or `default` for [auth] (repeatable)' -r
complete -c stauth -n "__fish_stauth_using_subcommand snippet" -l app-dir -d 'The Streamlit app\'s folder' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand snippet" -l secrets-file -d 'The secrets file that names the providers [default: <app-dir>/.streamlit/secrets.toml]' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand snippet" -l out -d 'Write the code to this file instead of stdout' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand snippet" -l streamlit-version -d 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app\'s Python, else the newest stauth knows]' -r
complete -c stauth -n "__fish_stauth_using_subcommand snippet" -l python -d 'The app\'s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand snippet" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_using_subcommand snippet" -l list -d 'List the kinds with a one-line description'
complete -c stauth -n "__fish_stauth_using_subcommand snippet" -l force -d 'Replace the --out file if it exists'
complete -c stauth -n "__fish_stauth_using_subcommand snippet" -l json -d 'With --list: print JSON on stdout'
complete -c stauth -n "__fish_stauth_using_subcommand snippet" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stauth -n "__fish_stauth_using_subcommand snippet" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_using_subcommand completions" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_using_subcommand completions" -s h -l help -d 'Print help'
complete -c stauth -n "__fish_stauth_using_subcommand completions" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_using_subcommand run" -l app-dir -d 'The Streamlit app\'s folder (whose secrets to pass)' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand run" -l streamlit-version -d 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app\'s Python, else the newest stauth knows]' -r
complete -c stauth -n "__fish_stauth_using_subcommand run" -l python -d 'The app\'s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand run" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_using_subcommand run" -s h -l help -d 'Print help'
complete -c stauth -n "__fish_stauth_using_subcommand run" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and not __fish_seen_subcommand_from list get set rm export help" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and not __fish_seen_subcommand_from list get set rm export help" -s h -l help -d 'Print help'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and not __fish_seen_subcommand_from list get set rm export help" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and not __fish_seen_subcommand_from list get set rm export help" -f -a "list" -d 'List the app\'s secrets in the keychain (names only, never values)'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and not __fish_seen_subcommand_from list get set rm export help" -f -a "get" -d 'Say whether a secret is in the keychain; print its value with --reveal'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and not __fish_seen_subcommand_from list get set rm export help" -f -a "set" -d 'Store a secret in the keychain (the value from stdin, or a hidden prompt)'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and not __fish_seen_subcommand_from list get set rm export help" -f -a "rm" -d 'Remove a secret from the keychain'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and not __fish_seen_subcommand_from list get set rm export help" -f -a "export" -d 'Print a complete secrets.toml (files and keychain) for a hosting platform\'s secrets page'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and not __fish_seen_subcommand_from list get set rm export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from list" -l app-dir -d 'The Streamlit app\'s folder' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from list" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from list" -l all -d 'List the secrets of every app, not only this one'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from list" -l json -d 'Print JSON on stdout'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from get" -l app-dir -d 'The Streamlit app\'s folder' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from get" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from get" -l reveal -d 'Print the value on stdout'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from get" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from set" -l app-dir -d 'The Streamlit app\'s folder' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from set" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from rm" -l app-dir -d 'The Streamlit app\'s folder' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from rm" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from export" -l app-dir -d 'The Streamlit app\'s folder' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from export" -l format -d 'toml: secrets.toml itself; kubernetes: a Secret manifest and its mount; compose: a Compose secrets fragment; env: a variable for st.App(secrets=...)' -r -f -a "toml\t''
kubernetes\t''
compose\t''
env\t''"
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from export" -l name -d 'The Kubernetes Secret\'s or Compose secret\'s name, made a DNS-1123 name [default: <app folder>-streamlit-secrets]' -r
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from export" -l mount-path -d 'Where the app\'s container reads secrets.toml (kubernetes and compose)' -r
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from export" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from export" -l reveal -d 'Print the secrets in plain text (required by every format that holds them: all but compose)'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the app\'s secrets in the keychain (names only, never values)'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "get" -d 'Say whether a secret is in the keychain; print its value with --reveal'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "set" -d 'Store a secret in the keychain (the value from stdin, or a hidden prompt)'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove a secret from the keychain'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "export" -d 'Print a complete secrets.toml (files and keychain) for a hosting platform\'s secrets page'
complete -c stauth -n "__fish_stauth_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -l app-dir -d 'The Streamlit app\'s folder (its secrets name the clients)' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -l secrets-file -d 'Secrets files in the order Streamlit reads them (repeatable) [default: ~/.streamlit/secrets.toml, <app-dir>/.streamlit/secrets.toml]' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -l port -d 'Port to listen on (loopback only); the issuer is http://localhost:PORT' -r
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -l users -d 'Users file [default: <app-dir>/.streamlit/dev-users.toml, else the sample users]' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -l like -d 'Shape tokens like this catalog provider (see `stauth providers`) at the root issuer' -r
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -l auto-login -d 'Approve every authorization as this user, without a login page (for CI)' -r
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -l alg -d 'ID token signing algorithm for new keys' -r -f -a "rs256\t''
es256\t''
ps256\t''
eddsa\t''"
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -l keep-old-key -d 'Seconds a rotated-out key stays in the JWKS' -r
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -l keys-dir -d 'Folder of the signing keys [default: $XDG_DATA_HOME/stauth/dev-provider, else ~/.local/share/stauth/dev-provider]' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -l token-ttl -d 'Lifetime of ID and access tokens, in seconds' -r
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -l bind -d 'Also listen on this non-loopback address (repeatable; needs --allow-remote)' -r
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -l streamlit-version -d 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app\'s Python, else the newest stauth knows]' -r
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -l python -d 'The app\'s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -l init-users -d 'Write the sample users to the users file (not overwriting one) and exit'
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -l rotate-keys -d 'Make a new signing key; the old one stays published (for refetch on an unknown kid) for --keep-old-key'
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -l allow-remote -d 'Allow --bind to a non-loopback address (anyone who reaches it can log in as any user)'
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -l json -d 'Print one JSON object per request on stdout'
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -s h -l help -d 'Print help'
complete -c stauth -n "__fish_stauth_using_subcommand dev-provider" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_using_subcommand probe" -l app-dir -d 'The Streamlit app\'s folder (its secrets hold redirect_uri)' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand probe" -l secrets-file -d 'Secrets files in the order Streamlit reads them (repeatable), e.g. the deployed app\'s [default: ~/.streamlit/secrets.toml, <app-dir>/.streamlit/secrets.toml]' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand probe" -l report -d 'Compare with the login in this `stauth test-login --json` report' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand probe" -l claims -d 'Compare with a login whose ID token holds these claims (a JSON object, or `stauth decode --json` output)' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand probe" -l groups -d 'Compare with a login of a user in N groups (group IDs in the ID token, as Entra ID sends them)' -r
complete -c stauth -n "__fish_stauth_using_subcommand probe" -l timeout -d 'Seconds each request may take (a stalled WebSocket handshake waits this long)' -r
complete -c stauth -n "__fish_stauth_using_subcommand probe" -l max-requests -d 'Requests the probe may send in all' -r
complete -c stauth -n "__fish_stauth_using_subcommand probe" -l streamlit-version -d 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app\'s Python, else the newest stauth knows]' -r
complete -c stauth -n "__fish_stauth_using_subcommand probe" -l python -d 'The app\'s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand probe" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_using_subcommand probe" -l json -d 'Print a JSON report on stdout'
complete -c stauth -n "__fish_stauth_using_subcommand probe" -s h -l help -d 'Print help'
complete -c stauth -n "__fish_stauth_using_subcommand probe" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_using_subcommand help; and not __fish_seen_subcommand_from init test-login decode doctor providers snippet completions run secrets dev-provider probe help" -f -a "init" -d 'Write a correct [auth] block to .streamlit/secrets.toml for a provider'
complete -c stauth -n "__fish_stauth_using_subcommand help; and not __fish_seen_subcommand_from init test-login decode doctor providers snippet completions run secrets dev-provider probe help" -f -a "test-login" -d 'Log in for real, exactly as Streamlit would, and report what st.user will hold'
complete -c stauth -n "__fish_stauth_using_subcommand help; and not __fish_seen_subcommand_from init test-login decode doctor providers snippet completions run secrets dev-provider probe help" -f -a "decode" -d 'Read an ID token or Streamlit\'s login cookies; verify them when asked'
complete -c stauth -n "__fish_stauth_using_subcommand help; and not __fish_seen_subcommand_from init test-login decode doctor providers snippet completions run secrets dev-provider probe help" -f -a "doctor" -d 'Find every known st.login misconfiguration: files, Python environment, providers'
complete -c stauth -n "__fish_stauth_using_subcommand help; and not __fish_seen_subcommand_from init test-login decode doctor providers snippet completions run secrets dev-provider probe help" -f -a "providers" -d 'List provider presets, or show one preset\'s console steps and quirks'
complete -c stauth -n "__fish_stauth_using_subcommand help; and not __fish_seen_subcommand_from init test-login decode doctor providers snippet completions run secrets dev-provider probe help" -f -a "snippet" -d 'Write app code for a login pattern, rendered for the providers in secrets.toml'
complete -c stauth -n "__fish_stauth_using_subcommand help; and not __fish_seen_subcommand_from init test-login decode doctor providers snippet completions run secrets dev-provider probe help" -f -a "completions" -d 'Print a shell completion script, or the manual page'
complete -c stauth -n "__fish_stauth_using_subcommand help; and not __fish_seen_subcommand_from init test-login decode doctor providers snippet completions run secrets dev-provider probe help" -f -a "run" -d 'Run a command (e.g. streamlit run app.py) with the app\'s secrets from the OS keychain'
complete -c stauth -n "__fish_stauth_using_subcommand help; and not __fish_seen_subcommand_from init test-login decode doctor providers snippet completions run secrets dev-provider probe help" -f -a "secrets" -d 'The app\'s secrets in the OS keychain: list, get, set, rm, export'
complete -c stauth -n "__fish_stauth_using_subcommand help; and not __fish_seen_subcommand_from init test-login decode doctor providers snippet completions run secrets dev-provider probe help" -f -a "dev-provider" -d 'A built-in OpenID Connect provider on loopback, for logins with no account, offline and in CI'
complete -c stauth -n "__fish_stauth_using_subcommand help; and not __fish_seen_subcommand_from init test-login decode doctor providers snippet completions run secrets dev-provider probe help" -f -a "probe" -d 'Check the deployed app from outside: its URL, redirect_uri, the proxy\'s login routes, the largest Cookie header it lets through, replicas'
complete -c stauth -n "__fish_stauth_using_subcommand help; and not __fish_seen_subcommand_from init test-login decode doctor providers snippet completions run secrets dev-provider probe help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stauth -n "__fish_stauth_using_subcommand help; and __fish_seen_subcommand_from secrets" -f -a "list" -d 'List the app\'s secrets in the keychain (names only, never values)'
complete -c stauth -n "__fish_stauth_using_subcommand help; and __fish_seen_subcommand_from secrets" -f -a "get" -d 'Say whether a secret is in the keychain; print its value with --reveal'
complete -c stauth -n "__fish_stauth_using_subcommand help; and __fish_seen_subcommand_from secrets" -f -a "set" -d 'Store a secret in the keychain (the value from stdin, or a hidden prompt)'
complete -c stauth -n "__fish_stauth_using_subcommand help; and __fish_seen_subcommand_from secrets" -f -a "rm" -d 'Remove a secret from the keychain'
complete -c stauth -n "__fish_stauth_using_subcommand help; and __fish_seen_subcommand_from secrets" -f -a "export" -d 'Print a complete secrets.toml (files and keychain) for a hosting platform\'s secrets page'
