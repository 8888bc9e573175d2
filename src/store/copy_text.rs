//! COPY's text format, shared by every `COPY … FROM STDIN` the crate sends.

/// Appends `text` as one COPY text field: backslash, tab, newline and carriage return escaped.
/// The text between them is copied whole: most fields have none, and a JSON payload only the
/// backslashes of its own escapes.
pub fn escape_into(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.bytes().position(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r')) {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'\\' => "\\\\",
            b'\t' => "\\t",
            b'\n' => "\\n",
            _ => "\\r",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
}

/// Appends `bytes` as one COPY text field of type `bytea`: its hex form, the backslash escaped.
pub fn push_bytea(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.reserve(3 + 2 * bytes.len());
    out.push_str("\\\\x");
    for &byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
}

/// The field COPY reads as NULL.
pub const NULL: &str = "\\N";

#[cfg(test)]
mod tests {
    use super::{escape_into, push_bytea};

    #[test]
    fn only_what_copy_would_misread_is_escaped() {
        let mut out = String::new();
        escape_into(&mut out, "a\tb\nc\rd\\e \"ü\"");
        assert_eq!(out, "a\\tb\\nc\\rd\\\\e \"ü\"");
    }

    #[test]
    fn bytea_is_written_in_its_escaped_hex_form() {
        let mut out = String::new();
        push_bytea(&mut out, &[0x00, 0x0f, 0xa5, 0xff]);
        assert_eq!(out, format!("\\\\x{}", hex::encode([0x00, 0x0f, 0xa5, 0xff])));
    }
}
