import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CursorCodec } from '../../lambdas/use-cases/admin/cursor.js';

const codec = new CursorCodec('test-key');
const state = {
  kind: 'registrations' as const,
  eventId: 'event-a',
  position: '2030-01-01T10:00:00.000Z#abc_DEF-1',
};

function flip(text: string, index: number): string {
  const char = text[index] === 'A' ? 'B' : 'A';
  return text.slice(0, index) + char + text.slice(index + 1);
}

describe('page cursors', () => {
  it('round-trips the position for the same listing and event', () => {
    const cursor = codec.encode(state);
    expect(cursor).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(codec.decode(cursor, { kind: 'registrations', eventId: 'event-a' })).toBe(state.position);
  });

  it('refuses a cursor of another event', () => {
    const cursor = codec.encode(state);
    expect(codec.decode(cursor, { kind: 'registrations', eventId: 'event-b' })).toBeUndefined();
  });

  it('refuses a cursor of another listing', () => {
    const cursor = codec.encode(state);
    expect(codec.decode(cursor, { kind: 'audit', eventId: 'event-a' })).toBeUndefined();
  });

  it('refuses a cursor whose event was rewritten, even with a re-encoded payload', () => {
    const [, signature] = codec.encode(state).split('.');
    const forged = Buffer.from(
      JSON.stringify({ v: 1, k: 'registrations', e: 'event-b', p: state.position }),
    ).toString('base64url');
    expect(
      codec.decode(`${forged}.${signature}`, { kind: 'registrations', eventId: 'event-b' }),
    ).toBeUndefined();
  });

  it('refuses any altered character', () => {
    const cursor = codec.encode(state);
    for (let index = 0; index < cursor.length; index++) {
      if (cursor[index] === '.') continue;
      expect(
        codec.decode(flip(cursor, index), { kind: 'registrations', eventId: 'event-a' }),
      ).toBeUndefined();
    }
  });

  it('refuses a cursor signed with another key', () => {
    const cursor = new CursorCodec('other-key').encode(state);
    expect(codec.decode(cursor, { kind: 'registrations', eventId: 'event-a' })).toBeUndefined();
  });

  it.each(['', 'x', '.', 'abc.def', 'a.b.c', 'x'.repeat(5000), Buffer.from('{"v":1}').toString('base64url')])(
    'refuses garbage %#',
    (cursor) => {
      expect(codec.decode(cursor, { kind: 'registrations', eventId: 'event-a' })).toBeUndefined();
    },
  );

  it('refuses a signed payload that is not a cursor state', () => {
    // A correctly signed payload with a malformed position is still refused.
    const sign = (payload: string) => createHmac('sha256', 'test-key').update(payload).digest('base64url');
    const payload = Buffer.from(
      JSON.stringify({ v: 1, k: 'registrations', e: 'event-a', p: "x' OR 1=1" }),
    ).toString('base64url');
    expect(
      codec.decode(`${payload}.${sign(payload)}`, { kind: 'registrations', eventId: 'event-a' }),
    ).toBeUndefined();
  });
});
