import path from 'node:path';
import { type LocalStack, repoRoot, startLocalStack } from '../../local/stack.js';
import { assertDocumentedResponse } from './openapi-validator.js';

/** The whole local stack in this process, in memory (or on DYNAMODB_ENDPOINT), on free ports. */
export function startTestStack(options: { dataDir?: string } = {}): Promise<LocalStack> {
  return startLocalStack({
    port: 0,
    dataDir: options.dataDir,
    dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT,
    tableName: `vol-api-${Math.random().toString(36).slice(2, 10)}`,
    eventsDir: path.join(repoRoot, 'events'),
    // Tests run the scheduled functions themselves (stack.runScheduled), when they choose.
    scheduleIntervalMs: 0,
  });
}

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field and assert on them
export type ApiResponse = { status: number; headers: Headers; body: any };

export async function api(
  stack: Pick<LocalStack, 'apiUrl'>,
  method: string,
  urlPath: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  const response = await fetch(`${stack.apiUrl}${urlPath}`, {
    method,
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  // Every answer must be one docs/openapi.json documents for this operation (a test fails otherwise).
  assertDocumentedResponse({
    method,
    urlPath,
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: parsed,
  });
  return { status: response.status, headers: response.headers, body: parsed };
}
