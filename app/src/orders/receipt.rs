//! The printable receipt of an order, in plain text and HTML, with VAT per rate and the
//! pizzeria's legal details. Pure: everything comes in.

use chrono_tz::Tz;

use super::OrderDetails;
use crate::domain::Cents;
use crate::domain::order::{Fulfilment, PaymentMethod};

/// What the receipt says about the seller.
pub struct Seller {
    pub name: String,
    pub legal_name: String,
    pub address: String,
    pub phone: String,
    pub siret: String,
    pub vat_number: String,
    pub timezone: Tz,
}

struct VatRow {
    rate_bp: i64,
    base: i64,
    vat: i64,
}

fn vat_rows(d: &OrderDetails) -> Vec<VatRow> {
    d.order
        .vat
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| VatRow {
                    rate_bp: r["rate_bp"].as_i64().unwrap_or(0),
                    base: r["base_cents"].as_i64().unwrap_or(0),
                    vat: r["vat_cents"].as_i64().unwrap_or(0),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn percent(rate_bp: i64) -> String {
    let whole = rate_bp / 100;
    match rate_bp % 100 {
        0 => format!("{whole} %"),
        frac => format!("{whole},{} %", format!("{frac:02}").trim_end_matches('0')),
    }
}

fn payment(method: PaymentMethod, fulfilment: Fulfilment) -> &'static str {
    match (method, fulfilment) {
        (PaymentMethod::Cash, Fulfilment::Delivery) => "Espèces à la livraison",
        (PaymentMethod::Cash, Fulfilment::Takeaway) => "Espèces au retrait",
        (PaymentMethod::Card, Fulfilment::Delivery) => "Carte bancaire à la livraison",
        (PaymentMethod::Card, Fulfilment::Takeaway) => "Carte bancaire au retrait",
        (PaymentMethod::Online, _) => "Paiement en ligne",
    }
}

fn extras(line: &super::store::LineRow) -> Vec<String> {
    line.extras
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub fn text(d: &OrderDetails, seller: &Seller) -> String {
    let o = &d.order;
    let mut out = String::new();
    let placed = o
        .placed_at
        .with_timezone(&seller.timezone)
        .format("%d/%m/%Y %H:%M");
    out.push_str(&format!(
        "{}\n{}\n{}\nTél. {}\n",
        seller.name, seller.legal_name, seller.address, seller.phone
    ));
    out.push_str(&format!(
        "SIRET {}  TVA {}\n\n",
        seller.siret, seller.vat_number
    ));
    out.push_str(&format!(
        "Commande n° {} du {}  ({})\n",
        o.number, placed, o.service_day
    ));
    out.push_str(&format!(
        "{} — {}\n\n",
        if o.fulfilment == Fulfilment::Delivery {
            "Livraison"
        } else {
            "À emporter"
        },
        o.contact_name
    ));
    for l in &d.lines {
        let label = format!("{} ({})", l.product_name, l.size_label);
        let total = Cents(l.line_total_cents).to_string();
        out.push_str(&format!("{:>2} × {label:<34} {total:>10}\n", l.quantity));
        for e in extras(l) {
            out.push_str(&format!("       + {e}\n"));
        }
    }
    if o.delivery_fee_cents > 0 {
        out.push_str(&format!(
            "     {:<34} {:>10}\n",
            "Frais de livraison",
            Cents(o.delivery_fee_cents).to_string()
        ));
    }
    out.push_str(&format!(
        "\n{:<39} {:>10}\n",
        "TOTAL TTC",
        Cents(o.total_cents).to_string()
    ));
    for v in vat_rows(d) {
        out.push_str(&format!(
            "TVA {:>6}  HT {:>10}  TVA {:>10}\n",
            percent(v.rate_bp),
            Cents(v.base).to_string(),
            Cents(v.vat).to_string()
        ));
    }
    out.push_str(&format!(
        "\nPaiement : {}\n",
        payment(o.payment_method, o.fulfilment)
    ));
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn html(d: &OrderDetails, seller: &Seller) -> String {
    let o = &d.order;
    let placed = o
        .placed_at
        .with_timezone(&seller.timezone)
        .format("%d/%m/%Y %H:%M");
    let mut rows = String::new();
    for l in &d.lines {
        let extras = extras(l)
            .iter()
            .map(|e| format!("<br><small>+ {}</small>", esc(e)))
            .collect::<String>();
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{} ({}){}</td><td class=n>{}</td></tr>\n",
            l.quantity,
            esc(&l.product_name),
            esc(&l.size_label),
            extras,
            Cents(l.line_total_cents)
        ));
    }
    if o.delivery_fee_cents > 0 {
        rows.push_str(&format!(
            "<tr><td></td><td>Frais de livraison</td><td class=n>{}</td></tr>\n",
            Cents(o.delivery_fee_cents)
        ));
    }
    let vat: String = vat_rows(d)
        .iter()
        .map(|v| {
            format!(
                "<tr><td>TVA {}</td><td class=n>HT {}</td><td class=n>TVA {}</td></tr>\n",
                percent(v.rate_bp),
                Cents(v.base),
                Cents(v.vat)
            )
        })
        .collect();
    format!(
        r#"<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Commande n° {number} — {name}</title>
<style>body{{font-family:sans-serif;max-width:28em;margin:1em auto}}table{{width:100%;border-collapse:collapse}}td{{padding:.2em}}.n{{text-align:right;white-space:nowrap}}@media print{{body{{margin:0}}}}</style></head>
<body>
<h1>{name}</h1>
<p>{legal}<br>{address}<br>Tél. {phone}<br>SIRET {siret} — TVA {vat_number}</p>
<h2>Commande n° {number}</h2>
<p>{placed} (journée du {day})<br>{kind} — {contact}</p>
<table>
{rows}<tr><th colspan=2>Total TTC</th><th class=n>{total}</th></tr>
</table>
<table>
{vat}</table>
<p>Paiement : {payment}</p>
</body></html>
"#,
        number = o.number,
        name = esc(&seller.name),
        legal = esc(&seller.legal_name),
        address = esc(&seller.address),
        phone = esc(&seller.phone),
        siret = esc(&seller.siret),
        vat_number = esc(&seller.vat_number),
        placed = placed,
        day = o.service_day,
        kind = if o.fulfilment == Fulfilment::Delivery {
            "Livraison"
        } else {
            "À emporter"
        },
        contact = esc(&o.contact_name),
        rows = rows,
        total = Cents(o.total_cents),
        vat = vat,
        payment = payment(o.payment_method, o.fulfilment),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_print_the_french_way() {
        assert_eq!(percent(1000), "10 %");
        assert_eq!(percent(550), "5,5 %");
        assert_eq!(percent(2000), "20 %");
        assert_eq!(esc("<b>&"), "&lt;b&gt;&amp;");
    }
}
