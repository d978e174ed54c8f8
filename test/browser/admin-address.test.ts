import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPage, startWebEnv, type WebEnv } from './support.js';

/**
 * The dashboard's address on the local stack, as in CloudFront: `/admin` (no trailing slash) is sent to `/admin/`
 * with its query string, and the dashboard loads there.
 */

let env: WebEnv;
beforeAll(async () => {
  env = await startWebEnv();
});
afterAll(async () => env?.close());

const redirectOf = async (pathAndQuery: string) => {
  const response = await fetch(env.url(pathAndQuery), { redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location') };
};

describe('the dashboard’s address', () => {
  it('answers /admin with a 301 to /admin/, keeping the query string as it was sent', async () => {
    expect(await redirectOf('/admin')).toEqual({ status: 301, location: '/admin/' });
    expect(await redirectOf('/admin?x=1&naam=Zo%C3%AB%20%C3%87elik')).toEqual({
      status: 301,
      location: '/admin/?x=1&naam=Zo%C3%AB%20%C3%87elik',
    });
    // The dashboard itself and other pages are served as they were.
    const dashboard = await fetch(env.url('/admin/'), { redirect: 'manual' });
    expect(dashboard.status).toBe(200);
    expect(dashboard.headers.get('content-type')).toMatch(/^text\/html/);
    for (const file of ['/admin.css', '/admin/index.html', '/manage.html']) {
      expect((await fetch(env.url(file), { redirect: 'manual' })).status, file).toBe(200);
    }
  });

  it('opens the dashboard from /admin in the browser, and signing in works there', async (ctx) => {
    const page = await newPage(env, ctx);
    page.on('pageerror', (error) => {
      throw error;
    });
    await page.goto(env.url('/admin?x=1'));
    expect(page.url()).toBe(env.url('/admin/?x=1'));
    await page.getByLabel('Beheertoken').fill(env.stack.adminToken);
    await page.getByRole('button', { name: 'Aanmelden' }).click();
    await page.getByRole('heading', { name: 'Evenementen' }).waitFor();
    await expect(page.locator('[data-event="dag-van-weerbaar-bestuur-2019"]').count()).resolves.toBe(1);
  });
});
