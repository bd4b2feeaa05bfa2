
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'stauth' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'stauth'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'stauth' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output (it goes to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a correct [auth] block to .streamlit/secrets.toml for a provider')
            [CompletionResult]::new('test-login', 'test-login', [CompletionResultType]::ParameterValue, 'Log in for real, exactly as Streamlit would, and report what st.user will hold')
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Read an ID token or Streamlit''s login cookies; verify them when asked')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Find every known st.login misconfiguration: files, Python environment, providers')
            [CompletionResult]::new('providers', 'providers', [CompletionResultType]::ParameterValue, 'List provider presets, or show one preset''s console steps and quirks')
            [CompletionResult]::new('snippet', 'snippet', [CompletionResultType]::ParameterValue, 'Write app code for a login pattern, rendered for the providers in secrets.toml')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script, or the manual page')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a command (e.g. streamlit run app.py) with the app''s secrets from the OS keychain')
            [CompletionResult]::new('secrets', 'secrets', [CompletionResultType]::ParameterValue, 'The app''s secrets in the OS keychain: list, get, set, rm, export')
            [CompletionResult]::new('dev-provider', 'dev-provider', [CompletionResultType]::ParameterValue, 'A built-in OpenID Connect provider on loopback, for logins with no account, offline and in CI')
            [CompletionResult]::new('probe', 'probe', [CompletionResultType]::ParameterValue, 'Check the deployed app from outside: its URL, redirect_uri, the proxy''s login routes, the largest Cookie header it lets through, replicas')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stauth;init' {
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Provider preset (see `stauth providers`), or `dev` for stauth''s own dev provider (`stauth dev-provider`)')
            [CompletionResult]::new('--metadata-url', '--metadata-url', [CompletionResultType]::ParameterName, 'Full discovery URL, for any provider (overrides the preset''s)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'OAuth client ID from the provider''s console')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Write a named provider [auth.NAME], used as st.login("NAME")')
            [CompletionResult]::new('--redirect-uri', '--redirect-uri', [CompletionResultType]::ParameterName, 'The app''s callback URL [default: from .streamlit/config.toml, e.g. http://localhost:8501/oauth2callback]')
            [CompletionResult]::new('--app-dir', '--app-dir', [CompletionResultType]::ParameterName, 'The Streamlit app''s folder')
            [CompletionResult]::new('--secrets-file', '--secrets-file', [CompletionResultType]::ParameterName, 'The secrets file to write [default: <app-dir>/.streamlit/secrets.toml]')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Scopes to request [Streamlit''s default: "openid email profile"]')
            [CompletionResult]::new('--prompt', '--prompt', [CompletionResultType]::ParameterName, 'prompt parameter to send [Streamlit''s default: select_account]')
            [CompletionResult]::new('--expose-tokens', '--expose-tokens', [CompletionResultType]::ParameterName, 'Expose tokens to the app as st.user.tokens (Streamlit 1.53+)')
            [CompletionResult]::new('--like', '--like', [CompletionResultType]::ParameterName, 'With --provider dev: shape the dev provider''s tokens like this preset (issuer http://localhost:PORT/like/PRESET)')
            [CompletionResult]::new('--dev-port', '--dev-port', [CompletionResultType]::ParameterName, 'With --provider dev: the dev provider''s port [default: 9400]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where to keep client_secret and cookie_secret: the OS keychain (start the app with `stauth run`) or the secrets file [default: where the app keeps them now; file for a new app without a terminal]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Issuer URL (generic OpenID Connect provider, Dex)')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Microsoft tenant ID or verified domain (or `consumers`)')
            [CompletionResult]::new('--tenant-id', '--tenant-id', [CompletionResultType]::ParameterName, 'Tenant GUID (Entra External ID)')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Azure AD B2C user flow, e.g. B2C_1_susi')
            [CompletionResult]::new('--subdomain', '--subdomain', [CompletionResultType]::ParameterName, 'Subdomain (Entra External ID, Kinde, OneLogin)')
            [CompletionResult]::new('--domain', '--domain', [CompletionResultType]::ParameterName, 'Domain (Auth0, Okta, Clerk)')
            [CompletionResult]::new('--auth-server', '--auth-server', [CompletionResultType]::ParameterName, 'Okta custom authorization server ID')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region (Cognito, PingOne)')
            [CompletionResult]::new('--user-pool-id', '--user-pool-id', [CompletionResultType]::ParameterName, 'Cognito user pool ID')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Host name (Keycloak, Authentik, GitLab, Logto, Salesforce, Casdoor...)')
            [CompletionResult]::new('--realm', '--realm', [CompletionResultType]::ParameterName, 'Keycloak realm')
            [CompletionResult]::new('--slug', '--slug', [CompletionResultType]::ParameterName, 'Authentik application slug')
            [CompletionResult]::new('--environment-id', '--environment-id', [CompletionResultType]::ParameterName, 'PingOne environment ID')
            [CompletionResult]::new('--project-id', '--project-id', [CompletionResultType]::ParameterName, 'Descope project ID')
            [CompletionResult]::new('--streamlit-version', '--streamlit-version', [CompletionResultType]::ParameterName, 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app''s Python, else the newest stauth knows]')
            [CompletionResult]::new('--python', '--python', [CompletionResultType]::ParameterName, 'The app''s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output (it goes to stderr)')
            [CompletionResult]::new('--client-secret-stdin', '--client-secret-stdin', [CompletionResultType]::ParameterName, 'Read the client secret from standard input (or set STAUTH_CLIENT_SECRET)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change, write nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation before writing')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation before writing')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Allow replacing an existing client ID, client secret or provider')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Do not fetch the provider''s discovery document')
            [CompletionResult]::new('--rotate-cookie-secret', '--rotate-cookie-secret', [CompletionResultType]::ParameterName, 'Replace cookie_secret with a new one (logs every user out)')
            [CompletionResult]::new('--no-gitignore', '--no-gitignore', [CompletionResultType]::ParameterName, 'Do not add the secrets file to .gitignore')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON report on stdout')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stauth;test-login' {
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'A named provider [auth.NAME] (default: the default provider in [auth])')
            [CompletionResult]::new('--app-dir', '--app-dir', [CompletionResultType]::ParameterName, 'The Streamlit app''s folder')
            [CompletionResult]::new('--secrets-file', '--secrets-file', [CompletionResultType]::ParameterName, 'Secrets files in the order Streamlit reads them (repeatable) [default: ~/.streamlit/secrets.toml, <app-dir>/.streamlit/secrets.toml]')
            [CompletionResult]::new('--redirect-uri', '--redirect-uri', [CompletionResultType]::ParameterName, 'Use this registered redirect URI instead of the one in secrets.toml')
            [CompletionResult]::new('--browser-command', '--browser-command', [CompletionResultType]::ParameterName, 'Open the login URL with this command (the URL is added as its last argument)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the login')
            [CompletionResult]::new('--login-as', '--login-as', [CompletionResultType]::ParameterName, 'Log in as this user of the dev provider with no browser (the provider must be stauth''s dev provider; started for the login when it is not running)')
            [CompletionResult]::new('--streamlit-version', '--streamlit-version', [CompletionResultType]::ParameterName, 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app''s Python, else the newest stauth knows]')
            [CompletionResult]::new('--python', '--python', [CompletionResultType]::ParameterName, 'The app''s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output (it goes to stderr)')
            [CompletionResult]::new('--manual', '--manual', [CompletionResultType]::ParameterName, 'Paste the URL from the browser''s address bar instead of listening (for a deployed app''s redirect URI)')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Print the login URL instead of opening a browser')
            [CompletionResult]::new('--show-tokens', '--show-tokens', [CompletionResultType]::ParameterName, 'Print the raw ID and access tokens')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON report on stdout')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stauth;decode' {
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read the token from a file')
            [CompletionResult]::new('--jwks', '--jwks', [CompletionResultType]::ParameterName, 'Verify with keys from a JWKS URL or file')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Verify with the keys of this issuer (from its discovery document) and expect it as iss')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, 'Expect this audience (client ID)')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Verify against a provider in the app''s secrets file (NAME, or the default provider)')
            [CompletionResult]::new('--app-dir', '--app-dir', [CompletionResultType]::ParameterName, 'The Streamlit app''s folder (for --provider and cookies)')
            [CompletionResult]::new('--secrets-file', '--secrets-file', [CompletionResultType]::ParameterName, 'Secrets files in the order Streamlit reads them (repeatable)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Verify with a public key: a PEM file or a JWK (JSON) file')
            [CompletionResult]::new('--leeway', '--leeway', [CompletionResultType]::ParameterName, 'Seconds of clock leeway for exp, nbf and iat')
            [CompletionResult]::new('--cookie', '--cookie', [CompletionResultType]::ParameterName, 'A _streamlit_user cookie value (or - for stdin)')
            [CompletionResult]::new('--cookie-header', '--cookie-header', [CompletionResultType]::ParameterName, 'A whole Cookie header as copied from the browser (or - for stdin)')
            [CompletionResult]::new('--streamlit-version', '--streamlit-version', [CompletionResultType]::ParameterName, 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app''s Python, else the newest stauth knows]')
            [CompletionResult]::new('--python', '--python', [CompletionResultType]::ParameterName, 'The app''s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output (it goes to stderr)')
            [CompletionResult]::new('--verify', '--verify', [CompletionResultType]::ParameterName, 'Verify the signature and claims (implied by any key option)')
            [CompletionResult]::new('--secret-stdin', '--secret-stdin', [CompletionResultType]::ParameterName, 'Read the HMAC secret (HS* tokens) or the cookie secret from stdin')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stauth;doctor' {
            [CompletionResult]::new('--app-dir', '--app-dir', [CompletionResultType]::ParameterName, 'The Streamlit app''s folder (where you run `streamlit run`)')
            [CompletionResult]::new('--script', '--script', [CompletionResultType]::ParameterName, 'The app''s script (Streamlit 1.46+ also reads secrets next to it)')
            [CompletionResult]::new('--streamlit-version', '--streamlit-version', [CompletionResultType]::ParameterName, 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app''s Python, else the newest stauth knows]')
            [CompletionResult]::new('--python', '--python', [CompletionResultType]::ParameterName, 'The app''s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output (it goes to stderr)')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Skip the provider checks (no network)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print every check (passed ones too) as JSON on stdout')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stauth;providers' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output (it goes to stderr)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stauth;snippet' {
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Write for this provider: a name from [auth.NAME], or `default` for [auth] (repeatable)')
            [CompletionResult]::new('--app-dir', '--app-dir', [CompletionResultType]::ParameterName, 'The Streamlit app''s folder')
            [CompletionResult]::new('--secrets-file', '--secrets-file', [CompletionResultType]::ParameterName, 'The secrets file that names the providers [default: <app-dir>/.streamlit/secrets.toml]')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the code to this file instead of stdout')
            [CompletionResult]::new('--streamlit-version', '--streamlit-version', [CompletionResultType]::ParameterName, 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app''s Python, else the newest stauth knows]')
            [CompletionResult]::new('--python', '--python', [CompletionResultType]::ParameterName, 'The app''s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output (it goes to stderr)')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List the kinds with a one-line description')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace the --out file if it exists')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'With --list: print JSON on stdout')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stauth;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output (it goes to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stauth;run' {
            [CompletionResult]::new('--app-dir', '--app-dir', [CompletionResultType]::ParameterName, 'The Streamlit app''s folder (whose secrets to pass)')
            [CompletionResult]::new('--streamlit-version', '--streamlit-version', [CompletionResultType]::ParameterName, 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app''s Python, else the newest stauth knows]')
            [CompletionResult]::new('--python', '--python', [CompletionResultType]::ParameterName, 'The app''s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output (it goes to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stauth;secrets' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output (it goes to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the app''s secrets in the keychain (names only, never values)')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Say whether a secret is in the keychain; print its value with --reveal')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store a secret in the keychain (the value from stdin, or a hidden prompt)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove a secret from the keychain')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print a complete secrets.toml (files and keychain) for a hosting platform''s secrets page')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stauth;secrets;list' {
            [CompletionResult]::new('--app-dir', '--app-dir', [CompletionResultType]::ParameterName, 'The Streamlit app''s folder')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output (it goes to stderr)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'List the secrets of every app, not only this one')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stauth;secrets;get' {
            [CompletionResult]::new('--app-dir', '--app-dir', [CompletionResultType]::ParameterName, 'The Streamlit app''s folder')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output (it goes to stderr)')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print the value on stdout')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stauth;secrets;set' {
            [CompletionResult]::new('--app-dir', '--app-dir', [CompletionResultType]::ParameterName, 'The Streamlit app''s folder')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output (it goes to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stauth;secrets;rm' {
            [CompletionResult]::new('--app-dir', '--app-dir', [CompletionResultType]::ParameterName, 'The Streamlit app''s folder')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output (it goes to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stauth;secrets;export' {
            [CompletionResult]::new('--app-dir', '--app-dir', [CompletionResultType]::ParameterName, 'The Streamlit app''s folder')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'toml: secrets.toml itself; kubernetes: a Secret manifest and its mount; compose: a Compose secrets fragment; env: a variable for st.App(secrets=...)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The Kubernetes Secret''s or Compose secret''s name, made a DNS-1123 name [default: <app folder>-streamlit-secrets]')
            [CompletionResult]::new('--mount-path', '--mount-path', [CompletionResultType]::ParameterName, 'Where the app''s container reads secrets.toml (kubernetes and compose)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output (it goes to stderr)')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print the secrets in plain text (required by every format that holds them: all but compose)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stauth;secrets;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the app''s secrets in the keychain (names only, never values)')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Say whether a secret is in the keychain; print its value with --reveal')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store a secret in the keychain (the value from stdin, or a hidden prompt)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove a secret from the keychain')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print a complete secrets.toml (files and keychain) for a hosting platform''s secrets page')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stauth;secrets;help;list' {
            break
        }
        'stauth;secrets;help;get' {
            break
        }
        'stauth;secrets;help;set' {
            break
        }
        'stauth;secrets;help;rm' {
            break
        }
        'stauth;secrets;help;export' {
            break
        }
        'stauth;secrets;help;help' {
            break
        }
        'stauth;dev-provider' {
            [CompletionResult]::new('--app-dir', '--app-dir', [CompletionResultType]::ParameterName, 'The Streamlit app''s folder (its secrets name the clients)')
            [CompletionResult]::new('--secrets-file', '--secrets-file', [CompletionResultType]::ParameterName, 'Secrets files in the order Streamlit reads them (repeatable) [default: ~/.streamlit/secrets.toml, <app-dir>/.streamlit/secrets.toml]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to listen on (loopback only); the issuer is http://localhost:PORT')
            [CompletionResult]::new('--users', '--users', [CompletionResultType]::ParameterName, 'Users file [default: <app-dir>/.streamlit/dev-users.toml, else the sample users]')
            [CompletionResult]::new('--like', '--like', [CompletionResultType]::ParameterName, 'Shape tokens like this catalog provider (see `stauth providers`) at the root issuer')
            [CompletionResult]::new('--auto-login', '--auto-login', [CompletionResultType]::ParameterName, 'Approve every authorization as this user, without a login page (for CI)')
            [CompletionResult]::new('--alg', '--alg', [CompletionResultType]::ParameterName, 'ID token signing algorithm for new keys')
            [CompletionResult]::new('--keep-old-key', '--keep-old-key', [CompletionResultType]::ParameterName, 'Seconds a rotated-out key stays in the JWKS')
            [CompletionResult]::new('--keys-dir', '--keys-dir', [CompletionResultType]::ParameterName, 'Folder of the signing keys [default: $XDG_DATA_HOME/stauth/dev-provider, else ~/.local/share/stauth/dev-provider]')
            [CompletionResult]::new('--token-ttl', '--token-ttl', [CompletionResultType]::ParameterName, 'Lifetime of ID and access tokens, in seconds')
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Also listen on this non-loopback address (repeatable; needs --allow-remote)')
            [CompletionResult]::new('--streamlit-version', '--streamlit-version', [CompletionResultType]::ParameterName, 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app''s Python, else the newest stauth knows]')
            [CompletionResult]::new('--python', '--python', [CompletionResultType]::ParameterName, 'The app''s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output (it goes to stderr)')
            [CompletionResult]::new('--init-users', '--init-users', [CompletionResultType]::ParameterName, 'Write the sample users to the users file (not overwriting one) and exit')
            [CompletionResult]::new('--rotate-keys', '--rotate-keys', [CompletionResultType]::ParameterName, 'Make a new signing key; the old one stays published (for refetch on an unknown kid) for --keep-old-key')
            [CompletionResult]::new('--allow-remote', '--allow-remote', [CompletionResultType]::ParameterName, 'Allow --bind to a non-loopback address (anyone who reaches it can log in as any user)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per request on stdout')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stauth;probe' {
            [CompletionResult]::new('--app-dir', '--app-dir', [CompletionResultType]::ParameterName, 'The Streamlit app''s folder (its secrets hold redirect_uri)')
            [CompletionResult]::new('--secrets-file', '--secrets-file', [CompletionResultType]::ParameterName, 'Secrets files in the order Streamlit reads them (repeatable), e.g. the deployed app''s [default: ~/.streamlit/secrets.toml, <app-dir>/.streamlit/secrets.toml]')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Compare with the login in this `stauth test-login --json` report')
            [CompletionResult]::new('--claims', '--claims', [CompletionResultType]::ParameterName, 'Compare with a login whose ID token holds these claims (a JSON object, or `stauth decode --json` output)')
            [CompletionResult]::new('--groups', '--groups', [CompletionResultType]::ParameterName, 'Compare with a login of a user in N groups (group IDs in the ID token, as Entra ID sends them)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds each request may take (a stalled WebSocket handshake waits this long)')
            [CompletionResult]::new('--max-requests', '--max-requests', [CompletionResultType]::ParameterName, 'Requests the probe may send in all')
            [CompletionResult]::new('--streamlit-version', '--streamlit-version', [CompletionResultType]::ParameterName, 'The Streamlit release to check against, X.Y or X.Y.Z (X.Y: its last patch) [default: the one installed for the app''s Python, else the newest stauth knows]')
            [CompletionResult]::new('--python', '--python', [CompletionResultType]::ParameterName, 'The app''s Python interpreter, to find its Streamlit [default: the active venv, else <app-dir>/.venv, else python3 on PATH]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output (it goes to stderr)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON report on stdout')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stauth;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a correct [auth] block to .streamlit/secrets.toml for a provider')
            [CompletionResult]::new('test-login', 'test-login', [CompletionResultType]::ParameterValue, 'Log in for real, exactly as Streamlit would, and report what st.user will hold')
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Read an ID token or Streamlit''s login cookies; verify them when asked')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Find every known st.login misconfiguration: files, Python environment, providers')
            [CompletionResult]::new('providers', 'providers', [CompletionResultType]::ParameterValue, 'List provider presets, or show one preset''s console steps and quirks')
            [CompletionResult]::new('snippet', 'snippet', [CompletionResultType]::ParameterValue, 'Write app code for a login pattern, rendered for the providers in secrets.toml')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script, or the manual page')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a command (e.g. streamlit run app.py) with the app''s secrets from the OS keychain')
            [CompletionResult]::new('secrets', 'secrets', [CompletionResultType]::ParameterValue, 'The app''s secrets in the OS keychain: list, get, set, rm, export')
            [CompletionResult]::new('dev-provider', 'dev-provider', [CompletionResultType]::ParameterValue, 'A built-in OpenID Connect provider on loopback, for logins with no account, offline and in CI')
            [CompletionResult]::new('probe', 'probe', [CompletionResultType]::ParameterValue, 'Check the deployed app from outside: its URL, redirect_uri, the proxy''s login routes, the largest Cookie header it lets through, replicas')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stauth;help;init' {
            break
        }
        'stauth;help;test-login' {
            break
        }
        'stauth;help;decode' {
            break
        }
        'stauth;help;doctor' {
            break
        }
        'stauth;help;providers' {
            break
        }
        'stauth;help;snippet' {
            break
        }
        'stauth;help;completions' {
            break
        }
        'stauth;help;run' {
            break
        }
        'stauth;help;secrets' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the app''s secrets in the keychain (names only, never values)')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Say whether a secret is in the keychain; print its value with --reveal')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store a secret in the keychain (the value from stdin, or a hidden prompt)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove a secret from the keychain')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print a complete secrets.toml (files and keychain) for a hosting platform''s secrets page')
            break
        }
        'stauth;help;secrets;list' {
            break
        }
        'stauth;help;secrets;get' {
            break
        }
        'stauth;help;secrets;set' {
            break
        }
        'stauth;help;secrets;rm' {
            break
        }
        'stauth;help;secrets;export' {
            break
        }
        'stauth;help;dev-provider' {
            break
        }
        'stauth;help;probe' {
            break
        }
        'stauth;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
