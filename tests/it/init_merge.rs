//! `stauth init` on an existing secrets.toml, offline: only the keys stauth
//! means to write change; everything else (other tables, comments, key
//! order, blank lines, CRLF endings, non-ASCII text) is kept byte for byte.
//! Every case compares the whole written file.

use crate::common;

use assert_cmd::Command;
use common::{assert_no_secret, fingerprint, redact, run, Sandbox, SECRET};
use insta::assert_snapshot;

/// `stauth init --provider google ... --offline`, pinned to Streamlit 1.67 so
/// no interpreter on the machine changes what init says.
fn offline_google(sb: &Sandbox) -> assert_cmd::Command {
    sb.init_google(&["--offline", "--streamlit-version", "1.67"])
}

const SECRETS: &str = ".streamlit/secrets.toml";
const GOOGLE_URL: &str = "https://accounts.google.com/.well-known/openid-configuration";
const OKTA_URL: &str = "https://dev-1.okta.com/.well-known/openid-configuration";
const AUTH_COMMENT: &str = "# Streamlit login (st.login / st.user), written by stauth. Keep this file out of version control.\n";
/// A cookie secret already in a file (long enough not to be flagged).
const OLD_COOKIE: &str = "existing-cookie-secret-0123456789abcdef";

/// The `[auth]` block `init_google` writes to a file without one, after
/// `redact` (no leading blank line).
fn google_block() -> String {
    format!(
        "{AUTH_COMMENT}[auth]\n\
         redirect_uri = \"http://localhost:8501/oauth2callback\"\n\
         cookie_secret = \"[COOKIE_SECRET]\"\n\
         client_id = \"app.apps.googleusercontent.com\"\n\
         client_secret = \"{SECRET}\"\n\
         server_metadata_url = \"{GOOGLE_URL}\"\n"
    )
}

/// `stauth init` with the test secret in the environment (for presets or
/// client ids other than `init_google`'s).
fn init(sb: &Sandbox, args: &[&str]) -> Command {
    let mut cmd = sb.cmd();
    cmd.args(["init", "--streamlit-version", "1.67"])
        .args(args)
        .env("STAUTH_CLIENT_SECRET", SECRET);
    cmd
}

/// The okta preset as a named provider `[auth.okta]`.
const OKTA_NAMED: &[&str] = &[
    "--provider",
    "okta",
    "--domain",
    "dev-1.okta.com",
    "--name",
    "okta",
    "--client-id",
    "okta-id",
    "--offline",
];

/// Runs the command on an existing secrets.toml holding `before`; checks the
/// exit code and that the secret stays out of the output. Returns stderr and
/// the raw (unredacted) file written.
fn merge(sb: &Sandbox, before: &str, cmd: &mut Command) -> (String, String) {
    sb.write(SECRETS, before);
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "", "human output goes to stderr");
    assert_no_secret(&[&out, &err]);
    (err, sb.secrets())
}

/// Parses the written file, which must be valid TOML.
fn parse(text: &str) -> toml_edit::DocumentMut {
    text.parse::<toml_edit::DocumentMut>()
        .unwrap_or_else(|e| panic!("the written file is not valid TOML: {e}\n{text}"))
}

#[test]
fn comments_and_other_tables_are_a_byte_identical_prefix() {
    let sb = Sandbox::new();
    let before = "\
# Secrets for the sales dashboard.
# Do not commit.

[db]
host = \"db.internal\" # primary
user = \"x\"    # read-only user
password = \"p\"

# The pricing API
[api]
key = \"k\"
timeout = 30
";
    let (_, after) = merge(&sb, before, &mut offline_google(&sb));
    assert!(after.starts_with(before), "{after}");
    assert_eq!(redact(&after), format!("{before}\n{}", google_block()));
}

