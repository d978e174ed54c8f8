import { describe, expect, it } from 'vitest';
import { cryptoSecrets } from '../../lambdas/adapters/system.js';

describe('registration ids', () => {
  it('are 22 letters and digits, so an id never reads as a command-line option', () => {
    const ids = Array.from({ length: 5_000 }, () => cryptoSecrets.newRegistrationId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9]{22}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
