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
complete -c stauth -n "__fish_stauth_needs_command" -f -a "providers" -d 'List provider presets, or show one preset\'s console steps and quirks'
complete -c stauth -n "__fish_stauth_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c stauth -n "__fish_stauth_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stauth -n "__fish_stauth_using_subcommand init" -l provider -d 'Provider preset (see `stauth providers`)' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l metadata-url -d 'Full discovery URL, for any provider (overrides the preset\'s)' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l client-id -d 'OAuth client ID from the provider\'s console' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l name -d 'Write a named provider [auth.NAME], used as st.login("NAME")' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l redirect-uri -d 'The app\'s callback URL [default: from .streamlit/config.toml, e.g. http://localhost:8501/oauth2callback]' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l app-dir -d 'The Streamlit app\'s folder' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand init" -l secrets-file -d 'The secrets file to write [default: <app-dir>/.streamlit/secrets.toml]' -r -F
complete -c stauth -n "__fish_stauth_using_subcommand init" -l scope -d 'Scopes to request [Streamlit\'s default: "openid email profile"]' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l prompt -d 'prompt parameter to send [Streamlit\'s default: select_account]' -r
complete -c stauth -n "__fish_stauth_using_subcommand init" -l expose-tokens -d 'Expose tokens to the app as st.user.tokens (Streamlit 1.53+)' -r
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
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l streamlit-version -d 'Emulate this Streamlit release (1.42 to 1.67)' -r
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l manual -d 'Paste the URL from the browser\'s address bar instead of listening (for a deployed app\'s redirect URI)'
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l no-browser -d 'Print the login URL instead of opening a browser'
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l show-tokens -d 'Print the raw ID and access tokens'
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -l json -d 'Print a JSON report on stdout'
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -s h -l help -d 'Print help'
complete -c stauth -n "__fish_stauth_using_subcommand test-login" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_using_subcommand providers" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_using_subcommand providers" -l json -d 'Print JSON on stdout'
complete -c stauth -n "__fish_stauth_using_subcommand providers" -s h -l help -d 'Print help'
complete -c stauth -n "__fish_stauth_using_subcommand providers" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_using_subcommand completions" -l color -d 'When to colour human output (it goes to stderr)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c stauth -n "__fish_stauth_using_subcommand completions" -s h -l help -d 'Print help'
complete -c stauth -n "__fish_stauth_using_subcommand completions" -s V -l version -d 'Print version'
complete -c stauth -n "__fish_stauth_using_subcommand help; and not __fish_seen_subcommand_from init test-login providers completions help" -f -a "init" -d 'Write a correct [auth] block to .streamlit/secrets.toml for a provider'
complete -c stauth -n "__fish_stauth_using_subcommand help; and not __fish_seen_subcommand_from init test-login providers completions help" -f -a "test-login" -d 'Log in for real, exactly as Streamlit would, and report what st.user will hold'
complete -c stauth -n "__fish_stauth_using_subcommand help; and not __fish_seen_subcommand_from init test-login providers completions help" -f -a "providers" -d 'List provider presets, or show one preset\'s console steps and quirks'
complete -c stauth -n "__fish_stauth_using_subcommand help; and not __fish_seen_subcommand_from init test-login providers completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c stauth -n "__fish_stauth_using_subcommand help; and not __fish_seen_subcommand_from init test-login providers completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
