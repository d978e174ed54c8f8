import { stringify } from 'csv-stringify/sync';
import type { AdminRegistration } from '../../domain/admin-registration.js';
import type { EventDefinition } from '../../domain/event-definition.js';
import { ownValue } from '../../domain/registration.js';
import { wallClockParts } from '../../domain/wall-clock.js';

/**
 * Registrations as a spreadsheet file for Dutch organisers: UTF-8 with a byte order mark (so Excel reads
 * "Zoë Çelik" correctly), a header row, CRLF line ends, RFC 4180 quoting by csv-stringify, and every cell
 * that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, also their full-width
 * forms) prefixed with `'` (csv-stringify's `escape_formulas`, after OWASP's advice on CSV injection), and
 * every field quoted, so that a spreadsheet splitting on `;` (Dutch Excel) finds no formula either.
 */

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

const STATUS_LABELS: Record<string, string> = {
  confirmed: 'bevestigd',
  cancelled: 'geannuleerd',
  waiting: 'op de wachtlijst',
};

/** `2019-09-01 14:03` in the event's time zone. */
export function localDateTime(iso: string, timeZone: string): string {
  const parts = wallClockParts(iso, timeZone);
  if (!parts) return iso;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** A moment in a row: the CSV writes it as local text, the XLSX as a real date in the event's time zone. */
export type Moment = { at: string };
export type RegistrationCell = string | Moment;

export type RowOptions = {
  /** An attendance list: a last column with the check-in time at the workshop (each row's `checkedInAt`). */
  checkInColumn?: boolean;
};

/**
 * The registration list of both exports (CSV and XLSX): Dutch headers, one row per registration, workshop
 * titles per round, the status in Dutch and the moment of registering.
 */
export function registrationRows(
  definition: EventDefinition,
  registrations: readonly AdminRegistration[],
  options: RowOptions = {},
): { header: string[]; rows: RegistrationCell[][] } {
  const titles = new Map(
    definition.rounds.flatMap((round) => round.workshops.map((workshop) => [workshop.id, workshop.title])),
  );
  const header = [
    'Naam',
    'E-mail',
    'Organisatie',
    'Functie',
    ...definition.rounds.map((round) => round.title),
    'Status',
    'Aangemeld op',
    'Wachtlijst',
    ...(options.checkInColumn ? ['Ingecheckt om'] : []),
  ];
  const rows = registrations.map((registration): RegistrationCell[] => {
    const choices = registration.choices ?? {};
    return [
      ...[registration.name, registration.email, registration.organisation, registration.jobTitle].map(
        (cell) => String(cell ?? ''),
      ),
      ...definition.rounds.map((round) => {
        const workshopId = ownValue(choices, round.id);
        // A workshop no longer in the definition still shows, by its id.
        return workshopId === undefined ? '' : (titles.get(workshopId) ?? workshopId);
      }),
      STATUS_LABELS[registration.status] ?? String(registration.status),
      { at: registration.createdAt },
      // The lists the registration is on: "Ronde 1: Workshop A of Workshop B" per round.
      definition.rounds
        .filter((round) => ownValue(registration.waitingFor, round.id)?.length)
        .map(
          (round) =>
            `${round.title}: ${(ownValue(registration.waitingFor, round.id) ?? []).map((id) => titles.get(id) ?? id).join(' of ')}`,
        )
        .join('; '),
      ...(options.checkInColumn
        ? [typeof registration.checkedInAt === 'string' ? { at: registration.checkedInAt } : '']
        : []),
    ];
  });
  return { header, rows };
}

export function registrationsCsvRows(
  definition: EventDefinition,
  registrations: readonly AdminRegistration[],
  options: RowOptions = {},
): string[][] {
  const { header, rows } = registrationRows(definition, registrations, options);
  return [
    header,
    ...rows.map((row) =>
      row.map((cell) => (typeof cell === 'string' ? cell : localDateTime(cell.at, definition.timezone))),
    ),
  ];
}

/** A `;` followed by what starts a formula (csv-stringify's `escape_formulas` set), spaces allowed between. */
const AFTER_SEMICOLON_FORMULA = /;(?=[ \t\r]*[=+\-@\t\r\uff1d\uff0b\uff0d\uff20])/g;

/**
 * The formula guard for every cell a `;`-splitting reader could see: a part after a `;` that would start a
 * formula gets the same `'` as a whole cell does (a reader that does not honour the quotes splits there).
 */
function guardSemicolonParts(cell: string): string {
  return cell.replace(AFTER_SEMICOLON_FORMULA, ";'");
}

export function toCsv(rows: readonly (readonly string[])[]): string {
  return stringify(
    rows.map((row) => row.map(guardSemicolonParts)),
    {
      bom: true,
      record_delimiter: 'windows',
      // Quote cells with a bare LF or CR too, not only the CRLF record delimiter.
      quote_record_delimiter: true,
      escape_formulas: true,
      // Every field quoted, empty ones too: Excel with Dutch regional settings splits on `;`, and an unquoted
      // `Jan;=cmd|…` would put a cell starting with `=` in front of it. Inside quotes a `;` splits nothing.
      quoted: true,
      quoted_empty: true,
    },
  );
}

export function registrationsCsv(
  definition: EventDefinition,
  registrations: readonly AdminRegistration[],
  options: RowOptions = {},
): string {
  return toCsv(registrationsCsvRows(definition, registrations, options));
}
