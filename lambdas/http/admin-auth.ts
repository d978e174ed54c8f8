import type { APIGatewayProxyEvent } from 'aws-lambda';
import { Forbidden, Unauthorized } from '../domain/errors.js';

/**
 * Authorisation of the admin routes. In AWS the Cognito authorizer of API Gateway has already checked the
 * token and put its claims in `requestContext.authorizer.claims`; locally the gateway does the same with the
 * ADMIN_TOKEN. What remains for the function is the group check: a valid user outside the organisers is 403.
 */

/** Who did it, for the audit log: the user pool's subject and user name, nothing else about the person. */
export type Actor = { sub: string; username: string };

/** The group whose members may use the admin API (env `ADMIN_GROUP`, default `organisers`). */
export function adminGroupFrom(env: NodeJS.ProcessEnv = process.env): string {
  return env.ADMIN_GROUP?.trim() || 'organisers';
}

/** Read once at cold start. */
export const ADMIN_GROUP = adminGroupFrom();

/**
 * Cognito puts the groups in the `cognito:groups` claim. Depending on the path it arrives as an array,
 * as a single name (`organisers`), as API Gateway's rendering of a list (`[organisers, other]`), or as a
 * JSON array string. Group names never contain commas or white space, so all of those split the same way.
 */
export function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((g): g is string => typeof g === 'string').flatMap(groupsOf);
  if (typeof claim !== 'string') return [];
  return claim
    .replace(/^\s*\[/, '')
    .replace(/\]\s*$/, '')
    .split(/[\s,]+/)
    .map((group) => group.replace(/^["']|["']$/g, ''))
    .filter((group) => group.length > 0);
}

function claimString(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** 401 without claims (or without a subject), 403 outside the admin group, otherwise the actor. */
export function authorizeOrganiser(
  event: Pick<APIGatewayProxyEvent, 'requestContext'>,
  adminGroup: string = ADMIN_GROUP,
): Actor {
  const claims: unknown = event.requestContext?.authorizer?.claims;
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) throw new Unauthorized();
  const record = claims as Record<string, unknown>;
  const sub = claimString(record, 'sub');
  if (!sub) throw new Unauthorized();
  if (!groupsOf(record['cognito:groups']).includes(adminGroup)) throw new Forbidden();
  return {
    sub,
    username: claimString(record, 'cognito:username') ?? claimString(record, 'username') ?? sub,
  };
}
