import type { APIGatewayProxyEvent } from 'aws-lambda';
import { header } from './headers.js';

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(event: Pick<APIGatewayProxyEvent, 'headers'>): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header(event, 'authorization') ?? '');
  return match?.[1];
}
