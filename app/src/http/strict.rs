//! Fields exactly as the OpenAPI document declares them.
//!
//! - [`Text`]: a JSON string and nothing else. poem-openapi's `String` also takes `123` and
//!   `false` (as `"123"`, `"false"`), so a body the document says is invalid would be accepted;
//!   every text field of a request body is a `Text` instead, and a number or boolean there is
//!   refused like any body that does not match the document (400 `bad-request`). Responses
//!   keep plain `String`.
//! - [`OneOf`] (`http::one_of`): one word of a domain vocabulary (a payment method, a role…),
//!   declared as an `enum` in the document and parsed by the domain's own `FromStr`.
//! - [`Day`]: a `YYYY-MM-DD` parameter, declared with the `date` format.
//! - [`Nullable`]: an answer field always present, `null` when empty, declared `nullable`.
//!
//! A parameter outside its declaration is 422 `validation` naming it (`http::problem`).

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use chrono::NaiveDate;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde_json::Value;

pub use super::one_of::OneOf;

/// A JSON string; with `MAX`, declared `maxLength: MAX` (characters as sent). The limit is the
/// domain's, which refuses longer text with 422 naming the field, counting the text as sent
/// (before trimming), so the document and the refusal agree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text<const MAX: usize = 0>(String);

impl<const MAX: usize> Text<MAX> {
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl<const MAX: usize> Deref for Text<MAX> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> AsRef<str> for Text<MAX> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> fmt::Display for Text<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const MAX: usize> From<Text<MAX>> for String {
    fn from(t: Text<MAX>) -> Self {
        t.0
    }
}

impl<const MAX: usize> From<String> for Text<MAX> {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl<const MAX: usize> From<&str> for Text<MAX> {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

impl<const MAX: usize> PartialEq<str> for Text<MAX> {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl<const MAX: usize> Type for Text<MAX> {
    const IS_REQUIRED: bool = true;
    type RawValueType = String;
    type RawElementValueType = String;

    fn name() -> Cow<'static, str> {
        if MAX == 0 {
            "string".into()
        } else {
            format!("string_max_{MAX}").into()
        }
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            max_length: (MAX > 0).then_some(MAX),
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&String> {
        Some(&self.0)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a String> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl<const MAX: usize> ParseFromJSON for Text<MAX> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(s) => Ok(Self(s)),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl<const MAX: usize> ToJSON for Text<MAX> {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

/// An answer field that is always present and may be `null`, declared `nullable` (where one
/// shape for every item matters, as in the stock movements both APIs list). Elsewhere an absent
/// value is left out (`#[oai(skip_serializing_if_is_none)]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nullable<T>(pub Option<T>);

impl<T: Type> Type for Nullable<T> {
    const IS_REQUIRED: bool = true;
    type RawValueType = T::RawValueType;
    type RawElementValueType = T::RawElementValueType;

    fn name() -> Cow<'static, str> {
        format!("nullable_{}", T::name()).into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let schema = match T::schema_ref() {
            MetaSchemaRef::Inline(inline) => *inline,
            reference => MetaSchema {
                all_of: vec![reference],
                ..MetaSchema::ANY
            },
        };
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            nullable: true,
            ..schema
        }))
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        self.0.as_ref().and_then(T::as_raw_value)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        match &self.0 {
            Some(v) => v.raw_element_iter(),
            None => Box::new(std::iter::empty()),
        }
    }
}

impl<T: ParseFromJSON> ParseFromJSON for Nullable<T> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            None | Some(Value::Null) => Ok(Self(None)),
            v => T::parse_from_json(v)
                .map(|t| Self(Some(t)))
                .map_err(ParseError::propagate),
        }
    }
}

impl<T: ToJSON> ToJSON for Nullable<T> {
    fn to_json(&self) -> Option<Value> {
        Some(self.0.as_ref().and_then(T::to_json).unwrap_or(Value::Null))
    }
}

/// A calendar day as a parameter: `YYYY-MM-DD`, declared with the standard `date` format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day(pub NaiveDate);

impl Type for Day {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_date".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            format: Some("date"),
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromParameter for Day {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .map(Self)
            .map_err(|_| ParseError::custom("must be a date such as 2026-11-27"))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_a_json_string_is_text() {
        assert_eq!(
            <Text>::parse_from_json(Some(json!("Reine"))).unwrap(),
            *"Reine"
        );
        for wrong in [json!(123), json!(false), json!(null), json!([]), json!({})] {
            assert!(
                <Text>::parse_from_json(Some(wrong.clone())).is_err(),
                "{wrong}"
            );
        }
        assert!(<Text>::parse_from_json(None).is_err(), "a missing value");
    }

    #[test]
    fn a_day_is_a_calendar_date() {
        assert_eq!(
            Day::parse_from_parameter("2026-02-28").unwrap().0,
            NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()
        );
        for wrong in ["2026-02-30", "yesterday", "28/02/2026", ""] {
            assert!(Day::parse_from_parameter(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn a_bounded_text_declares_its_limit() {
        let MetaSchemaRef::Inline(schema) = Text::<280>::schema_ref() else {
            panic!("inline")
        };
        assert_eq!(schema.max_length, Some(280));
        let MetaSchemaRef::Inline(schema) = <Text>::schema_ref() else {
            panic!("inline")
        };
        assert_eq!(schema.max_length, None);
    }
}
