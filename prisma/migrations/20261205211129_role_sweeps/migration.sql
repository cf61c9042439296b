-- CreateTable
CREATE TABLE "role_sweeps" (
    "org_id" UUID NOT NULL,
    "event" JSONB NOT NULL,
    "actor" JSONB NOT NULL,
    "request_id" TEXT,
    "after_id" UUID,
    "changed" INTEGER NOT NULL DEFAULT 0,
    "admin" INTEGER NOT NULL DEFAULT 0,
    "support" INTEGER NOT NULL DEFAULT 0,
    "viewer" INTEGER NOT NULL DEFAULT 0,
    "none" INTEGER NOT NULL DEFAULT 0,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "role_sweeps_pkey" PRIMARY KEY ("org_id")
);

-- CreateIndex
CREATE INDEX "users_org_id_idx" ON "users"("org_id", "id");

-- AddForeignKey
ALTER TABLE "role_sweeps" ADD CONSTRAINT "role_sweeps_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
