-- Trigram index support for searching error text (ships with PostgreSQL contrib).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateEnum
CREATE TYPE "DeadLetterStatus" AS ENUM ('OPEN', 'RETRYING', 'RESOLVED');

-- CreateEnum
CREATE TYPE "BulkActionKind" AS ENUM ('RETRY', 'RESOLVE');

-- CreateEnum
CREATE TYPE "BulkActionStatus" AS ENUM ('QUEUED', 'RUNNING', 'DONE', 'FAILED');

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "digest_opt_out" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "dead_letter_jobs" (
    "id" UUID NOT NULL,
    "function_id" TEXT NOT NULL,
    "function_name" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "last_run_id" TEXT NOT NULL,
    "event_name" TEXT NOT NULL,
    "event_id" TEXT,
    "payload" JSONB NOT NULL,
    "error_name" TEXT NOT NULL,
    "error_message" TEXT NOT NULL,
    "error_stack" TEXT,
    "attempts" INTEGER NOT NULL,
    "history" JSONB NOT NULL DEFAULT '[]',
    "first_failed_at" TIMESTAMP(3) NOT NULL,
    "last_failed_at" TIMESTAMP(3) NOT NULL,
    "status" "DeadLetterStatus" NOT NULL DEFAULT 'OPEN',
    "resolved_at" TIMESTAMP(3),
    "resolved_by" TEXT,
    "resolution_note" TEXT,
    "retry_count" INTEGER NOT NULL DEFAULT 0,
    "last_retry_event_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "dead_letter_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_logs" (
    "id" UUID NOT NULL,
    "actor_id" UUID,
    "actor_email" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT,
    "note" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_logs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bulk_actions" (
    "id" UUID NOT NULL,
    "kind" "BulkActionKind" NOT NULL,
    "filter" JSONB NOT NULL,
    "note" TEXT,
    "total" INTEGER NOT NULL,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "status" "BulkActionStatus" NOT NULL DEFAULT 'QUEUED',
    "error" TEXT,
    "created_by_id" UUID NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "bulk_actions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scheduled_runs" (
    "id" UUID NOT NULL,
    "function_id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),
    "outcome" TEXT NOT NULL DEFAULT 'running',
    "summary" TEXT,

    CONSTRAINT "scheduled_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "dead_letter_jobs_run_id_key" ON "dead_letter_jobs"("run_id");

-- CreateIndex
CREATE INDEX "dead_letter_jobs_last_failed_at_id_idx" ON "dead_letter_jobs"("last_failed_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "dead_letter_jobs_status_last_failed_at_id_idx" ON "dead_letter_jobs"("status", "last_failed_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "dead_letter_jobs_function_id_status_last_failed_at_id_idx" ON "dead_letter_jobs"("function_id", "status", "last_failed_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "dead_letter_jobs_error_message_trgm_idx" ON "dead_letter_jobs" USING GIN ("error_message" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "audit_logs_created_at_id_idx" ON "audit_logs"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_logs_target_type_target_id_idx" ON "audit_logs"("target_type", "target_id");

-- CreateIndex
CREATE UNIQUE INDEX "scheduled_runs_run_id_key" ON "scheduled_runs"("run_id");

-- CreateIndex
CREATE INDEX "scheduled_runs_function_id_started_at_idx" ON "scheduled_runs"("function_id", "started_at" DESC);
