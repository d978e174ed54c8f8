import { randomUUID } from 'node:crypto';
import { dependencies } from '../composition.js';
import type { RequestContext } from '../http/http-handler.js';
import { eventIdParameter } from '../http/path-parameters.js';
import { parseInput, readJsonBody } from '../http/request.js';
import { jsonResponse } from '../http/responses.js';
import type { RouteActions } from '../http/router.js';
import type { Actor } from '../ports.js';
import { listMessages, sendMessage } from '../use-cases/admin/send-message.js';

/**
 * The organisers' messages to registrants (issue 16), part of the admin function: parse, one use case, answer.
 * Registered in `ADMIN_ROUTES` (admin.ts).
 */

const deps = dependencies();

/** Built on the first POST, not at cold start (as the other admin schemas, `admin.ts`). */
const messageSchemas = () => import('../http/message-schemas.js');

/** Two languages of up to 10,000 characters each: more than the 10 KB of other bodies. */
const MAX_MESSAGE_BODY_BYTES = 128 * 1024;

export const MESSAGE_ROUTES = {
  'POST /admin/events/{eventId}/messages': async (event, { locale, actor }) => {
    const eventId = eventIdParameter(event);
    const body = parseInput(
      (await messageSchemas()).messageBodySchema,
      readJsonBody(event, { maxBytes: MAX_MESSAGE_BODY_BYTES }),
      locale,
    );
    const result = await sendMessage(
      { eventId, ...body, actor, locale },
      {
        events: deps.store,
        index: deps.adminQueries,
        messages: deps.messages,
        audit: deps.adminQueries,
        clock: deps.clock,
        ids: { newId: () => randomUUID() },
      },
    );
    return jsonResponse(body.dryRun ? 200 : 202, result);
  },

  'GET /admin/events/{eventId}/messages': async (event) =>
    jsonResponse(
      200,
      await listMessages(eventIdParameter(event), { events: deps.store, messages: deps.messages }),
    ),
} satisfies RouteActions<RequestContext & { actor: Actor }>;
