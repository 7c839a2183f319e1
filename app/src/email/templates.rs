//! One function per message kind.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{Message, esc, page, tr};
use crate::domain::lifecycle::Status;
use crate::domain::{Cents, Locale};

/// What an order email says about the order.
pub struct OrderFacts<'a> {
    pub pizzeria: &'a str,
    pub number: i32,
    pub lines: Vec<(i32, String, i64)>,
    pub total_cents: i64,
    pub estimated_at: DateTime<Utc>,
    pub delivery: bool,
    pub tracking_url: &'a str,
    pub timezone: Tz,
    /// The plain-text receipt.
    pub receipt: &'a str,
    /// The customer changed the lines: the message says so, with the new total.
    pub modified: bool,
}

pub fn order_confirmation(to: &str, locale: Locale, o: &OrderFacts<'_>) -> Message {
    let when = o.estimated_at.with_timezone(&o.timezone).format("%H:%M");
    let subject = format!(
        "{} {}{} — {}",
        tr(locale, "Commande n°", "Order #"),
        o.number,
        if o.modified {
            tr(locale, " modifiée", " changed")
        } else {
            ""
        },
        o.pizzeria
    );
    let intro = if o.modified {
        tr(
            locale,
            "Votre commande a été modifiée ; voici ce qu'elle contient maintenant.",
            "Your order was changed; this is what it holds now.",
        )
    } else {
        tr(
            locale,
            "Merci, votre commande est reçue.",
            "Thank you, your order is received.",
        )
    };
    let expect = if o.delivery {
        tr(locale, "Livraison prévue vers", "Expected delivery around")
    } else {
        tr(locale, "Prête vers", "Ready around")
    };
    let lines: String = o
        .lines
        .iter()
        .map(|(q, name, total)| format!("{q} × {name}  {}\n", Cents(*total)))
        .collect();
    let text = format!(
        "{intro}\n\n{lines}\n{} {}\n{expect} {when}.\n\n{} {}\n\n{}",
        tr(locale, "Total :", "Total:"),
        Cents(o.total_cents),
        tr(locale, "Suivre la commande :", "Follow your order:"),
        o.tracking_url,
        o.receipt
    );
    let rows: String = o
        .lines
        .iter()
        .map(|(q, name, total)| format!("<li>{q} × {} — {}</li>", esc(name), Cents(*total)))
        .collect();
    let html = page(
        &subject,
        &format!(
            "<h1>{}</h1><ul>{rows}</ul><p><b>{} {}</b></p><p>{expect} {when}.</p><p><a href=\"{url}\">{}</a></p><pre>{}</pre>",
            esc(&subject),
            tr(locale, "Total :", "Total:"),
            Cents(o.total_cents),
            tr(locale, "Suivre la commande", "Follow your order"),
            esc(o.receipt),
            url = esc(o.tracking_url)
        ),
    );
    Message {
        to: to.into(),
        subject,
        text,
        html,
    }
}

pub(crate) fn order_status(
    to: &str,
    locale: Locale,
    pizzeria: &str,
    number: i32,
    status: Status,
    tracking_url: &str,
) -> Message {
    let label = status.label(locale);
    let subject = format!(
        "{} {} {label} — {pizzeria}",
        tr(locale, "Commande n°", "Order #"),
        number
    );
    let text = format!(
        "{subject}.\n\n{} {tracking_url}\n",
        tr(locale, "Suivre la commande :", "Follow your order:")
    );
    let html = page(
        &subject,
        &format!(
            "<p>{}.</p><p><a href=\"{}\">{}</a></p>",
            esc(&subject),
            esc(tracking_url),
            tr(locale, "Suivre la commande", "Follow your order")
        ),
    );
    Message {
        to: to.into(),
        subject,
        text,
        html,
    }
}

pub fn verify_email(to: &str, locale: Locale, name: &str, link: &str, token: &str) -> Message {
    let subject = tr(
        locale,
        "Confirmez votre adresse email",
        "Confirm your email address",
    )
    .to_string();
    let text = format!(
        "{} {name},\n\n{}\n{link}\n\n{} {token}\n",
        tr(locale, "Bonjour", "Hello"),
        tr(
            locale,
            "Confirmez votre adresse en ouvrant ce lien (valable 7 jours) :",
            "Confirm your address with this link (valid 7 days):"
        ),
        tr(locale, "Code :", "Code:")
    );
    let html = page(
        &subject,
        &format!(
            "<p>{} {}</p><p><a href=\"{}\">{}</a></p>",
            tr(locale, "Bonjour", "Hello"),
            esc(name),
            esc(link),
            esc(&subject)
        ),
    );
    Message {
        to: to.into(),
        subject,
        text,
        html,
    }
}

