/** The organiser CLI's message commands (issue 16): send a plain-text message to registrants, list messages. */
import { readFile } from 'node:fs/promises';
import { type AdminClient, type Io, type Json, need, type Options, UsageError } from './client.js';
import { peopleNl, table } from './output.js';

const STATE_NL: Record<string, string> = {
  accepted: 'aangenomen',
  sending: 'wordt verstuurd',
  done: 'verstuurd',
};

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file} is niet te lezen: ${(error as Error).message}`);
  }
}

async function message(client: AdminClient, args: string[], options: Options, io: Io) {
  const eventId = need(args[0], '<eventId>');
  if (!options.subject || !options['body-file']) {
    throw new UsageError('Ontbreekt: --subject <onderwerp> en --body-file <bestand.txt>. Zie --help.');
  }
  const dryRun = options['dry-run'] === true;
  const body = {
    subject: { nl: options.subject, ...(options['subject-en'] ? { en: options['subject-en'] } : {}) },
    body: {
      nl: await readText(options['body-file']),
      ...(options['body-file-en'] ? { en: await readText(options['body-file-en']) } : {}),
    },
    audience: {
      ...(options.workshop ? { workshopIds: [options.workshop] } : {}),
      statuses: options.status ? [options.status] : ['confirmed'],
    },
    dryRun,
  };
  const result: Json = await client.json(
    'POST',
    `/admin/events/${encodeURIComponent(eventId)}/messages`,
    body,
  );
  if (options.json) return io.out(JSON.stringify(result, null, 2));
  const { recipients, id } = result.message;
  io.out(
    dryRun
      ? `Proefrun: het bericht zou naar ${peopleNl(recipients)} gaan; er is niets verstuurd.`
      : `Bericht ${id} aangenomen voor ${peopleNl(recipients)}; het wordt nu verstuurd (volg het met: messages ${eventId}).`,
  );
}

async function messages(client: AdminClient, args: string[], options: Options, io: Io) {
  const eventId = need(args[0], '<eventId>');
  const result: Json = await client.json('GET', `/admin/events/${encodeURIComponent(eventId)}/messages`);
  if (options.json) return io.out(JSON.stringify(result, null, 2));
  io.out(
    table(
      ['Verstuurd op (UTC)', 'Onderwerp', 'Ontvangers', 'Verzonden', 'Wachtend', 'Mislukt', 'Stand'],
      result.items.map((item: Json) => [
        String(item.createdAt).replace('T', ' ').slice(0, 19),
        item.subject.nl,
        item.recipients,
        item.counts.sent,
        item.counts.pending,
        item.counts.failed,
        STATE_NL[item.state] ?? item.state,
      ]),
    ),
  );
}

export const MESSAGE_COMMANDS = { message, messages };
