import * as z from 'zod/mini';

/** `Idempotency-Key`: printable ASCII without spaces, as clients generate (UUIDs, ULIDs, random strings). */
export const idempotencyKeySchema = z
  .string()
  .check(z.regex(/^[\x21-\x7e]{1,200}$/, 'use 1 to 200 printable characters'));
