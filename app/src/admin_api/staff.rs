//! `/pizzerias/{slug}/staff`: who works in the pizzeria, invitations, roles, removals. A
//! removal applies from the person's next request: roles are read on every request, and the
//! access token carries none.

use chrono::{DateTime, Utc};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::AdminTags;
use super::security::{Managed, franchise};
use crate::domain::{Email, Role};
use crate::http::Problem;
use crate::http::responses::Done;
use crate::http::strict::{OneOf, Text};
use crate::tenancy::staff::{self, Actor};
use crate::tenancy::{invitations, memberships};

#[derive(Default)]
pub struct StaffAdminApi;

#[derive(Object)]
struct Member {
    user_id: Uuid,
    email: String,
    name: String,
    roles: Vec<String>,
}

#[derive(Object)]
struct Invitation {
    id: Uuid,
    email: String,
    role: String,
    expires_at: DateTime<Utc>,
}

#[derive(Object)]
struct StaffView {
    members: Vec<Member>,
    /// Invitations sent and not yet accepted.
    invitations: Vec<Invitation>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
struct InviteBody {
    email: Text,
    /// owner, manager, cashier, pizzaiolo or driver (owner and manager: owners only).
    role: OneOf<Role>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
struct RoleBody {
    role: OneOf<Role>,
}

#[derive(ApiResponse)]
enum Invited {
    /// Sent by email (the worker).
    #[oai(status = 201)]
    Ok(Json<Invitation>),
}

fn actor(m: &Managed) -> Actor {
    Actor {
        user_id: m.user_id,
        is_owner: m.is_owner(),
    }
}

#[OpenApi(tag = "AdminTags::Pizzeria")]
impl StaffAdminApi {
    #[oai(path = "/pizzerias/:slug/staff", method = "get")]
    async fn list(&self, slug: franchise::Path) -> Result<Json<StaffView>, Problem> {
        let (members, pending) = slug
            .run(async |tx, t, _| {
                let members = memberships::staff(tx, t).await?;
                let pending = invitations::pending(tx, t).await?;
                Ok((members, pending))
            })
            .await?;
        Ok(Json(StaffView {
            members: members
                .into_iter()
                .map(|r| Member {
                    user_id: r.user_id,
                    email: r.email,
                    name: r.name,
                    roles: r.roles.iter().map(ToString::to_string).collect(),
                })
                .collect(),
            invitations: pending
                .into_iter()
                .map(|r| Invitation {
                    id: r.id,
                    email: r.email,
                    role: r.role.to_string(),
                    expires_at: r.expires_at,
                })
                .collect(),
        }))
    }

    /// Invite someone by email; they accept with the link (an account is made if needed).
    #[oai(path = "/pizzerias/:slug/staff/invitations", method = "post")]
    async fn invite(
        &self,
        slug: franchise::Path,
        body: Json<InviteBody>,
    ) -> Result<Invited, Problem> {
        let email = Email::parse(&body.email)?;
        let role: Role = body.role.get()?;
        if role.manages() && !slug.is_owner() {
            return Err(Problem::forbidden(
                "Only an owner invites owners and managers.",
            ));
        }
        let invited = slug
            .run(async |tx, t, _| {
                let invited = invitations::invite(tx, t, &email, role, Some(slug.user_id)).await?;
                Ok(invited)
            })
            .await?;
        Ok(Invited::Ok(Json(Invitation {
            id: invited.id,
            email: email.to_string(),
            role: role.to_string(),
            expires_at: invited.expires_at,
        })))
    }

    /// Give a member exactly this role.
    #[oai(path = "/pizzerias/:slug/staff/:user_id", method = "put")]
    async fn set_role(
        &self,
        slug: franchise::Path,
        user_id: Path<Uuid>,
        body: Json<RoleBody>,
    ) -> Result<Done, Problem> {
        let role: Role = body.role.get()?;
        slug.run(
            async |tx, t, _| Ok(staff::set_role(tx, t, &actor(&slug), user_id.0, role).await?),
        )
        .await?;
        Ok(Done::NoContent)
    }

    /// Remove a member from the staff (effective from their next request).
    #[oai(path = "/pizzerias/:slug/staff/:user_id", method = "delete")]
    async fn remove(&self, slug: franchise::Path, user_id: Path<Uuid>) -> Result<Done, Problem> {
        slug.run(async |tx, t, _| Ok(staff::remove(tx, t, &actor(&slug), user_id.0).await?))
            .await?;
        Ok(Done::NoContent)
    }
}
