//! Text written the way Python writes it: `json.dumps`, `float.__repr__`,
//! string literals, `http.cookies` quoting and `email.utils.formatdate`.
//! Streamlit signs and sends these bytes, so a cookie's size (and its
//! signature) is only right when every byte matches CPython's.

use chrono::DateTime;
use serde_json::Value;

/// Which characters a string literal writes as `\uXXXX` (besides the named
/// escapes `\" \\ \n \r \t \b \f`, which every form uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// `json.dumps` by default (`ensure_ascii=True`): all but printable
    /// ASCII, characters beyond the BMP as surrogate pairs.
    Ascii,
    /// `json.dumps(..., ensure_ascii=False)`, as itsdangerous's compact JSON:
    /// only C0 controls.
    Unicode,
    /// Python source printed on a terminal: every control character (C0,
    /// DEL, C1), so none reaches the terminal as itself.
    Source,
}

impl Escape {
    fn keeps(self, c: char) -> bool {
        match self {
            Escape::Ascii => matches!(c, ' '..='~'),
            Escape::Unicode => c >= ' ',
            Escape::Source => !c.is_control(),
        }
    }
}

/// A double-quoted string literal for `s` that JSON and Python both read
/// back as `s`.
pub fn str_literal(s: &str, escape: Escape) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_str_literal(&mut out, s, escape);
    out
}

fn write_str_literal(out: &mut String, s: &str, escape: Escape) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if escape.keeps(c) => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

/// Python's `json.dumps(obj)` with default arguments: separators `", "` and
/// `": "`, `ensure_ascii=True` (`\uXXXX` in lowercase hex, surrogate pairs
/// beyond the BMP), key order as stored (serde_json's `preserve_order`), floats
/// as Python's `repr`. Integers beyond 64 bits arrive here as floats (serde_json
/// without `arbitrary_precision`), so they print differently from Python.
pub fn python_json_dumps(v: &Value) -> String {
    let mut out = String::new();
    write_json(&mut out, v);
    out
}

fn write_json(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else if let Some(u) = n.as_u64() {
                out.push_str(&u.to_string());
            } else {
                out.push_str(&python_float_repr(n.as_f64().unwrap_or(f64::NAN)));
            }
        }
        Value::String(s) => write_str_literal(out, s, Escape::Ascii),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_json(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str_literal(out, k, Escape::Ascii);
                out.push_str(": ");
                write_json(out, item);
            }
            out.push('}');
        }
    }
}

/// Python's `float.__repr__` (shortest round-trip digits; exponent form below
/// 1e-4 and from 1e16 on, with at least two exponent digits).
fn python_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    // Rust's `{:e}` gives the same shortest digits: "-1.2345e-7".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let n = digits.len() as i32;
    let body = if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        if point <= 0 {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        } else if point >= n {
            format!("{digits}{}.0", "0".repeat((point - n) as usize))
        } else {
            let (a, b) = digits.split_at(point as usize);
            format!("{a}.{b}")
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{first}{frac}e{esign}{:02}", exp.unsigned_abs())
    };
    format!("{sign}{body}")
}

