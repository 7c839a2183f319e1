DROP TRIGGER tenants_access ON tenants;
DROP TRIGGER memberships_access ON memberships;
DROP FUNCTION notify_access_change();
