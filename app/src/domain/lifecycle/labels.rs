//! What customers read for each status, in French and English (emails, and the pages to come).

use super::Status;
use crate::domain::Locale;

impl Status {
    /// The status as customers read it.
    pub fn label(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            Status::PendingPayment => ("en attente de paiement", "awaiting payment"),
            Status::Received => ("reçue", "received"),
            Status::Preparing => ("en préparation", "being prepared"),
            Status::Ready => ("prête", "ready"),
            Status::OutForDelivery => ("en cours de livraison", "on its way"),
            Status::Delivered => ("livrée", "delivered"),
            Status::PickedUp => ("retirée", "picked up"),
            Status::Cancelled => ("annulée", "cancelled"),
            Status::Returned => (
                "non remise (retour à la pizzeria)",
                "not handed over (back at the pizzeria)",
            ),
        };
        match locale {
            Locale::Fr => fr,
            Locale::En => en,
        }
    }
}
