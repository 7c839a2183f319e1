//! Staff invitations: owners and managers invite people; the invitee accepts with the link.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::security::{BearerAuth, MANAGERS, Managers, require_role, staff};
use crate::domain::{Email, Role};
use crate::http::Problem;
use crate::http::strict::{OneOf, Text};
use crate::http::tx::in_tenant;
use crate::state::AppState;
use crate::tenancy::{self, invitations};

#[derive(Default)]
pub struct StaffApi;

#[derive(Object)]
struct InviteBody {
    email: Text,
    /// owner, manager, cashier, pizzaiolo or driver.
    role: OneOf<Role>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct InvitationView {
    id: Uuid,
    email: String,
    role: String,
    created_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct AcceptBody {
    token: Text,
    /// For a new account: your name.
    name: Option<Text<100>>,
    /// For a new account: 10 to 128 characters.
    password: Option<Text<128>>,
}

#[derive(Object)]
struct AcceptedView {
    pizzeria: String,
    role: String,
    /// A new account was created (log in with the invited address and the password).
    account_created: bool,
}

#[derive(ApiResponse)]
enum Invited {
    /// The invitation is sent by email.
    #[oai(status = 201)]
    Ok(Json<InvitationView>),
}

#[OpenApi(tag = "ApiTags::Operations")]
impl StaffApi {
    /// Invite someone to the staff (owners may invite any role, managers the other roles).
    #[oai(path = "/pizzerias/:slug/staff/invitations", method = "post")]
    async fn invite(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        slug: Path<String>,
        body: Json<InviteBody>,
    ) -> Result<Invited, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let roles = require_role(&state, &tenant, auth.0, MANAGERS).await?;
        let email = Email::parse(&body.email)?;
        let role: Role = body.role.get()?;
        if role.manages() && !roles.contains(&Role::Owner) {
            return Err(Problem::forbidden(
                "Only an owner invites owners and managers.",
            ));
        }
        let invited = in_tenant(&state.pool, tenant.id, async |tx| {
            let invited =
                invitations::invite(tx, tenant.id, &email, role, Some(auth.0.user_id)).await?;
            Ok(invited)
        })
        .await?;
        Ok(Invited::Ok(Json(InvitationView {
            id: invited.id,
            email: email.to_string(),
            role: role.to_string(),
            created_at: None,
            expires_at: invited.expires_at,
        })))
    }

    /// Invitations not yet accepted (owner, manager).
    #[oai(path = "/pizzerias/:slug/staff/invitations", method = "get")]
    async fn pending(
        &self,
        slug: staff::Path<Managers>,
    ) -> Result<Json<Vec<InvitationView>>, Problem> {
        let rows = slug
            .run(async |tx, t, _| Ok(invitations::pending(tx, t).await?))
            .await?;
        Ok(Json(
            rows.into_iter()
                .map(|r| InvitationView {
                    id: r.id,
                    email: r.email,
                    role: r.role.to_string(),
                    created_at: Some(r.created_at),
                    expires_at: r.expires_at,
                })
                .collect(),
        ))
    }

    /// Accept an invitation with the token of its email. The role joins the account of the
    /// invited address, or a new one made with `name` and `password`.
    #[oai(path = "/pizzerias/:slug/invitations/accept", method = "post")]
    async fn accept(
        &self,
        state: Data<&AppState>,
        slug: Path<String>,
        body: Json<AcceptBody>,
    ) -> Result<Json<AcceptedView>, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let accepted = invitations::accept(
            &state.pool,
            tenant.id,
            &body.token,
            body.name.as_deref(),
            body.password.as_deref(),
        )
        .await?;
        Ok(Json(AcceptedView {
            pizzeria: tenant.slug,
            role: accepted.role.to_string(),
            account_created: accepted.account_created,
        }))
    }
}
