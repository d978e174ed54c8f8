import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logger } from '../../lambdas/observability.js';
import type { LocalStack } from '../../local/stack.js';
import { api, startTestStack } from '../support/local-stack.js';
import { emailsTo, manageLink } from '../support/mail.js';

const SEED = 'dag-van-weerbaar-bestuur-2019';
let stack: LocalStack;
const captured: string[] = [];
const originalWrite = process.stdout.write.bind(process.stdout);

beforeAll(async () => {
  stack = await startTestStack();
  logger.setLogLevel('DEBUG');
  // Captured, not shown: the test reads them, the test output stays readable.
  process.stdout.write = ((chunk: string | Uint8Array) => {
    captured.push(chunk.toString());
    return true;
  }) as typeof process.stdout.write;
});
afterAll(async () => {
  process.stdout.write = originalWrite;
  logger.setLogLevel('SILENT');
  await stack.close();
});

describe('logs', () => {
  it('carry no name, email address, organisation or token through a whole registration life', async () => {
    const person = {
      name: 'Geheime Gerda Testpersoon',
      email: 'gerda.geheim@example.nl',
      organisation: 'Gemeente Privacyveld',
      jobTitle: 'Functionaris Gegevensbescherming',
    };
    const { body: event } = await api(stack, 'GET', `/events/${SEED}`);
    const choices = { '1': event.rounds[0].workshops[0].id, '2': event.rounds[1].workshops[0].id };
    expect(
      (await api(stack, 'POST', `/events/${SEED}/registrations`, { ...person, choices, consent: true }))
        .status,
    ).toBe(201);
    await api(stack, 'POST', `/events/${SEED}/registrations`, { ...person, choices, consent: true });
    await api(stack, 'POST', `/events/${SEED}/registrations`, {
      ...person,
      email: 'not-an-email',
      choices,
      consent: true,
    });
    const [email] = await emailsTo(stack, person.email);
    const { id, token } = manageLink(email ?? ({} as never));
    const auth = { Authorization: `Bearer ${token}` };
    await api(stack, 'GET', `/registrations/${id}`, undefined, auth);
    await api(
      stack,
      'PATCH',
      `/registrations/${id}`,
      { choices: { '1': event.rounds[0].workshops[1].id } },
      auth,
    );
    await api(stack, 'DELETE', `/registrations/${id}`, undefined, auth);
    await stack.runScheduled('sendDueEmails');

    const logs = captured.join('');
    // The logs are there (so this test can fail) ...
    expect(logs).toContain('"message":"request"');
    expect(logs).toContain('"message":"email attempt"');
    // ... and say nothing about the person.
    for (const secret of [
      person.name,
      person.email,
      person.organisation,
      person.jobTitle,
      token,
      'Gerda',
      'gerda',
    ]) {
      expect(logs).not.toContain(secret);
    }
  });

  it('carry no personal data through waiting lists: signup, join, promotion, organiser views, leaving', async () => {
    const admin = { Authorization: `Bearer ${stack.adminToken}` };
    const workshop = (id: string, capacity: number) => ({
      id,
      title: id,
      description: '',
      speakers: [],
      capacity,
    });
    await api(
      stack,
      'PUT',
      '/admin/events/wachtlog',
      {
        title: 'Wachtlog',
        date: '2030-05-01',
        timezone: 'Europe/Amsterdam',
        registration: {},
        rounds: [{ id: '1', title: 'Ronde 1', workshops: [workshop('a', 1), workshop('b', 5)] }],
      },
      admin,
    );
    const people = ['Hanna Houder', 'Willem Wachter', 'Pien Plaatszoeker'].map((name, n) => ({
      name,
      email: `${name.split(' ')[0]?.toLowerCase()}.geheim${n}@example.nl`,
      organisation: `Gemeente ${name.split(' ')[1]}`,
      consent: true,
    }));
    const [holder, waiter, placeSeeker] = people as [
      (typeof people)[0],
      (typeof people)[0],
      (typeof people)[0],
    ];
    await api(stack, 'POST', '/events/wachtlog/registrations', { ...holder, choices: { '1': 'a' } });
    await api(stack, 'POST', '/events/wachtlog/registrations', {
      ...waiter,
      choices: { '1': 'b' },
      waitFor: { '1': 'a' },
    });
    await api(
      stack,
      'PUT',
      '/admin/events/wachtlog',
      {
        title: 'Wachtlog',
        date: '2030-05-01',
        timezone: 'Europe/Amsterdam',
        registration: {},
        rounds: [{ id: '1', title: 'Ronde 1', workshops: [workshop('a', 1), workshop('b', 1)] }],
      },
      admin,
    );
    await api(stack, 'POST', '/events/wachtlog/waiting-list', {
      ...placeSeeker,
      accepts: { '1': ['a', 'b'] },
    });
    await api(stack, 'GET', '/admin/events/wachtlog/waiting-list', undefined, admin);
    const [holderEmail] = await emailsTo(stack, holder.email);
    const holderLink = manageLink(holderEmail ?? ({} as never));
    await api(stack, 'DELETE', `/registrations/${holderLink.id}`, undefined, {
      Authorization: `Bearer ${holderLink.token}`,
    });
    await stack.runScheduled('promoteWaitingLists');
    const [placeEmail] = await emailsTo(stack, placeSeeker.email);
    const placeLink = manageLink(placeEmail ?? ({} as never));
    await api(stack, 'DELETE', `/registrations/${placeLink.id}/waiting-list/1`, undefined, {
      Authorization: `Bearer ${placeLink.token}`,
    });

    const logs = captured.join('');
    expect(logs).toContain('"message":"waiting list promotion"');
    for (const person of people) {
      for (const secret of [person.name, person.email, person.organisation])
        expect(logs).not.toContain(secret);
    }
    for (const token of [holderLink.token, placeLink.token]) expect(logs).not.toContain(token);
  });
});
