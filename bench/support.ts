/** Small helpers shared by the bench phases: an HTTP client, percentiles, progress lines, an event builder. */
import http from 'node:http';
import os from 'node:os';
import type { EventDefinition } from '../lambdas/domain/event-definition.js';

export type HttpResult = {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field
  body: any;
  ms: number;
  /** Response headers (lower-case names); empty for a network error. */
  headers: http.IncomingHttpHeaders;
};

export type HttpClient = {
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<HttpResult>;
  close(): void;
};

/**
 * A keep-alive HTTP client with at most `maxSockets` connections (node:http: less client CPU than fetch, which
 * matters when client, API and DynamoDB share two cores). A network error is status 0 with a CLIENT_ code.
 */
export function httpClient(baseUrl: string, maxSockets: number): HttpClient {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  return {
    request(method, path, body, headers = {}) {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const started = performance.now();
      return new Promise((resolve) => {
        const fail = (error: NodeJS.ErrnoException) =>
          resolve({
            status: 0,
            body: { error: { code: `CLIENT_${error.code ?? error.name}` } },
            ms: performance.now() - started,
            headers: {},
          });
        const req = http.request(
          {
            host: url.hostname,
            port: url.port,
            method,
            path,
            agent,
            headers: {
              ...(payload
                ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) }
                : {}),
              ...headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', fail);
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let parsed: unknown = text;
              try {
                parsed = JSON.parse(text);
              } catch {
                // not JSON: keep the text
              }
              resolve({
                status: res.statusCode ?? 0,
                body: parsed,
                ms: performance.now() - started,
                headers: res.headers,
              });
            });
          },
        );
        req.on('error', fail);
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}

/** Runs `task(i)` for i in [0, total) with at most `concurrency` in flight. */
export async function pool(
  total: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < total; index = next++) await task(index);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
}

/** Nearest-rank percentile of unsorted samples, in ms with 0.1 ms precision. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return round1(sorted[rank] ?? Number.NaN);
}

export type LatencySummary = { count: number; p50: number; p95: number; p99: number; max: number };

export function latencySummary(samples: readonly number[]): LatencySummary {
  return {
    count: samples.length,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    max: percentile(samples, 100),
  };
}

export const round1 = (value: number) => Math.round(value * 10) / 10;
export const median = (samples: readonly number[]) => percentile(samples, 50);

/** Counts occurrences of each key. */
export function histogram(keys: Iterable<string | number>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[String(key)] = (counts[String(key)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** A progress line on stderr (stdout carries the report). */
export function progress(phase: string, message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${phase}: ${message}\n`);
}

/** Reports every `step` percent of `total` once. */
export function percentReporter(phase: string, total: number, step = 10) {
  let done = 0;
  let reported = 0;
  const started = performance.now();
  return () => {
    done++;
    const percent = Math.floor((done / total) * 100);
    if (percent >= reported + step || done === total) {
      reported = percent - (percent % step);
      const seconds = (performance.now() - started) / 1000;
      progress(phase, `${percent}% (${done}/${total}, ${round1(done / seconds)}/s)`);
    }
  };
}

/** An open event with `rounds` rounds of `workshopsPerRound` workshops; workshop ids `r<round>-w<n>`. */
export function benchEvent(
  title: string,
  rounds: number,
  workshopsPerRound: number,
  capacity: number | ((roundIndex: number, workshopIndex: number) => number),
): EventDefinition {
  return {
    title,
    date: '2030-09-12',
    timezone: 'Europe/Amsterdam',
    registration: {},
    rounds: Array.from({ length: rounds }, (_, r) => ({
      id: String(r + 1),
      title: `Ronde ${r + 1}`,
      workshops: Array.from({ length: workshopsPerRound }, (_, w) => ({
        id: `r${r + 1}-w${w + 1}`,
        title: `Workshop ${r + 1}.${w + 1}`,
        description: '',
        speakers: [],
        capacity: typeof capacity === 'number' ? capacity : capacity(r, w),
      })),
    })),
  };
}

/** One random workshop per round of the event. */
export function randomChoices(definition: EventDefinition): Record<string, string> {
  return Object.fromEntries(
    definition.rounds.map((round) => [
      round.id,
      round.workshops[Math.floor(Math.random() * round.workshops.length)]?.id ?? '',
    ]),
  );
}

export function person(prefix: string, n: number, choices: Record<string, string>) {
  return {
    name: `Deelnemer ${prefix} ${n}`,
    email: `${prefix}-${n}@bench.example.nl`,
    organisation: 'Gemeente Bench',
    choices,
    consent: true,
  };
}

export type Machine = {
  cpus: number;
  model: string;
  totalMemoryGiB: number;
  node: string;
  platform: string;
  loadAverageAtStart: number[];
};

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryGiB: round1(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.platform()} ${os.arch()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map(round1),
  };
}
