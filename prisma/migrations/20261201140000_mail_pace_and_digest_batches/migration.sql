-- Email at the provider's pace: the shared send pacer and the weekly digest's batches.
CREATE TABLE "digest_batches" (
    "id" UUID NOT NULL,
    "week" TEXT NOT NULL,
    "plan_run_id" TEXT NOT NULL,
    "page" INTEGER NOT NULL,
    "recipients" JSONB,
    "new_members" INTEGER,
    "frozen_at" TIMESTAMP(3),
    "sent_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "digest_batches_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "digest_batch_members" (
    "week" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "batch_id" UUID NOT NULL,

    CONSTRAINT "digest_batch_members_pkey" PRIMARY KEY ("week","user_id")
);

CREATE TABLE "mail_pace" (
    "key" TEXT NOT NULL,
    "tat_ms" BIGINT NOT NULL,

    CONSTRAINT "mail_pace_pkey" PRIMARY KEY ("key")
);

CREATE INDEX "digest_batches_plan_run_id_page_idx" ON "digest_batches"("plan_run_id", "page");
CREATE INDEX "digest_batches_week_idx" ON "digest_batches"("week");
CREATE INDEX "digest_batch_members_batch_id_idx" ON "digest_batch_members"("batch_id");

ALTER TABLE "digest_batch_members" ADD CONSTRAINT "digest_batch_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "digest_batch_members" ADD CONSTRAINT "digest_batch_members_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "digest_batches"("id") ON DELETE CASCADE ON UPDATE CASCADE;
