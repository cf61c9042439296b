-- CreateIndex
CREATE INDEX "users_org_local_idx" ON "users"("org_id", "id") WHERE (provisioned_by = 'invite'::"ProvisionedBy");
