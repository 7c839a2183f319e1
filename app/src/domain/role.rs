use std::str::FromStr;

/// A person's role in one pizzeria (a membership). Platform administrators are global, not a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Owner,
    Manager,
    Cashier,
    Pizzaiolo,
    Driver,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Manager,
        Role::Cashier,
        Role::Pizzaiolo,
        Role::Driver,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Manager => "manager",
            Role::Cashier => "cashier",
            Role::Pizzaiolo => "pizzaiolo",
            Role::Driver => "driver",
        }
    }

    /// Owners run their pizzeria and may do whatever a manager may.
    pub(crate) fn manages(self) -> bool {
        matches!(self, Role::Owner | Role::Manager)
    }
}

impl FromStr for Role {
    type Err = super::InvalidInput;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                super::InvalidInput::new(
                    "role",
                    "must be owner, manager, cashier, pizzaiolo or driver",
                )
            })
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn round_trips_every_role() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("admin".parse::<Role>().is_err());
    }

    #[test]
    fn only_owner_and_manager_manage() {
        let managing: Vec<_> = Role::ALL.into_iter().filter(|r| r.manages()).collect();
        assert_eq!(managing, [Role::Owner, Role::Manager]);
    }
}
