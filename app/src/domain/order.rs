//! Order vocabulary and pricing. Pure: prices come in, totals and VAT per rate come out.

use std::collections::BTreeMap;
use std::str::FromStr;

use super::{Cents, InvalidInput, vat_included};

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = InvalidInput;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(InvalidInput::new($field, format!("must be one of: {}", [$($text),+].join(", ")))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// How the order reached the pizzeria.
    Channel, "channel" { Web => "web", Phone => "phone", Counter => "counter" }
);
string_enum!(
    /// Delivered, or collected at the pizzeria.
    Fulfilment, "fulfilment" { Delivery => "delivery", Takeaway => "takeaway" }
);
string_enum!(
    /// How the customer pays: cash or card on delivery or pickup (`online` comes with payments).
    PaymentMethod, "payment_method" { Cash => "cash", Card => "card", Online => "online" }
);

/// Most lines and units one order may hold (a party order goes through the phone).
pub const MAX_LINES: usize = 30;
pub const MAX_QUANTITY: i64 = 20;

/// One priced line: what the customer pays for it, VAT included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLine {
    pub unit_price: Cents,
    pub quantity: i64,
    pub vat_rate_bp: i64,
}

impl PricedLine {
    pub fn total(&self) -> Cents {
        Cents(self.unit_price.0 * self.quantity)
    }
}

/// VAT of one rate: base (without VAT) + VAT = the gross of that rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VatLine {
    pub rate_bp: i64,
    pub base: Cents,
    pub vat: Cents,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    pub subtotal: Cents,
    pub delivery_fee: Cents,
    pub total: Cents,
    pub vat: Vec<VatLine>,
}

/// Totals of an order. The delivery fee follows the VAT of the food it delivers (an accessory
/// of the main supply): it is taxed at `fee_rate_bp`. VAT is computed once per rate on the
/// gross of that rate, so the lines of a rate never add up rounding errors.
pub(crate) fn totals(lines: &[PricedLine], delivery_fee: Cents, fee_rate_bp: i64) -> Totals {
    let subtotal = Cents(lines.iter().map(|l| l.total().0).sum());
    let mut gross: BTreeMap<i64, i64> = BTreeMap::new();
    for l in lines {
        *gross.entry(l.vat_rate_bp).or_default() += l.total().0;
    }
    if delivery_fee.0 > 0 {
        *gross.entry(fee_rate_bp).or_default() += delivery_fee.0;
    }
    let vat = gross
        .into_iter()
        .map(|(rate_bp, g)| {
            let vat = vat_included(Cents(g), rate_bp);
            VatLine {
                rate_bp,
                base: Cents(g - vat.0),
                vat,
            }
        })
        .collect();
    Totals {
        subtotal,
        delivery_fee,
        total: Cents(subtotal.0 + delivery_fee.0),
        vat,
    }
}

/// Normalises a French-style postcode: trimmed, upper-case, inner spaces kept single.
pub(crate) fn parse_postcode(raw: &str) -> Result<String, InvalidInput> {
    let p = raw
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase();
    let ok = (2..=10).contains(&p.len())
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
    if !ok {
        return Err(InvalidInput::new(
            "delivery_address.postcode",
            "is not a postcode",
        ));
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(cents: i64, quantity: i64, rate: i64) -> PricedLine {
        PricedLine {
            unit_price: Cents(cents),
            quantity,
            vat_rate_bp: rate,
        }
    }

    #[test]
    fn totals_and_vat_per_rate() {
        let lines = [line(1250, 2, 1000), line(300, 3, 1000), line(450, 2, 2000)];
        let t = totals(&lines, Cents(350), 1000);
        assert_eq!(t.subtotal, Cents(2500 + 900 + 900));
        assert_eq!(t.total, Cents(4300 + 350));
        // 10 %: 2500 + 900 + 350 = 3750 gross → 340.9 → 341 VAT; 20 %: 900 gross → 150 VAT.
        assert_eq!(
            t.vat,
            vec![
                VatLine {
                    rate_bp: 1000,
                    base: Cents(3409),
                    vat: Cents(341)
                },
                VatLine {
                    rate_bp: 2000,
                    base: Cents(750),
                    vat: Cents(150)
                },
            ]
        );
        let sum: i64 = t.vat.iter().map(|v| v.base.0 + v.vat.0).sum();
        assert_eq!(sum, t.total.0, "bases plus VAT make the total");
    }

    #[test]
    fn no_fee_no_fee_line() {
        let t = totals(&[line(1000, 1, 550)], Cents(0), 1000);
        assert_eq!(t.vat.len(), 1);
        assert_eq!(t.total, Cents(1000));
    }

    #[test]
    fn enums_parse_their_words_only() {
        assert_eq!("web".parse::<Channel>().unwrap(), Channel::Web);
        assert_eq!(
            "takeaway".parse::<Fulfilment>().unwrap(),
            Fulfilment::Takeaway
        );
        let err = "bitcoin".parse::<PaymentMethod>().unwrap_err();
        assert_eq!(err.field, "payment_method");
        assert!(err.reason.contains("cash, card, online"));
    }

    #[test]
    fn postcodes() {
        assert_eq!(parse_postcode(" 75011 ").unwrap(), "75011");
        assert_eq!(parse_postcode("sw1a  1aa").unwrap(), "SW1A 1AA");
        assert!(parse_postcode("7").is_err());
        assert!(parse_postcode("75011; drop").is_err());
    }
}
