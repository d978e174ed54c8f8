import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  localDateTime,
  registrationsCsv,
  registrationsCsvRows,
} from '../../lambdas/adapters/csv/registrations-csv.js';
import type { AdminRegistration } from '../../lambdas/domain/admin-registration.js';
import { sampleDefinition } from '../support/fakes.js';

function registration(overrides: Partial<AdminRegistration>): AdminRegistration {
  return {
    id: 'r1',
    eventId: 'testdag',
    name: 'Anna de Vries',
    email: 'anna@example.nl',
    organisation: 'Gemeente Oss',
    choices: { '1': 'a', '2': 'c' },
    status: 'confirmed',
    locale: 'nl',
    createdAt: '2019-09-01T12:03:00.000Z',
    updatedAt: '2019-09-01T12:03:00.000Z',
    ...overrides,
  };
}

const definition = sampleDefinition({
  rounds: [
    {
      id: '1',
      title: 'Ronde 1',
      workshops: [
        { id: 'a', title: 'Wijk, van "ons" allemaal', description: '', speakers: [], capacity: 2 },
        { id: 'b', title: '=HYPERLINK("http://x")', description: '', speakers: [], capacity: 1 },
      ],
    },
    {
      id: '2',
      title: 'Ronde 2',
      workshops: [{ id: 'c', title: 'Zicht op ondermijning', description: '', speakers: [], capacity: 5 }],
    },
  ],
});

function parseBack(csv: string): string[][] {
  return parse(csv, { bom: true, relax_column_count: false }) as string[][];
}

