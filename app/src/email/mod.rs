//! Emails: every message the platform sends, in French and English, plain text and HTML.
//! Rendering is pure (data in, message out); the worker gathers the data and sends.

mod templates;

pub use templates::*;

use crate::domain::Locale;

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Chooses between the French and English text.
pub(crate) fn tr<'a>(locale: Locale, fr: &'a str, en: &'a str) -> &'a str {
    match locale {
        Locale::Fr => fr,
        Locale::En => en,
    }
}

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Wraps paragraphs (already escaped HTML) into a simple, mail-client-safe page.
pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:sans-serif;max-width:36em;margin:auto\">{body}\
         <p style=\"color:#777;font-size:small\">OC Pizza</p></body></html>",
        esc(title)
    )
}

/// A status as customers read it.
pub fn status_label(locale: Locale, status: &str) -> &'static str {
    match (status, locale) {
        ("received", Locale::Fr) => "reçue",
        ("received", Locale::En) => "received",
        ("preparing", Locale::Fr) => "en préparation",
        ("preparing", Locale::En) => "being prepared",
        ("ready", Locale::Fr) => "prête",
        ("ready", Locale::En) => "ready",
        ("out_for_delivery", Locale::Fr) => "en cours de livraison",
        ("out_for_delivery", Locale::En) => "on its way",
        ("delivered", Locale::Fr) => "livrée",
        ("delivered", Locale::En) => "delivered",
        ("picked_up", Locale::Fr) => "retirée",
        ("picked_up", Locale::En) => "picked up",
        ("cancelled", Locale::Fr) => "annulée",
        ("cancelled", Locale::En) => "cancelled",
        ("returned", Locale::Fr) => "non remise (retour à la pizzeria)",
        ("returned", Locale::En) => "not handed over (back at the pizzeria)",
        (_, Locale::Fr) => "mise à jour",
        (_, Locale::En) => "updated",
    }
}
