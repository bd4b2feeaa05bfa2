
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
            [CompletionResult]::new('providers', 'providers', [CompletionResultType]::ParameterValue, 'List provider presets, or show one preset''s console steps and quirks')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stauth;init' {
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Provider preset (see `stauth providers`)')
            [CompletionResult]::new('--metadata-url', '--metadata-url', [CompletionResultType]::ParameterName, 'Full discovery URL, for any provider (overrides the preset''s)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'OAuth client ID from the provider''s console')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Write a named provider [auth.NAME], used as st.login("NAME")')
            [CompletionResult]::new('--redirect-uri', '--redirect-uri', [CompletionResultType]::ParameterName, 'The app''s callback URL [default: from .streamlit/config.toml, e.g. http://localhost:8501/oauth2callback]')
            [CompletionResult]::new('--app-dir', '--app-dir', [CompletionResultType]::ParameterName, 'The Streamlit app''s folder')
            [CompletionResult]::new('--secrets-file', '--secrets-file', [CompletionResultType]::ParameterName, 'The secrets file to write [default: <app-dir>/.streamlit/secrets.toml]')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Scopes to request [Streamlit''s default: "openid email profile"]')
            [CompletionResult]::new('--prompt', '--prompt', [CompletionResultType]::ParameterName, 'prompt parameter to send [Streamlit''s default: select_account]')
            [CompletionResult]::new('--expose-tokens', '--expose-tokens', [CompletionResultType]::ParameterName, 'Expose tokens to the app as st.user.tokens (Streamlit 1.53+)')
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
            [CompletionResult]::new('--streamlit-version', '--streamlit-version', [CompletionResultType]::ParameterName, 'Emulate this Streamlit release (1.42 to 1.67)')
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
        'stauth;providers' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output (it goes to stderr)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
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
        'stauth;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a correct [auth] block to .streamlit/secrets.toml for a provider')
            [CompletionResult]::new('test-login', 'test-login', [CompletionResultType]::ParameterValue, 'Log in for real, exactly as Streamlit would, and report what st.user will hold')
            [CompletionResult]::new('providers', 'providers', [CompletionResultType]::ParameterValue, 'List provider presets, or show one preset''s console steps and quirks')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stauth;help;init' {
            break
        }
        'stauth;help;test-login' {
            break
        }
        'stauth;help;providers' {
            break
        }
        'stauth;help;completions' {
            break
        }
        'stauth;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
