//! Is a file protected from being committed? Asks git itself, so every
//! ignore rule (nested .gitignore, info/exclude, global excludes) counts.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitStatus {
    /// Not inside a git work tree (or git is not installed).
    NotARepo,
    /// Ignored by git: safe.
    Ignored,
    /// Not ignored, not tracked: the next `git add .` would commit it.
    NotIgnored { repo_root: PathBuf },
    /// Already committed: the secret is in the history.
    Tracked { repo_root: PathBuf },
}

/// The git status of `file` (which may not exist yet).
pub fn status(file: &Path) -> GitStatus {
    let dir = existing_ancestor(file);
    let Some(root) = git(&dir, &["rev-parse", "--show-toplevel"]).and_then(|o| o.ok_stdout())
    else {
        return GitStatus::NotARepo;
    };
    let repo_root = PathBuf::from(root.trim());
    let file_arg = absolute(file);
    let file_str = file_arg.to_string_lossy();
    if git(&dir, &["ls-files", "--error-unmatch", "--", &file_str]).is_some_and(|o| o.success) {
        return GitStatus::Tracked { repo_root };
    }
    match git(&dir, &["check-ignore", "-q", "--no-index", "--", &file_str]) {
        Some(o) if o.success => GitStatus::Ignored,
        _ => GitStatus::NotIgnored { repo_root },
    }
}

/// The `.gitignore` line that ignores `file`, relative to `gitignore_dir`.
pub fn ignore_pattern(file: &Path, gitignore_dir: &Path) -> String {
    let file = absolute(file);
    let dir = absolute(gitignore_dir);
    match file.strip_prefix(&dir) {
        Ok(rel) => format!("/{}", rel.to_string_lossy().replace('\\', "/")),
        Err(_) => file.to_string_lossy().into_owned(),
    }
}

/// `.gitignore` contents with `pattern` appended on its own line.
pub fn with_ignore_line(existing: &str, pattern: &str) -> String {
    let mut out = existing.to_string();
    let crlf = existing.contains("\r\n");
    let nl = if crlf { "\r\n" } else { "\n" };
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(nl);
    }
    out.push_str("# Streamlit secrets (added by stauth)");
    out.push_str(nl);
    out.push_str(pattern);
    out.push_str(nl);
    out
}

struct GitOutput {
    success: bool,
    stdout: String,
}

impl GitOutput {
    fn ok_stdout(self) -> Option<String> {
        self.success.then_some(self.stdout)
    }
}

fn git(dir: &Path, args: &[&str]) -> Option<GitOutput> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    Some(GitOutput {
        success: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    })
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn existing_ancestor(file: &Path) -> PathBuf {
    let abs = absolute(file);
    abs.ancestors()
        .skip(1)
        .find(|p| p.is_dir())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_lines() {
        assert_eq!(
            with_ignore_line("", "/a"),
            "# Streamlit secrets (added by stauth)\n/a\n"
        );
        assert_eq!(
            with_ignore_line("x", "/a"),
            "x\n# Streamlit secrets (added by stauth)\n/a\n"
        );
        assert_eq!(
            with_ignore_line("x\r\n", "/a"),
            "x\r\n# Streamlit secrets (added by stauth)\r\n/a\r\n"
        );
    }

    #[test]
    fn patterns() {
        assert_eq!(
            ignore_pattern(Path::new("/r/app/.streamlit/secrets.toml"), Path::new("/r")),
            "/app/.streamlit/secrets.toml"
        );
    }
}
