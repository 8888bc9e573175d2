//! The wording of reminders, in Dutch. The 14-day letter follows art. 6:96 lid 6 BW: a term of fourteen
//! days "vanaf de dag nadat deze brief bij u is bezorgd", the consequences of not paying, the
//! amount of collection costs that will be charged, and the VAT declaration when it applies.

use crate::domain::dunning::DunningStep;
use crate::domain::Cents;
use crate::outbox::OutboxMessage;

/// A rendered reminder: subject and plain-text lines (the PDF lays out the same lines).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub lines: Vec<String>,
}

impl Rendered {
    pub fn body(&self) -> String {
        self.lines.join("\n") + "\n"
    }
}

/// `€ 1.752,79`: the Dutch way, dots grouping thousands, a comma before the cents.
pub fn euros(amount: Cents) -> String {
    let cents = amount.get().unsigned_abs();
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    let sign = if amount.is_negative() { "-" } else { "" };
    format!("€ {sign}{grouped},{:02}", cents % 100)
}

pub fn render_text(message: &OutboxMessage) -> Rendered {
    let numbers: Vec<&str> = message.invoices.iter().map(|i| i.number.as_str()).collect();
    let subject = match message.step {
        DunningStep::Reminder1 => format!("Herinnering: factuur {} staat nog open", numbers.join(", ")),
        DunningStep::Reminder2 => format!("Tweede herinnering: factuur {}", numbers.join(", ")),
        DunningStep::Reminder3 => format!("Derde herinnering: factuur {}", numbers.join(", ")),
        DunningStep::FourteenDayLetter | DunningStep::Collection => {
            format!("Aanmaning: betaal binnen veertien dagen om incassokosten te voorkomen ({})", numbers.join(", "))
        }
    };
    let mut lines = vec![format!("Geachte {},", message.debtor_name), String::new()];
    lines.push("Volgens onze administratie staan de volgende facturen nog open:".to_owned());
    for invoice in &message.invoices {
        lines.push(format!(
            "  factuur {}  van {}  vervallen op {}  openstaand {}",
            invoice.number,
            invoice.invoice_date.format("%d-%m-%Y"),
            invoice.due_date.format("%d-%m-%Y"),
            euros(invoice.open)
        ));
    }
    lines.push(format!("Totaal openstaand: {}", euros(message.total_open())));
    lines.push(String::new());
    match (message.step, message.announced_costs) {
        (DunningStep::FourteenDayLetter, Some(costs)) => lines.extend(fourteen_day_terms(message, costs)),
        _ => lines.push("Wij verzoeken u het openstaande bedrag zo spoedig mogelijk te betalen.".to_owned()),
    }
    lines.extend([String::new(), "Met vriendelijke groet,".to_owned(), message.administration.to_string()]);
    Rendered { subject, lines }
}

fn fourteen_day_terms(message: &OutboxMessage, costs: crate::events::debtor_account::AnnouncedCosts) -> Vec<String> {
    let total = Cents::new(costs.costs.get().saturating_add(costs.vat_surcharge.get()));
    let mut lines = vec![
        format!(
            "Wij verzoeken u het totaalbedrag van {} te betalen binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd.",
            euros(message.total_open())
        ),
        format!(
            "Wij gaan ervan uit dat deze brief op {} bij u is bezorgd; de termijn loopt dan tot en met {}.",
            costs.presumed_receipt.format("%d-%m-%Y"),
            costs.term_last.format("%d-%m-%Y")
        ),
        "Betaalt u niet binnen deze termijn, dan bent u buitengerechtelijke incassokosten verschuldigd".to_owned(),
        format!(
            "van {} volgens het Besluit vergoeding voor buitengerechtelijke incassokosten, en de wettelijke rente.",
            euros(total)
        ),
    ];
    if costs.vat_surcharge.is_positive() {
        lines.push(format!(
            "Dit bedrag omvat {} btw: wij kunnen de btw over de incassokosten niet verrekenen en hebben de kosten daarom verhoogd.",
            euros(costs.vat_surcharge)
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::euros;
    use crate::domain::Cents;

    #[test]
    fn amounts_are_written_the_dutch_way() {
        let written: Vec<String> = [0, 5, 100, 175_279, 100_000_000, -4_840].map(|c| euros(Cents::new(c))).into();
        assert_eq!(written, ["€ 0,00", "€ 0,05", "€ 1,00", "€ 1.752,79", "€ 1.000.000,00", "€ -48,40"]);
    }
}