#[test]
fn inline_tables_and_arrays_of_tables_are_kept() {
    let sb = Sandbox::new();
    let before = "\
db = { host = \"x\", port = 5432 }
flags = { beta = true, tags = [\"a\", \"b\"] }

[[servers]]
name = \"alpha\"
ip = \"10.0.0.1\"

[[servers]]
name = \"beta\"
ip = \"10.0.0.2\"
";
    let (_, after) = merge(&sb, before, &mut offline_google(&sb));
    assert_eq!(redact(&after), format!("{before}\n{}", google_block()));
    let doc = parse(&after);
    assert_eq!(doc["servers"].as_array_of_tables().unwrap().len(), 2);
    assert_eq!(doc["db"]["port"].as_integer(), Some(5432));
}

#[test]
fn crlf_file_keeps_crlf_everywhere() {
    let sb = Sandbox::new();
    let before = "# Windows file\r\n[db]\r\nuser = \"x\" # c\r\n\r\n[api]\r\nkey = \"k\"\r\n";
    let (_, after) = merge(&sb, before, &mut offline_google(&sb));
    assert!(after.starts_with(before), "{after:?}");
    assert!(
        !after.replace("\r\n", "").contains('\n'),
        "a lone \\n in {after:?}"
    );
    assert_eq!(
        redact(&after),
        format!("{before}\r\n{}", google_block().replace('\n', "\r\n"))
    );
}

#[test]
fn crlf_file_with_an_existing_auth_table() {
    let sb = Sandbox::new();
    let before = format!(
        "[auth]\r\nredirect_uri = \"http://localhost:8501/oauth2callback\"\r\ncookie_secret = \"{OLD_COOKIE}\" # keep\r\n\r\n[db]\r\nuser = \"x\"\r\n"
    );
    let (_, after) = merge(&sb, &before, &mut offline_google(&sb));
    assert_eq!(
        after,
        format!(
            "[auth]\r\nredirect_uri = \"http://localhost:8501/oauth2callback\"\r\ncookie_secret = \"{OLD_COOKIE}\" # keep\r\n\
             client_id = \"app.apps.googleusercontent.com\"\r\nclient_secret = \"{SECRET}\"\r\nserver_metadata_url = \"{GOOGLE_URL}\"\r\n\
             \r\n[db]\r\nuser = \"x\"\r\n"
        )
    );
}

#[test]
fn unicode_keys_values_and_comments_are_untouched() {
    let sb = Sandbox::new();
    let before = "\
# 本番環境のシークレット。コミットしないこと。
name = \"Zoë 🚀\"
\"clé\" = \"välue\" # ça va

[\"données\"]
ville = \"Zürich\" # 🇨🇭
";
    let mut cmd = init(
        &sb,
        &[
            "--provider",
            "google",
            "--client-id",
            "clïent-🚀-идентификатор",
            "--offline",
        ],
    );
    let (err, after) = merge(&sb, before, &mut cmd);
    assert!(after.starts_with(before), "{after}");
    assert_eq!(
        redact(&after),
        format!(
            "{before}\n{AUTH_COMMENT}[auth]\n\
             redirect_uri = \"http://localhost:8501/oauth2callback\"\n\
             cookie_secret = \"[COOKIE_SECRET]\"\n\
             client_id = \"clïent-🚀-идентификатор\"\n\
             client_secret = \"{SECRET}\"\n\
             server_metadata_url = \"{GOOGLE_URL}\"\n"
        )
    );
    assert!(
        err.contains("+ [auth] client_id = \"clïent-🚀-идентификатор\""),
        "{err}"
    );
    let doc = parse(&after);
    assert_eq!(
        doc["auth"]["client_id"].as_str(),
        Some("clïent-🚀-идентификатор")
    );
    assert_eq!(doc["name"].as_str(), Some("Zoë 🚀"));
    assert_eq!(doc["données"]["ville"].as_str(), Some("Zürich"));
}

#[test]
fn existing_auth_keeps_its_keys_and_gains_only_the_new_ones() {
    let sb = Sandbox::new();
    let before = format!(
        "\
[db]
user = \"x\"

[auth]
# set up by hand last year
redirect_uri = \"http://localhost:9000/oauth2callback\"
cookie_secret = \"{OLD_COOKIE}\"
expose_tokens = \"id\" # custom
client_kwargs = {{ scope = \"openid email\" }}

[other]
x = 1
"
    );
    let (err, after) = merge(
        &sb,
        &before,
        &mut sb.init_google(&[
            "--offline",
            "--streamlit-version",
            "1.67",
            "--prompt",
            "login",
        ]),
    );
    assert_eq!(
        after,
        format!(
            "\
[db]
user = \"x\"

[auth]
# set up by hand last year
redirect_uri = \"http://localhost:9000/oauth2callback\"
cookie_secret = \"{OLD_COOKIE}\"
expose_tokens = \"id\" # custom
client_kwargs = {{ scope = \"openid email\", prompt = \"login\" }}
client_id = \"app.apps.googleusercontent.com\"
client_secret = \"{SECRET}\"
server_metadata_url = \"{GOOGLE_URL}\"

[other]
x = 1
"
        )
    );
    assert!(!err.contains(OLD_COOKIE), "{err}");
    assert_snapshot!("existing_auth_stderr", err);
}

#[test]
fn existing_auth_expose_tokens_and_scope_change_in_place() {
    let sb = Sandbox::new();
    let before = format!(
        "[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\ncookie_secret = \"{OLD_COOKIE}\"\nexpose_tokens = \"id\" # custom\nclient_kwargs = {{ scope = \"openid email\" }} # kw\n"
    );
    let (_, after) = merge(
        &sb,
        &before,
        &mut sb.init_google(&[
            "--streamlit-version",
            "1.67",
            "--offline",
            "--expose-tokens",
            "id,access",
            "--scope",
            "openid email profile",
        ]),
    );
    assert_eq!(
        after,
        format!(
            "[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\ncookie_secret = \"{OLD_COOKIE}\"\n\
             expose_tokens = [\"id\", \"access\"] # custom\n\
             client_kwargs = {{ scope = \"openid email profile\" }} # kw\n\
             client_id = \"app.apps.googleusercontent.com\"\nclient_secret = \"{SECRET}\"\nserver_metadata_url = \"{GOOGLE_URL}\"\n"
        )
    );
}

#[test]
fn named_provider_is_added_after_the_default_one() {
    let sb = Sandbox::new();
    let before = format!(
        "\
# app secrets
[auth]
redirect_uri = \"http://localhost:8501/oauth2callback\"
cookie_secret = \"{OLD_COOKIE}\" # do not rotate
client_id = \"g-id\"
client_secret = \"g-secret\"
server_metadata_url = \"{GOOGLE_URL}\"
"
    );
    let (_, after) = merge(&sb, &before, &mut init(&sb, OKTA_NAMED));
    assert!(after.starts_with(&before), "{after}");
    assert_eq!(
        after,
        format!(
            "{before}\n[auth.okta]\nclient_id = \"okta-id\"\nclient_secret = \"{SECRET}\"\nserver_metadata_url = \"{OKTA_URL}\"\n"
        )
    );
}

#[test]
fn named_provider_lands_under_auth_before_the_next_table() {
    let sb = Sandbox::new();
    let auth_part = format!(
        "\
[auth]
redirect_uri = \"http://localhost:8501/oauth2callback\"
cookie_secret = \"{OLD_COOKIE}\"
client_id = \"g-id\"
client_secret = \"g-secret\"
server_metadata_url = \"{GOOGLE_URL}\"
"
    );
    let other_part = "\n# unrelated\n[other]\nx = 1\n";
    let before = format!("{auth_part}{other_part}");
    let (_, after) = merge(&sb, &before, &mut init(&sb, OKTA_NAMED));
    assert_eq!(
        after,
        format!(
            "{auth_part}\n[auth.okta]\nclient_id = \"okta-id\"\nclient_secret = \"{SECRET}\"\nserver_metadata_url = \"{OKTA_URL}\"\n{other_part}"
        )
    );
    {
        let _f = common::snapshot::filters(&[(SECRET, "[SECRET]")], &[]);
        assert_snapshot!("named_before_other_contents", after);
    }

    // Streamlit reads [auth] (default provider), [auth.okta] and [other].
    let doc = parse(&after);
    assert_eq!(doc["auth"]["client_id"].as_str(), Some("g-id"));
    assert_eq!(doc["auth"]["okta"]["client_id"].as_str(), Some("okta-id"));
    assert_eq!(doc["auth"]["okta"]["client_secret"].as_str(), Some(SECRET));
    assert_eq!(
        doc["auth"]["okta"]["server_metadata_url"].as_str(),
        Some(OKTA_URL)
    );
    assert_eq!(doc["other"]["x"].as_integer(), Some(1));
    assert!(doc["other"].get("okta").is_none());
}

#[test]
fn force_keeps_the_inline_comment_of_a_changed_client_id() {
    let sb = Sandbox::new();
    let before = format!(
        "[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\ncookie_secret = \"{OLD_COOKIE}\"\nclient_id = \"old\" # from console\nclient_secret = \"{SECRET}\"   # rotated in May\nserver_metadata_url = \"{GOOGLE_URL}\"\n"
    );
    sb.write(SECRETS, &before);
    // Without --force nothing changes.
    let (code, out, err) = run(&mut offline_google(&sb));
    assert_eq!(code, 2, "{err}");
    assert_no_secret(&[&out, &err]);
    assert_eq!(sb.secrets(), before);

    let (_, after) = merge(
        &sb,
        &before,
        &mut sb.init_google(&["--offline", "--streamlit-version", "1.67", "--force"]),
    );
    assert_eq!(
        after,
        before.replace(
            "client_id = \"old\" # from console",
            "client_id = \"app.apps.googleusercontent.com\" # from console"
        )
    );
}

#[test]
fn file_without_a_trailing_newline() {
    let sb = Sandbox::new();
    let before = "[db]\nuser = \"x\" # last line, no newline";
    let (_, after) = merge(&sb, before, &mut offline_google(&sb));
    assert!(after.starts_with(before), "{after}");
    assert_eq!(redact(&after), format!("{before}\n\n{}", google_block()));
}

#[test]
fn empty_file() {
    let sb = Sandbox::new();
    let (_, after) = merge(&sb, "", &mut offline_google(&sb));
    assert_eq!(redact(&after), google_block());
}

/// Regression: a file that holds only comments gets them moved below the new
/// `[auth]` table, and a blank first line.
#[test]
fn file_with_only_comments_keeps_them_on_top() {
    let sb = Sandbox::new();
    let before = "# Secrets for this app.\n# Fill in later.\n";
    let (_, after) = merge(&sb, before, &mut offline_google(&sb));
    assert_eq!(redact(&after), format!("{before}\n{}", google_block()));
}

/// Regression: comments after the last table (often commented-out keys) end up
/// inside the new `[auth]` table; uncommenting them then changes `[auth]`.
#[test]
fn comments_after_the_last_table_stay_with_it() {
    let sb = Sandbox::new();
    let before = "[db]\nuser = \"x\"\n# password = \"todo\"\n";
    let (_, after) = merge(&sb, before, &mut offline_google(&sb));
    assert_eq!(redact(&after), format!("{before}\n{}", google_block()));
}

/// Regression: in a file with mixed line endings every lone `\n` of the
/// existing lines is turned into `\r\n`.
#[test]
fn mixed_line_endings_keep_existing_lines() {
    let sb = Sandbox::new();
    let before = "# mostly crlf\r\n[db]\r\nuser = \"x\"\n[api]\nkey = \"k\"\r\n";
    let (_, after) = merge(&sb, before, &mut offline_google(&sb));
    assert!(after.starts_with(before), "{after:?}");
}

/// Regression: the change line shows the old value's inline comment.
#[test]
fn change_line_shows_the_old_value_without_its_comment() {
    let sb = Sandbox::new();
    let before = format!(
        "[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\ncookie_secret = \"{OLD_COOKIE}\"\nclient_id = \"old\" # from console\nclient_secret = \"{SECRET}\"\nserver_metadata_url = \"{GOOGLE_URL}\"\n"
    );
    let (err, _) = merge(
        &sb,
        &before,
        &mut sb.init_google(&["--offline", "--streamlit-version", "1.67", "--force"]),
    );
    assert!(
        err.contains("~ [auth] client_id: \"old\" → \"app.apps.googleusercontent.com\""),
        "{err}"
    );
}

#[test]
fn named_provider_already_written_is_up_to_date() {
    let sb = Sandbox::new();
    let before = format!(
        "\
[auth]
redirect_uri = \"http://localhost:8501/oauth2callback\"
cookie_secret = \"{OLD_COOKIE}\"

# Google, as st.login(\"google\")
[auth.google]
client_id = \"app.apps.googleusercontent.com\" # console
client_secret = \"{SECRET}\"
server_metadata_url = \"{GOOGLE_URL}\"
"
    );
    sb.write(SECRETS, &before);
    let path = sb.file(SECRETS);
    let fp = fingerprint(&path);
    let (code, out, err) = run(&mut sb.init_google(&[
        "--offline",
        "--streamlit-version",
        "1.67",
        "--name",
        "google",
    ]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "");
    assert_no_secret(&[&out, &err]);
    assert!(err.contains("already up to date"), "{err}");
    assert_eq!(fingerprint(&path), fp, "the file was touched");
    assert_eq!(sb.secrets(), before);
}

#[test]
fn named_provider_only_gets_the_auth_keys_it_lacks() {
    // Without redirect_uri and cookie_secret Streamlit cannot log in, so a
    // file with only [auth.google] is not up to date: [auth] becomes an
    // explicit table holding them, and [auth.google] stays as it was.
    let sb = Sandbox::new();
    let google = format!(
        "[auth.google]\nclient_id = \"app.apps.googleusercontent.com\"\nclient_secret = \"{SECRET}\"\nserver_metadata_url = \"{GOOGLE_URL}\"\n"
    );
    let (_, after) = merge(
        &sb,
        &google,
        &mut sb.init_google(&[
            "--offline",
            "--streamlit-version",
            "1.67",
            "--name",
            "google",
        ]),
    );
    assert_eq!(
        redact(&after),
        format!(
            "[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\ncookie_secret = \"[COOKIE_SECRET]\"\n{google}"
        )
    );
    let doc = parse(&after);
    assert!(doc["auth"]["cookie_secret"].as_str().is_some());
    assert_eq!(
        doc["auth"]["google"]["client_id"].as_str(),
        Some("app.apps.googleusercontent.com")
    );
}

#[test]
fn dotted_auth_keys_at_the_root_stay_dotted() {
    let sb = Sandbox::new();
    let before = "\
title = \"demo\"
auth.redirect_uri = \"http://localhost:8501/oauth2callback\" # dotted

[db]
user = \"x\"
";
    let (_, after) = merge(&sb, before, &mut offline_google(&sb));
    assert_eq!(
        redact(&after),
        format!(
            "\
title = \"demo\"
auth.redirect_uri = \"http://localhost:8501/oauth2callback\" # dotted
auth.cookie_secret = \"[COOKIE_SECRET]\"
auth.client_id = \"app.apps.googleusercontent.com\"
auth.client_secret = \"{SECRET}\"
auth.server_metadata_url = \"{GOOGLE_URL}\"

[db]
user = \"x\"
"
        )
    );
    let doc = parse(&after);
    assert_eq!(
        doc["auth"]["redirect_uri"].as_str(),
        Some("http://localhost:8501/oauth2callback")
    );
    assert_eq!(
        doc["auth"]["client_id"].as_str(),
        Some("app.apps.googleusercontent.com")
    );
    assert!(doc["db"].get("client_id").is_none());
}

#[test]
fn dotted_auth_keys_with_a_named_provider() {
    let sb = Sandbox::new();
    let before = "\
auth.redirect_uri = \"http://localhost:8501/oauth2callback\"

[db]
user = \"x\"
";
    let (_, after) = merge(&sb, before, &mut init(&sb, OKTA_NAMED));
    assert_eq!(
        redact(&after),
        format!(
            "\
auth.redirect_uri = \"http://localhost:8501/oauth2callback\"
auth.cookie_secret = \"[COOKIE_SECRET]\"

[auth.okta]
client_id = \"okta-id\"
client_secret = \"{SECRET}\"
server_metadata_url = \"{OKTA_URL}\"

[db]
user = \"x\"
"
        )
    );
    // TOML allows a [auth.okta] header below a table made by dotted keys.
    let doc = parse(&after);
    assert_eq!(doc["auth"]["okta"]["client_id"].as_str(), Some("okta-id"));
    assert!(doc["auth"]["cookie_secret"].as_str().is_some());
    assert_eq!(doc["db"]["user"].as_str(), Some("x"));
}
