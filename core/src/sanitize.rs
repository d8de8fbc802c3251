//! [`Sanitized`]: server text made safe to print.

use std::fmt;

/// Text from a server, made safe for a terminal: control characters (ESC, CR, LF, C1...)
/// and bidirectional overrides are written as escapes (`\u{1b}`, `\r`, `\n`); everything
/// else as is. Every `Display` of server text in this crate goes through it.
///
/// ```
/// use atlas_admin_core::Sanitized;
/// assert_eq!(Sanitized("bad\x1b[31m\r\nline").to_string(), r"bad\u{1b}[31m\r\nline");
/// assert_eq!(Sanitized("Not Found: café").to_string(), "Not Found: café");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sanitized<'a>(pub &'a str);

impl fmt::Display for Sanitized<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unsafe_char = |c: char| {
            c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        };
        let mut rest = self.0;
        while let Some((at, c)) = rest.char_indices().find(|&(_, c)| unsafe_char(c)) {
            f.write_str(rest.get(..at).unwrap_or_default())?;
            match c {
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                other => write!(f, "\\u{{{:x}}}", u32::from(other))?,
            }
            rest = rest.get(at + c.len_utf8()..).unwrap_or_default();
        }
        f.write_str(rest)
    }
}
