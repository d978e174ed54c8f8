import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { main } from '../../scripts/admin.js';
import { cliIo } from '../support/cli-io.js';
import { api, startTestStack } from '../support/local-stack.js';
import { assertDocumentedResponse } from '../support/openapi-validator.js';

let stack: LocalStack;
let auth: Record<string, string>;
let dir: string;

const EVENT = 'excel-dag';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const definition = {
  title: 'Exceldag',
  date: '2030-10-10',
  timezone: 'Europe/Amsterdam',
  rounds: [
    {
      id: '1',
      title: 'Ochtend',
      workshops: [
        { id: 'lezen', title: 'Lezen: [de] basis?', capacity: 10 },
        { id: 'schrijven', title: 'Schrijven', capacity: 10 },
      ],
    },
    { id: '2', title: 'Middag', workshops: [{ id: 'rekenen', title: 'Rekenen', capacity: 10 }] },
  ],
};

const people = [
  { name: 'Zoë Çelik', organisation: 'Gemeente Oss', workshop: 'lezen' },
  { name: '=HYPERLINK("http://kwaad.example","klik")', organisation: '+31 6 1234', workshop: 'lezen' },
  { name: 'Anna de Vries', organisation: '@bestuur', workshop: 'schrijven' },
  { name: 'Bram Bakker', organisation: '-5', workshop: 'lezen' },
];

/** The registrations' ids by name, and which one was cancelled. */
const ids = new Map<string, string>();
let checkedInAt: Date;

async function download(query = ''): Promise<{ response: Response; bytes: Buffer }> {
  const urlPath = `/admin/events/${EVENT}/registrations.xlsx${query}`;
  const response = await fetch(`${stack.apiUrl}${urlPath}`, { headers: { ...auth, Accept: XLSX } });
  const bytes = Buffer.from(await response.arrayBuffer());
  assertDocumentedResponse({
    method: 'GET',
    urlPath,
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: response.ok ? '' : JSON.parse(bytes.toString('utf8')),
  });
  return { response, bytes };
}

async function workbookOf(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  return workbook;
}

function rowValues(sheet: ExcelJS.Worksheet, rowNumber: number): unknown[] {
  return (sheet.getRow(rowNumber).values as unknown[]).slice(1);
}

