import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { registrationsXlsx, wallClock } from '../../lambdas/adapters/xlsx/registrations-xlsx.js';
import { sampleDefinition } from '../support/fakes.js';

describe('the Excel workbook', () => {
  it('shows moments as the wall clock of the event’s time zone, summer and winter time alike', () => {
    expect(wallClock('2030-01-15T09:30:05.000Z', 'Europe/Amsterdam')?.toISOString()).toBe(
      '2030-01-15T10:30:05.000Z',
    );
    expect(wallClock('2030-07-15T09:30:05.000Z', 'Europe/Amsterdam')?.toISOString()).toBe(
      '2030-07-15T11:30:05.000Z',
    );
    expect(wallClock('2030-07-15T23:30:00.000Z', 'Europe/Amsterdam')?.toISOString()).toBe(
      '2030-07-16T01:30:00.000Z',
    );
    expect(wallClock('not a date', 'Europe/Amsterdam')).toBeUndefined();
  });

  it('names attendance sheets validly and uniquely: at most 31 characters, none of []:*?/\\', async () => {
    const long = 'Een heel lange workshoptitel die niet in een tabblad past';
    const definition = sampleDefinition({
      rounds: [
        {
          id: '1',
          title: 'Ronde 1',
          workshops: [
            { id: 'a', title: long, description: '', speakers: [], capacity: 2 },
            { id: 'b', title: `${long} (deel 2)`, description: '', speakers: [], capacity: 2 },
            { id: 'c', title: 'Wat/waarom: [x]*?', description: '', speakers: [], capacity: 2 },
          ],
        },
      ],
    });
    const bytes = await registrationsXlsx({
      definition,
      attendance:
        definition.rounds[0]?.workshops.map((w) => ({
          roundId: '1',
          workshopTitle: w.title,
          registrations: [],
        })) ?? [],
    });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const names = workbook.worksheets.map((sheet) => sheet.name);
    expect(names).toEqual([
      '1. Een heel lange workshoptitel',
      '1. Een heel lange workshopt (2)',
      '1. Wat waarom x',
    ]);
    for (const sheet of workbook.worksheets) {
      expect(sheet.getCell(1, 4).value).toBe('Ingecheckt om');
      expect(sheet.getCell(1, 5).value).toBe('Handtekening');
    }
  });
});
