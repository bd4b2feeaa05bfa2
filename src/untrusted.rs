//! Text written by someone else (token claims, provider responses, discovery
//! documents, file contents and names) made safe to show on a terminal.
//!
//! A terminal obeys control characters: ESC and CSI start sequences that clear
//! the screen, retitle the window or recolour text; CR, BS and a newline let a
//! value overwrite or forge a report line; bidi controls and other invisible
//! format characters reorder or hide text. [`escape`] shows every one of them
//! as a visible escape, so a value is always seen as the characters it holds.
//! JSON output does not use this: serde escapes controls and stays exact.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

/// Whether `c` must not reach a terminal as itself.
fn is_unsafe(c: char) -> bool {
    matches!(c,
        // C0 controls (newline, CR, tab, BEL, BS, ESC ...) and DEL.
        '\u{0}'..='\u{1f}' | '\u{7f}'
        // C1 controls, CSI (U+009B) and OSC (U+009D) among them.
        | '\u{80}'..='\u{9f}'
        // Soft hyphen, Arabic letter mark, Mongolian vowel separator.
        | '\u{ad}' | '\u{61c}' | '\u{180e}'
        // Zero-width space/joiners, LRM and RLM.
        | '\u{200b}'..='\u{200f}'
        // Line and paragraph separators, bidi embeddings and overrides.
        | '\u{2028}'..='\u{202e}'
        // Word joiner, invisible operators, bidi isolates, deprecated format controls.
        | '\u{2060}'..='\u{206f}'
        // Byte-order mark / zero-width no-break space.
        | '\u{feff}'
        // Interlinear annotation controls.
        | '\u{fff9}'..='\u{fffb}'
        // Tag characters (invisible).
        | '\u{e0000}'..='\u{e007f}'
    )
}

/// `text` with every control, bidi and invisible format character shown as a
/// visible escape (`\n`, `\r`, `\t`, `\x1b`, `\u{202e}`). Borrowed when there
/// is nothing to escape, which is the common case.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if !is_unsafe(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// Outside text inside a message: `format!("... {}", Untrusted(&value))`
/// shows it escaped. Core error types use it for the values they quote.
#[derive(Debug, Clone, Copy)]
pub struct Untrusted<'a>(pub &'a str);

impl fmt::Display for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(
            escape("Ada Lovelace <ada@example.com> é ✓"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn terminal_controls_become_visible() {
        let hostile = "\x1b[2J\x1b]0;pwned\x07\x1b[31mFAKE: Signature verified";
        assert_eq!(
            escape(hostile),
            "\\x1b[2J\\x1b]0;pwned\\x07\\x1b[31mFAKE: Signature verified"
        );
        assert_eq!(escape("a\nb\rc\td\x08"), "a\\nb\\rc\\td\\x08");
        assert_eq!(escape("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(escape("x\u{7f}"), "x\\x7f");
    }

    #[test]
    fn bidi_and_invisible_characters_become_visible() {
        assert_eq!(escape("admin\u{202e}nimda"), "admin\\u{202e}nimda");
        assert_eq!(escape("\u{2066}a\u{2069}"), "\\u{2066}a\\u{2069}");
        assert_eq!(escape("a\u{200b}b\u{feff}"), "a\\u{200b}b\\u{feff}");
        assert_eq!(escape("tag\u{e0041}"), "tag\\u{e0041}");
        assert_eq!(escape("line\u{2028}sep"), "line\\u{2028}sep");
    }

    #[test]
    fn display_wrapper_escapes() {
        assert_eq!(format!("name {}", Untrusted("a\x1bb")), "name a\\x1bb");
    }
}
