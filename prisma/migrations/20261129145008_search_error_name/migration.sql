-- CreateIndex
CREATE INDEX "dead_letter_jobs_error_name_trgm_idx" ON "dead_letter_jobs" USING GIN ("error_name" gin_trgm_ops);
