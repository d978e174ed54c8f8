import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { DIRECTORY_INDEX_FUNCTION } from '../../lib/web-stack.js';

/**
 * The dashboard's CloudFront Function (viewer request), run as CloudFront runs it: its source alone, in a context
 * without Node's globals, on the event CloudFront passes (query string values as the viewer sent them).
 */

type QueryString = Record<string, { value: string; multiValue?: { value: string }[] }>;
type Result = {
  uri?: string;
  statusCode?: number;
  headers?: Record<string, { value: string }>;
  querystring?: QueryString;
};

const handler = vm.runInNewContext(`${DIRECTORY_INDEX_FUNCTION}\nhandler`) as (event: unknown) => Result;

const viewerRequest = (uri: string, querystring: QueryString = {}): Result =>
  handler({
    version: '1.0',
    context: { eventType: 'viewer-request' },
    viewer: { ip: '198.51.100.11' },
    request: { method: 'GET', uri, querystring, headers: {}, cookies: {} },
  });

describe('the dashboard’s directory-index function', () => {
  it('redirects /admin to /admin/ (301)', () => {
    const result = viewerRequest('/admin');
    expect(result.statusCode).toBe(301);
    expect(result.headers?.location).toEqual({ value: '/admin/' });
    expect(result.uri).toBeUndefined();
  });

  it('keeps the query string, as the viewer sent it, in the redirect', () => {
    expect(viewerRequest('/admin', { x: { value: '1' } }).headers?.location?.value).toBe('/admin/?x=1');
    const location = viewerRequest('/admin', {
      event: { value: 'dag%20van%20bestuur' },
      tag: { value: 'a', multiValue: [{ value: 'a' }, { value: 'b' }] },
      debug: { value: '' },
    }).headers?.location?.value;
    expect(location).toBe('/admin/?event=dag%20van%20bestuur&tag=a&tag=b&debug');
  });

  it('serves /admin/ as its index.html, query string untouched', () => {
    const querystring = { x: { value: '1' } };
    const result = viewerRequest('/admin/', querystring);
    expect(result.statusCode).toBeUndefined();
    expect(result.uri).toBe('/admin/index.html');
    expect(result.querystring).toEqual(querystring);
  });

  it('passes any other path on unchanged', () => {
    expect(viewerRequest('/other')).toMatchObject({ uri: '/other', method: 'GET' });
    expect(viewerRequest('/admin/index.html').uri).toBe('/admin/index.html');
    expect(viewerRequest('/administratie').uri).toBe('/administratie');
    expect(viewerRequest('/admin.css').uri).toBe('/admin.css');
  });
});
