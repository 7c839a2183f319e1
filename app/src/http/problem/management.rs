//! Problems of the pizzeria-management modules (tenants, staff, the group menu, images): the same
//! one-place rule as `mapping.rs`.

use poem::http::StatusCode;

use super::Problem;
use crate::devices::DeviceError;
use crate::images::ImageError;
use crate::menu::group::GroupError;
use crate::provisioning::ProvisionError;
use crate::tenancy::platform::PlatformError;
use crate::tenancy::staff::StaffError;

impl From<ProvisionError> for Problem {
    fn from(err: ProvisionError) -> Self {
        match err {
            ProvisionError::Invalid(e) => Problem::invalid(&e),
            ProvisionError::SlugTaken(slug) => {
                Problem::new(StatusCode::CONFLICT, "duplicate", "Already exists")
                    .detail(format!("A pizzeria with the slug {slug} already exists."))
                    .with("field", "slug")
            }
            ProvisionError::Unexpected(e) => Problem::internal(&e),
        }
    }
}

impl From<PlatformError> for Problem {
    fn from(err: PlatformError) -> Self {
        match err {
            PlatformError::Invalid(e) => Problem::invalid(&e),
            PlatformError::Unknown(_) => Problem::not_found("pizzeria"),
            e @ PlatformError::WrongStatus { .. } => Problem::new(
                StatusCode::CONFLICT,
                "invalid-transition",
                "Not possible in this state",
            )
            .detail(format!("{e}.")),
            PlatformError::Unexpected(e) => Problem::internal(&e),
        }
    }
}

impl From<ImageError> for Problem {
    fn from(err: ImageError) -> Self {
        match err {
            ImageError::UnsupportedType(why) => Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported image",
            )
            .detail(format!("{why}: send a PNG, JPEG or WebP image.")),
            e @ ImageError::TooLarge { .. } => Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Image too large",
            )
            .detail(format!("{e}.")),
            ImageError::Invalid(e) => Problem::invalid(&e),
            ImageError::Unexpected(e) => Problem::internal(&e),
        }
    }
}

impl From<DeviceError> for Problem {
    fn from(err: DeviceError) -> Self {
        match err {
            DeviceError::Invalid(e) => Problem::invalid(&e),
            DeviceError::NotFound => Problem::not_found("device"),
            DeviceError::Unexpected(e) => Problem::internal(&e),
        }
    }
}

impl From<StaffError> for Problem {
    fn from(err: StaffError) -> Self {
        match err {
            StaffError::NotStaff => Problem::not_found("staff member"),
            StaffError::NotAllowed(why) => Problem::forbidden(&format!("{why}.")),
            e @ StaffError::LastOwner => Problem::new(
                StatusCode::CONFLICT,
                "last-owner",
                "A pizzeria needs an owner",
            )
            .detail(format!("{e}: make someone else owner first.")),
            StaffError::Unexpected(e) => Problem::internal(&e),
        }
    }
}

impl From<GroupError> for Problem {
    fn from(err: GroupError) -> Self {
        match err {
            GroupError::Invalid(e) => Problem::invalid(&e),
            GroupError::NotFound => Problem::not_found("group product"),
            e @ GroupError::Duplicate(_) => {
                Problem::new(StatusCode::CONFLICT, "duplicate", "Already exists")
                    .detail(format!("{e}."))
            }
            GroupError::Conflict(why) => Problem::new(
                StatusCode::CONFLICT,
                "menu-conflict",
                "A pizzeria's menu cannot take this product",
            )
            .detail(format!("{why}; nothing was changed.")),
            GroupError::Unexpected(e) => Problem::internal(&e),
        }
    }
}
