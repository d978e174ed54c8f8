/**
 * The HTTP plumbing of the embedded endpoint: reading request bodies, streaming a request to dynalite and its
 * answer back, answering errors in DynamoDB's shape, and starting, counting and stopping servers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import {
  type DynaliteClient,
  DynamoError,
  dynamoError,
  type Json,
  sendJson,
  validationError,
} from './wire.js';

const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/** Counts in-flight requests so close() can wait for them. */
export class RequestTracker {
  #count = 0;
  #waiters: (() => void)[] = [];

  track(work: Promise<unknown>): void {
    this.#count++;
    void work.finally(() => {
      if (--this.#count === 0) for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  idle(): Promise<void> {
    return this.#count === 0 ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/** The same request to the dynalite behind. */
function upstreamRequest(req: http.IncomingMessage, to: DynaliteClient): http.ClientRequest {
  return http.request({
    host: '127.0.0.1',
    port: to.port,
    method: req.method,
    path: req.url,
    headers: req.headers,
    agent: to.agent,
  });
}

/** Streams a request to dynalite and its response back; resolves with dynalite's status code when done. */
export function proxy(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  to: DynaliteClient,
  body?: Buffer,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const upstream = upstreamRequest(req, to);
    upstream.on('error', reject);
    upstream.on('response', (response) => {
      const status = response.statusCode ?? 502;
      res.writeHead(status, response.headers);
      pipeline(response, res, (error) => (error ? reject(error) : resolve(status)));
    });
    if (body) upstream.end(body);
    else pipeline(req, upstream, (error) => error && reject(error));
  });
}

/** An upstream answer read whole, to be sent on later (`send`). */
export type BufferedAnswer = { status: number; send(res: http.ServerResponse): void };

/**
 * Like `proxy`, but the answer is read whole and sent only when the caller says: a single write's change is
 * published to the feed before its writer hears back, as in DynamoDB's stream, the record exists once the write
 * is acknowledged (a test that waits for the sender right after a write then finds the record fed).
 */
export function proxyBuffered(
  req: http.IncomingMessage,
  to: DynaliteClient,
  body: Buffer,
): Promise<BufferedAnswer> {
  return new Promise((resolve, reject) => {
    const upstream = upstreamRequest(req, to);
    upstream.on('error', reject);
    upstream.on('response', (response) => {
      const status = response.statusCode ?? 502;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({
          status,
          send: (res) => {
            res.writeHead(status, response.headers);
            res.end(Buffer.concat(chunks));
          },
        }),
      );
    });
    upstream.end(body);
  });
}

export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        req.destroy();
        reject(validationError('Request size exceeds the maximum allowed size'));
      } else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

export async function readJson(req: http.IncomingMessage): Promise<Json> {
  const body = await readBody(req);
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Json;
  } catch {}
  throw new DynamoError(400, { __type: 'com.amazon.coral.service#SerializationException' });
}

/** The request body as JSON, or {} when it is not a JSON object (dynalite then answers the error itself). */
export function parseJsonOrEmpty(body: Buffer): Json {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return parsed !== null && typeof parsed === 'object' ? (parsed as Json) : {};
  } catch {
    return {};
  }
}

export function tableNameOf(body: Buffer): string {
  return String(parseJsonOrEmpty(body).TableName);
}

export function respondWithError(res: http.ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof DynamoError) {
    sendJson(res, error.status, error.body);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  sendJson(res, 500, dynamoError('InternalServerError', `Internal server error: ${message}`, 500).body);
}

export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Embedded DynamoDB cannot listen on ${host}:${port}: port ${port} is already in use (EADDRINUSE)`,
              {
                cause: error,
              },
            )
          : error,
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}
