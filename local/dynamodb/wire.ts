/**
 * Wire-level helpers for the embedded DynamoDB layer: a tiny JSON 1.0 client for talking to a dynalite
 * server, the error type that carries an AWS error body, and small canonicalisation helpers.
 */
import http from 'node:http';
import { crc32 } from 'node:zlib';

/** A DynamoDB JSON document (request or response body). */
export type Json = Record<string, unknown>;
/** A DynamoDB attribute value in wire format, e.g. `{ S: 'x' }` or `{ N: '1' }`. */
export type AttributeValue = Record<string, unknown>;
/** An item or key in wire format. */
export type Item = Record<string, AttributeValue>;

const DYNAMODB_ERROR = 'com.amazonaws.dynamodb.v20120810#';
const VALIDATION_ERROR = 'com.amazon.coral.validate#ValidationException';

/** An AWS error response: HTTP status plus the JSON body DynamoDB would send. */
export class DynamoError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(String(body.message ?? body.Message ?? body.__type ?? 'DynamoDB error'));
    this.name = 'DynamoError';
  }

  /** The short error name, e.g. `ConditionalCheckFailedException`. */
  get code(): string {
    return String(this.body.__type ?? '')
      .split('#')
      .pop() as string;
  }
}

/** A `com.amazonaws.dynamodb.v20120810#<name>` error. */
export function dynamoError(name: string, message: string, status = 400, extra: Json = {}): DynamoError {
  return new DynamoError(status, { __type: `${DYNAMODB_ERROR}${name}`, message, ...extra });
}

/** A ValidationException, typed the way DynamoDB (and dynalite) types it. */
export function validationError(message: string): DynamoError {
  return new DynamoError(400, { __type: VALIDATION_ERROR, message });
}

export function resourceNotFound(): DynamoError {
  return dynamoError('ResourceNotFoundException', 'Requested resource not found');
}

/** Writes a JSON response with the headers DynamoDB sends. */
export function sendJson(res: http.ServerResponse, status: number, body: Json): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': requestId(),
    'x-amz-crc32': String(crc32(text)),
  });
  res.end(text);
}

function requestId(): string {
  return Array.from(
    { length: 52 },
    () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[Math.floor(Math.random() * 36)],
  ).join('');
}

/**
 * A minimal client for a dynalite server. dynalite only checks that auth headers are present, so the
 * requests carry a syntactically valid but unsigned SigV4 header.
 */
export class DynaliteClient {
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(readonly port: number) {}

  /** Calls `op`; resolves with the response body, rejects with a DynamoError for any non-200 reply. */
  call(op: string, payload: Json): Promise<Json> {
    const body = JSON.stringify(payload);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method: 'POST',
          path: '/',
          agent: this.agent,
          headers: {
            'Content-Type': 'application/x-amz-json-1.0',
            'Content-Length': Buffer.byteLength(body),
            'X-Amz-Target': `DynamoDB_20120810.${op}`,
            'X-Amz-Date': '20200101T000000Z',
            Authorization:
              'AWS4-HMAC-SHA256 Credential=embedded/20200101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: Json;
            try {
              parsed = text ? (JSON.parse(text) as Json) : {};
            } catch {
              parsed = { __type: `${DYNAMODB_ERROR}InternalServerError`, message: text };
            }
            if (res.statusCode === 200) resolve(parsed);
            else reject(new DynamoError(res.statusCode ?? 500, parsed));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Removes undefined members so requests stay minimal. */
export function compact(obj: Json): Json {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

/** JSON.stringify with object keys sorted, so equal documents give equal strings. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Json)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Canonical form of a DynamoDB number, so that `1`, `1.0` and `10e-1` compare equal (as they do in keys). */
export function canonicalNumber(n: string): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(n.trim());
  if (!match) return n;
  const [, sign = '', int = '', frac = '', exp = '0'] = match;
  let digits = `${int}${frac}`.replace(/^0+/, '');
  let exponent = Number(exp) - frac.length;
  if (digits === '') return '0';
  while (digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    exponent++;
  }
  return `${sign === '-' ? '-' : ''}${digits}e${exponent}`;
}
