/**
 * When the form sends a submission again by itself (issue 21: the flash crowd when registration opens). The API
 * answers 503 TRY_AGAIN with `Retry-After: 1` when DynamoDB stays busy; the form then waits and sends the same
 * request with the same Idempotency-Key (never a double booking) while telling the person it is being handled,
 * instead of asking them to try again while later arrivals take the seat. Pure (no DOM): the bench's flash-crowd
 * people follow the same rule.
 */

/** The longest Retry-After the form waits out by itself; a longer one is left to the person. */
export const BUSY_RETRY_MAX_WAIT_S = 5;
/** How often the form sends a busy submission again by itself before it shows the try-again message. */
export const BUSY_RETRIES = 10;

/** Ms to wait before sending again by itself, or undefined when the outcome is the person's to act on. */
export function busyRetryDelayMs(
  code: string | undefined,
  retryAfterSeconds: number | undefined,
): number | undefined {
  if (code !== 'TRY_AGAIN') return undefined;
  const seconds = retryAfterSeconds ?? 1;
  return seconds <= BUSY_RETRY_MAX_WAIT_S ? seconds * 1000 : undefined;
}
