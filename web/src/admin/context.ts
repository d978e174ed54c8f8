import type { Json } from './client.js';

/** The event being looked at: its id and stored definition (rounds, workshops, time zone). */
export type EventContext = { eventId: string; definition: Json };

/** Workshop id → title, over every round. */
export function workshopTitles(context: EventContext): Map<string, string> {
  return new Map(
    (context.definition.rounds ?? []).flatMap((round: Json) =>
      (round.workshops ?? []).map((workshop: Json) => [workshop.id as string, workshop.title as string]),
    ),
  );
}

export type View = {
  /** Renders into the container; returns a function that stops what it started (a refresh timer). */
  render(container: HTMLElement, context: EventContext): Promise<(() => void) | undefined>;
};
