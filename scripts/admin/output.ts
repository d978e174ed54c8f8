/** The organiser CLI's output for people: plain text tables and the Dutch words for the API's values. */

/** A plain text table; columns as wide as their widest cell. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => String(cell)))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(headers),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}

/** `1 persoon`, `2 personen`. */
export const peopleNl = (count: number): string => `${count} ${count === 1 ? 'persoon' : 'personen'}`;

export const STATUS_NL: Record<string, string> = {
  confirmed: 'bevestigd',
  cancelled: 'geannuleerd',
  waiting: 'op de wachtlijst',
};
export const ACTION_NL: Record<string, string> = {
  'event.created': 'evenement aangemaakt',
  'event.updated': 'evenement gewijzigd',
  'registration.cancelled': 'aanmelding geannuleerd',
  'registration.erased': 'persoonsgegevens verwijderd',
  'message.sent': 'bericht verstuurd',
  'registration.confirmation-resent': 'bevestiging opnieuw verstuurd',
};

export const BATCH_OUTCOME_NL: Record<string, string> = {
  cancelled: 'geannuleerd',
  'would-cancel': 'zou worden geannuleerd',
  'already-cancelled': 'was al geannuleerd',
  'not-found': 'niet gevonden',
};
