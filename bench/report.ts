/** Renders the bench results as Markdown (stdout). */
import type { ChurnResult } from './churn.js';
import type { ColdStartResult } from './cold-start.js';
import type { FlashCrowdResult } from './flash-crowd.js';
import type { MessagesResult } from './messages.js';
import type { OverheadResult } from './overhead.js';
import type { PromotionResult } from './promotion.js';
import type { ReadPathResult } from './read-path.js';
import type { StormResult } from './storm.js';
import type { Machine } from './support.js';

export type BenchResults = {
  mode: 'full' | 'quick';
  startedAt: string;
  finishedAt: string;
  machine: Machine & { loadAverageAtEnd: number[] };
  storm?: StormResult;
  overhead?: OverheadResult;
  readPath?: ReadPathResult;
  churn?: ChurnResult;
  promotion?: PromotionResult;
  flashCrowd?: FlashCrowdResult;
  messages?: MessagesResult;
  coldStart?: ColdStartResult;
  /** True when every correctness check passed (no oversold seat, no drift, no 5xx other than 503). */
  ok: boolean;
  problems: string[];
};

const table = (header: string[], rows: (string | number)[][]) =>
  [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(String).join(' | ')} |`),
  ].join('\n');

const codes = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ') || '–';

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const verdict = (met: boolean | null) => (met === null ? '' : met ? '(met)' : '(**missed**)');

export function renderMarkdown(results: BenchResults): string {
  const { machine } = results;
  const out: string[] = [];
  out.push(`# vol-is-vol bench (${results.mode})`);
  out.push('');
  out.push(
    `Machine: ${machine.cpus} × ${machine.model}, ${machine.totalMemoryGiB} GiB, Node ${machine.node}, ${machine.platform}; ` +
      `load average ${machine.loadAverageAtStart.join(' / ')} at start, ${machine.loadAverageAtEnd.join(' / ')} at end. ` +
      'Everything (load generator, local API, embedded DynamoDB) runs in one process: these are local-stack figures, ' +
      'not AWS figures.',
  );
  out.push('');

  const rows: (string | number)[][] = [];
  const { storm, overhead, readPath, churn, promotion, flashCrowd, coldStart, messages } = results;
  if (storm) {
    const o = storm.options;
    rows.push(
      ['storm', 'requests / concurrency', `${o.requests} / ${o.concurrency}`],
      [
        'storm',
        'seats',
        `${o.rounds} rounds × ${o.workshopsPerRound} workshops × ${o.seatsPerWorkshop} = ${storm.seatsPerRound} per round`,
      ],
      ['storm', 'confirmed (201 / stored)', `${storm.confirmedResponses} / ${storm.confirmedStored}`],
      ['storm', '**oversold** (index / counters)', `**${storm.oversold} / ${storm.oversoldByCounter}**`],
      ['storm', 'counters ≠ confirmed holders', storm.counterMismatches],
      ['storm', '5xx (other than 503)', `${storm.fiveXx} (${storm.fiveXxOtherThan503})`],
      ['storm', 'statuses', codes(storm.statuses)],
      ['storm', 'refusal codes', codes(storm.refusalCodes)],
      [
        'storm',
        'latency p50 / p95 / p99 / max',
        `${storm.latencyMs.p50} / ${storm.latencyMs.p95} / ${storm.latencyMs.p99} / ${storm.latencyMs.max} ms`,
      ],
      [
        'storm',
        'latency p50 / p95: confirmed (201); refused (409)',
        `${storm.latencyConfirmedMs.p50} / ${storm.latencyConfirmedMs.p95} ms; ${storm.latencyRefusedMs.p50} / ${storm.latencyRefusedMs.p95} ms`,
      ],
      [
        'storm',
        'throughput',
        `${storm.requestsPerSecond} requests/s, ${storm.confirmedPerSecond} confirmed/s`,
      ],
    );
  }
  if (overhead) {
    rows.push(
      ['overhead', 'sequential registrations per path', overhead.options.requests],
      ['overhead', 'API over HTTP p50 / p95', `${overhead.api.p50} / ${overhead.api.p95} ms`],
      [
        'overhead',
        'use case (reads + transaction) p50 / p95',
        `${overhead.useCase.p50} / ${overhead.useCase.p95} ms`,
      ],
      ['overhead', 'TransactWriteItems alone p50 / p95', `${overhead.store.p50} / ${overhead.store.p95} ms`],
      ['overhead', 'ratio API / transaction (p50)', `${overhead.ratioApiToStore.toFixed(1)}×`],
      ['overhead', 'ratio use case / transaction (p50)', `${overhead.ratioUseCaseToStore.toFixed(1)}×`],
    );
    if (Object.keys(overhead.failures).length > 0)
      rows.push(['overhead', 'failures', codes(overhead.failures)]);
  }
  if (readPath) {
    rows.push(
      [
        'read-path',
        'GET /events/{id} (autocannon): connections / seconds',
        `${readPath.options.connections} / ${readPath.options.durationSeconds}`,
      ],
      ['read-path', 'requests per second (every one reaching the function)', readPath.requestsPerSecond],
      [
        'read-path',
        'latency p50 / p90 / p99',
        `${readPath.latencyMs.p50} / ${readPath.latencyMs.p90} / ${readPath.latencyMs.p99} ms`,
      ],
      ['read-path', 'non-2xx / errors', `${readPath.non2xx} / ${readPath.errors}`],
      ['read-path', 'Cache-Control', readPath.cacheControl ?? 'none'],
    );
  }
  if (churn) {
    rows.push(
      ['churn', 'mode', churn.mode],
      [
        'churn',
        'duration / concurrency',
        `${Math.round(churn.durationMs / 1000)} s / ${churn.options.concurrency}`,
      ],
      ['churn', 'operations', `${churn.operations} (${churn.operationsPerSecond}/s)`],
      ...Object.entries(churn.byKind).map(([kind, s]): (string | number)[] => [
        'churn',
        `${kind} (${s.count}, p50 ${s.latencyMs.p50} ms)`,
        codes(s.outcomes),
      ]),
      ['churn', '5xx (other than 503)', `${churn.fiveXx} (${churn.fiveXxOtherThan503})`],
      [
        'churn',
        'registrations at end',
        `${churn.confirmedAtEnd} confirmed, ${churn.cancelledAtEnd} cancelled`,
      ],
      [
        'churn',
        '**invariant** (taken = holders, 0 ≤ taken ≤ capacity)',
        churn.invariantHolds ? '**holds**' : `**BROKEN**: ${churn.invariantViolations.join('; ')}`,
      ],
      ['churn', 'manage tokens from', churn.tokensFrom],
    );
  }
  if (promotion) {
    const o = promotion.options;
    const ms = (l: { p50: number; p95: number }) => `p50 ${l.p50} ms, p95 ${l.p95} ms`;
    rows.push(
      [
        'promotion',
        'setup',
        `${o.workshops} full workshops × ${o.seatsPerWorkshop} seats, ${o.waiting} waiting, ${o.cancellations} cancellations at concurrency ${o.concurrency}`,
      ],
      ['promotion', 'cancel with a waiting list', ms(promotion.cancelLatencyWithWaitingMs)],
      ['promotion', 'cancel without a waiting list', ms(promotion.cancelLatencyWithoutWaitingMs)],
      [
        'promotion',
        'promoted within the requests / by the sweep after',
        `${promotion.promotedWithinRequests} / ${promotion.promotedBySweep}`,
      ],
      ['promotion', 'promotion emails', promotion.promotionEmails],
      [
        'promotion',
        'still waiting / could have had a seat',
        `${promotion.stillWaiting} / ${promotion.satisfiableLeft}`,
      ],
      [
        'promotion',
        'invariants (taken ≤ capacity, taken = holders, entries ⟷ waitingFor)',
        promotion.invariantViolations.length === 0 ? 'hold' : promotion.invariantViolations.join('; '),
      ],
    );
  }
  if (messages) {
    for (const run of messages.runs) {
      rows.push([
        'messages',
        `${messages.options.recipients} recipients${run.throttled ? `, SES throttling ${messages.options.throttleMs} ms halfway (${run.throttledSends} sends refused)` : ''}`,
        `POST ${run.postMs} ms ${verdict(run.postMs < 2_000)}; all delivered after ${(run.deliveredAfterMs / 1000).toFixed(1)} s; delivered ${run.delivered}, duplicates ${run.duplicates}, lost ${run.lost}; counts sent ${run.counts.sent} / pending ${run.counts.pending} / failed ${run.counts.failed}`,
      ]);
    }
  }
  if (flashCrowd) {
    const o = flashCrowd.options;
    rows.push([
      'flash crowd',
      'setup',
      `${o.arrivals} arrivals within ${o.spreadMs} ms on the seed event's shape, conflict model on (log-normal σ ${o.serviceTimeSigma}); ` +
        `form retries by itself: ${flashCrowd.formAutomaticRetries}, by hand after try-again: up to ${o.manualRetries}`,
    ]);
    for (const run of flashCrowd.runs) {
      rows.push([
        'flash crowd',
        `${run.serviceTimeMs} ms: confirmed / try-again shown / fairness (strict FCFS) / conflicts per registration / time to full / **oversold**`,
        `${run.confirmed} / ${run.tryAgainShown} / ${run.fairness} (${run.fcfsFairness}) / ${run.conflictsPerRegistration} / ` +
          `${run.timeToFullMs ?? 'not full'} ms / **${run.oversold}**`,
      ]);
      rows.push([
        'flash crowd',
        `${run.serviceTimeMs} ms: capacity under the model, registrations per second per workshop / per event`,
        `${run.capacity.perWorkshopPerSecond} / ${run.capacity.perEventPerSecond} (${run.capacity.conflictsPerRegistration} conflicts per registration)`,
      ]);
    }
  }
  if (coldStart) {
    rows.push([
      'cold start',
      `import @aws-sdk/client-dynamodb (median of ${coldStart.options.samples})`,
      `${coldStart.sdkClientImportMs} ms (CPU ${coldStart.sdkClientImportCpuMs} ms)`,
    ]);
    rows.push([
      'cold start',
      `require @aws-sdk/client-dynamodb, as the functions load it (median of ${coldStart.options.samples})`,
      `${coldStart.sdkClientRequireMs} ms (CPU ${coldStart.sdkClientRequireCpuMs} ms)`,
    ]);
    const { budget } = coldStart;
    for (const f of coldStart.functions) {
      rows.push([
        'cold start',
        `${f.name}: bundle (budget ≤ ${kib(budget.bundleBytes)}) / import / ratio to SDK (budget ≤ ${budget.ratioToSdk}×)`,
        f.error
          ? `${f.bundleBytes ? kib(f.bundleBytes) : '–'} / error: ${f.error}`
          : `${kib(f.bundleBytes)} ${verdict(f.bundleWithinBudget)} / ${f.importMs} ms / ` +
            `${f.ratioToSdk?.toFixed(2)}× ${verdict(f.importWithinBudget)}`,
      ]);
    }
  }
  out.push(table(['phase', 'metric', 'value'], rows));
  out.push('');

  if (storm) {
    out.push('Storm, per workshop:');
    out.push('');
    out.push(
      table(
        ['workshop', 'capacity', 'taken', 'confirmed holders', 'oversold'],
        [...storm.workshops]
          .sort((a, b) => a.id.localeCompare(b.id))
          .map((w) => [
            w.id,
            w.capacity,
            w.taken,
            w.confirmedHolders,
            Math.max(0, w.confirmedHolders - w.capacity),
          ]),
      ),
    );
    out.push('');
  }
  if (flashCrowd) {
    out.push('Flash crowd, per median service time (goals: try-again shown 0, fairness ≥ 0.95, oversold 0):');
    out.push('');
    out.push(
      table(
        [
          'service time',
          'arrivals',
          'confirmed',
          'try-again shown',
          'being handled shown',
          'fairness',
          'strict FCFS fairness',
          'conflicts per registration',
          'time to full',
          'oversold',
          'final outcomes',
          'latency p50 / p95',
        ],
        flashCrowd.runs.map((run) => [
          `${run.serviceTimeMs} ms`,
          run.arrivals,
          run.confirmed,
          run.tryAgainShown,
          run.beingHandledShown,
          run.fairness,
          run.fcfsFairness,
          run.conflictsPerRegistration,
          run.timeToFullMs === null ? 'not full' : `${run.timeToFullMs} ms`,
          run.oversold,
          codes(run.finalOutcomes),
          `${run.latencyMs.p50} / ${run.latencyMs.p95} ms`,
        ]),
      ),
    );
    out.push('');
  }
  if (coldStart) {
    const { budget, sdkClientImportMs, sdkClientImportCpuMs } = coldStart;
    out.push(
      `Cold start per function, budgets beside (issue 19): bundle ≤ ${kib(budget.bundleBytes)}, import ≤ ` +
        `${budget.ratioToSdk}× the bare @aws-sdk/client-dynamodb import (${sdkClientImportMs} ms here, CPU ` +
        `${sdkClientImportCpuMs} ms; each function's ratio is to the SDK imports that alternated with its own, ` +
        'shown beside it; the CPU ratio is steadier on a shared machine); beside them the ratio to the client ' +
        `required as CommonJS, as the functions load it (${coldStart.sdkClientRequireMs} ms here; not the ` +
        "budget's reference), and what the bundles hold:",
    );
    out.push('');
    out.push(
      table(
        [
          'function',
          'bundle',
          'import',
          'SDK alongside',
          'ratio to SDK',
          'CPU ratio',
          'ratio to SDK required',
          'largest parts',
          'SDK packages left to the runtime',
        ],
        coldStart.functions.map((f) => [
          f.name,
          `${kib(f.bundleBytes)} ${verdict(f.bundleWithinBudget)}`,
          f.importMs === null ? '–' : `${f.importMs} ms (CPU ${f.importCpuMs} ms)`,
          f.sdkImportMs === null ? '–' : `${f.sdkImportMs} ms (CPU ${f.sdkImportCpuMs} ms)`,
          f.ratioToSdk === null ? '–' : `${f.ratioToSdk.toFixed(2)}× ${verdict(f.importWithinBudget)}`,
          f.cpuRatioToSdk === null ? '–' : `${f.cpuRatioToSdk.toFixed(2)}×`,
          f.ratioToSdkRequired === null ? '–' : `${f.ratioToSdkRequired.toFixed(2)}× (${f.sdkRequireMs} ms)`,
          f.largestParts.map((p) => `${p.part} ${kib(p.bytes)}`).join(', ') || '–',
          f.externalImports.join(', ') || '–',
        ]),
      ),
    );
    out.push('');
  }
  out.push(
    results.ok
      ? '**All correctness checks passed.**'
      : `**Correctness problems:**\n${results.problems.map((p) => `- ${p}`).join('\n')}`,
  );
  return `${out.join('\n')}\n`;
}
