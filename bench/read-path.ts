/**
 * The read path during a rush: everyone watching live seats asks `GET /events/{eventId}` over and over. A
 * third-party load generator (autocannon) holds `connections` open against the local stack for `durationSeconds`
 * and measures requests per second and latency. Locally every request reaches the function (no stage cache);
 * in AWS the stage cache answers all but about one request per second per event (`Cache-Control: max-age=1`).
 */
import autocannon from 'autocannon';
import type { BenchContext } from './context.js';
import { benchEvent, progress, round1 } from './support.js';

export type ReadPathOptions = { durationSeconds: number; connections: number };

export type ReadPathResult = {
  options: ReadPathOptions;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  /** What the answer tells caches (API Gateway's stage cache, browsers). */
  cacheControl: string | null;
};

export async function runReadPath(context: BenchContext, options: ReadPathOptions): Promise<ReadPathResult> {
  const eventId = `read-${Date.now().toString(36)}`;
  await context.store.putEventDefinition(eventId, benchEvent('Bench read path', 3, 4, 100));
  const url = `${context.stack.apiUrl}/events/${eventId}`;
  const cacheControl = (await fetch(url)).headers.get('cache-control');
  progress(
    'read-path',
    `${options.connections} connections for ${options.durationSeconds} s on GET /events/{id}`,
  );
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.durationSeconds,
  });
  return {
    options,
    requests: result.requests.total,
    requestsPerSecond: round1(result.requests.average),
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cacheControl,
  };
}
