-- AlterTable
ALTER TABLE "oidc_auth_requests" ADD COLUMN     "test_session_id" UUID;

-- AlterTable
ALTER TABLE "saml_requests" ADD COLUMN     "test_session_id" UUID;

-- AlterTable
ALTER TABLE "sso_connections" ADD COLUMN     "tested_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "sso_test_results" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "protocol" "SsoProtocol" NOT NULL,
    "passed" BOOLEAN NOT NULL,
    "result" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sso_test_results_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scim_errors" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "status" INTEGER NOT NULL,
    "scim_type" TEXT,
    "detail" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "request_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scim_errors_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "sso_test_results_org_id_session_id_created_at_idx" ON "sso_test_results"("org_id", "session_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "scim_errors_org_id_created_at_idx" ON "scim_errors"("org_id", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "sso_test_results" ADD CONSTRAINT "sso_test_results_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scim_errors" ADD CONSTRAINT "scim_errors_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