beforeAll(async () => {
  stack = await startTestStack();
  auth = { Authorization: `Bearer ${stack.adminToken}` };
  dir = await mkdtemp(path.join(tmpdir(), 'vol-xlsx-'));
  expect((await api(stack, 'PUT', `/admin/events/${EVENT}`, definition, auth)).status).toBe(201);
  for (const [n, person] of people.entries()) {
    const response = await api(stack, 'POST', `/events/${EVENT}/registrations`, {
      name: person.name,
      email: `excel${n}@example.nl`,
      organisation: person.organisation,
      choices: { '1': person.workshop, '2': 'rekenen' },
      consent: true,
    });
    expect(response.status).toBe(201);
    ids.set(person.name, response.body.registration.id);
  }
  // Cancelled: in the registrations sheet, on no attendance list.
  const bram = ids.get('Bram Bakker');
  expect(
    (await api(stack, 'DELETE', `/admin/events/${EVENT}/registrations/${bram}`, undefined, auth)).status,
  ).toBe(200);
  // Zoë is checked in at her workshop's room: the attendance sheet shows when.
  const checkIn = await api(
    stack,
    'POST',
    `/admin/events/${EVENT}/check-ins`,
    { registrationId: ids.get('Zoë Çelik'), workshopId: 'lezen' },
    auth,
  );
  expect(checkIn.status).toBe(200);
  checkedInAt = new Date(checkIn.body.checkIn.at);
});
afterAll(async () => {
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('admin API: the Excel export', () => {
  it('has a sheet of every registration and an attendance sheet per workshop, as the library reads it back', async () => {
    const { response, bytes } = await download();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(XLSX);
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="${EVENT}-registrations.xlsx"`,
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
    const workbook = await workbookOf(bytes);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([
      'Aanmeldingen',
      '1. Lezen de basis',
      '1. Schrijven',
      '2. Rekenen',
    ]);

    const all = workbook.getWorksheet('Aanmeldingen');
    if (!all) throw new Error('no registrations sheet');
    expect(rowValues(all, 1)).toEqual([
      'Naam',
      'E-mail',
      'Organisatie',
      'Functie',
      'Ochtend',
      'Middag',
      'Status',
      'Aangemeld op',
      'Wachtlijst',
    ]);
    expect(all.rowCount).toBe(1 + people.length);
    expect(all.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(all.getColumn(2).width).toBeGreaterThanOrEqual('excel0@example.nl'.length);

    // Every text cell is text: the formula-looking name and organisations are strings, never formulas.
    const names = [2, 3, 4, 5].map((row) => all.getCell(row, 1));
    for (const cell of names) {
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.formula).toBeUndefined();
    }
    expect(names.map((cell) => cell.value)).toEqual(people.map((person) => person.name));
    for (const row of [2, 3, 4, 5]) expect(all.getCell(row, 3).type).toBe(ExcelJS.ValueType.String);
    expect(all.getCell(3, 3).value).toBe('+31 6 1234');
    expect(all.getCell(5, 7).value).toBe('geannuleerd');

    // Registered at: a real date showing the event's local time (Amsterdam, UTC+1 or +2).
    const listed = await api(stack, 'GET', `/admin/events/${EVENT}/registrations?limit=10`, undefined, auth);
    const createdAt = new Date(listed.body.items[0].createdAt);
    const at = all.getCell(2, 8);
    expect(at.type).toBe(ExcelJS.ValueType.Date);
    const local = at.value as Date;
    const offsetHours = (local.getTime() - createdAt.getTime()) / 3_600_000;
    expect([1, 2]).toContain(Math.round(offsetHours * 1000) / 1000);
    expect(at.numFmt).toMatch(/yyyy/);

    const lezen = workbook.getWorksheet('1. Lezen de basis');
    if (!lezen) throw new Error('no attendance sheet');
    expect(rowValues(lezen, 1)).toEqual(['Naam', 'Organisatie', 'Functie', 'Ingecheckt om', 'Handtekening']);
    expect(lezen.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    // Confirmed only (Bram cancelled), sorted by name the Dutch way.
    const attendees = [2, 3].map((row) => lezen.getCell(row, 1));
    expect(attendees.map((cell) => cell.value)).toEqual([
      '=HYPERLINK("http://kwaad.example","klik")',
      'Zoë Çelik',
    ]);
    for (const cell of attendees) {
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.formula).toBeUndefined();
    }
    expect(lezen.rowCount).toBe(3);
    // The check-in time at this workshop as a real date in local time; empty for who did not check in.
    const zoeCheckIn = lezen.getCell(3, 4);
    expect(zoeCheckIn.type).toBe(ExcelJS.ValueType.Date);
    const checkInOffset = ((zoeCheckIn.value as Date).getTime() - checkedInAt.getTime()) / 3_600_000;
    expect([1, 2]).toContain(Math.round(checkInOffset * 1000) / 1000);
    expect(lezen.getCell(2, 4).value ?? '').toBe('');
    const rekenen = workbook.getWorksheet('2. Rekenen');
    expect(rekenen?.rowCount).toBe(1 + 3);
  });

  it('with workshopId: only that workshop’s attendance sheet; an unknown workshop or event is refused', async () => {
    const { response, bytes } = await download('?workshopId=schrijven');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="${EVENT}-schrijven-attendance.xlsx"`,
    );
    const workbook = await workbookOf(bytes);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['1. Schrijven']);
    expect(workbook.worksheets[0]?.getCell(2, 1).value).toBe('Anna de Vries');

    const unknownWorkshop = await api(
      stack,
      'GET',
      `/admin/events/${EVENT}/registrations.xlsx?workshopId=bestaat-niet`,
      undefined,
      auth,
    );
    expect(unknownWorkshop.status).toBe(400);
    expect(unknownWorkshop.body.error.code).toBe('VALIDATION_FAILED');
    const unknownEvent = await api(
      stack,
      'GET',
      '/admin/events/bestaat-niet/registrations.xlsx',
      undefined,
      auth,
    );
    expect(unknownEvent.status).toBe(404);
    expect((await api(stack, 'GET', `/admin/events/${EVENT}/registrations.xlsx`)).status).toBe(401);
  });

  it('is saved by the CLI: export --format xlsx (or an --out ending in .xlsx)', async () => {
    const { io, out } = cliIo(stack.adminToken);
    const target = ['--url', stack.apiUrl, '--token', stack.adminToken];
    const file = path.join(dir, 'deelnemers.bin');
    const code = await main(['export', EVENT, '--out', file, '--format', 'xlsx', ...target], io);
    expect({ code, out }).toEqual({ code: 0, out: [`Excel-bestand geschreven naar ${file}`] });
    const workbook = await workbookOf(await readFile(file));
    expect(workbook.worksheets).toHaveLength(4);
    const byName = path.join(dir, 'lezen.xlsx');
    expect(await main(['export', EVENT, '--out', byName, '--workshop', 'lezen', ...target], io)).toBe(0);
    expect((await workbookOf(await readFile(byName))).worksheets.map((sheet) => sheet.name)).toEqual([
      '1. Lezen de basis',
    ]);
    expect(await main(['export', EVENT, '--out', file, '--format', 'pdf', ...target], io)).toBe(2);
  });
});
