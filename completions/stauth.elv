
use builtin;
use str;

set edit:completion:arg-completer[stauth] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'stauth'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'stauth'= {
            cand --color 'When to colour human output (it goes to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Write a correct [auth] block to .streamlit/secrets.toml for a provider'
            cand test-login 'Log in for real, exactly as Streamlit would, and report what st.user will hold'
            cand decode 'Read an ID token or Streamlit''s login cookies; verify them when asked'
            cand doctor 'Find every known st.login misconfiguration: files, Python environment, providers'
            cand providers 'List provider presets, or show one preset''s console steps and quirks'
            cand snippet 'Write app code for a login pattern, rendered for the providers in secrets.toml'
            cand completions 'Print a shell completion script, or the manual page'
            cand run 'Run a command (e.g. streamlit run app.py) with the app''s secrets from the OS keychain'
            cand secrets 'The app''s secrets in the OS keychain: list, get, set, rm, export'
            cand dev-provider 'A built-in OpenID Connect provider on loopback, for logins with no account, offline and in CI'
            cand probe 'Check the deployed app from outside: its URL, redirect_uri, the proxy''s login routes, the largest Cookie header it lets through, replicas'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'stauth;init'= {
            cand --provider 'Provider preset (see `stauth providers`), or `dev` for stauth''s own dev provider (`stauth dev-provider`)'
            cand --metadata-url 'Full discovery URL, for any provider (overrides the preset''s)'
            cand --client-id 'OAuth client ID from the provider''s console'
            cand --name 'Write a named provider [auth.NAME], used as st.login("NAME")'
            cand --redirect-uri 'The app''s callback URL [default: from .streamlit/config.toml, e.g. http://localhost:8501/oauth2callback]'
            cand --app-dir 'The Streamlit app''s folder'
            cand --secrets-file 'The secrets file to write [default: <app-dir>/.streamlit/secrets.toml]'
            cand --scope 'Scopes to request [Streamlit''s default: "openid email profile"]'
            cand --prompt 'prompt parameter to send [Streamlit''s default: select_account]'
            cand --expose-tokens 'Expose tokens to the app as st.user.tokens (Streamlit 1.53+)'
            cand --like 'With --provider dev: shape the dev provider''s tokens like this preset (issuer http://localhost:PORT/like/PRESET)'
            cand --dev-port 'With --provider dev: the dev provider''s port [default: 9400]'
            cand --store 'Where to keep client_secret and cookie_secret: the OS keychain (start the app with `stauth run`) or the secrets file [default: where the app keeps them now; file for a new app without a terminal]'
            cand --issuer 'Issuer URL (generic OpenID Connect provider, Dex)'
            cand --tenant 'Microsoft tenant ID or verified domain (or `consumers`)'
            cand --tenant-id 'Tenant GUID (Entra External ID)'
            cand --policy 'Azure AD B2C user flow, e.g. B2C_1_susi'
            cand --subdomain 'Subdomain (Entra External ID, Kinde, OneLogin)'
            cand --domain 'Domain (Auth0, Okta, Clerk)'
            cand --auth-server 'Okta custom authorization server ID'
            cand --region 'Region (Cognito, PingOne)'
            cand --user-pool-id 'Cognito user pool ID'
            cand --host 'Host name (Keycloak, Authentik, GitLab, Logto, Salesforce, Casdoor...)'
            cand --realm 'Keycloak realm'
            cand --slug 'Authentik application slug'
            cand --environment-id 'PingOne environment ID'
            cand --project-id 'Descope project ID'
            cand --streamlit-version 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app''s Python, else the newest stauth knows]'
            cand --python 'The app''s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]'
            cand --color 'When to colour human output (it goes to stderr)'
            cand --client-secret-stdin 'Read the client secret from standard input (or set STAUTH_CLIENT_SECRET)'
            cand --dry-run 'Show what would change, write nothing'
            cand -y 'Do not ask for confirmation before writing'
            cand --yes 'Do not ask for confirmation before writing'
            cand --force 'Allow replacing an existing client ID, client secret or provider'
            cand --offline 'Do not fetch the provider''s discovery document'
            cand --rotate-cookie-secret 'Replace cookie_secret with a new one (logs every user out)'
            cand --no-gitignore 'Do not add the secrets file to .gitignore'
            cand --json 'Print a JSON report on stdout'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stauth;test-login'= {
            cand --provider 'A named provider [auth.NAME] (default: the default provider in [auth])'
            cand --app-dir 'The Streamlit app''s folder'
            cand --secrets-file 'Secrets files in the order Streamlit reads them (repeatable) [default: ~/.streamlit/secrets.toml, <app-dir>/.streamlit/secrets.toml]'
            cand --redirect-uri 'Use this registered redirect URI instead of the one in secrets.toml'
            cand --browser-command 'Open the login URL with this command (the URL is added as its last argument)'
            cand --timeout 'Seconds to wait for the login'
            cand --login-as 'Log in as this user of the dev provider with no browser (the provider must be stauth''s dev provider; started for the login when it is not running)'
            cand --streamlit-version 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app''s Python, else the newest stauth knows]'
            cand --python 'The app''s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]'
            cand --color 'When to colour human output (it goes to stderr)'
            cand --manual 'Paste the URL from the browser''s address bar instead of listening (for a deployed app''s redirect URI)'
            cand --no-browser 'Print the login URL instead of opening a browser'
            cand --show-tokens 'Print the raw ID and access tokens'
            cand --json 'Print a JSON report on stdout'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stauth;decode'= {
            cand --file 'Read the token from a file'
            cand --jwks 'Verify with keys from a JWKS URL or file'
            cand --issuer 'Verify with the keys of this issuer (from its discovery document) and expect it as iss'
            cand --audience 'Expect this audience (client ID)'
            cand --provider 'Verify against a provider in the app''s secrets file (NAME, or the default provider)'
            cand --app-dir 'The Streamlit app''s folder (for --provider and cookies)'
            cand --secrets-file 'Secrets files in the order Streamlit reads them (repeatable)'
            cand --key 'Verify with a public key: a PEM file or a JWK (JSON) file'
            cand --leeway 'Seconds of clock leeway for exp, nbf and iat'
            cand --cookie 'A _streamlit_user cookie value (or - for stdin)'
            cand --cookie-header 'A whole Cookie header as copied from the browser (or - for stdin)'
            cand --streamlit-version 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app''s Python, else the newest stauth knows]'
            cand --python 'The app''s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]'
            cand --color 'When to colour human output (it goes to stderr)'
            cand --verify 'Verify the signature and claims (implied by any key option)'
            cand --secret-stdin 'Read the HMAC secret (HS* tokens) or the cookie secret from stdin'
            cand --json 'Print JSON on stdout'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stauth;doctor'= {
            cand --app-dir 'The Streamlit app''s folder (where you run `streamlit run`)'
            cand --script 'The app''s script (Streamlit 1.46+ also reads secrets next to it)'
            cand --streamlit-version 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app''s Python, else the newest stauth knows]'
            cand --python 'The app''s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]'
            cand --color 'When to colour human output (it goes to stderr)'
            cand --offline 'Skip the provider checks (no network)'
            cand --json 'Print every check (passed ones too) as JSON on stdout'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stauth;providers'= {
            cand --color 'When to colour human output (it goes to stderr)'
            cand --json 'Print JSON on stdout'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stauth;snippet'= {
            cand --provider 'Write for this provider: a name from [auth.NAME], or `default` for [auth] (repeatable)'
            cand --app-dir 'The Streamlit app''s folder'
            cand --secrets-file 'The secrets file that names the providers [default: <app-dir>/.streamlit/secrets.toml]'
            cand --out 'Write the code to this file instead of stdout'
            cand --streamlit-version 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app''s Python, else the newest stauth knows]'
            cand --python 'The app''s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]'
            cand --color 'When to colour human output (it goes to stderr)'
            cand --list 'List the kinds with a one-line description'
            cand --force 'Replace the --out file if it exists'
            cand --json 'With --list: print JSON on stdout'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stauth;completions'= {
            cand --color 'When to colour human output (it goes to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stauth;run'= {
            cand --app-dir 'The Streamlit app''s folder (whose secrets to pass)'
            cand --streamlit-version 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app''s Python, else the newest stauth knows]'
            cand --python 'The app''s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]'
            cand --color 'When to colour human output (it goes to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stauth;secrets'= {
            cand --color 'When to colour human output (it goes to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the app''s secrets in the keychain (names only, never values)'
            cand get 'Say whether a secret is in the keychain; print its value with --reveal'
            cand set 'Store a secret in the keychain (the value from stdin, or a hidden prompt)'
            cand rm 'Remove a secret from the keychain'
            cand export 'Print a complete secrets.toml (files and keychain) for a hosting platform''s secrets page'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'stauth;secrets;list'= {
            cand --app-dir 'The Streamlit app''s folder'
            cand --color 'When to colour human output (it goes to stderr)'
            cand --all 'List the secrets of every app, not only this one'
            cand --json 'Print JSON on stdout'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stauth;secrets;get'= {
            cand --app-dir 'The Streamlit app''s folder'
            cand --color 'When to colour human output (it goes to stderr)'
            cand --reveal 'Print the value on stdout'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stauth;secrets;set'= {
            cand --app-dir 'The Streamlit app''s folder'
            cand --color 'When to colour human output (it goes to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stauth;secrets;rm'= {
            cand --app-dir 'The Streamlit app''s folder'
            cand --color 'When to colour human output (it goes to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stauth;secrets;export'= {
            cand --app-dir 'The Streamlit app''s folder'
            cand --format 'toml: secrets.toml itself; kubernetes: a Secret manifest and its mount; compose: a Compose secrets fragment; env: a variable for st.App(secrets=...)'
            cand --name 'The Kubernetes Secret''s or Compose secret''s name, made a DNS-1123 name [default: <app folder>-streamlit-secrets]'
            cand --mount-path 'Where the app''s container reads secrets.toml (kubernetes and compose)'
            cand --color 'When to colour human output (it goes to stderr)'
            cand --reveal 'Print the secrets in plain text (required by every format that holds them: all but compose)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stauth;secrets;help'= {
            cand list 'List the app''s secrets in the keychain (names only, never values)'
            cand get 'Say whether a secret is in the keychain; print its value with --reveal'
            cand set 'Store a secret in the keychain (the value from stdin, or a hidden prompt)'
            cand rm 'Remove a secret from the keychain'
            cand export 'Print a complete secrets.toml (files and keychain) for a hosting platform''s secrets page'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'stauth;secrets;help;list'= {
        }
        &'stauth;secrets;help;get'= {
        }
        &'stauth;secrets;help;set'= {
        }
        &'stauth;secrets;help;rm'= {
        }
        &'stauth;secrets;help;export'= {
        }
        &'stauth;secrets;help;help'= {
        }
        &'stauth;dev-provider'= {
            cand --app-dir 'The Streamlit app''s folder (its secrets name the clients)'
            cand --secrets-file 'Secrets files in the order Streamlit reads them (repeatable) [default: ~/.streamlit/secrets.toml, <app-dir>/.streamlit/secrets.toml]'
            cand --port 'Port to listen on (loopback only); the issuer is http://localhost:PORT'
            cand --users 'Users file [default: <app-dir>/.streamlit/dev-users.toml, else the sample users]'
            cand --like 'Shape tokens like this catalog provider (see `stauth providers`) at the root issuer'
            cand --auto-login 'Approve every authorization as this user, without a login page (for CI)'
            cand --alg 'ID token signing algorithm for new keys'
            cand --keep-old-key 'Seconds a rotated-out key stays in the JWKS'
            cand --keys-dir 'Folder of the signing keys [default: $XDG_DATA_HOME/stauth/dev-provider, else ~/.local/share/stauth/dev-provider]'
            cand --token-ttl 'Lifetime of ID and access tokens, in seconds'
            cand --bind 'Also listen on this non-loopback address (repeatable; needs --allow-remote)'
            cand --streamlit-version 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app''s Python, else the newest stauth knows]'
            cand --python 'The app''s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]'
            cand --color 'When to colour human output (it goes to stderr)'
            cand --init-users 'Write the sample users to the users file (not overwriting one) and exit'
            cand --rotate-keys 'Make a new signing key; the old one stays published (for refetch on an unknown kid) for --keep-old-key'
            cand --allow-remote 'Allow --bind to a non-loopback address (anyone who reaches it can log in as any user)'
            cand --json 'Print one JSON object per request on stdout'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stauth;probe'= {
            cand --app-dir 'The Streamlit app''s folder (its secrets hold redirect_uri)'
            cand --secrets-file 'Secrets files in the order Streamlit reads them (repeatable), e.g. the deployed app''s [default: ~/.streamlit/secrets.toml, <app-dir>/.streamlit/secrets.toml]'
            cand --report 'Compare with the login in this `stauth test-login --json` report'
            cand --claims 'Compare with a login whose ID token holds these claims (a JSON object, or `stauth decode --json` output)'
            cand --groups 'Compare with a login of a user in N groups (group IDs in the ID token, as Entra ID sends them)'
            cand --timeout 'Seconds each request may take (a stalled WebSocket handshake waits this long)'
            cand --max-requests 'Requests the probe may send in all'
            cand --streamlit-version 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app''s Python, else the newest stauth knows]'
            cand --python 'The app''s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]'
            cand --color 'When to colour human output (it goes to stderr)'
            cand --json 'Print a JSON report on stdout'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stauth;help'= {
            cand init 'Write a correct [auth] block to .streamlit/secrets.toml for a provider'
            cand test-login 'Log in for real, exactly as Streamlit would, and report what st.user will hold'
            cand decode 'Read an ID token or Streamlit''s login cookies; verify them when asked'
            cand doctor 'Find every known st.login misconfiguration: files, Python environment, providers'
            cand providers 'List provider presets, or show one preset''s console steps and quirks'
            cand snippet 'Write app code for a login pattern, rendered for the providers in secrets.toml'
            cand completions 'Print a shell completion script, or the manual page'
            cand run 'Run a command (e.g. streamlit run app.py) with the app''s secrets from the OS keychain'
            cand secrets 'The app''s secrets in the OS keychain: list, get, set, rm, export'
            cand dev-provider 'A built-in OpenID Connect provider on loopback, for logins with no account, offline and in CI'
            cand probe 'Check the deployed app from outside: its URL, redirect_uri, the proxy''s login routes, the largest Cookie header it lets through, replicas'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'stauth;help;init'= {
        }
        &'stauth;help;test-login'= {
        }
        &'stauth;help;decode'= {
        }
        &'stauth;help;doctor'= {
        }
        &'stauth;help;providers'= {
        }
        &'stauth;help;snippet'= {
        }
        &'stauth;help;completions'= {
        }
        &'stauth;help;run'= {
        }
        &'stauth;help;secrets'= {
            cand list 'List the app''s secrets in the keychain (names only, never values)'
            cand get 'Say whether a secret is in the keychain; print its value with --reveal'
            cand set 'Store a secret in the keychain (the value from stdin, or a hidden prompt)'
            cand rm 'Remove a secret from the keychain'
            cand export 'Print a complete secrets.toml (files and keychain) for a hosting platform''s secrets page'
        }
        &'stauth;help;secrets;list'= {
        }
        &'stauth;help;secrets;get'= {
        }
        &'stauth;help;secrets;set'= {
        }
        &'stauth;help;secrets;rm'= {
        }
        &'stauth;help;secrets;export'= {
        }
        &'stauth;help;dev-provider'= {
        }
        &'stauth;help;probe'= {
        }
        &'stauth;help;help'= {
        }
    ]
    $completions[$command]
}
