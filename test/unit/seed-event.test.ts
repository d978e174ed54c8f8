import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { type EventDefinition, eventDefinitionSchema } from '../../lambdas/domain/event-definition.js';

const eventId = 'dag-van-weerbaar-bestuur-2019';
const fileUrl = new URL(`../../events/${eventId}.json`, import.meta.url);

async function loadRaw(): Promise<unknown> {
  return JSON.parse(await readFile(fileUrl, 'utf8'));
}

async function loadEvent(): Promise<EventDefinition> {
  return eventDefinitionSchema.parse(await loadRaw());
}

describe(`events/${eventId}.json`, () => {
  it('satisfies the event definition schema', async () => {
    const result = eventDefinitionSchema.safeParse(await loadRaw());
    expect(result.error?.issues).toBeUndefined();
    expect(result.success).toBe(true);
  });

  it('describes the conference day', async () => {
    const event = await loadEvent();
    expect(event.title).toBe('Dag van Weerbaar Bestuur');
    expect(event.date).toBe('2019-09-12');
    expect(event.timezone).toBe('Europe/Amsterdam');
    expect(event.venue).toBeUndefined();
    expect(event.registration).toEqual({});
    expect(event.description).toContain('vol is vol');
    expect(event.notice).toContain('werkbezoek');
  });

  it('has round 1 with 4 workshops and round 2 with 3 workshops, in that order', async () => {
    const event = await loadEvent();
    expect(event.rounds.map((round) => [round.id, round.workshops.length])).toEqual([
      ['1', 4],
      ['2', 3],
    ]);
  });

  it('gives every workshop at least one speaker, a description and a placeholder capacity', async () => {
    const event = await loadEvent();
    for (const workshop of event.rounds.flatMap((round) => round.workshops)) {
      expect(workshop.speakers.length, workshop.id).toBeGreaterThanOrEqual(1);
      for (const speaker of workshop.speakers) expect(speaker.trim(), workshop.id).not.toBe('');
      expect(workshop.description.trim(), workshop.id).not.toBe('');
      expect(workshop.capacity, workshop.id).toBeGreaterThan(0);
      expect(workshop.capacityIsPlaceholder, workshop.id).toBe(true);
    }
  });

  it('uses unique workshop ids across the event', async () => {
    const event = await loadEvent();
    const ids = event.rounds.flatMap((round) => round.workshops.map((workshop) => workshop.id));
    expect(ids).toHaveLength(7);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('marks the first round-1 workshop as replacing the site visit', async () => {
    const event = await loadEvent();
    const first = event.rounds.find((round) => round.id === '1')?.workshops[0];
    expect(first?.id).toBe('wijk-van-ons-allemaal');
    expect(first?.title).toBe('De wijk is van ons allemaal, maar hoe doen we dat samen?');
    expect(first?.notice).toBe('Let op: deze workshop vervangt het eerder gecommuniceerde werkbezoek.');
    const others = event.rounds.flatMap((round) => round.workshops).slice(1);
    for (const workshop of others) expect(workshop.notice, workshop.id).toBeUndefined();
  });
});
