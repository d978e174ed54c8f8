import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';

/**
 * Opaque page cursors: `base64url(JSON state) . base64url(HMAC-SHA256(key, state))`. The state names what is
 * paged (`kind`), the event it belongs to and the position to continue after (the index sort key of the last
 * item consumed, `<createdAt>#<id>` or `<at>#<id>`). A cursor that was altered, belongs to another listing
 * or to another event is refused, so a cursor of event A can never page through event B.
 *
 * One position is enough for the 10 index shards: the listing merges them in one global order, so
 * everything at or before the position has been consumed in every shard.
 */

export type CursorKind = 'registrations' | 'audit';

export type CursorState = { kind: CursorKind; eventId: string; position: string };

const MAX_CURSOR_LENGTH = 1024;

const stateSchema = z.strictObject({
  v: z.literal(1),
  k: z.enum(['registrations', 'audit']),
  e: z.string().check(z.minLength(1), z.maxLength(64)),
  p: z.string().check(z.maxLength(200), z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z#[\w-]+$/)),
});

export class CursorCodec {
  /**
   * `key` signs the cursors: the stage's secret, generated at deploy and never derived from public names
   * (`cursorKey()` in composition.ts), so cursors cannot be forged. The eventId check is what keeps listings
   * apart; a forged position could only skip ahead within an event the organiser may read anyway.
   */
  constructor(private readonly key: string) {}

  encode(state: CursorState): string {
    const payload = Buffer.from(
      JSON.stringify({ v: 1, k: state.kind, e: state.eventId, p: state.position }),
      'utf8',
    ).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** The position to continue after, or undefined when the cursor is not one this listing issued. */
  decode(cursor: string, expected: { kind: CursorKind; eventId: string }): string | undefined {
    if (cursor.length > MAX_CURSOR_LENGTH) return undefined;
    const [payload, signature, ...rest] = cursor.split('.');
    if (!payload || !signature || rest.length > 0) return undefined;
    // Compared as text: base64url decoding ignores trailing bits, so two spellings could decode alike.
    const given = Buffer.from(signature, 'utf8');
    const wanted = Buffer.from(this.sign(payload), 'utf8');
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const state = stateSchema.safeParse(json);
    if (!state.success) return undefined;
    if (state.data.k !== expected.kind || state.data.e !== expected.eventId) return undefined;
    return state.data.p;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload, 'utf8').digest('base64url');
  }
}
