//! `slug: guard::Path<G>`: the pizzeria of an operation's path, admitted by a guard.
//!
//! One handler argument stands for two things of the OpenAPI document: the `{slug}` path
//! parameter (the argument's name is the parameter's name, hence `slug`) and the guard's
//! security scheme. The bearer token is read first, then the slug, then the guard decides, before the
//! request body is parsed: a caller who may not act in the pizzeria gets the same refusal
//! whatever they sent. Each API has its guards (`api::security::StaffOf`,
//! `admin_api::security::Managed`, written `staff::Path<Roles>` and `franchise::Path`); handlers
//! then use the guard's fields through `Deref`.
//!
//! The type is named `Path` on purpose: poem-openapi numbers an operation's path parameters by
//! the arguments whose type has a segment called `Path`, and `{slug}` must count as the first.

use std::ops::Deref;

use poem::{Request, RequestBody};
use poem_openapi::auth::{Bearer, BearerAuthorization};
use poem_openapi::registry::{MetaParamIn, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

use super::Problem;

/// Who may act in a pizzeria, decided from a security scheme and the path's slug.
pub trait Guard: Sized + Send {
    /// The bearer security scheme the document declares for the guard.
    type Scheme: ApiExtractor<'static>;

    /// Admits the holder of `bearer` in the pizzeria `slug`, or refuses with the answer to send.
    fn admit(
        req: &Request,
        bearer: Bearer,
        slug: &str,
    ) -> impl Future<Output = Result<Self, Problem>> + Send;
}

/// The pizzeria of the path once `G` admitted the caller there.
pub struct Path<G>(G);

impl<G> Deref for Path<G> {
    type Target = G;

    fn deref(&self) -> &G {
        &self.0
    }
}

impl<'a, G: Guard> ApiExtractor<'a> for Path<G> {
    const TYPES: &'static [ApiExtractorType] = &[
        ApiExtractorType::Parameter,
        ApiExtractorType::SecurityScheme,
    ];
    const PARAM_IS_REQUIRED: bool = true;
    type ParamType = String;
    type ParamRawType = String;

    fn register(registry: &mut Registry) {
        <G::Scheme as ApiExtractor<'static>>::register(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        <G::Scheme as ApiExtractor<'static>>::security_schemes()
    }

    fn param_in() -> Option<MetaParamIn> {
        Some(MetaParamIn::Path)
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        Some(String::schema_ref())
    }

    async fn from_request(
        req: &'a Request,
        body: &mut RequestBody,
        param_opts: ExtractParamOptions<String>,
    ) -> poem::Result<Self> {
        let bearer = Bearer::from_request(req)?;
        let slug = poem_openapi::param::Path::<String>::from_request(req, body, param_opts).await?;
        Ok(Self(G::admit(req, bearer, &slug.0).await?))
    }
}
