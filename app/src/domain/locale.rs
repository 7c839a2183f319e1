use std::str::FromStr;

/// The language of a person's emails and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    Fr,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Fr, Locale::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
        }
    }
}

impl Locale {
    /// The language of ours an `Accept-Language` header prefers (`en-GB;q=0.8, fr;q=0.9` → fr),
    /// if it names one at all. Equal weights keep the header's order.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(Locale, f32)> = None;
        for part in header.split(',') {
            let mut fields = part.split(';');
            let tag = fields.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = fields
                .filter_map(|f| f.trim().strip_prefix("q="))
                .find_map(|v| v.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let Ok(locale) = primary.parse::<Locale>() else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
                best = Some((locale, q));
            }
        }
        best.map(|(l, _)| l)
    }
}

impl FromStr for Locale {
    type Err = super::InvalidInput;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "fr" => Ok(Locale::Fr),
            "en" => Ok(Locale::En),
            _ => Err(super::InvalidInput::new("locale", "must be fr or en")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Locale;

    #[test]
    fn parses_the_two_locales() {
        assert_eq!("fr".parse::<Locale>().unwrap(), Locale::Fr);
        assert_eq!("en".parse::<Locale>().unwrap(), Locale::En);
        assert!("de".parse::<Locale>().is_err());
    }

    #[test]
    fn accept_language_picks_the_preferred_language_of_ours() {
        let pick = Locale::from_accept_language;
        assert_eq!(pick("en-GB,en;q=0.9,fr;q=0.8"), Some(Locale::En));
        assert_eq!(pick("de-DE, en-US;q=0.5, fr;q=0.7"), Some(Locale::Fr));
        assert_eq!(pick("fr-CA"), Some(Locale::Fr));
        assert_eq!(pick("en;q=0, fr;q=0.1"), Some(Locale::Fr));
        assert_eq!(pick("de, it;q=0.9"), None);
        assert_eq!(pick(""), None);
        assert_eq!(pick("en, fr"), Some(Locale::En), "equal weights: the first");
    }
}
