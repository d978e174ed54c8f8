/**
 * `npm run bench` (`tsx bench/run.ts`): proof under load on the local stack, in one process, in memory.
 *
 *   npx tsx bench/run.ts            full run (a few minutes)
 *   npx tsx bench/run.ts --quick    CI smoke run (under two minutes)
 *   --only=storm,overhead,read-path,churn,promotion,flash-crowd,messages,cold-start   run some phases only
 *
 * Progress goes to stderr, a Markdown report to stdout, the figures as JSON to BENCH_OUT
 * (default bench-results.json). Exit code 1 when a correctness check fails (an oversold seat, a counter that
 * differs from its confirmed holders, a 5xx other than 503): the timings are information, never a verdict.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';

// Before the handlers are imported (startLocalStack imports them): no request logs on stdout, no SDK nagging.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const quick = process.argv.includes('--quick');
const only = process.argv
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const wanted = (phase: string) => !only || only.includes(phase);

function alternativesPerRound(given: string | undefined): number | 'all' {
  if (given === undefined || given === 'all') return 'all';
  const count = Number(given);
  if (!Number.isInteger(count) || count < 0) throw new Error('BENCH_FLASH_ALTERNATIVES: a count, or all');
  return count;
}

/** Issue 21: arrivals within one second, most wanting the same workshops, at three service times. */
const flashCrowdShape = {
  spreadMs: 1_000,
  // BENCH_FLASH_SERVICE_TIMES=20 (comma-separated) measures only some service times.
  serviceTimesMs: (process.env.BENCH_FLASH_SERVICE_TIMES ?? '10,20,40').split(',').map(Number),
  serviceTimeSigma: 0.5,
  favouriteShare: 0.6,
  secondShare: 0.25,
  favouriteShareRound2: 0.6,
  manualRetries: 2,
  // Alternatives each person gives per round in the form's reserve choice (their next preferences): all of them
  // unless BENCH_FLASH_ALTERNATIVES says how many (0: none, each person picks again after a refusal).
  alternativesPerRound: alternativesPerRound(process.env.BENCH_FLASH_ALTERNATIVES),
  // Requests in flight at once (a bounded number of Lambdas). The one-process stack shares its processor among
  // them, so each takes as long as all of them together and they reach the counters in an order of their own,
  // scrambled over about this many places; Lambda gives each request a processor of its own. 16 keeps the stack as
  // busy as 64 (the same requests per second) with a quarter of the scrambling (bench/README.md).
  maxSockets: Number(process.env.BENCH_FLASH_MAX_SOCKETS ?? 16),
};

const settings = quick
  ? {
      storm: {
        requests: 300,
        concurrency: 50,
        rounds: 2,
        workshopsPerRound: 4,
        seatsPerWorkshop: 25,
        duplicateShare: 0.03,
      },
      overhead: { requests: 40, warmup: 5 },
      readPath: { durationSeconds: 3, connections: 20 },
      churn: {
        durationMs: 5_000,
        concurrency: 16,
        rounds: 2,
        workshopsPerRound: 3,
        seatsPerWorkshop: 20,
        resizeEveryMs: 500,
      },
      promotion: { workshops: 3, seatsPerWorkshop: 10, waiting: 20, cancellations: 10, concurrency: 10 },
      flashCrowd: { ...flashCrowdShape, arrivals: 200, capacity: { concurrency: 8, durationMs: 1_000 } },
      coldStart: { samples: 1 },
      messages: { recipients: 200, throttleMs: 1_500 },
    }
  : {
      storm: {
        requests: 2_000,
        concurrency: 200,
        rounds: 2,
        workshopsPerRound: 4,
        seatsPerWorkshop: 100,
        duplicateShare: 0.03,
      },
      overhead: { requests: 300, warmup: 20 },
      readPath: { durationSeconds: 10, connections: 50 },
      churn: {
        durationMs: 30_000,
        concurrency: 32,
        rounds: 2,
        workshopsPerRound: 3,
        seatsPerWorkshop: 80,
        resizeEveryMs: 500,
      },
      promotion: { workshops: 3, seatsPerWorkshop: 40, waiting: 60, cancellations: 30, concurrency: 30 },
      flashCrowd: { ...flashCrowdShape, arrivals: 2_000, capacity: { concurrency: 32, durationMs: 5_000 } },
      coldStart: { samples: 5 },
      messages: { recipients: 2_000, throttleMs: 1_500 },
    };

