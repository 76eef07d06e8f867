/** The first retry waits this long; each next one twice as long. */
export const FIRST_RETRY_MS = 1_000;
/** No wait is longer: mail flows again within 30 s of SMTP returning. */
export const MAX_RETRY_MS = 30_000;

/** How long to wait before attempt `attempts + 1`, after `attempts` failed ones (≥ 1). */
export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}
