import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { Forbidden, Unauthorized } from '../../lambdas/domain/errors.js';
import {
  adminGroupFrom,
  authorizeAdminRoute,
  authorizeOrganiser,
  DOOR_ROUTES,
  groupsOf,
} from '../../lambdas/http/admin-auth.js';
import { routes } from '../../lambdas/routes.js';
import { proxyEvent } from '../support/api-events.js';

function withClaims(claims: unknown): APIGatewayProxyEvent {
  return proxyEvent({
    requestContext: { authorizer: claims === undefined ? undefined : { claims } } as never,
  });
}

const organiser = {
  sub: '3f1c-sub',
  'cognito:username': 'anna',
  'cognito:groups': 'organisers',
  email: 'anna@example.nl',
};

describe('admin authorisation', () => {
  it('refuses a request without claims with Unauthorized (401)', () => {
    expect(() => authorizeOrganiser(proxyEvent(), 'organisers')).toThrow(Unauthorized);
    expect(() => authorizeOrganiser(withClaims(undefined), 'organisers')).toThrow(Unauthorized);
    expect(() => authorizeOrganiser(withClaims(null), 'organisers')).toThrow(Unauthorized);
    expect(() => authorizeOrganiser(withClaims('sub=x'), 'organisers')).toThrow(Unauthorized);
  });

  it('refuses claims without a subject with Unauthorized', () => {
    expect(() => authorizeOrganiser(withClaims({ 'cognito:groups': 'organisers' }), 'organisers')).toThrow(
      Unauthorized,
    );
  });

  it('refuses a valid user outside the group with Forbidden (403)', () => {
    expect(() =>
      authorizeOrganiser(withClaims({ ...organiser, 'cognito:groups': 'attendees' }), 'organisers'),
    ).toThrow(Forbidden);
    expect(() => authorizeOrganiser(withClaims({ sub: 'x' }), 'organisers')).toThrow(Forbidden);
    expect(() =>
      authorizeOrganiser(withClaims({ ...organiser, 'cognito:groups': 'organisers-light' }), 'organisers'),
    ).toThrow(Forbidden);
  });

  it('lets an organiser in and returns the actor for the audit log, nothing else', () => {
    expect(authorizeOrganiser(withClaims(organiser), 'organisers')).toEqual({
      sub: '3f1c-sub',
      username: 'anna',
    });
    expect(
      authorizeOrganiser(withClaims({ sub: 's', 'cognito:groups': 'organisers' }), 'organisers'),
    ).toEqual({
      sub: 's',
      username: 's',
    });
  });

  it.each([
    ['a single name', 'organisers'],
    ['API Gateway list rendering', '[organisers, other]'],
    ['list rendering, other first', '[other, organisers]'],
    ['a JSON array string', '["other","organisers"]'],
    ['space separated', 'other organisers'],
    ['an array', ['other', 'organisers']],
  ])('reads the cognito:groups claim as %s', (_, groups) => {
    expect(authorizeOrganiser(withClaims({ ...organiser, 'cognito:groups': groups }), 'organisers')).toEqual({
      sub: '3f1c-sub',
      username: 'anna',
    });
  });

  it.each([
    ['a group whose name ends in ,organisers', 'x,organisers'],
    ['the same, as a list', '[x,organisers]'],
    ['the same, in a list', '[other, x,organisers]'],
    ['the same, as a JSON array string', '["x,organisers"]'],
    ['the same, in an array', ['x,organisers', 'other']],
    ['a group named organisers-light', 'organisers-light'],
  ])('compares whole group names: %s grants nothing (issue 15.8)', (_, groups) => {
    expect(() =>
      authorizeOrganiser(withClaims({ ...organiser, 'cognito:groups': groups }), 'organisers'),
    ).toThrow(Forbidden);
  });

  it('reads the groups from the token the authorizer verified, where API Gateway flattened them', () => {
    const token = (payload: Record<string, unknown>) =>
      `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.signature`;
    const event = (groupsInToken: string[], claim: string, sub = organiser.sub) =>
      proxyEvent({
        headers: { Authorization: `Bearer ${token({ sub, 'cognito:groups': groupsInToken })}` },
        requestContext: { authorizer: { claims: { ...organiser, 'cognito:groups': claim } } } as never,
      });
    // `x,organisers` and `other` flattened to one string look like `organisers` is among them: the token says not.
    expect(() =>
      authorizeOrganiser(event(['x,organisers', 'other'], 'x,organisers,other'), 'organisers'),
    ).toThrow(Forbidden);
    expect(authorizeOrganiser(event(['other', 'organisers'], 'other,organisers'), 'organisers')).toEqual({
      sub: '3f1c-sub',
      username: 'anna',
    });
    // A token of someone else than the verified claims is not read.
    expect(() => authorizeOrganiser(event(['organisers'], 'attendees', 'other-sub'), 'organisers')).toThrow(
      Forbidden,
    );
  });

  it('splits group claims into names', () => {
    expect(groupsOf('[organisers, other]')).toEqual(['organisers', 'other']);
    expect(groupsOf(['a', 'b'])).toEqual(['a', 'b']);
    expect(groupsOf(undefined)).toEqual([]);
    expect(groupsOf('')).toEqual([]);
    expect(groupsOf('[]')).toEqual([]);
    expect(groupsOf('x,organisers')).toEqual(['x,organisers']);
    expect(groupsOf('[a, x,organisers]')).toEqual(['a', 'x,organisers']);
  });

  it('uses the configured group, organisers by default', () => {
    expect(adminGroupFrom({})).toBe('organisers');
    expect(adminGroupFrom({ ADMIN_GROUP: ' ' })).toBe('organisers');
    expect(adminGroupFrom({ ADMIN_GROUP: 'beheer' })).toBe('beheer');
    expect(() => authorizeOrganiser(withClaims(organiser), 'beheer')).toThrow(Forbidden);
  });
});

