
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
            cand providers 'List provider presets, or show one preset''s console steps and quirks'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'stauth;init'= {
            cand --provider 'Provider preset (see `stauth providers`)'
            cand --metadata-url 'Full discovery URL, for any provider (overrides the preset''s)'
            cand --client-id 'OAuth client ID from the provider''s console'
            cand --name 'Write a named provider [auth.NAME], used as st.login("NAME")'
            cand --redirect-uri 'The app''s callback URL [default: from .streamlit/config.toml, e.g. http://localhost:8501/oauth2callback]'
            cand --app-dir 'The Streamlit app''s folder'
            cand --secrets-file 'The secrets file to write [default: <app-dir>/.streamlit/secrets.toml]'
            cand --scope 'Scopes to request [Streamlit''s default: "openid email profile"]'
            cand --prompt 'prompt parameter to send [Streamlit''s default: select_account]'
            cand --expose-tokens 'Expose tokens to the app as st.user.tokens (Streamlit 1.53+)'
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
            cand --streamlit-version 'Emulate this Streamlit release (1.42 to 1.67)'
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
        &'stauth;providers'= {
            cand --color 'When to colour human output (it goes to stderr)'
            cand --json 'Print JSON on stdout'
            cand -h 'Print help'
            cand --help 'Print help'
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
        &'stauth;help'= {
            cand init 'Write a correct [auth] block to .streamlit/secrets.toml for a provider'
            cand test-login 'Log in for real, exactly as Streamlit would, and report what st.user will hold'
            cand providers 'List provider presets, or show one preset''s console steps and quirks'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'stauth;help;init'= {
        }
        &'stauth;help;test-login'= {
        }
        &'stauth;help;providers'= {
        }
        &'stauth;help;completions'= {
        }
        &'stauth;help;help'= {
        }
    ]
    $completions[$command]
}
