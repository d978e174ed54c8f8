/**
 * The opt-in model of DynamoDB's transaction conflicts for the embedded DynamoDB (off by default).
 *
 * Without it the embedded DynamoDB runs one writer at a time, so transactions queue and never conflict. Real
 * DynamoDB does not lock: it detects conflicts and cancels. With the model on:
 *  - A TransactWriteItems claims its items for a service time drawn from a log-normal distribution (median
 *    `serviceTimeMedianMs`, shape `serviceTimeSigma`); it is answered, and its writes become visible, at the
 *    end of that time. Transactions on disjoint items run in parallel.
 *  - A TransactWriteItems touching an item claimed by another one is cancelled at once:
 *    TransactionCanceledException with `TransactionConflict` at the positions of the claimed items and `None`
 *    elsewhere. Nothing is written and nothing is claimed.
 *  - A PutItem, UpdateItem or DeleteItem on a claimed item fails with TransactionConflictException.
 *  - A TransactGetItems touching a claimed item is cancelled the same way as a write transaction.
 *  - Reads (GetItem, Query, Scan, BatchGetItem) are never refused: they see the last committed state (read
 *    committed), not the claimed transaction's writes.
 *  - ClientRequestToken: a replay of a committed transaction succeeds without writing again (10 minutes, as
 *    without the model); a replay while the original is still claimed fails with
 *    TransactionInProgressException; different parameters with a known token fail with
 *    IdempotentParameterMismatchException.
 *
 * Sources:
 *  - "Transaction conflict handling in DynamoDB" and "Isolation levels for DynamoDB transactions" in
 *    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html : the three
 *    conflict cases above (a single-item write against an ongoing transaction; an item of a transaction that
 *    is part of another ongoing transaction; an item of a TransactGetItems in an ongoing write), that a
 *    rejected single-item write fails with TransactionConflictException and a rejected transaction with
 *    TransactionCanceledException, that the SDKs do not retry these, and read-committed isolation for
 *    reads outside transactions.
 *  - https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html :
 *    CancellationReasons in item order with code `TransactionConflict`; ClientRequestToken valid for 10
 *    minutes, IdempotentParameterMismatchException for changed parameters, TransactionInProgressException
 *    ("the transaction with the given request token is already in progress").
 *
 * Assumptions (not documented by AWS, chosen for the flash-crowd bench of issue 21):
 *  - How long an item stays part of an ongoing transaction. AWS publishes no figure; the model draws a
 *    service time per transaction, log-normal because latencies are right-skewed; the bench measures at
 *    medians of 10, 20 and 40 ms (default shape σ = 0.5: p95 ≈ 2.3 × the median).
 *  - Conflict detection is all-or-nothing per item and immediate: an overlapping transaction is cancelled
 *    when it arrives, it does not wait. A transaction cancelled by a condition claims nothing.
 *  - BatchWriteItem is not checked against claims (the application does not use it on contested items).
 *  - The CPU work of the embedded DynamoDB (evaluating conditions, writing) still happens one transaction at a
 *    time; only the service time is parallel. Under heavy load that work adds to the time a request takes,
 *    but not to the time a transaction holds its items: the hold ends by the clock (the embedded DynamoDB's
 *    `now`), and a write arriving after that applies the finished transaction first (transactions.ts). A hold
 *    stretched by a busy process would model a slower DynamoDB than asked: before this, a bench flash crowd at
 *    20 ms saw about ten times more conflicts than with holds kept by the clock.
 */

export type ConflictModelOptions = {
  /** Median service time of a TransactWriteItems, in milliseconds (> 0). */
  serviceTimeMedianMs: number;
  /** Shape σ of the log-normal service time (σ of the underlying normal); 0 = always the median. Default 0.5. */
  serviceTimeSigma?: number;
  /** Source of randomness in [0, 1) for the service times; default Math.random. */
  random?: () => number;
  /** Another distribution: draws a service time in ms (replaces the log-normal one; tests use it). */
  drawServiceTimeMs?: () => number;
};

export type ConflictStats = {
  /** Write transactions that committed after holding their items. */
  transactionsHeld: number;
  /** TransactWriteItems / TransactGetItems cancelled with TransactionConflict. */
  transactionConflicts: number;
  /** PutItem / UpdateItem / DeleteItem refused with TransactionConflictException. */
  writeConflicts: number;
};

