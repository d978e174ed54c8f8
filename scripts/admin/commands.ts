/** The organiser CLI's commands: each reads its arguments, calls the admin API and prints for people or --json. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
// csv-parse is a development dependency, like tsx that runs this script.
import { parse as parseCsv } from 'csv-parse/sync';
import { localDateTime } from '../../lambdas/adapters/csv/registrations-csv.js';
import { type AdminClient, type Io, type Json, need, type Options, UsageError } from './client.js';
import { MESSAGE_COMMANDS } from './message-commands.js';
import { ACTION_NL, BATCH_OUTCOME_NL, peopleNl, STATUS_NL, table } from './output.js';

function positiveLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError('--limit moet een positief geheel getal zijn.');
  return limit;
}

async function list(client: AdminClient, args: string[], options: Options, io: Io) {
  const eventId = need(args[0], '<eventId>');
  const max = positiveLimit(options.limit);
  const items: Json[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams();
    if (options.workshop) query.set('workshopId', options.workshop);
    if (options.status) query.set('status', options.status);
    if (options.q) query.set('q', options.q);
    query.set('limit', String(Math.min(500, max === undefined ? 500 : max - items.length)));
    if (cursor) query.set('cursor', cursor);
    const page: Json = await client.json(
      'GET',
      `/admin/events/${encodeURIComponent(eventId)}/registrations?${query}`,
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && (max === undefined || items.length < max));
  if (options.json) return io.out(JSON.stringify(items, null, 2));

  const event = await client.publicEvent(eventId);
  const timeZone: string = event?.timezone ?? 'Europe/Amsterdam';
  const rounds: { id: string; title: string }[] = event?.rounds ?? [];
  io.out(
    table(
      [
        'Id',
        'Naam',
        'E-mail',
        'Organisatie',
        ...rounds.map((round) => round.title),
        'Status',
        'Aangemeld op',
      ],
      items.map((item) => [
        item.id,
        item.name,
        item.email,
        item.organisation,
        ...rounds.map((round) => item.choices?.[round.id] ?? ''),
        STATUS_NL[item.status] ?? item.status,
        localDateTime(item.createdAt, timeZone),
      ]),
    ),
  );
  io.out(
    `\n${items.length} ${items.length === 1 ? 'aanmelding' : 'aanmeldingen'}${cursor ? ' (meer met --limit)' : ''}`,
  );
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

async function exportFile(client: AdminClient, args: string[], options: Options, io: Io) {
  const eventId = need(args[0], '<eventId>');
  const out = need(options.out, '--out <bestand.csv|bestand.xlsx>');
  const format = options.format ?? (out.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv');
  if (format !== 'csv' && format !== 'xlsx') throw new UsageError('--format moet csv of xlsx zijn.');
  const query = options.workshop ? `?workshopId=${encodeURIComponent(options.workshop)}` : '';
  const response = await client.request(
    'GET',
    `/admin/events/${encodeURIComponent(eventId)}/registrations.${format}${query}`,
    undefined,
    format === 'xlsx' ? XLSX_TYPE : undefined,
  );
  const bytes = Buffer.from(await response.arrayBuffer());
  await writeFile(out, bytes);
  if (format === 'xlsx') return io.out(`Excel-bestand geschreven naar ${out}`);
  // Records, not lines: a quoted cell may hold a line break.
  const rows = (parseCsv(bytes, { bom: true }) as unknown[]).length - 1;
  io.out(`${rows} ${rows === 1 ? 'aanmelding' : 'aanmeldingen'} geschreven naar ${out}`);
}

async function summary(client: AdminClient, args: string[], options: Options, io: Io) {
  const eventId = need(args[0], '<eventId>');
  const result: Json = await client.json('GET', `/admin/events/${encodeURIComponent(eventId)}/summary`);
  if (options.json) return io.out(JSON.stringify(result, null, 2));
  io.out(`${result.title} (${result.eventId})\n`);
  io.out(
    table(
      ['Ronde', 'Workshop', 'Capaciteit', 'Bezet', 'Vrij', 'Houders', 'Klopt'],
      result.rounds.flatMap((round: Json) =>
        round.workshops.map((w: Json) => [
          round.title,
          w.title,
          w.capacity,
          w.taken,
          w.seatsLeft,
          w.holders,
          w.consistent ? 'ja' : 'NEE',
        ]),
      ),
    ),
  );
  io.out(
    `\nBevestigd: ${result.totals.confirmed}  Geannuleerd: ${result.totals.cancelled}  ` +
      `Telling: ${result.consistent ? 'alles klopt' : 'LET OP: teller en aanmeldingen verschillen'}`,
  );
}

async function cancel(client: AdminClient, args: string[], options: Options, io: Io) {
  const eventId = need(args[0], '<eventId>');
  const registrationId = need(args[1], '<registrationId>');
  const result: Json = await client.json(
    'DELETE',
    `/admin/events/${encodeURIComponent(eventId)}/registrations/${encodeURIComponent(registrationId)}`,
  );
  if (options.json) return io.out(JSON.stringify(result, null, 2));
  const registration = result.registration;
  io.out(
    `Aanmelding ${registration.id} van ${registration.name} is geannuleerd; de plaatsen zijn vrijgegeven.`,
  );
}

async function resendConfirmation(client: AdminClient, args: string[], options: Options, io: Io) {
  const eventId = need(args[0], '<eventId>');
  const registrationId = need(args[1], '<registrationId>');
  const result: Json = await client.json(
    'POST',
    `/admin/events/${encodeURIComponent(eventId)}/registrations/${encodeURIComponent(registrationId)}/resend-confirmation`,
  );
  if (options.json) return io.out(JSON.stringify(result, null, 2));
  io.out(
    `De bevestiging van aanmelding ${result.registration.id} gaat opnieuw naar ${result.registration.email}, ` +
      'met een nieuwe persoonlijke link; eerdere links werken niet meer.',
  );
}

async function cancelBatch(client: AdminClient, args: string[], options: Options, io: Io) {
  const eventId = need(args[0], '<eventId>');
  const fromFile = options['ids-file']
    ? (await readFile(options['ids-file'], 'utf8')).split(/\s+/).filter(Boolean)
    : [];
  const registrationIds = [...args.slice(1), ...fromFile];
  if (registrationIds.length === 0)
    throw new UsageError('Ontbreekt: <registrationId> of --ids-file. Zie --help.');
  const dryRun = options['dry-run'] === true;
  const result: Json = await client.json(
    'POST',
    `/admin/events/${encodeURIComponent(eventId)}/registrations/cancel-batch`,
    { registrationIds, dryRun },
  );
  if (options.json) return io.out(JSON.stringify(result, null, 2));
  io.out(
    table(
      ['Aanmelding', 'Naam', 'E-mail', 'Resultaat'],
      result.items.map((item: Json) => [
        item.registrationId,
        item.registration?.name ?? '',
        item.registration?.email ?? '',
        BATCH_OUTCOME_NL[item.outcome] ?? item.outcome,
      ]),
    ),
  );
  const counts = result.counts;
  io.out(
    dryRun
      ? `\nProefrun: ${counts['would-cancel']} zou${counts['would-cancel'] === 1 ? '' : 'den'} worden geannuleerd; er is niets gewijzigd.`
      : `\n${counts.cancelled} geannuleerd (batch ${result.batchId}); de plaatsen zijn vrijgegeven.`,
  );
}

async function putEventFile(client: AdminClient, args: string[], options: Options, io: Io) {
  const file = need(args[0], '<bestand.json>');
  const eventId = options['event-id'] ?? path.basename(file, '.json');
  let definition: unknown;
  try {
    definition = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file} is geen leesbare JSON: ${(error as Error).message}`);
  }
  const dryRun = options['dry-run'] === true;
  const notify = options['no-notify'] !== true;
  const query = new URLSearchParams();
  if (!notify) query.set('notify', 'false');
  if (dryRun) query.set('dryRun', 'true');
  const flags = query.toString();
  const result: Json = await client.json(
    'PUT',
    `/admin/events/${encodeURIComponent(eventId)}${flags ? `?${flags}` : ''}`,
    definition,
  );
  if (options.json) return io.out(JSON.stringify(result, null, 2));
  const { created, notified } = result as { created: boolean; notified: number };
  if (dryRun) {
    const outcome = created
      ? 'zou worden aangemaakt'
      : notify
        ? `zou worden bijgewerkt; ${peopleNl(notified)} ${notified === 1 ? 'zou' : 'zouden'} een gewijzigd programma per e-mail krijgen`
        : 'zou worden bijgewerkt zonder iemand te mailen (--no-notify)';
    return io.out(`Proefrun: evenement ${eventId} ${outcome}; er is niets gewijzigd.`);
  }
  io.out(`Evenement ${result.id} ${created ? 'aangemaakt' : 'bijgewerkt'}: ${result.title}\n`);
  io.out(
    table(
      ['Ronde', 'Workshop', 'Capaciteit', 'Vrij'],
      result.rounds.flatMap((round: Json) =>
        round.workshops.map((w: Json) => [round.title, w.title, w.capacity, w.seatsLeft]),
      ),
    ),
  );
  if (created) return;
  io.out(
    notify
      ? `\n${peopleNl(notified)} ${notified === 1 ? 'krijgt' : 'krijgen'} het gewijzigde programma per e-mail.`
      : '\nNiemand gemaild (--no-notify).',
  );
}

async function audit(client: AdminClient, args: string[], options: Options, io: Io) {
  const eventId = need(args[0], '<eventId>');
  const limit = positiveLimit(options.limit) ?? 50;
  const result: Json = await client.json(
    'GET',
    `/admin/events/${encodeURIComponent(eventId)}/audit?limit=${Math.min(500, limit)}`,
  );
  if (options.json) return io.out(JSON.stringify(result, null, 2));
  io.out(
    table(
      ['Tijdstip (UTC)', 'Wie', 'Actie', 'Aanmelding', 'Details'],
      result.items.map((item: Json) => [
        String(item.at).replace('T', ' ').slice(0, 19),
        item.actor?.username ?? item.actor?.sub ?? '',
        ACTION_NL[item.action] ?? item.action,
        item.registrationId ?? '',
        JSON.stringify(item.details),
      ]),
    ),
  );
}

export const COMMANDS: Record<
  string,
  (client: AdminClient, args: string[], options: Options, io: Io) => Promise<void>
> = {
  list,
  export: exportFile,
  summary,
  cancel,
  'cancel-batch': cancelBatch,
  'resend-confirmation': resendConfirmation,
  'put-event': putEventFile,
  audit,
  ...MESSAGE_COMMANDS,
};
