//! Emails: every message the platform sends, in French and English, plain text and HTML.
//! Rendering is pure (data in, message out); the worker gathers the data and sends.

mod compose;
mod templates;

pub use compose::compose;

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
