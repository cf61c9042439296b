-- DropIndex
DROP INDEX "users_org_email_key";

-- CreateIndex
CREATE INDEX "users_org_id_email_lower_idx" ON "users"("org_id", "email_lower");

-- Emails stay unique among password users (invited locally, or holding a password), so that a
-- password sign-in names one account; users provisioned by SCIM or created by an SSO sign-in
-- may share an email (docs/users.md). Every email was unique before, so no row can violate it.
-- CreateIndex
CREATE UNIQUE INDEX "users_org_password_email_key" ON "users"("org_id", "email_lower") WHERE (provisioned_by = 'invite' OR password_hash IS NOT NULL);
