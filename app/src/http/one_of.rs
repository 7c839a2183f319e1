//! [`OneOf`]: one word of a closed vocabulary of the domain (a payment method, a role, an order
//! status…) as a request field or parameter, declared as an `enum` in the OpenAPI document and
//! parsed by the domain's own `FromStr` (docs/DESIGN.md, "Errors").

use std::borrow::Cow;
use std::str::FromStr;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde_json::Value;

use crate::domain::lifecycle::{Action, Status};
use crate::domain::order::{Channel, Fulfilment, PaymentMethod};
use crate::domain::{InvalidInput, Locale, Role};
use crate::tenancy::TenantStatus;

/// A closed set of words the domain parses (`FromStr`) and prints (`as_str`).
pub trait Vocabulary: Copy + FromStr<Err = InvalidInput> + Send + Sync + 'static {
    /// Its name in the document (`PaymentMethod`).
    const NAME: &'static str;
    fn all() -> &'static [Self];
    fn word(self) -> &'static str;
}

macro_rules! vocabulary {
    ($($t:ty => $name:literal),+ $(,)?) => {$(
        impl Vocabulary for $t {
            const NAME: &'static str = $name;

            fn all() -> &'static [Self] {
                &<$t>::ALL
            }

            fn word(self) -> &'static str {
                self.as_str()
            }
        }
    )+};
}

vocabulary!(
    Channel => "Channel",
    Fulfilment => "Fulfilment",
    PaymentMethod => "PaymentMethod",
    Role => "Role",
    Locale => "Locale",
    Action => "OrderAction",
    Status => "OrderStatus",
    TenantStatus => "TenantStatus",
);

/// One word of the vocabulary `T`, as a request field or parameter. In a body, a string
/// outside the vocabulary is kept as the domain's own refusal and given by [`OneOf::get`], so
/// it is answered like every refused value (422 naming the field); a parameter is checked as
/// it is read (422 naming the parameter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneOf<T>(Result<T, InvalidInput>);

impl<T: Vocabulary> Type for OneOf<T> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        T::NAME.into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            enum_items: T::all().iter().map(|w| Value::from(w.word())).collect(),
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

impl<T: Vocabulary> OneOf<T> {
    /// The word, or the domain's refusal of it.
    pub fn get(&self) -> Result<T, InvalidInput> {
        self.0.clone()
    }
}

impl<T: Vocabulary> ParseFromJSON for OneOf<T> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(s) => Ok(Self(s.parse())),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl<T: Vocabulary> ParseFromParameter for OneOf<T> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        match value.parse() {
            Ok(word) => Ok(Self(Ok(word))),
            Err(refusal) => Err(ParseError::custom(refusal.reason)),
        }
    }
}

impl<T: Vocabulary> ToJSON for OneOf<T> {
    fn to_json(&self) -> Option<Value> {
        Some(
            self.0
                .as_ref()
                .map_or(Value::Null, |w| Value::from(w.word())),
        )
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn one_of_takes_the_words_of_its_vocabulary_only() {
        use crate::domain::order::PaymentMethod;
        let read = |v| OneOf::<PaymentMethod>::parse_from_json(Some(v));
        assert_eq!(read(json!("cash")).unwrap().get(), Ok(PaymentMethod::Cash));
        let refused = read(json!("cheque")).unwrap().get().unwrap_err();
        assert_eq!(
            refused.field, "payment_method",
            "the domain's refusal, named"
        );
        assert!(
            read(json!(1)).is_err(),
            "not a string: not the document's type"
        );
        assert!(OneOf::<PaymentMethod>::parse_from_parameter("cheque").is_err());
        let MetaSchemaRef::Inline(schema) = OneOf::<PaymentMethod>::schema_ref() else {
            panic!("inline")
        };
        assert_eq!(
            schema.enum_items,
            vec![json!("cash"), json!("card"), json!("online")]
        );
    }
}