pub fn password_reset(to: &str, locale: Locale, link: &str, token: &str) -> Message {
    let subject = tr(
        locale,
        "Réinitialiser votre mot de passe",
        "Reset your password",
    )
    .to_string();
    let text = format!(
        "{}\n{link}\n\n{} {token}\n\n{}\n",
        tr(
            locale,
            "Choisissez un nouveau mot de passe avec ce lien (valable une heure, une seule fois) :",
            "Choose a new password with this link (valid one hour, once):"
        ),
        tr(locale, "Code :", "Code:"),
        tr(
            locale,
            "Vous n'avez rien demandé ? Ignorez ce message.",
            "You did not ask for this? Ignore this message."
        )
    );
    let html = page(
        &subject,
        &format!(
            "<p><a href=\"{}\">{}</a></p><p>{}</p>",
            esc(link),
            esc(&subject),
            tr(
                locale,
                "Lien valable une heure.",
                "The link is valid one hour."
            )
        ),
    );
    Message {
        to: to.into(),
        subject,
        text,
        html,
    }
}

pub fn invitation(
    to: &str,
    locale: Locale,
    pizzeria: &str,
    role: &str,
    link: &str,
    token: &str,
    expires_at: DateTime<Utc>,
) -> Message {
    let subject = format!(
        "{} {pizzeria}",
        tr(locale, "Invitation à rejoindre", "Invitation to join")
    );
    let text = format!(
        "{} {pizzeria} ({} {role}).\n{}\n{link}\n\n{} {token}\n{} {}\n",
        tr(
            locale,
            "Vous êtes invité·e dans l'équipe de",
            "You are invited to the staff of"
        ),
        tr(locale, "rôle :", "role:"),
        tr(locale, "Acceptez avec ce lien :", "Accept with this link:"),
        tr(locale, "Code :", "Code:"),
        tr(locale, "Valable jusqu'au", "Valid until"),
        expires_at.format("%Y-%m-%d %H:%M UTC")
    );
    let html = page(
        &subject,
        &format!(
            "<p>{} <b>{}</b> ({role}).</p><p><a href=\"{}\">{}</a></p>",
            tr(
                locale,
                "Vous êtes invité·e dans l'équipe de",
                "You are invited to the staff of"
            ),
            esc(pizzeria),
            esc(link),
            tr(locale, "Accepter l'invitation", "Accept the invitation")
        ),
    );
    Message {
        to: to.into(),
        subject,
        text,
        html,
    }
}

pub fn low_stock(
    to: &str,
    locale: Locale,
    pizzeria: &str,
    ingredient: &str,
    quantity: i64,
    threshold: i64,
    unit: &str,
) -> Message {
    let subject = format!(
        "{} {ingredient} — {pizzeria}",
        tr(locale, "Stock bas :", "Low stock:")
    );
    let text = format!(
        "{ingredient}: {quantity} {unit} {} ({} {threshold} {unit}).\n{}\n",
        tr(locale, "en stock", "on hand"),
        tr(locale, "seuil", "threshold"),
        tr(locale, "Pensez à réapprovisionner.", "Time to restock.")
    );
    let html = page(
        &subject,
        &format!(
            "<p><b>{}</b>: {quantity} {unit} ({} {threshold} {unit})</p>",
            esc(ingredient),
            tr(locale, "seuil", "threshold")
        ),
    );
    Message {
        to: to.into(),
        subject,
        text,
        html,
    }
}

pub(crate) fn backup_failed(to: &str, locale: Locale, error: &str, at: DateTime<Utc>) -> Message {
    let subject = tr(locale, "Échec de la sauvegarde", "Backup failed").to_string();
    let text = format!(
        "{subject} ({}):\n{error}\n\n{}\n",
        at.format("%Y-%m-%d %H:%M UTC"),
        tr(
            locale,
            "Voir docs/OPERATIONS.md.",
            "See docs/OPERATIONS.md."
        )
    );
    let html = page(
        &subject,
        &format!(
            "<p>{} ({})</p><pre>{}</pre>",
            esc(&subject),
            at.format("%Y-%m-%d %H:%M UTC"),
            esc(error)
        ),
    );
    Message {
        to: to.into(),
        subject,
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_speak_the_recipients_language() {
        let fr = order_status(
            "a@b.fr",
            Locale::Fr,
            "OC Pizza Bastille",
            12,
            Status::OutForDelivery,
            "https://x/track/t",
        );
        assert_eq!(
            fr.subject,
            "Commande n° 12 en cours de livraison — OC Pizza Bastille"
        );
        let en = order_status(
            "a@b.fr",
            Locale::En,
            "OC Pizza Bastille",
            12,
            Status::Ready,
            "https://x/track/t",
        );
        assert_eq!(en.subject, "Order # 12 ready — OC Pizza Bastille");
        assert!(
            en.text.contains("https://x/track/t") && en.html.contains("href=\"https://x/track/t\"")
        );
    }

    #[test]
    fn html_is_escaped() {
        let m = low_stock("a@b.fr", Locale::Fr, "<script>", "Mozza & co", 90, 100, "g");
        assert!(m.html.contains("Mozza &amp; co") && !m.html.contains("<script>"));
    }
}
