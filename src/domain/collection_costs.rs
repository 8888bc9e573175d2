//! Extrajudicial collection costs ("WIK"): the scale of the Besluit vergoeding voor
//! buitengerechtelijke incassokosten (Stb. 2012, 141), art. 6:96 BW.
//!
//! The scale is computed exactly in integers and rounded half-up to the cent once per claim; several
//! claims of one debtor in one letter are summed first (6:96 lid 7); the VAT surcharge (BIK art. 2
//! lid 3) applies only when the creditor declares it, to the rounded amount, rounded half-up again.

mod timing;

use tracing::instrument;

use crate::domain::interest::{div_half_up, Rate};
use crate::domain::money::Cents;

pub use timing::{
    b2b_minimum_owed, consumer_costs, ConsumerCosts, ConsumerLetter, LetterTerm, NotOwedReason, TermAnchor,
};

/// BIK art. 2 lid 2: at least €40.
pub const MINIMUM: Cents = Cents::new(4_000);
/// BIK art. 2 lid 1: at most €6,775.
pub const MAXIMUM: Cents = Cents::new(677_500);

/// The scale: (upper bound of the bracket in cents, rate in per mille). The last bracket is open.
const SCALE: [(i128, i128); 5] = [(250_000, 150), (500_000, 100), (1_000_000, 50), (20_000_000, 10), (i128::MAX, 5)];

/// Why collection costs cannot be computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CostsError {
    /// A principal is below zero; the costs are computed over open amounts only.
    #[error("the principal {0} is negative")]
    NegativePrincipal(Cents),
    /// `for_letter` got no principal; a letter covers at least one claim.
    #[error("a letter needs at least one claim")]
    NoClaims,
    /// The letter's term runs past the supported calendar; the date of receipt is wrong.
    #[error("the date {0} is outside the supported calendar")]
    DateOutOfRange(chrono::NaiveDate),
    /// A sum or the surcharge left the range of `i64` cents.
    #[error("the amounts overflow")]
    Overflow,
}

/// Whether the creditor declared that it cannot deduct VAT on its collection costs (BIK art. 2 lid 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VatSurcharge {
    /// No declaration: no surcharge.
    NotDeclared,
    /// Declared, at the VAT rate of art. 9 lid 1 Wet OB in force (e.g. 21 %).
    Declared(Rate),
}

/// Costs for one letter: the summed principal, the scale amount, the surcharge and their total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CostsBreakdown {
    /// The principal the scale is applied to: the claims' principals summed, in cents.
    pub principal: Cents,
    /// The scale amount (`wik`): zero for a zero principal, else from `MINIMUM` to `MAXIMUM`.
    pub costs: Cents,
    /// The VAT surcharge on `costs`; zero unless declared.
    pub vat_surcharge: Cents,
    /// Costs plus surcharge; the principal is not included.
    pub total: Cents,
}

/// The scale amount for one principal. A principal of zero owes nothing (there is no claim left).
pub fn wik(principal: Cents) -> Result<Cents, CostsError> {
    if principal.is_negative() {
        return Err(CostsError::NegativePrincipal(principal));
    }
    if principal.is_zero() {
        return Ok(Cents::ZERO);
    }
    let cents = i128::from(principal.get());
    let mut lower = 0;
    let mut per_mille_cents = 0;
    for (upper, per_mille) in SCALE {
        let in_bracket = cents.min(upper) - lower;
        if in_bracket <= 0 {
            break;
        }
        per_mille_cents += in_bracket * per_mille;
        lower = upper;
    }
    // Round once, then bound: the bounds are whole cents, so the order does not matter.
    let rounded = div_half_up(per_mille_cents, 1_000);
    let bounded = rounded.clamp(i128::from(MINIMUM.get()), i128::from(MAXIMUM.get()));
    i64::try_from(bounded).map(Cents::new).map_err(|_| CostsError::Overflow)
}

/// The surcharge on already rounded costs, rounded half-up.
pub fn vat_surcharge(costs: Cents, vat: VatSurcharge) -> Result<Cents, CostsError> {
    match vat {
        VatSurcharge::NotDeclared => Ok(Cents::ZERO),
        VatSurcharge::Declared(rate) => {
            i64::try_from(rate.apply(i128::from(costs.get()))).map(Cents::new).map_err(|_| CostsError::Overflow)
        }
    }
}

/// Costs for one letter covering `principals` (all open claims of one debtor, summed first).
#[instrument(skip_all, fields(claims = principals.len()))]
pub fn for_letter(principals: &[Cents], vat: VatSurcharge) -> Result<CostsBreakdown, CostsError> {
    if principals.is_empty() {
        return Err(CostsError::NoClaims);
    }
    if let Some(negative) = principals.iter().find(|p| p.is_negative()) {
        return Err(CostsError::NegativePrincipal(*negative));
    }
    let principal = Cents::checked_sum(principals.iter().copied()).map_err(|_| CostsError::Overflow)?;
    let costs = wik(principal)?;
    let vat_surcharge = vat_surcharge(costs, vat)?;
    let total = costs.checked_add(vat_surcharge).map_err(|_| CostsError::Overflow)?;
    Ok(CostsBreakdown { principal, costs, vat_surcharge, total })
}

#[cfg(test)]
mod tests;
