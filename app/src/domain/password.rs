use super::InvalidInput;

/// A new password as chosen by a person: 10 to 128 characters, not only spaces, and not easy to
/// guess: zxcvbn (its dictionaries of common passwords, words and names; repeats, sequences,
/// dates, keyboard patterns; the person's own email and name) must estimate at least 10^8
/// guesses (its score 3 of 4). (Hashing lives in `auth::password_hash`; this only says what may
/// be chosen.)
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 128;

    /// `about`: what the person's password must not be made of (their email, their name).
    pub fn parse(raw: &str, about: &[&str]) -> Result<Self, InvalidInput> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(InvalidInput::new(
                "password",
                format!("must have at least {} characters", Self::MIN_CHARS),
            ));
        }
        if chars > Self::MAX_CHARS {
            return Err(InvalidInput::new(
                "password",
                format!("must have at most {} characters", Self::MAX_CHARS),
            ));
        }
        if raw.trim().is_empty() {
            return Err(InvalidInput::new("password", "must not be only spaces"));
        }
        if (zxcvbn::zxcvbn(raw, about).score() as u8) < 3 {
            return Err(InvalidInput::new(
                "password",
                "is too easy to guess: avoid common passwords, repeats, sequences, dates and your own email or name (a few unrelated words work well)",
            ));
        }
        Ok(Self(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::Password;

    #[test]
    fn length_bounds() {
        assert!(Password::parse("chat bleu", &[]).is_err());
        assert!(Password::parse("chat bleu vert", &[]).is_ok());
        let long = "Le four à bois de la pizzeria chauffe depuis six heures; Nina prépare la pâte, Marco coupe la mozzarella et les olives noires du Sud";
        let first = |n: usize| long.chars().take(n).collect::<String>();
        assert!(Password::parse(&first(128), &[]).is_ok());
        assert!(Password::parse(&first(129), &[]).is_err());
        assert!(Password::parse("           ", &[]).is_err());
    }

    #[test]
    fn easy_passwords_are_refused() {
        for easy in [
            "aaaaaaaaaa",
            "1234567890",
            "azertyuiop",
            "password123",
            "motdepasse1",
        ] {
            assert!(Password::parse(easy, &[]).is_err(), "{easy}");
        }
        let email = "nina.dupont@example.fr";
        assert!(
            Password::parse(email, &[email, "Nina Dupont"]).is_err(),
            "the email"
        );
        assert!(Password::parse("correct horse battery", &[email]).is_ok());
        assert!(Password::parse("un mot de passe solide", &[email]).is_ok());
    }

    #[test]
    fn debug_never_prints_it() {
        let p = Password::parse("correct horse battery", &[]).unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }
}
