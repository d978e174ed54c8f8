/**
 * The read path during a rush (issue 19): API Gateway's stage cache answers `GET /events/{eventId}` for a
 * second, per event and language, in the stages configured for it; no other method is cached, and dev pays
 * for no cache cluster.
 */
import { describe, expect, it } from 'vitest';
import { CACHED_EVENT_METHOD } from '../../lib/api-stack.js';
import { apiMethods, propertyOf, resourcesOfType, synthStage } from './helpers.js';

const stageOf = (name: string) => {
  const built = synthStage(name);
  return Object.values(resourcesOfType(built.apiTemplate, 'AWS::ApiGateway::Stage'))[0];
};

describe.each(['acceptance', 'production'])('stage cache (%s)', (name) => {
  const built = synthStage(name);

  it('a 0.5 GB cache cluster, encrypted, caching GET /events/{eventId} alone for the configured second', () => {
    const stage = stageOf(name);
    expect(propertyOf(stage, 'CacheClusterEnabled')).toBe(true);
    expect(propertyOf(stage, 'CacheClusterSize')).toBe('0.5');
    const cached = propertyOf<Record<string, unknown>[]>(stage, 'MethodSettings').filter(
      (setting) => setting.CachingEnabled === true,
    );
    expect(cached).toEqual([
      expect.objectContaining({
        ResourcePath: '/~1events~1{eventId}',
        HttpMethod: 'GET',
        CacheTtlInSeconds: built.config.eventCacheSeconds,
        CacheDataEncrypted: true,
      }),
    ]);
    expect(built.config.eventCacheSeconds).toBeGreaterThanOrEqual(1);
    expect(CACHED_EVENT_METHOD).toBe('/events/{eventId}/GET');
  });

  it('keys the cache on the event id and the language, so no answer is served for another event', () => {
    const method = apiMethods(built.apiTemplate).find(
      (m) => m.httpMethod === 'GET' && m.path === '/events/{eventId}',
    );
    const integration = method?.properties.Integration as { CacheKeyParameters?: string[] } | undefined;
    expect([...(integration?.CacheKeyParameters ?? [])].sort()).toEqual([
      'method.request.header.Accept-Language',
      'method.request.path.eventId',
    ]);
  });
});

describe('no stage cache in dev', () => {
  it('has no cache cluster and caches no method', () => {
    const stage = stageOf('dev');
    expect(stage?.Properties?.CacheClusterEnabled).toBeUndefined();
    expect(JSON.stringify(stage?.Properties?.MethodSettings ?? [])).not.toContain('CachingEnabled":true');
  });
});