export const DEFAULT_SERVICE_TIME_SIGMA = 0.5;

export class ConflictModel {
  readonly #median: number;
  readonly #sigma: number;
  readonly #random: () => number;
  readonly #draw: (() => number) | undefined;
  /** Item identity -> the transaction holding it. */
  readonly #held = new Map<string, symbol>();
  /** ClientRequestToken -> fingerprint of a transaction that holds its items now. */
  readonly #tokensInFlight = new Map<string, string>();
  readonly stats: ConflictStats = { transactionsHeld: 0, transactionConflicts: 0, writeConflicts: 0 };

  constructor(options: ConflictModelOptions) {
    const sigma = options.serviceTimeSigma ?? DEFAULT_SERVICE_TIME_SIGMA;
    if (!(Number.isFinite(options.serviceTimeMedianMs) && options.serviceTimeMedianMs > 0))
      throw new RangeError(
        `serviceTimeMedianMs must be a positive number, got ${options.serviceTimeMedianMs}`,
      );
    if (!(Number.isFinite(sigma) && sigma >= 0))
      throw new RangeError(`serviceTimeSigma must be a number ≥ 0, got ${sigma}`);
    this.#median = options.serviceTimeMedianMs;
    this.#sigma = sigma;
    this.#random = options.random ?? Math.random;
    this.#draw = options.drawServiceTimeMs;
  }

  /** A service time in ms: median × e^(σ·Z), Z standard normal (Box–Muller). */
  serviceTime(): number {
    if (this.#draw) return this.#draw();
    if (this.#sigma === 0) return this.#median;
    const u = 1 - this.#random(); // (0, 1]
    const v = this.#random();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return this.#median * Math.exp(this.#sigma * z);
  }

  /** Indexes of the items (by identity) that an ongoing transaction holds. */
  heldPositions(identities: readonly string[]): number[] {
    return identities.flatMap((identity, i) => (this.#held.has(identity) ? [i] : []));
  }

  /** The fingerprint of the ongoing transaction with this token, if one holds its items now. */
  inFlight(token: string): string | undefined {
    return this.#tokensInFlight.get(token);
  }

  /**
   * Claims the items for one transaction (the caller has checked `heldPositions` in the same critical
   * section). Returns the release function; call it exactly once, when the transaction is over.
   */
  claim(identities: readonly string[], token?: { token: string; fingerprint: string }): () => void {
    const holder = Symbol('transaction');
    for (const identity of identities) this.#held.set(identity, holder);
    if (token) this.#tokensInFlight.set(token.token, token.fingerprint);
    return () => {
      for (const identity of identities) if (this.#held.get(identity) === holder) this.#held.delete(identity);
      if (token) this.#tokensInFlight.delete(token.token);
    };
  }
}

/**
 * The model from the environment of the local stack or the bench: DYNAMODB_CONFLICT_MODEL=on switches it on,
 * DYNAMODB_SERVICE_TIME_MS (median, default 20) and DYNAMODB_SERVICE_TIME_SIGMA (default 0.5) shape it.
 * Undefined when off; throws on values that make no sense, so a typo does not silently run without it.
 */
export function conflictModelFromEnv(env: NodeJS.ProcessEnv): ConflictModelOptions | undefined {
  const mode = (env.DYNAMODB_CONFLICT_MODEL ?? '').trim().toLowerCase();
  if (mode === '' || mode === 'off') return undefined;
  if (mode !== 'on') throw new Error(`DYNAMODB_CONFLICT_MODEL must be "on" or "off", got "${mode}"`);
  const number = (name: string, fallback: number, ok: (n: number) => boolean) => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!ok(value))
      throw new Error(`${name} must be a number${name.endsWith('MS') ? ' > 0' : ' ≥ 0'}, got "${raw}"`);
    return value;
  };
  return {
    serviceTimeMedianMs: number('DYNAMODB_SERVICE_TIME_MS', 20, (n) => Number.isFinite(n) && n > 0),
    serviceTimeSigma: number(
      'DYNAMODB_SERVICE_TIME_SIGMA',
      DEFAULT_SERVICE_TIME_SIGMA,
      (n) => Number.isFinite(n) && n >= 0,
    ),
  };
}
