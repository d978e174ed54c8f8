/**
 * A small HTTP proxy between a DynamoDB client and a DynamoDB endpoint that breaks the network on demand,
 * per operation (the `X-Amz-Target` header), for the next N requests:
 *  - `reset`: the connection is dropped before the request reaches DynamoDB (nothing happens there);
 *  - `hang`: the request is never answered and never forwarded (the client's request timeout fires);
 *  - `commit-then-reset`: the request is forwarded and DynamoDB answers, but the connection is dropped
 *    before the answer reaches the client: the write happened, the client cannot know.
 * Everything else is forwarded untouched.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ChaosMode = 'reset' | 'hang' | 'commit-then-reset';

export type ChaosProxy = {
  endpoint: string;
  failNext(op: string, mode: ChaosMode, times?: number): void;
  clear(): void;
  /** How many requests of `op` arrived (forwarded or not), optionally only those whose body matches. */
  count(op: string, bodyMatches?: (body: string) => boolean): number;
  close(): Promise<void>;
};

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startChaosProxy(upstream: string): Promise<ChaosProxy> {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true });
  const pending: { op: string; mode: ChaosMode; remaining: number }[] = [];
  const seen: { op: string; body: string }[] = [];
  const hanging = new Set<http.ServerResponse>();

  const take = (op: string): ChaosMode | undefined => {
    const index = pending.findIndex((fault) => fault.op === op);
    const fault = pending[index];
    if (!fault) return undefined;
    if (--fault.remaining === 0) pending.splice(index, 1);
    return fault.mode;
  };

  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const op = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    seen.push({ op, body: body.toString('utf8') });
    const mode = take(op);
    if (mode === 'reset') {
      req.socket.destroy();
      return;
    }
    if (mode === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    const upstreamRequest = http.request({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
      agent,
    });
    upstreamRequest.on('error', () => req.socket.destroy());
    upstreamRequest.on('response', async (response) => {
      const answer = await readBody(response);
      if (mode === 'commit-then-reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(response.statusCode ?? 502, response.headers);
      res.end(answer);
    });
    upstreamRequest.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    failNext(op, mode, times = 1) {
      pending.push({ op, mode, remaining: times });
    },
    clear() {
      pending.length = 0;
    },
    count: (op, bodyMatches = () => true) =>
      seen.filter((request) => request.op === op && bodyMatches(request.body)).length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