describe('registrations as CSV', () => {
  it('starts with a UTF-8 byte order mark and a Dutch header row', () => {
    const csv = registrationsCsv(definition, []);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(parseBack(csv)).toEqual([
      [
        'Naam',
        'E-mail',
        'Organisatie',
        'Functie',
        'Ronde 1',
        'Ronde 2',
        'Status',
        'Aangemeld op',
        'Wachtlijst',
      ],
    ]);
  });

  it('shows a place on the waiting list and the lists a registration is on, by workshop title', () => {
    const [, waiting, preference] = registrationsCsvRows(definition, [
      registration({ choices: {}, status: 'waiting', waitingFor: { '1': ['a', 'b'], '2': ['c'] } }),
      registration({ id: 'r2', waitingFor: { '1': ['b'] } }),
    ]);
    expect(waiting?.slice(4, 7)).toEqual(['', '', 'op de wachtlijst']);
    expect(waiting?.at(-1)).toBe(
      'Ronde 1: Wijk, van "ons" allemaal of =HYPERLINK("http://x"); Ronde 2: Zicht op ondermijning',
    );
    expect(preference?.at(-1)).toBe('Ronde 1: =HYPERLINK("http://x")');
  });

  it('writes one row per registration with workshop titles per round and local time', () => {
    const csv = registrationsCsv(definition, [
      registration({ jobTitle: 'Burgemeester' }),
      registration({ id: 'r2', name: 'Zoë Çelik', choices: { '1': 'b', '2': 'c' }, status: 'cancelled' }),
    ]);
    const [, first, second] = parseBack(csv);
    expect(first).toEqual([
      'Anna de Vries',
      'anna@example.nl',
      'Gemeente Oss',
      'Burgemeester',
      'Wijk, van "ons" allemaal',
      'Zicht op ondermijning',
      'bevestigd',
      '2019-09-01 14:03',
      '',
    ]);
    expect(second?.[0]).toBe('Zoë Çelik');
    expect(second?.[3]).toBe('');
    expect(second?.[4]).toBe(`'=HYPERLINK("http://x")`);
    expect(second?.[6]).toBe('geannuleerd');
  });

  it('survives commas, quotes, new lines and accents', () => {
    const nasty = [
      'Comma, Inc.',
      'He said "hi"',
      'Two\nlines',
      'Carriage\rreturn',
      'Windows\r\nline',
      'Zoë Çelik — Ĳsselmonde',
      '"',
      '',
      ' leading space',
    ];
    const rows = nasty.map((text, index) =>
      registration({ id: `r${index}`, name: text, organisation: text, jobTitle: text }),
    );
    const parsed = parseBack(registrationsCsv(definition, rows));
    expect(parsed).toHaveLength(nasty.length + 1);
    nasty.forEach((text, index) => {
      const row = parsed[index + 1];
      expect(row?.[0]).toBe(text);
      expect(row?.[2]).toBe(text);
      expect(row?.[3]).toBe(text);
      expect(row).toHaveLength(9);
    });
  });

  it.each([
    ['=', '=SUM(A1:A9)'],
    ['+', '+31 6 12345678'],
    ['-', '-2+3+cmd|" /C calc"!A0'],
    ['@', '@SUM(1+1)'],
    ['tab', '\t=1+1'],
    ['CR', '\r=1+1'],
    ['full-width =', '＝1+1'],
  ])('neutralises a formula starting with %s', (_, value) => {
    const csv = registrationsCsv(definition, [
      registration({ name: value, email: value, organisation: value, jobTitle: value }),
    ]);
    const row = parseBack(csv)[1];
    for (const cell of row?.slice(0, 4) ?? []) expect(cell).toBe(`'${value}`);
  });

  it('is safe in Excel with Dutch regional settings, which splits on `;`: every field quoted, no formula', () => {
    const hostile = [`Jan;=cmd|' /C calc'!A0;x`, 'a;+1', 'b; @SUM(1)', 'c;-1', '=d;e', 'f;\t=1'];
    const rows = hostile.map((text, index) =>
      registration({ id: `r${index}`, name: text, organisation: text, jobTitle: text }),
    );
    const csv = registrationsCsv(definition, rows);
    // Read as a `;`-separated file, quotes honoured as Excel honours them.
    const asDutchExcel = parse(csv, {
      bom: true,
      delimiter: ';',
      relax_quotes: true,
      relax_column_count: true,
    }) as string[][];
    for (const cell of asDutchExcel.flat()) expect(cell).not.toMatch(/^\s*[=+\-@\uff1d\uff0b\uff0d\uff20]/);
    // Every field, empty ones too, is quoted.
    for (const line of csv
      .replace(/^\ufeff/, '')
      .split('\r\n')
      .filter(Boolean)) {
      expect(line).toMatch(/^"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*$/);
    }
    // And read as the comma-separated file it is, every value comes back, the formula guard kept.
    const parsed = parseBack(csv);
    hostile.forEach((text, index) => {
      const expected = (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text).replace(/;(?=[ \t]*[=+\-@\t])/g, ";'");
      expect(parsed[index + 1]?.slice(0, 4)).toEqual([expected, 'anna@example.nl', expected, expected]);
    });
  });

  it('leaves harmless values alone', () => {
    const row = parseBack(
      registrationsCsv(definition, [registration({ name: "O'Brien", organisation: 'a=b', jobTitle: '1-2' })]),
    )[1];
    expect(row?.slice(0, 4)).toEqual(["O'Brien", 'anna@example.nl', 'a=b', '1-2']);
  });

  it('shows a workshop that left the definition by its id, and an absent choice as empty', () => {
    const rows = registrationsCsvRows(definition, [registration({ choices: { '1': 'gone' } })]);
    expect(rows[1]?.slice(4, 6)).toEqual(['gone', '']);
  });

  it('formats the time in the event time zone, summer and winter', () => {
    expect(localDateTime('2019-09-01T12:03:00.000Z', 'Europe/Amsterdam')).toBe('2019-09-01 14:03');
    expect(localDateTime('2019-12-31T23:30:00.000Z', 'Europe/Amsterdam')).toBe('2020-01-01 00:30');
    expect(localDateTime('2019-09-01T00:05:00.000Z', 'America/New_York')).toBe('2019-08-31 20:05');
  });
});
