import { RECIPIENTS_PER_LIST } from './message.js';
import type { ProgrammeChange } from './programme-change.js';

/** One affected confirmed registration of an event update, with what changes for it. */
export type AffectedRegistration = { id: string; changes: ProgrammeChange[] };

/**
 * One stored list of an update's notices: registration ids, each with the index of its change set (the sets
 * are stored once per list: most registrations of an update share a few).
 */
export type NoticeList = {
  registrationIds: string[];
  changeSets: ProgrammeChange[][];
  changeSetOf: number[];
};

/** The notices an event update owes, written in the same transaction as the update itself. */
export type OwedNotices = { noticeId: string; affected: readonly AffectedRegistration[] };

/** A transaction holds at most 100 items. */
export const TRANSACT_ITEMS_LIMIT = 100;

/**
 * Splits the affected registrations into lists that fit beside the update's own items (`otherItems`: the event,
 * the registry, one counter per workshop) in one transaction: 500 ids a list, more when the lists would not
 * fit otherwise (a list of 5,000 ids with its change sets stays well below DynamoDB's 400 KB per item).
 */
export function noticeLists(affected: readonly AffectedRegistration[], otherItems: number): NoticeList[] {
  if (affected.length === 0) return [];
  const slots = Math.max(1, TRANSACT_ITEMS_LIMIT - otherItems);
  const perList = Math.max(RECIPIENTS_PER_LIST, Math.ceil(affected.length / slots));
  const lists: NoticeList[] = [];
  for (let start = 0; start < affected.length; start += perList) {
    const list: NoticeList = { registrationIds: [], changeSets: [], changeSetOf: [] };
    const indexOf = new Map<string, number>();
    for (const { id, changes } of affected.slice(start, start + perList)) {
      const key = JSON.stringify(changes);
      let index = indexOf.get(key);
      if (index === undefined) {
        index = list.changeSets.push(changes) - 1;
        indexOf.set(key, index);
      }
      list.registrationIds.push(id);
      list.changeSetOf.push(index);
    }
    lists.push(list);
  }
  return lists;
}

/** The registrations of a list with their changes, as the fan-out writes them. */
export function noticesOf(list: NoticeList): AffectedRegistration[] {
  return list.registrationIds.map((id, position) => ({
    id,
    changes: list.changeSets[list.changeSetOf[position] ?? -1] ?? [],
  }));
}
