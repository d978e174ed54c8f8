import type { APIGatewayProxyEvent } from 'aws-lambda';
import { readAdminGroup } from '../config.js';
import { Forbidden, Unauthorized } from '../domain/errors.js';
import { header } from './headers.js';

/**
 * Authorisation of the admin routes. In AWS the Cognito authorizer of API Gateway has already checked the
 * token and put its claims in `requestContext.authorizer.claims`; locally the gateway does the same with the
 * ADMIN_TOKEN. What remains for the function is the group check: a valid user outside the organisers is 403.
 */

/** Who did it, for the audit log: the user pool's subject and user name, nothing else about the person. */
export type Actor = { sub: string; username: string };

/** The group whose members may use the admin API (env `ADMIN_GROUP`, default `organisers`). */
export { readAdminGroup as adminGroupFrom } from '../config.js';

/** Read once at cold start. */
export const ADMIN_GROUP = readAdminGroup();

/**
 * The groups of the `cognito:groups` claim, each a whole name. Cognito group names may hold commas but never
 * white space, so a list is split only where white space separates names: an array, a JSON array string,
 * API Gateway's rendering of a list (`[organisers, other]`) or names separated by spaces. A group named
 * `x,organisers` is that one group, not `organisers`.
 */
export function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((g): g is string => typeof g === 'string' && g !== '');
  if (typeof claim !== 'string') return [];
  const text = claim.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return groupsOf(parsed);
    } catch {
      // Not JSON: API Gateway's `[a, b]` rendering.
    }
    return text
      .slice(1, -1)
      .split(/,?\s+/)
      .filter((group) => group.length > 0);
  }
  return text.split(/\s+/).filter((group) => group.length > 0);
}

/**
 * The groups in the token itself. In AWS the Cognito authorizer has verified the token in the Authorization
 * header before the function runs, but hands its claims on as strings, the groups flattened into one; the
 * token's payload has them as a JSON array of whole names. Undefined when the header holds no such token
 * (the local gateway's ADMIN_TOKEN) or a token of someone else than the claims.
 */
function groupsInVerifiedToken(
  event: Pick<APIGatewayProxyEvent, 'headers'>,
  sub: string,
): string[] | undefined {
  const token = (header(event, 'authorization') ?? '').replace(/^Bearer\s+/i, '').trim();
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    if (payload.sub !== sub) return undefined;
    return groupsOf(payload['cognito:groups'] ?? []);
  } catch {
    return undefined;
  }
}

function claimString(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** The Cognito group of door staff: they may check people in, and nothing else (`DOOR_ROUTES`). */
export const DOOR_GROUP = 'door';

/**
 * The admin routes door staff may use: checking in, undoing a check-in, finding someone by name. Their answers
 * show name, organisation and workshops, never an email address; exports and everything else stay 403.
 */
export const DOOR_ROUTES: ReadonlySet<string> = new Set([
  'POST /admin/events/{eventId}/check-ins',
  'DELETE /admin/events/{eventId}/check-ins/{registrationId}',
  'GET /admin/events/{eventId}/check-ins',
]);

/** The subject and groups of the verified token; 401 without claims or without a subject. */
function verifiedIdentity(event: Pick<APIGatewayProxyEvent, 'requestContext' | 'headers'>) {
  const claims: unknown = event.requestContext?.authorizer?.claims;
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) throw new Unauthorized();
  const record = claims as Record<string, unknown>;
  const sub = claimString(record, 'sub');
  if (!sub) throw new Unauthorized();
  const groups = groupsInVerifiedToken(event, sub) ?? groupsOf(record['cognito:groups']);
  const actor: Actor = {
    sub,
    username: claimString(record, 'cognito:username') ?? claimString(record, 'username') ?? sub,
  };
  return { actor, groups };
}

/** 401 without claims (or without a subject), 403 outside the admin group, otherwise the actor. */
export function authorizeOrganiser(
  event: Pick<APIGatewayProxyEvent, 'requestContext' | 'headers'>,
  adminGroup: string = ADMIN_GROUP,
): Actor {
  const { actor, groups } = verifiedIdentity(event);
  if (!groups.includes(adminGroup)) throw new Forbidden();
  return actor;
}

/**
 * The admin routes' check: organisers may use every route, door staff only `DOOR_ROUTES` (`route` is
 * `<method> <resource>` as in lambdas/routes.ts); anyone else with a valid token is 403, without one 401.
 */
export function authorizeAdminRoute(
  event: Pick<APIGatewayProxyEvent, 'requestContext' | 'headers'>,
  route: string,
  adminGroup: string = ADMIN_GROUP,
): Actor {
  const { actor, groups } = verifiedIdentity(event);
  if (groups.includes(adminGroup)) return actor;
  if (groups.includes(DOOR_GROUP) && DOOR_ROUTES.has(route)) return actor;
  throw new Forbidden();
}
