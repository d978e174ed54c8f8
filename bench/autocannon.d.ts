/** The part of autocannon's API the read-path phase uses (the package ships no types). */
declare module 'autocannon' {
  type Histogram = { average: number; mean: number; p50: number; p90: number; p99: number; max: number };
  export type Result = {
    requests: Histogram & { total: number };
    latency: Histogram;
    non2xx: number;
    errors: number;
    timeouts: number;
    duration: number;
    statusCodeStats?: Record<string, { count: number }>;
  };
  export type Options = { url: string; connections?: number; duration?: number; pipelining?: number };
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
