//! COPY's text format, shared by every `COPY … FROM STDIN` the crate sends.

/// Appends `text` as one COPY text field: backslash, tab, newline and carriage return escaped.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// The field COPY reads as NULL.
pub const NULL: &str = "\\N";

#[cfg(test)]
mod tests {
    use super::escape_into;

    #[test]
    fn only_what_copy_would_misread_is_escaped() {
        let mut out = String::new();
        escape_into(&mut out, "a\tb\nc\rd\\e \"ü\"");
        assert_eq!(out, "a\\tb\\nc\\rd\\\\e \"ü\"");
    }
}
