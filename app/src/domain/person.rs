use super::InvalidInput;

/// A person's name as shown to staff: 1 to 100 characters, trimmed, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(InvalidInput::new("name", "is required"));
        }
        if raw.chars().count() > 100 {
            return Err(InvalidInput::new(
                "name",
                "must have at most 100 characters",
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(InvalidInput::new(
                "name",
                "must not contain control characters",
            ));
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number: digits with an optional leading `+`, spaces, dots and dashes dropped;
/// 6 to 15 digits (E.164 allows at most 15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let trimmed = raw.trim();
        let (plus, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => ("+", rest),
            None => ("", trimmed),
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '.' | '-' | '(' | ')' => {}
                _ => {
                    return Err(InvalidInput::new(
                        "phone",
                        "must contain only digits, spaces, dots or dashes",
                    ));
                }
            }
        }
        if !(6..=15).contains(&digits.len()) {
            return Err(InvalidInput::new("phone", "must have 6 to 15 digits"));
        }
        Ok(Self(format!("{plus}{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            PersonName::parse("  Marie Dupont ").unwrap().as_str(),
            "Marie Dupont"
        );
        assert!(PersonName::parse(" ").is_err());
        assert!(PersonName::parse(&"x".repeat(101)).is_err());
        assert!(PersonName::parse("a\u{0}b").is_err());
    }

    #[test]
    fn phones_are_normalised() {
        assert_eq!(
            Phone::parse("+33 6 12.34-56 78").unwrap().as_str(),
            "+33612345678"
        );
        assert_eq!(
            Phone::parse("01 23 45 67 89").unwrap().as_str(),
            "0123456789"
        );
        assert!(Phone::parse("12345").is_err());
        assert!(Phone::parse("call me").is_err());
        assert!(Phone::parse("+1234567890123456").is_err());
    }
}
