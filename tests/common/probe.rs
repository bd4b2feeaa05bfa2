//! Running `stauth probe --json` and reading its findings, for the probe tests.

use serde_json::Value;

use super::{run, Sandbox};

/// `stauth probe URL --json` with `args` (a `--timeout` given there replaces
/// `timeout_secs`): exit code, the JSON on stdout, stderr.
pub fn probe(sb: &Sandbox, url: &str, timeout_secs: u64, args: &[&str]) -> (i32, Value, String) {
    let mut cmd = sb.cmd();
    cmd.args(["probe", url, "--json"]);
    if !args.contains(&"--timeout") {
        cmd.args(["--timeout", &timeout_secs.to_string()]);
    }
    let (code, stdout, stderr) = run(cmd.args(args));
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("probe printed no JSON ({e}):\n{stdout}\n{stderr}"));
    (code, json, stderr)
}

/// The finding `id` of a probe report (panics with the report without one).
pub fn finding<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no finding {id}: {json:#}"))
}
