import type { AdminRegistration } from '../../domain/admin-registration.js';
import type { EventDefinition } from '../../domain/event-definition.js';
import { wallClockParts } from '../../domain/wall-clock.js';
import { type RegistrationCell, registrationRows } from '../csv/registrations-csv.js';

/**
 * The registrations as an Excel workbook (write-excel-file): Dutch regional settings make Excel split a CSV on
 * `;`, so organisers get a real `.xlsx`. One sheet with every registration and one attendance sheet per
 * workshop (confirmed only, sorted by name, with the check-in time and an empty column to sign). Every text is a string cell (a
 * shared string), never a formula, so a name starting with `=` stays a name; moments are real Excel dates
 * showing the event's local time; the header row is frozen and the columns have widths that fit.
 */

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** What the workbook is made of (the admin export use case's `WorkbookExport` has this shape). */
export type Workbook = {
  definition: EventDefinition;
  /** Every registration; absent when only one workshop's attendance list was asked for. */
  registrations?: readonly AdminRegistration[];
  attendance: readonly {
    roundId: string;
    workshopTitle: string;
    registrations: readonly AdminRegistration[];
  }[];
};

export const REGISTRATIONS_SHEET = 'Aanmeldingen';
export const ATTENDANCE_HEADER = ['Naam', 'Organisatie', 'Functie', 'Ingecheckt om', 'Handtekening'];

const DATE_FORMAT = 'dd-mm-yyyy hh:mm';
const MAX_SHEET_NAME = 31;
/** Characters Excel does not allow in a sheet name. */
const SHEET_NAME_FORBIDDEN = /[[\]:*?/\\]/g;

type XlsxCell = {
  value?: string | Date;
  type?: StringConstructor | DateConstructor;
  format?: string;
  fontWeight?: 'bold';
};

/**
 * The wall-clock time of an instant in a time zone, as a Date whose UTC fields are that time: Excel dates have
 * no zone, and the library counts from the Date's UTC value.
 */
export function wallClock(iso: string, timeZone: string): Date | undefined {
  const parts = wallClockParts(iso, timeZone);
  if (!parts) return undefined;
  const [year, month, day, hour, minute, second] = [
    parts.year,
    parts.month,
    parts.day,
    parts.hour,
    parts.minute,
    parts.second,
  ].map(Number);
  return new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day, hour, minute, second));
}

function text(value: string): XlsxCell {
  return { value, type: String };
}

function cell(value: RegistrationCell, timeZone: string): XlsxCell {
  if (typeof value === 'string') return text(value);
  const date = wallClock(value.at, timeZone);
  return date ? { value: date, type: Date, format: DATE_FORMAT } : text(value.at);
}

/** As wide as the widest cell (a date as its format), within reason. */
function widths(rows: readonly XlsxCell[][]): { width: number }[] {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  return Array.from({ length: columns }, (_, column) => ({
    width: Math.min(
      60,
      Math.max(
        10,
        ...rows.map((row) => {
          const value = row[column]?.value;
          return (value instanceof Date ? DATE_FORMAT.length : (value ?? '').length) + 2;
        }),
      ),
    ),
  }));
}

function sheet(name: string, rows: XlsxCell[][]) {
  return { sheet: name, data: rows, columns: widths(rows), stickyRowsCount: 1 };
}

function header(titles: readonly string[]): XlsxCell[] {
  return titles.map((title) => ({ ...text(title), fontWeight: 'bold' as const }));
}

/** A valid, unique sheet name: Excel allows 31 characters and none of `[]:*?/\`. */
function sheetNameFor(title: string, taken: Set<string>): string {
  const base = title.replace(SHEET_NAME_FORBIDDEN, ' ').replace(/\s+/g, ' ').trim() || 'Workshop';
  let name = base.slice(0, MAX_SHEET_NAME).trimEnd();
  for (let n = 2; taken.has(name.toLowerCase()); n++) {
    const suffix = ` (${n})`;
    name = `${base.slice(0, MAX_SHEET_NAME - suffix.length).trimEnd()}${suffix}`;
  }
  taken.add(name.toLowerCase());
  return name;
}

export async function registrationsXlsx(workbook: Workbook): Promise<Buffer> {
  const timeZone = workbook.definition.timezone;
  const taken = new Set<string>();
  const sheets = [];
  if (workbook.registrations) {
    const { header: titles, rows } = registrationRows(workbook.definition, workbook.registrations);
    taken.add(REGISTRATIONS_SHEET.toLowerCase());
    sheets.push(
      sheet(REGISTRATIONS_SHEET, [
        header(titles),
        ...rows.map((row) => row.map((value) => cell(value, timeZone))),
      ]),
    );
  }
  for (const list of workbook.attendance) {
    const rows = list.registrations.map((registration) => [
      ...[registration.name, registration.organisation, registration.jobTitle].map((value) =>
        text(String(value ?? '')),
      ),
      // The check-in time at this workshop (the door page), or empty; the last column is for a signature.
      typeof registration.checkedInAt === 'string'
        ? cell({ at: registration.checkedInAt }, timeZone)
        : text(''),
      text(''),
    ]);
    sheets.push(
      sheet(sheetNameFor(`${list.roundId}. ${list.workshopTitle}`, taken), [
        header(ATTENDANCE_HEADER),
        ...rows,
      ]),
    );
  }
  // Loaded on the first export only: the other admin routes do not pay for it at a cold start.
  const { default: writeXlsxFile } = await import('write-excel-file/node');
  return writeXlsxFile(sheets, { fontFamily: 'Calibri', fontSize: 11 }).toBuffer();
}
