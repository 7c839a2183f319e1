//! `/me` of the admin API: who is signed in and which pizzerias they run (sessions:
//! `http::sessions`, tokens of the admin audience).

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::security::AdminAuth;
use super::state::AdminState;
use crate::accounts;
use crate::http::Problem;
use crate::http::sessions::SessionTags;
use crate::http::tx::as_user;
use crate::tenancy::memberships;

#[derive(Default)]
pub struct MeApi;

#[derive(Object)]
struct Managing {
    pizzeria: String,
    pizzeria_name: String,
    role: String,
}

#[derive(Object)]
struct Me {
    id: Uuid,
    email: String,
    name: String,
    platform_admin: bool,
    /// Pizzerias this account may run here (owner or manager).
    pizzerias: Vec<Managing>,
}

#[OpenApi(tag = "SessionTags::Sessions")]
impl MeApi {
    /// Who is signed in, and which pizzerias they run.
    #[oai(path = "/me", method = "get")]
    async fn me(&self, state: Data<&AdminState>, auth: AdminAuth) -> Result<Json<Me>, Problem> {
        let user_id = auth.0.user_id;
        let (user, platform_admin, pizzerias) = as_user(&state.pool, user_id, async |tx| {
            let user = accounts::store::find(tx, user_id)
                .await?
                .ok_or_else(|| Problem::unauthorized("This account no longer exists."))?;
            let platform_admin = accounts::store::is_platform_admin(tx, user_id).await?;
            let pizzerias = memberships::of_user(tx, user_id)
                .await?
                .into_iter()
                .filter(|m| m.role.manages())
                .map(|m| Managing {
                    pizzeria: m.slug,
                    pizzeria_name: m.name,
                    role: m.role.to_string(),
                })
                .collect();
            Ok((user, platform_admin, pizzerias))
        })
        .await?;
        Ok(Json(Me {
            id: user.id,
            email: user.email,
            name: user.name,
            platform_admin,
            pizzerias,
        }))
    }
}
