-- CreateTable
CREATE TABLE "saml_sp_keys" (
    "org_id" UUID NOT NULL,
    "certificate" TEXT NOT NULL,
    "private_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "saml_sp_keys_pkey" PRIMARY KEY ("org_id")
);

-- AddForeignKey
ALTER TABLE "saml_sp_keys" ADD CONSTRAINT "saml_sp_keys_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
