import { httpHandler } from '../http/http-handler.js';
import { jsonResponse } from '../http/responses.js';

/** Liveness only: it touches no table, so it needs no permissions and cannot leak anything. */
export const handler = httpHandler(async () => jsonResponse(200, { status: 'ok' }));