/// Python's `http.cookies` quoting of a cookie value (Tornado sets cookies
/// through `SimpleCookie`; Starlette's itsdangerous values never need it).
pub(super) fn python_cookie_quote(value: &str) -> String {
    const LEGAL: &str = "!#$%&'*+-.^_`|~:";
    const UNESCAPED: &str = "!#$%&'*+-.^_`|~: ()/<=>?@[]{}";
    let legal = |c: char| c.is_ascii_alphanumeric() || LEGAL.contains(c);
    if value.chars().all(legal) {
        return value.to_owned();
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_ascii_alphanumeric() || UNESCAPED.contains(c) => out.push(c),
            c if (c as u32) < 256 => out.push_str(&format!("\\{:03o}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Python `http.cookies._unquote`: `"..."` with `\"`, `\\` and `\ooo`
/// escapes, an octal escape standing for a code point below 256 (the inverse
/// of [`python_cookie_quote`]).
pub(in crate::streamlit) fn python_cookie_unquote(value: &str) -> String {
    let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return value.to_string();
    };
    let chars: Vec<char> = inner.chars().collect();
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' {
            // Python's `\\[0-3][0-7][0-7]`, then `[\\].`.
            let octal = chars
                .get(i + 1..i + 4)
                .filter(|d| ('0'..='3').contains(&d[0]) && d[1..].iter().all(|c| c.is_digit(8)))
                .map(|d| d.iter().fold(0, |n, c| n * 8 + c.to_digit(8).unwrap_or(0)));
            if let Some(code) = octal.and_then(char::from_u32) {
                out.push(code);
                i += 4;
                continue;
            }
            if let Some(&next) = chars.get(i + 1) {
                out.push(next);
                i += 2;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// An HTTP date as Python's `email.utils.formatdate(t, usegmt=True)` writes it.
/// Times chrono cannot represent (past the year 262143, where Python fails
/// too) print as its latest date.
pub(super) fn http_date(t: u64) -> String {
    i64::try_from(t)
        .ok()
        .and_then(|t| DateTime::from_timestamp(t, 0))
        .unwrap_or(DateTime::<chrono::Utc>::MAX_UTC)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_dumps_matches_python() {
        // Expected strings printed by CPython 3.11 json.dumps.
        let cases: Vec<(Value, &str)> = vec![
            (json!({"a": 1, "b": [1, 2.5, null, true, false]}), r#"{"a": 1, "b": [1, 2.5, null, true, false]}"#),
            (json!("Jöhn 😀"), r#""J\u00f6hn \ud83d\ude00""#),
            (json!("q\"b\\s/\n\r\t\u{8}\u{c}\u{1}\u{7f}"), r#""q\"b\\s/\n\r\t\b\f\u0001\u007f""#),
            (json!({"nested": {"x": [[], {}, [1, [2, ["é"]]]]}}), r#"{"nested": {"x": [[], {}, [1, [2, ["\u00e9"]]]]}}"#),
            (json!([-5, 18446744073709551615_u64, -9223372036854775808_i64]), "[-5, 18446744073709551615, -9223372036854775808]"),
            (json!([1.5, 2.0, -0.0, 0.1, 1e16, 1e15, 0.0001, 0.00001, 1.5e-7, 123456789.125, 1e100, 5e-324]),
             "[1.5, 2.0, -0.0, 0.1, 1e+16, 1000000000000000.0, 0.0001, 1e-05, 1.5e-07, 123456789.125, 1e+100, 5e-324]"),
            (json!({"日本": "中文", "ключ": "значение"}), r#"{"\u65e5\u672c": "\u4e2d\u6587", "\u043a\u043b\u044e\u0447": "\u0437\u043d\u0430\u0447\u0435\u043d\u0438\u0435"}"#),
        ];
        for (v, want) in cases {
            assert_eq!(python_json_dumps(&v), want, "{v}");
        }
    }

    #[test]
    fn string_literals() {
        let s = "Zoë \"q\" b\\s\n\u{1}\u{7f}\u{9b}😀";
        // json.dumps(s, ensure_ascii=False)
        assert_eq!(
            str_literal(s, Escape::Unicode),
            "\"Zoë \\\"q\\\" b\\\\s\\n\\u0001\u{7f}\u{9b}😀\""
        );
        assert_eq!(
            str_literal(s, Escape::Source),
            "\"Zoë \\\"q\\\" b\\\\s\\n\\u0001\\u007f\\u009b😀\""
        );
        assert_eq!(
            str_literal(s, Escape::Ascii),
            "\"Zo\\u00eb \\\"q\\\" b\\\\s\\n\\u0001\\u007f\\u009b\\ud83d\\ude00\""
        );
    }

    #[test]
    fn cookie_quoting() {
        assert_eq!(
            python_cookie_quote("2|1:0|4:eA==|ab"),
            "\"2|1:0|4:eA==|ab\""
        );
        assert_eq!(python_cookie_quote("2|1:0|4:eA|ab"), "2|1:0|4:eA|ab");
        // http.cookies._quote('a"b\\c;d\xe9\x07\u20ac')
        assert_eq!(
            python_cookie_quote("a\"b\\c;d\u{e9}\u{7}\u{20ac}"),
            r#""a\"b\\c\073d\351\007€""#
        );
        // http.cookies._unquote('"\\351\\477\\q"') == "\xe9" + "477q"
        assert_eq!(python_cookie_unquote(r#""\351\477\q""#), "\u{e9}477q");
        for v in ["2|1:0|4:eA==|ab", "a\"b\\c;d\u{e9}\u{7}\u{20ac}", "plain"] {
            assert_eq!(python_cookie_unquote(&python_cookie_quote(v)), v);
        }
    }

    #[test]
    fn http_dates() {
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(1_700_000_000), "Tue, 14 Nov 2023 22:13:20 GMT");
        assert_eq!(http_date(1_709_164_800), "Thu, 29 Feb 2024 00:00:00 GMT");
        assert_eq!(http_date(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(http_date(4_133_980_799), "Fri, 31 Dec 2100 23:59:59 GMT");
        assert_eq!(http_date(920_246_400), "Mon, 01 Mar 1999 00:00:00 GMT");
    }
}
