//! Allocation of payments (imputation), art. 6:43 and 6:44 BW.
//!
//! Within one claim (6:44): first the costs, then the accrued interest, then the principal.
//! Across claims without a designation by the debtor (6:43 lid 2): first the due claims, then the
//! most onerous, then the oldest, and among claims equal on all three, pro rata.

use chrono::NaiveDate;

use crate::domain::money::Cents;

/// Why a payment cannot be allocated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AllocationError {
    /// The payment is below zero; only a received amount can be allocated.
    #[error("the payment {0} is negative")]
    NegativePayment(Cents),
    /// An open amount is below zero; the caller passed a wrong claim.
    #[error("the {what} amount {amount} is negative")]
    NegativeOpen {
        /// Which amount: `costs`, `interest`, `principal`, or `claim` (art. 6:43).
        what: &'static str,
        /// The negative amount.
        amount: Cents,
    },
    /// A share left the range of `i64` cents.
    #[error("the amounts overflow")]
    Overflow,
}

/// What is open on one claim, by component.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Components {
    /// The costs (kosten), in cents; on a collection case the collection costs with any VAT
    /// surcharge.
    pub costs: Cents,
    /// The accrued interest (rente), in cents.
    pub interest: Cents,
    /// The principal (hoofdsom), in cents.
    pub principal: Cents,
}

/// A payment split over one claim by art. 6:44.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Split {
    /// What the payment covers, by component.
    pub paid: Components,
    /// What stays open after it, by component.
    pub left: Components,
    /// What exceeds everything open; the caller decides (refund, credit) what happens with it.
    pub unapplied: Cents,
}

/// Art. 6:44: the payment goes to costs, then interest, then principal.
pub fn split_6_44(payment: Cents, open: Components) -> Result<Split, AllocationError> {
    if payment.is_negative() {
        return Err(AllocationError::NegativePayment(payment));
    }
    let parts = [("costs", open.costs), ("interest", open.interest), ("principal", open.principal)];
    if let Some((what, amount)) = parts.iter().find(|(_, amount)| amount.is_negative()) {
        return Err(AllocationError::NegativeOpen { what, amount: *amount });
    }
    let mut remaining = payment;
    let mut take = |open: Cents| {
        let paid = remaining.min(open);
        remaining = Cents::new(remaining.get() - paid.get());
        (paid, Cents::new(open.get() - paid.get()))
    };
    let (costs, costs_left) = take(open.costs);
    let (interest, interest_left) = take(open.interest);
    let (principal, principal_left) = take(open.principal);
    Ok(Split {
        paid: Components { costs, interest, principal },
        left: Components { costs: costs_left, interest: interest_left, principal: principal_left },
        unapplied: remaining,
    })
}

/// One open claim for art. 6:43. `onerousness` ranks how burdensome the debt is to the debtor
/// (e.g. a higher interest rate, a claim with security or already in collection): higher goes first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenClaim<K> {
    /// The caller's name for the claim (the engine uses the invoice number), returned in `parts`.
    pub key: K,
    /// The day the claim is due (opeisbaar); due claims go first, and among equally onerous claims
    /// the oldest.
    pub due: NaiveDate,
    /// What is open on the claim, in cents; a claim with nothing open gets nothing.
    pub open: Cents,
    /// The rank of onerousness described above; the engine uses 1 for an invoice in an open
    /// collection case and 0 otherwise.
    pub onerousness: u32,
}

/// The result of art. 6:43: `parts` plus `unapplied` add up to the payment exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation<K> {
    /// Only claims that receive something, in the order the law serves them.
    pub parts: Vec<(K, Cents)>,
    /// What exceeds the total open (zero whenever the payment does not).
    pub unapplied: Cents,
}

/// Art. 6:43 lid 2 for an undesignated payment on `today`. A claim is due (opeisbaar) once its due
/// date has come (`due <= today`). Ties on all three criteria share pro rata to their open amounts.
pub fn allocate_6_43<K: Clone>(
    payment: Cents,
    claims: &[OpenClaim<K>],
    today: NaiveDate,
) -> Result<Allocation<K>, AllocationError> {
    if payment.is_negative() {
        return Err(AllocationError::NegativePayment(payment));
    }
    if let Some(claim) = claims.iter().find(|c| c.open.is_negative()) {
        return Err(AllocationError::NegativeOpen { what: "claim", amount: claim.open });
    }
    // Order: due first, then most onerous, then oldest; a stable sort keeps input order among ties.
    let rank = |c: &OpenClaim<K>| (c.due > today, std::cmp::Reverse(c.onerousness), c.due);
    let mut order: Vec<usize> = (0..claims.len()).filter(|&i| claims[i].open.is_positive()).collect();
    order.sort_by_key(|&i| rank(&claims[i]));
    let mut remaining = i128::from(payment.get());
    let mut parts = Vec::new();
    for group in order.chunk_by(|&a, &b| rank(&claims[a]) == rank(&claims[b])) {
        if remaining == 0 {
            break;
        }
        let opens: Vec<i128> = group.iter().map(|&i| i128::from(claims[i].open.get())).collect();
        let shares = pro_rata(remaining, &opens);
        for (&index, share) in group.iter().zip(shares) {
            if share > 0 {
                let cents = i64::try_from(share).map_err(|_| AllocationError::Overflow)?;
                parts.push((claims[index].key.clone(), Cents::new(cents)));
            }
            remaining -= share;
        }
    }
    let unapplied = i64::try_from(remaining).map_err(|_| AllocationError::Overflow)?;
    Ok(Allocation { parts, unapplied: Cents::new(unapplied) })
}

/// Shares `amount` over `opens` in proportion, never more than each open amount. Each share is
/// first rounded down; the cents left go one each to the largest remainders, ties to the earlier
/// claim, so the shares sum exactly to `min(amount, Σ opens)`.
fn pro_rata(amount: i128, opens: &[i128]) -> Vec<i128> {
    let total: i128 = opens.iter().sum();
    if amount >= total {
        return opens.to_vec();
    }
    let mut shares: Vec<i128> = opens.iter().map(|open| amount * open / total).collect();
    let mut by_remainder: Vec<usize> = (0..opens.len()).collect();
    by_remainder.sort_by_key(|&i| (std::cmp::Reverse(amount * opens[i] % total), i));
    let left = amount - shares.iter().sum::<i128>();
    // Each share lost less than a cent to rounding, so fewer cents are left than there are claims.
    let left = usize::try_from(left).expect("0 <= cents left < claims");
    for &i in by_remainder.iter().take(left) {
        shares[i] += 1;
    }
    shares
}

#[cfg(test)]
mod tests;
