//! Payloads whose bytes we produce ourselves, declared exactly in the OpenAPI document:
//! [`RawJson`] (a JSON document of schema `T`, streamed as it is produced, the tenant export, or
//! serialised once and kept, the menu) and [`Image`] (a product picture, `image/*`).

use std::marker::PhantomData;

use poem::{Body, IntoResponse, Response};
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::Type;

/// A JSON body of schema `T` that poem does not serialise: streamed, or bytes kept ready.
pub(crate) struct RawJson<T>(Body, PhantomData<fn() -> T>);

impl<T> RawJson<T> {
    pub(crate) fn new(body: Body) -> Self {
        Self(body, PhantomData)
    }
}

impl<T: Type> Payload for RawJson<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Type> IntoResponse for RawJson<T> {
    fn into_response(self) -> Response {
        Response::builder()
            .content_type(Self::CONTENT_TYPE)
            .body(self.0)
    }
}

/// Image bytes with their own media type (`image/png`, `image/jpeg`, `image/webp`).
pub(crate) struct Image {
    pub(crate) bytes: Vec<u8>,
    pub(crate) content_type: &'static str,
}

impl Payload for Image {
    const CONTENT_TYPE: &'static str = "image/*";

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            format: Some("binary"),
            ..MetaSchema::new("string")
        }))
    }
}

impl IntoResponse for Image {
    fn into_response(self) -> Response {
        Response::builder()
            .content_type(self.content_type)
            .body(self.bytes)
    }
}
