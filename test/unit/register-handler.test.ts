import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../lambdas/handlers/register.js';
import { proxyEvent } from '../support/api-events.js';
import { sampleDefinition } from '../support/fakes.js';

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);

const validBody = {
  name: 'Anna de Vries',
  email: 'anna@example.nl',
  organisation: 'Gemeente Utrecht',
  choices: { '1': 'a', '2': 'c' },
  consent: true,
};

function post(body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }) {
  return handler(
    proxyEvent({
      httpMethod: 'POST',
      resource: '/events/{eventId}/registrations',
      pathParameters: { eventId: 'testdag' },
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

const parse = (result: { body: string }) => JSON.parse(result.body);

describe('POST /events/{eventId}/registrations handler', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).resolves({ Item: { definition: sampleDefinition() } });
    ddb.on(BatchGetCommand).resolves({
      Responses: {
        'vol-is-vol-test': [
          { workshopId: 'a', capacity: 2, taken: 0 },
          { workshopId: 'b', capacity: 1, taken: 1 },
          { workshopId: 'c', capacity: 5, taken: 0 },
        ],
      },
    });
    ddb.on(TransactWriteCommand).resolves({});
    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
  });

  it('answers 201 with the registration the contract names, chosen by the server', async () => {
    const result = await post({
      ...validBody,
      id: 'mine',
      status: 'cancelled',
      createdAt: 'yesterday',
      extra: 'x',
    });
    expect(result.statusCode).toBe(201);
    expect(result.headers?.['Content-Type']).toBe('application/json; charset=utf-8');
    const { registration } = parse(result);
    expect(registration).toMatchObject({
      eventId: 'testdag',
      name: 'Anna de Vries',
      email: 'anna@example.nl',
      organisation: 'Gemeente Utrecht',
      choices: { '1': 'a', '2': 'c' },
      status: 'confirmed',
    });
    expect(registration.id).not.toBe('mine');
    expect(registration.id.length).toBeGreaterThanOrEqual(21);
    expect(Date.parse(registration.createdAt)).not.toBeNaN();
    const stored = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[3]?.Put?.Item;
    expect(stored).not.toHaveProperty('extra');
    expect(JSON.stringify(registration)).not.toMatch(/Hash|token/i);
  });

  it('still answers 201 when SES is down: the email stays owed in the outbox', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('down'), { name: 'ServiceUnavailable' }));
    const result = await post(validBody);
    expect(result.statusCode).toBe(201);
    const [registrationTransaction] = ddb.commandCalls(TransactWriteCommand);
    const outboxItem = registrationTransaction?.args[0].input.TransactItems?.[4]?.Put?.Item;
    expect(outboxItem).toMatchObject({ type: 'outbox', kind: 'confirmation', state: 'pending' });
  });

  it('refuses a body over 10 KB with 413 before reading it', async () => {
    const result = await post({ ...validBody, name: 'x'.repeat(11 * 1024) });
    expect(result.statusCode).toBe(413);
    expect(parse(result).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('refuses a non-JSON content type with 415', async () => {
    const result = await post('name=Anna', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(result.statusCode).toBe(415);
    expect(parse(result).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses broken JSON with 400 MALFORMED_JSON', async () => {
    const result = await post('{"name": ');
    expect(result.statusCode).toBe(400);
    expect(parse(result).error.code).toBe('MALFORMED_JSON');
  });

  it('lists every invalid field as { path, message }, in Dutch by default', async () => {
    const result = await post({ ...validBody, email: 'not-an-email', name: ' ', consent: false });
    expect(result.statusCode).toBe(400);
    const { error } = parse(result);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toBe('Niet alle velden zijn goed ingevuld.');
    expect(error.details.map((detail: { path: string }) => detail.path).sort()).toEqual([
      'consent',
      'email',
      'name',
    ]);
    for (const detail of error.details) expect(typeof detail.message).toBe('string');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it.each([
    ['a line separator', 'Anna\u2028de Vries', 'gebruik één regel, zonder regeleinden of besturingstekens'],
    [
      'a paragraph separator',
      'Anna\u2029de Vries',
      'gebruik één regel, zonder regeleinden of besturingstekens',
    ],
    ['a bidi override', 'Anna \u202eseirV ed', 'tekens die de leesrichting omkeren zijn niet toegestaan'],
    ['a bidi isolate', '\u2066Anna\u2069', 'tekens die de leesrichting omkeren zijn niet toegestaan'],
    [
      'only zero-width characters',
      '\u200b\u200c\u200d\ufeff',
      'vul zichtbare tekst in, niet alleen onzichtbare tekens',
    ],
    ['a lone surrogate', 'Anna \ud800', 'bevat een ongeldig teken (losse surrogate)'],
  ])(
    'refuses a name or organisation with %s, with a field message, and stores nothing',
    async (_, value, message) => {
      for (const field of ['name', 'organisation', 'jobTitle']) {
        const result = await post({ ...validBody, [field]: value });
        expect(result.statusCode).toBe(400);
        const { error } = parse(result);
        expect(error.code).toBe('VALIDATION_FAILED');
        expect(error.details).toEqual([{ path: field, message }]);
      }
      expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    },
  );

  it('fuzz: an invisible, bidi or broken character anywhere inside a name is 400, any text is never a 5xx', async () => {
    const forbidden = fc.constantFrom(
      '\u2028',
      '\u2029',
      '\u202a',
      '\u202b',
      '\u202c',
      '\u202d',
      '\u202e',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\ud800',
      '\udfff',
      '\u0000',
      '\n',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 40 }),
        forbidden,
        fc.string({ maxLength: 40 }),
        async (a, bad, b) => {
          const result = await post({ ...validBody, name: `x${a}${bad}${b}x` });
          expect(result.statusCode).toBe(400);
          expect(parse(result).error.code).toBe('VALIDATION_FAILED');
        },
      ),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 60 }), async (name) => {
        const result = await post({ ...validBody, name, organisation: name });
        expect([201, 400]).toContain(result.statusCode);
        if (result.statusCode === 201) {
          expect(parse(result).registration.name).toBe(name.trim().normalize('NFC'));
        }
      }),
      { numRuns: 150 },
    );
    // Zero-width characters alone are refused; between visible letters they are left alone.
    expect((await post({ ...validBody, name: '\u200b\u2060\ufeff' })).statusCode).toBe(400);
    expect((await post({ ...validBody, name: 'Anna\u200dB' })).statusCode).toBe(201);
  });

  it('stores names in NFC, whichever composition the client sent', async () => {
    const decomposed = 'Zoe\u0308 C\u0327elik';
    const result = await post({ ...validBody, name: decomposed, organisation: decomposed });
    expect(result.statusCode).toBe(201);
    expect(parse(result).registration).toMatchObject({
      name: 'Zo\u00eb \u00c7elik',
      organisation: 'Zo\u00eb \u00c7elik',
    });
  });

  it('answers in English when the client prefers it', async () => {
    const result = await post(
      {},
      { 'Content-Type': 'application/json', 'Accept-Language': 'en-GB,en;q=0.9,nl;q=0.5' },
    );
    expect(parse(result).error.message).toBe('Some fields are missing or invalid.');
  });

  it('refuses a filled honeypot or a form sent too fast, and stores nothing', async () => {
    for (const body of [
      { ...validBody, website: 'http://spam' },
      { ...validBody, formStartedAt: Date.now() },
    ]) {
      const result = await post(body);
      expect(result.statusCode).toBe(400);
      expect(parse(result).error.code).toBe('VALIDATION_FAILED');
    }
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect((await post({ ...validBody, website: '', formStartedAt: Date.now() - 60_000 })).statusCode).toBe(
      201,
    );
  });

  it('answers 404 EVENT_NOT_FOUND for an unknown event', async () => {
    ddb.on(GetCommand).resolves({});
    const result = await post(validBody);
    expect(result.statusCode).toBe(404);
    expect(parse(result).error.code).toBe('EVENT_NOT_FOUND');
  });

  it('answers 400 INVALID_CHOICE for a workshop of another round', async () => {
    const result = await post({ ...validBody, choices: { '1': 'c', '2': 'c' } });
    expect(result.statusCode).toBe(400);
    expect(parse(result).error.code).toBe('INVALID_CHOICE');
  });

  it('answers 409 WORKSHOP_FULL with the workshop ids when the transaction finds the seat taken', async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [
          { Code: 'ConditionalCheckFailed', Item: { workshopId: { S: 'b' } } },
          { Code: 'None' },
          { Code: 'None' },
          { Code: 'None' },
          { Code: 'None' },
        ],
      }),
    );
    const result = await post({ ...validBody, choices: { '1': 'b', '2': 'c' } });
    expect(result.statusCode).toBe(409);
    expect(parse(result).error).toMatchObject({ code: 'WORKSHOP_FULL', details: { workshopIds: ['b'] } });
  });

  it('answers 409 WORKSHOP_FULL from the counters, without a transaction, when it also waits for a workshop', async () => {
    const result = await post({ ...validBody, choices: { '1': 'b', '2': 'c' }, waitFor: { '1': 'a' } });
    expect(result.statusCode).toBe(409);
    expect(parse(result).error).toMatchObject({ code: 'WORKSHOP_FULL', details: { workshopIds: ['b'] } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('answers 409 ALREADY_REGISTERED when the email guard exists', async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [
          { Code: 'None' },
          { Code: 'None' },
          { Code: 'ConditionalCheckFailed' },
          { Code: 'None' },
        ],
      }),
    );
    const result = await post(validBody);
    expect(result.statusCode).toBe(409);
    expect(parse(result).error.code).toBe('ALREADY_REGISTERED');
  });

  it('answers 409 REGISTRATION_CLOSED outside the window', async () => {
    ddb.on(GetCommand).resolves({
      Item: { definition: sampleDefinition({ registration: { closesAt: '2020-01-01T00:00:00Z' } }) },
    });
    const result = await post(validBody);
    expect(result.statusCode).toBe(409);
    expect(parse(result).error).toMatchObject({ code: 'REGISTRATION_CLOSED', details: { status: 'closed' } });
  });

  it('answers 503 TRY_AGAIN with Retry-After when DynamoDB stays throttled', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    ddb.on(TransactWriteCommand).rejects(throttled);
    const result = await post(validBody);
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['Retry-After']).toBe('1');
    expect(parse(result).error.code).toBe('TRY_AGAIN');
  });

  it('answers a 500 that reveals nothing of an unexpected failure', async () => {
    const secret = Object.assign(
      new Error('arn:aws:dynamodb:eu-west-1:123:table/secret ValidationException'),
      {
        name: 'ValidationException',
      },
    );
    ddb.on(TransactWriteCommand).rejects(secret);
    const result = await post(validBody);
    expect(result.statusCode).toBe(500);
    expect(parse(result).error.code).toBe('INTERNAL_ERROR');
    expect(result.body).not.toMatch(/arn:|ValidationException|stack|secret/);
  });
});
