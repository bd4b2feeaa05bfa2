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
    let Some(repo_root) = repo_root(file) else {
        return GitStatus::NotARepo;
    };
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

/// The root of the git work tree `file` (which may not exist yet) is in.
pub fn repo_root(file: &Path) -> Option<PathBuf> {
    let dir = existing_ancestor(file);
    let root = git(&dir, &["rev-parse", "--show-toplevel"]).and_then(|o| o.ok_stdout())?;
    Some(PathBuf::from(root.trim()))
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

/// The `.gitignore` line, relative to `gitignore_dir`, that ignores the
/// temporary copies and lock files stauth makes next to `file` while it
/// writes it (`.stauth-*`, next to a link's target): they hold the same
/// secrets until they are renamed or removed. None when they go outside
/// `gitignore_dir` (a link to another folder).
pub fn temp_pattern(file: &Path, gitignore_dir: &Path) -> Option<String> {
    // Real paths on both sides: a link's target may be reached through `..`.
    let real = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| absolute(p));
    let dir = real(&temp_dir(file));
    let rel = dir.strip_prefix(real(gitignore_dir)).ok()?;
    let mut pattern = String::from("/");
    for part in rel.components() {
        pattern.push_str(&part.as_os_str().to_string_lossy());
        pattern.push('/');
    }
    pattern.push_str(super::TEMP_PREFIX);
    pattern.push('*');
    Some(pattern)
}

/// A file name of the kind [`temp_pattern`] covers, next to `file`, to ask
/// git whether such files are ignored already.
pub fn temp_probe(file: &Path) -> PathBuf {
    temp_dir(file).join(format!("{}probe.tmp", super::TEMP_PREFIX))
}

/// Where stauth's temporary files for `file` go: next to its final target.
fn temp_dir(file: &Path) -> PathBuf {
    let target = super::resolve_links(file).unwrap_or_else(|_| file.to_path_buf());
    super::atomic_parent_dir(&target).to_path_buf()
}

/// `.gitignore` contents with `patterns` appended, each on its own line
/// under one comment; a pattern already there as a line is not repeated.
pub fn with_ignore_lines(existing: &str, patterns: &[String]) -> String {
    let present = |p: &str| existing.lines().any(|l| l.trim_end() == p);
    let new: Vec<&String> = patterns.iter().filter(|p| !present(p)).collect();
    let mut out = existing.to_string();
    if new.is_empty() {
        return out;
    }
    let crlf = existing.contains("\r\n");
    let nl = if crlf { "\r\n" } else { "\n" };
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(nl);
    }
    out.push_str("# Streamlit secrets (added by stauth)");
    out.push_str(nl);
    for p in new {
        out.push_str(p);
        out.push_str(nl);
    }
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
        let one = |p: &str| vec![p.to_string()];
        assert_eq!(
            with_ignore_lines("", &one("/a")),
            "# Streamlit secrets (added by stauth)\n/a\n"
        );
        assert_eq!(
            with_ignore_lines("x", &one("/a")),
            "x\n# Streamlit secrets (added by stauth)\n/a\n"
        );
        assert_eq!(
            with_ignore_lines("x\r\n", &one("/a")),
            "x\r\n# Streamlit secrets (added by stauth)\r\n/a\r\n"
        );
        let both = vec!["/a".to_string(), "/.stauth-*".to_string()];
        assert_eq!(
            with_ignore_lines("/a\n", &both),
            "/a\n# Streamlit secrets (added by stauth)\n/.stauth-*\n"
        );
        assert_eq!(
            with_ignore_lines("/a\n/.stauth-*\n", &both),
            "/a\n/.stauth-*\n"
        );
    }

    #[test]
    fn patterns() {
        assert_eq!(
            ignore_pattern(Path::new("/r/app/.streamlit/secrets.toml"), Path::new("/r")),
            "/app/.streamlit/secrets.toml"
        );
        assert_eq!(
            temp_pattern(Path::new("/r/app/.streamlit/secrets.toml"), Path::new("/r")).unwrap(),
            "/app/.streamlit/.stauth-*"
        );
        assert_eq!(
            temp_pattern(Path::new("/r/secrets.toml"), Path::new("/r")).unwrap(),
            "/.stauth-*"
        );
        assert_eq!(
            temp_pattern(Path::new("/elsewhere/secrets.toml"), Path::new("/r")),
            None
        );
    }
}