describe('door staff (group door)', () => {
  const door = { sub: 'door-sub', 'cognito:username': 'piet', 'cognito:groups': 'door' };
  const adminRoutes = routes.filter((route) => route.auth === 'admin');

  it('may use the check-in routes, and those are admin routes of the route table', () => {
    for (const route of DOOR_ROUTES) {
      expect(adminRoutes.map(({ method, path }) => `${method} ${path}`)).toContain(route);
      expect(authorizeAdminRoute(withClaims(door), route, 'organisers')).toEqual({
        sub: 'door-sub',
        username: 'piet',
      });
    }
  });

  it('is refused with Forbidden on every other admin route', () => {
    const others = adminRoutes.filter(({ method, path }) => !DOOR_ROUTES.has(`${method} ${path}`));
    expect(others.length).toBeGreaterThan(10);
    // The organisers' messages (issue 16) reach every registrant's inbox: never door staff's to send or read.
    expect(others.map(({ method, path }) => `${method} ${path}`)).toEqual(
      expect.arrayContaining([
        'POST /admin/events/{eventId}/messages',
        'GET /admin/events/{eventId}/messages',
      ]),
    );
    for (const { method, path } of others) {
      expect(() => authorizeAdminRoute(withClaims(door), `${method} ${path}`, 'organisers')).toThrow(
        Forbidden,
      );
    }
  });

  it('organisers may use every admin route, the check-in routes included; a group named `x,door` is not door', () => {
    for (const { method, path } of adminRoutes) {
      expect(authorizeAdminRoute(withClaims(organiser), `${method} ${path}`, 'organisers').sub).toBe(
        '3f1c-sub',
      );
    }
    const lookalike = { ...door, 'cognito:groups': '[x,door]' };
    expect(() =>
      authorizeAdminRoute(withClaims(lookalike), 'POST /admin/events/{eventId}/check-ins', 'organisers'),
    ).toThrow(Forbidden);
    expect(() => authorizeAdminRoute(withClaims(undefined), 'GET /admin/events/{eventId}/check-ins')).toThrow(
      Unauthorized,
    );
  });
});
