import { describe, expect, it } from 'vitest';
import {
  auditKey,
  emailGuardKey,
  eventKey,
  eventRegistryKey,
  keyPrefixes,
  promotionLeaseKey,
  registrationKey,
  seatShardKey,
  waitingEntryKey,
  workshopKey,
} from '../../lambdas/adapters/dynamodb/keys.js';
import { outboxKey } from '../../lambdas/adapters/dynamodb/outbox.js';

/**
 * The item grants of lambdas/routes.ts are these prefixes (`dynamodb:LeadingKeys` `<prefix>*`): every key must
 * fall under its own kind's prefix and under no other, so granting one kind never grants another.
 */
describe('key prefixes', () => {
  const keys: [keyof typeof keyPrefixes, string][] = [
    ['event', eventKey('dag').pk],
    ['workshop', workshopKey('dag', 'a').pk],
    // A seat shard beyond the workshop's own item: the same grant as the workshop (issue 21).
    ['workshop', seatShardKey('dag', 'a', 3).pk],
    ['registration', registrationKey('r1').pk],
    ['emailGuard', emailGuardKey('dag', 'hash').pk],
    ['outbox', outboxKey('r1.confirmation.1').pk],
    ['audit', auditKey('dag', 'x1').pk],
    ['eventRegistry', eventRegistryKey().pk],
    ['waiting', waitingEntryKey('dag', 'r1.1').pk],
    ['waiting', promotionLeaseKey('dag').pk],
  ];

  it.each(keys)('puts a %s key under its own prefix and no other', (kind, pk) => {
    const matching = Object.entries(keyPrefixes).filter(([, prefix]) => pk.startsWith(prefix));
    expect(matching.map(([name]) => name)).toEqual([kind]);
  });
});