async function main() {
  const { createDocumentClient } = await import('../lambdas/adapters/dynamodb/client.js');
  const { DynamoStore } = await import('../lambdas/adapters/dynamodb/dynamo-store.js');
  const { startLocalStack } = await import('../local/stack.js');
  const { conflictModelFromEnv } = await import('../local/dynamodb/conflict-model.js');
  const { machine, progress, round1 } = await import('./support.js');
  const { renderMarkdown } = await import('./report.js');
  type Results = import('./report.js').BenchResults;

  const startedAt = new Date().toISOString();
  const host = machine();
  progress('bench', `${quick ? 'quick' : 'full'} run on ${host.cpus} × ${host.model}, Node ${host.node}`);

  const results: Omit<Results, 'finishedAt' | 'machine' | 'ok' | 'problems'> = {
    mode: quick ? 'quick' : 'full',
    startedAt,
  };
  const problems: string[] = [];

  if (['storm', 'overhead', 'read-path', 'churn', 'promotion', 'flash-crowd', 'messages'].some(wanted)) {
    progress('bench', 'starting the local stack (in memory)');
    // Scheduled functions off: nothing is due while the SES emulator answers, and a sweep would add noise.
    // DYNAMODB_CONFLICT_MODEL=on runs every phase with DynamoDB's conflicts modelled (the flash crowd always does).
    const conflictModel = conflictModelFromEnv(process.env);
    const stack = await startLocalStack({
      conflictModel,
      port: 0,
      tableName: 'vol-bench',
      eventsDir: undefined,
      scheduleIntervalMs: 0,
    });
    const documentClient = createDocumentClient({
      region: process.env.AWS_REGION ?? 'eu-west-1',
      endpoint: stack.dynamodbEndpoint,
      requestTimeoutMs: 60_000,
      connectionTimeoutMs: 60_000,
      maxSockets: 256,
    });
    const context = { stack, documentClient, store: new DynamoStore(documentClient, stack.tableName) };
    try {
      if (wanted('storm')) {
        const { runStorm } = await import('./storm.js');
        const storm = await runStorm(context, settings.storm);
        results.storm = storm;
        if (storm.oversold > 0 || storm.oversoldByCounter > 0)
          problems.push(`storm: ${storm.oversold} seats oversold`);
        if (storm.counterMismatches > 0) problems.push(`storm: ${storm.counterMismatches} counters drifted`);
        if (storm.fiveXxOtherThan503 > 0)
          problems.push(`storm: ${storm.fiveXxOtherThan503} 5xx other than 503`);
        if (storm.confirmedResponses !== storm.confirmedStored)
          problems.push(
            `storm: ${storm.confirmedResponses} answered 201 but ${storm.confirmedStored} stored`,
          );
        problems.push(...storm.invariantViolations.map((v) => `storm: ${v}`));
      }
      if (wanted('overhead')) {
        const { runOverhead } = await import('./overhead.js');
        results.overhead = await runOverhead(context, settings.overhead);
        if (Object.keys(results.overhead.failures).length > 0)
          problems.push(`overhead: failures ${JSON.stringify(results.overhead.failures)}`);
      }
      if (wanted('read-path')) {
        const { runReadPath } = await import('./read-path.js');
        results.readPath = await runReadPath(context, settings.readPath);
        if (results.readPath.non2xx > 0 || results.readPath.errors > 0)
          problems.push(`read-path: ${results.readPath.non2xx} non-2xx, ${results.readPath.errors} errors`);
      }
      if (wanted('churn')) {
        const { runChurn } = await import('./churn.js');
        const churn = await runChurn(context, settings.churn);
        results.churn = churn;
        if (!churn.invariantHolds) problems.push(...churn.invariantViolations.map((v) => `churn: ${v}`));
        if (churn.fiveXxOtherThan503 > 0)
          problems.push(`churn: ${churn.fiveXxOtherThan503} 5xx other than 503`);
      }
      if (wanted('promotion')) {
        const { runPromotion } = await import('./promotion.js');
        const promotion = await runPromotion(context, settings.promotion);
        results.promotion = promotion;
        problems.push(...promotion.invariantViolations.map((v) => `promotion: ${v}`));
        if (promotion.satisfiableLeft > 0)
          problems.push(`promotion: ${promotion.satisfiableLeft} entries could have had a free seat`);
        if (promotion.fiveXx > 0) problems.push(`promotion: ${promotion.fiveXx} 5xx`);
        const promoted = promotion.promotedWithinRequests + promotion.promotedBySweep;
        if (promotion.promotionEmails !== promoted)
          problems.push(
            `promotion: ${promoted} promotions but ${promotion.promotionEmails} promotion emails`,
          );
      }
      if (wanted('flash-crowd')) {
        const { runFlashCrowd } = await import('./flash-crowd.js');
        const flashCrowd = await runFlashCrowd(context, settings.flashCrowd);
        stack.embeddedDynamo?.setConflictModel(conflictModel);
        results.flashCrowd = flashCrowd;
        for (const run of flashCrowd.runs) {
          const at = `flash-crowd ${run.serviceTimeMs} ms`;
          if (run.oversold > 0) problems.push(`${at}: ${run.oversold} seats oversold`);
          if (run.fiveXxOtherThan503 > 0)
            problems.push(`${at}: ${run.fiveXxOtherThan503} 5xx other than 503`);
          problems.push(...run.invariantViolations.map((v) => `${at}: ${v}`));
        }
      }
      if (wanted('messages')) {
        const { runMessages } = await import('./messages.js');
        results.messages = await runMessages(context, settings.messages);
        for (const run of results.messages.runs) {
          const at = `messages${run.throttled ? ' (throttled)' : ''}`;
          if (run.duplicates > 0) problems.push(`${at}: ${run.duplicates} duplicates`);
          if (run.lost > 0) problems.push(`${at}: ${run.lost} lost`);
        }
      }
    } finally {
      documentClient.destroy();
      await stack.close();
    }
  }

  if (wanted('cold-start')) {
    const { runColdStart } = await import('./cold-start.js');
    results.coldStart = await runColdStart(settings.coldStart);
    for (const f of results.coldStart.functions)
      if (f.error) problems.push(`cold start ${f.name}: ${f.error}`);
  }

  const full: Results = {
    ...results,
    finishedAt: new Date().toISOString(),
    machine: { ...host, loadAverageAtEnd: os.loadavg().map(round1) },
    ok: problems.length === 0,
    problems,
  };
  const out = process.env.BENCH_OUT || 'bench-results.json';
  await writeFile(out, `${JSON.stringify(full, null, 2)}\n`);
  process.stdout.write(renderMarkdown(full));
  progress(
    'bench',
    `JSON written to ${out}; ${full.ok ? 'all correctness checks passed' : 'PROBLEMS found'}`,
  );
  return full.ok;
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(2);
  },
);
