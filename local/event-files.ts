import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type EventDefinition, eventDefinitionSchema, idSchema } from '../lambdas/domain/event-definition.js';

export type EventFile = { eventId: string; definition: EventDefinition; file: string };

/** Reads and validates an event definition; the event id is the file name without `.json`. */
export async function readEventFile(file: string): Promise<EventFile> {
  const eventId = idSchema.safeParse(path.basename(file, '.json'));
  if (!eventId.success) throw new Error(`${file}: the file name is not a valid event id (a-z, 0-9, -)`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not readable JSON (${(error as Error).message})`);
  }
  const parsed = eventDefinitionSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new Error(`${file}: not a valid event definition\n${problems.join('\n')}`);
  }
  return { eventId: eventId.data, definition: parsed.data, file };
}

export async function readEventDirectory(directory: string): Promise<EventFile[]> {
  const names = (await readdir(directory)).filter((name) => name.endsWith('.json')).sort();
  return Promise.all(names.map((name) => readEventFile(path.join(directory, name))));
}
