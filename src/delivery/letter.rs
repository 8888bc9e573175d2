//! The PDF letter: the rendered lines on A4 in Helvetica, written for printing and posting.

use std::path::{Path, PathBuf};

use printpdf::{BuiltinFont, Mm, PdfDocument};

use super::text::render_text;
use super::DeliveryError;
use crate::outbox::OutboxMessage;

/// Characters per line before wrapping, for 11 pt Helvetica between 20 mm margins.
const WRAP: usize = 95;
/// Lines per page before a new page starts.
const LINES_PER_PAGE: usize = 48;

/// The letter as PDF bytes.
pub fn render_letter(message: &OutboxMessage) -> Result<Vec<u8>, DeliveryError> {
    let rendered = render_text(message);
    let mut lines: Vec<String> = Vec::new();
    if let Some(address) = &message.address {
        lines.extend([message.debtor_name.clone(), address.street.clone()]);
        lines.push(format!("{}  {}", address.postal_code, address.city));
        lines.push(String::new());
    }
    lines.push(format!("Datum: {}", message.sent_on.format("%d-%m-%Y")));
    lines.push(format!("Betreft: {}", rendered.subject));
    lines.push(String::new());
    // The built-in fonts are WinAnsi-encoded and the € sign does not survive every PDF reader's
    // text extraction; the letter spells the currency out.
    lines.extend(rendered.lines.iter().flat_map(|line| wrap(&line.replace('€', "EUR"), WRAP)));
    let (document, page, layer) = PdfDocument::new(&rendered.subject, Mm(210.0), Mm(297.0), "tekst");
    let font =
        document.add_builtin_font(BuiltinFont::Helvetica).map_err(|e| DeliveryError::Permanent(e.to_string()))?;
    let mut current = document.get_page(page).get_layer(layer);
    for (index, line) in lines.iter().enumerate() {
        let row = index % LINES_PER_PAGE;
        if row == 0 && index > 0 {
            let (page, layer) = document.add_page(Mm(210.0), Mm(297.0), "tekst");
            current = document.get_page(page).get_layer(layer);
        }
        let y = 270.0 - 5.5 * f32::from(u16::try_from(row).expect("a row of a page is below LINES_PER_PAGE"));
        current.use_text(line.as_str(), 11.0, Mm(20.0), Mm(y), &font);
    }
    document.save_to_bytes().map_err(|e| DeliveryError::Permanent(e.to_string()))
}

/// Writes the letter as `{reminder_id}.pdf` in `dir` (through a temporary file, so a crash never
/// leaves half a letter) and returns its path.
pub fn write_letter(dir: &Path, message: &OutboxMessage, pdf: &[u8]) -> Result<PathBuf, DeliveryError> {
    std::fs::create_dir_all(dir).map_err(|e| DeliveryError::Transient(format!("{}: {e}", dir.display())))?;
    let path = dir.join(format!("{}.pdf", message.reminder_id));
    let partial = dir.join(format!("{}.pdf.partial", message.reminder_id));
    std::fs::write(&partial, pdf).map_err(|e| DeliveryError::Transient(format!("{}: {e}", partial.display())))?;
    std::fs::rename(&partial, &path).map_err(|e| DeliveryError::Transient(format!("{}: {e}", path.display())))?;
    Ok(path)
}

/// Splits at spaces so no line is longer than `width` characters (a longer word stays whole).
fn wrap(line: &str, width: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    for word in line.split(' ') {
        let last = out.last_mut().expect("out starts with one line and only grows");
        if !last.is_empty() && last.chars().count() + 1 + word.chars().count() > width {
            out.push(word.to_owned());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    out
}
