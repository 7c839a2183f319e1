//! Money in integer euro cents, and VAT included in a price.

/// An amount in euro cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Cents(pub i64);

impl Cents {
    /// Parses a price given in cents: positive and at most 1,000 €.
    pub(crate) fn parse_price(cents: i64) -> Result<Self, super::InvalidInput> {
        if cents <= 0 || cents > 100_000 {
            return Err(super::InvalidInput::new(
                "price_cents",
                "must be between 1 and 100000 cents",
            ));
        }
        Ok(Self(cents))
    }
}

impl std::fmt::Display for Cents {
    /// French notation: `12,50 €`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{},{:02} €", abs / 100, abs % 100)
    }
}

/// The VAT contained in a price that includes it, at `rate_bp` basis points (1000 = 10 %),
/// rounded to the nearest cent (half away from zero).
pub(crate) fn vat_included(gross: Cents, rate_bp: i64) -> Cents {
    let numerator = gross.0 * rate_bp;
    let denominator = 10_000 + rate_bp;
    Cents((2 * numerator + denominator) / (2 * denominator))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_in_french() {
        assert_eq!(Cents(1250).to_string(), "12,50 €");
        assert_eq!(Cents(5).to_string(), "0,05 €");
        assert_eq!(Cents(-300).to_string(), "-3,00 €");
    }

    #[test]
    fn vat_contained_in_a_price() {
        assert_eq!(vat_included(Cents(1100), 1000), Cents(100));
        assert_eq!(vat_included(Cents(1200), 2000), Cents(200));
        assert_eq!(vat_included(Cents(1250), 1000), Cents(114)); // 113.64
        assert_eq!(vat_included(Cents(0), 1000), Cents(0));
    }

    #[test]
    fn prices_are_bounded() {
        assert!(Cents::parse_price(0).is_err());
        assert!(Cents::parse_price(100_001).is_err());
        assert_eq!(Cents::parse_price(950).unwrap(), Cents(950));
    }
}
