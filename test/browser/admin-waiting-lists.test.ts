import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInToDashboard, startWebEnv, testEventDefinition, unique, type WebEnv } from './support.js';

/**
 * The dashboard's waiting-lists view (/admin/, "Wachtlijsten") in Chromium against the local stack: every
 * workshop's list is asked for at once, at most four at a time, and shown in the programme's order whatever
 * order the answers come in; a list the API refuses shows its error in that workshop's place.
 */

let env: WebEnv;
let eventId: string;
beforeAll(async () => {
  env = await startWebEnv();
});
afterAll(async () => env?.close());

// biome-ignore lint/suspicious/noExplicitAny: the admin API's JSON, read field by field
type Json = any;

async function adminApi(
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(env.url(urlPath), {
    method,
    headers: {
      Authorization: `Bearer ${env.stack.adminToken}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Signs up for a place on the waiting list of the full "veilige-wijk" (round 1), accepting "nepnieuws" in round 2. */
async function waitForSafeNeighbourhood(name: string) {
  const response = await fetch(env.url(`/events/${eventId}/waiting-list`), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      name,
      email: `${unique('wacht')}@example.nl`,
      organisation: 'Gemeente Zwolle',
      accepts: { '1': ['veilige-wijk'], '2': ['nepnieuws'] },
      consent: true,
    }),
  });
  expect(response.status).toBe(201);
}

/** The programme's workshops in order, as the view lists them: [id, "Ronde n: title"]. */
const programme = testEventDefinition().rounds.flatMap((round) =>
  round.workshops.map((workshop) => [workshop.id, `${round.title}: ${workshop.title}`] as const),
);
/** The workshop whose list the API refuses in the test (a stand-in 500), in its place in the programme. */
const refusedWorkshop = 'crisis-oefenen';
const WAITING_LIST_REQUEST = /\/waiting-list\?workshopId=/;

beforeAll(async () => {
  eventId = unique('wachtlijsten');
  // Through the API, so that the event is in the registry of events the dashboard lists.
  const created = await adminApi(
    'PUT',
    `/admin/events/${eventId}`,
    testEventDefinition({ 'veilige-wijk': 1 }),
  );
  expect(created.status).toBe(201);
  const seat = await env.register(eventId, `${unique('zit')}@example.nl`, {
    '1': 'veilige-wijk',
    '2': 'nepnieuws',
  });
  expect(seat.status).toBe(201);
  await waitForSafeNeighbourhood('Sanne Visser');
  await waitForSafeNeighbourhood('Joris Kok');
});

/** Signs in and opens the event, counting in the page every request for a workshop's waiting list. */
async function openEvent(ctx: Parameters<typeof signInToDashboard>[1]): Promise<Page> {
  const page = await signInToDashboard(env, ctx);
  await page.getByRole('heading', { name: 'Evenementen' }).waitFor();
  await page.addInitScript(() => {
    const pageFetch = window.fetch.bind(window);
    const counted = window as unknown as { waitingListRequests: number };
    counted.waitingListRequests = 0;
    window.fetch = (input, init) => {
      if (String(input).includes('/waiting-list?workshopId=')) counted.waitingListRequests++;
      return pageFetch(input, init);
    };
  });
  // Still signed in after the reload: the token is kept for the tab.
  await page.reload();
  await page.locator(`[data-event="${eventId}"]`).click();
  await page.locator('#overview-body [data-workshop]').first().waitFor();
  return page;
}

const requestsStarted = (page: Page) =>
  page.evaluate(() => (window as unknown as { waitingListRequests: number }).waitingListRequests);

/** What the view shows, in order: per workshop its heading and rows (position, name), or the error in its place. */
function shown(page: Page) {
  return page.locator('#view > div > *').evaluateAll((elements) =>
    elements.map((element) =>
      element.matches('section')
        ? {
            heading: element.querySelector('h3')?.textContent,
            rows: [...element.querySelectorAll('tbody tr')].map((row) =>
              [...row.querySelectorAll('td, th')].slice(0, 2).map((cell) => cell.textContent),
            ),
            none: element.querySelector(':scope > p')?.textContent ?? null,
          }
        : { error: element.textContent },
    ),
  );
}

/** What the view should show for the lists the API gives now, with the refused workshop's error in its place. */
async function expected() {
  return Promise.all(
    programme.map(async ([workshopId, heading]) => {
      if (workshopId === refusedWorkshop) return { error: 'Er ging iets mis (testfout).' };
      const list = await adminApi('GET', `/admin/events/${eventId}/waiting-list?workshopId=${workshopId}`);
      expect(list.status).toBe(200);
      const rows = (list.body.items as Json[]).map((entry) => [String(entry.position), entry.name]);
      return { heading, rows, none: rows.length === 0 ? 'Niemand op deze wachtlijst.' : null };
    }),
  );
}

describe('the dashboard’s waiting lists', () => {
  it('asks for the workshops’ lists four at a time and shows them in the programme’s order', async (ctx) => {
    const page = await openEvent(ctx);
    // The lists' requests are held here until the test lets them through, the last first.
    const held: { workshopId: string; route: Route }[] = [];
    let holding = true;
    const answer = ({ workshopId, route }: (typeof held)[number]) =>
      workshopId === refusedWorkshop
        ? route.fulfill({
            status: 500,
            contentType: 'application/json; charset=utf-8',
            body: JSON.stringify({ error: { code: 'INTERNAL', message: 'Er ging iets mis (testfout).' } }),
          })
        : route.continue();
    await page.route(WAITING_LIST_REQUEST, (route) => {
      const request = {
        workshopId: new URL(route.request().url()).searchParams.get('workshopId') ?? '',
        route,
      };
      if (holding) held.push(request);
      else void answer(request);
    });

    await page.locator('button[data-view="waiting"]').click();
    // One after another, a second request would never start while the first is held (the wait is generous for a
    // busy machine; it only bounds how long a failure takes to show).
    await expect.poll(() => held.length, { timeout: 15_000 }).toBe(4);
    // …and no more than four: the fifth waits for one of them to be answered.
    expect(await requestsStarted(page)).toBe(4);
    expect(held.map((request) => request.workshopId)).toEqual(programme.slice(0, 4).map(([id]) => id));

    holding = false;
    for (const request of held.reverse()) await answer(request);
    await page.getByRole('heading', { name: 'Wachtlijsten' }).waitFor();
    await page
      .locator('#view > div > *')
      .nth(programme.length - 1)
      .waitFor();
    expect(await requestsStarted(page)).toBe(programme.length);

    const lists = await expected();
    expect(await shown(page)).toEqual(lists);
    // The full workshop's line as the organiser should see it, in queue order.
    expect(lists[0]).toEqual({
      heading: 'Ronde 1: Een veilige wijk, samen met bewoners',
      rows: [
        ['1', 'Sanne Visser'],
        ['2', 'Joris Kok'],
      ],
      none: null,
    });
    expect(await page.locator('#view > div > *').nth(2).getAttribute('class')).toContain('message-error');

    // Taking someone off redraws every list the same way.
    await page.getByRole('button', { name: 'Van de lijst halen: Sanne Visser' }).first().click();
    await page.getByRole('dialog').getByRole('button', { name: 'Ja, doorgaan' }).click();
    await page.getByText('De persoon is van de wachtlijst gehaald.').waitFor();
    await page
      .getByRole('button', { name: 'Van de lijst halen: Sanne Visser' })
      .first()
      .waitFor({ state: 'detached' });
    expect(await requestsStarted(page)).toBe(2 * programme.length);
    const after = await expected();
    expect(after[0]?.rows).toEqual([['1', 'Joris Kok']]);
    expect(await shown(page)).toEqual(after);
  });
});
