/**
 * ClientRequestToken replay for TransactWriteItems (transactions.ts): a token of a successful transaction is
 * remembered with a fingerprint of its items for 10 minutes; the same token with the same items is a replay
 * (answered without writing), with other items IdempotentParameterMismatchException.
 */
import { idempotentParameterMismatch } from './transaction-requests.js';

const TOKEN_VALIDITY_MS = 10 * 60 * 1000;

export class RequestTokens {
  /** ClientRequestToken -> fingerprint of the successful request and when the token expires. */
  readonly #tokens = new Map<string, { fingerprint: string; expiresAt: number }>();

  constructor(private readonly now: () => number) {}

  /** Whether the request is a replay of a successful one; throws the mismatch when its items differ. */
  isReplay(token: string, fingerprint: string): boolean {
    const now = this.now();
    for (const [key, entry] of this.#tokens) if (entry.expiresAt <= now) this.#tokens.delete(key);
    const entry = this.#tokens.get(token);
    if (!entry) return false;
    if (entry.fingerprint !== fingerprint) throw idempotentParameterMismatch();
    return true;
  }

  /** Remembers the token of a transaction that succeeded. */
  remember(token: string, fingerprint: string): void {
    this.#tokens.set(token, { fingerprint, expiresAt: this.now() + TOKEN_VALIDITY_MS });
  }
}
