// Imported first by tests that are about the provider's pace: the settings are read when the
// functions' modules load (their `throttle`) and at every send (the pacer), so they must be in place
// before anything of the app is imported. tests/setup/worker-env.ts resets the rate for the next file.
export const TEST_REQUESTS_PER_SECOND = 4;
process.env.RESEND_REQUESTS_PER_SECOND = String(TEST_REQUESTS_PER_SECOND);
process.env.RESEND_BULK_SHARE = "0.5";
