use std::str::FromStr;

/// The language of a person's emails and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    Fr,
    En,
}

impl Locale {
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
        }
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
}
