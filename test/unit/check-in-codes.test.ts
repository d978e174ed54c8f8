import { describe, expect, it } from 'vitest';
import { checkInCodeOf, normaliseCheckInCode, ownCheckInCode } from '../../lambdas/domain/check-in.js';
import { sha256Hex } from '../../lambdas/domain/hashing.js';

describe('check-in codes', () => {
  it('are 12 characters of Crockford base 32 in groups of four, without I, L, O or U', () => {
    for (let index = 0; index < 200; index++) {
      const code = checkInCodeOf(sha256Hex(`token-${index}`));
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    }
  });

  it('follow the manage token: the same hash gives the same code, another token another code', () => {
    const hash = sha256Hex('token-a');
    expect(checkInCodeOf(hash)).toBe(checkInCodeOf(hash));
    expect(checkInCodeOf(sha256Hex('token-b'))).not.toBe(checkInCodeOf(hash));
    const codes = new Set(Array.from({ length: 1000 }, (_, index) => checkInCodeOf(sha256Hex(`t${index}`))));
    expect(codes.size).toBe(1000);
  });

  it('none once the token is gone (erased), and only a confirmed registration shows one', () => {
    expect(checkInCodeOf('')).toBeUndefined();
    const manageTokenHash = sha256Hex('token');
    expect(ownCheckInCode({ status: 'confirmed', manageTokenHash })).toBe(checkInCodeOf(manageTokenHash));
    expect(ownCheckInCode({ status: 'waiting', manageTokenHash })).toBeUndefined();
    expect(ownCheckInCode({ status: 'cancelled', manageTokenHash })).toBeUndefined();
  });

  it('reads what people type leniently, and refuses what cannot be a code', () => {
    const code = checkInCodeOf(sha256Hex('token')) ?? '';
    expect(normaliseCheckInCode(code)).toBe(code);
    expect(normaliseCheckInCode(` ${code.replaceAll('-', ' ').toLowerCase()} `)).toBe(code);
    expect(normaliseCheckInCode('0000-1111-2222')).toBe('0000-1111-2222');
    expect(normaliseCheckInCode('oooo-iiii-llll')).toBe('0000-1111-1111');
    expect(normaliseCheckInCode('UUUU-0000-0000')).toBeUndefined();
    expect(normaliseCheckInCode('ABC')).toBeUndefined();
    expect(normaliseCheckInCode(`${code}0`)).toBeUndefined();
  });
});
