import { expect } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { type ApiResponse, api } from './local-stack.js';
import { emailsTo, manageLink } from './mail.js';

/** Who registers: the person fields of a registration request (consent included). */
export type Person = { name: string; email: string; organisation: string; consent: boolean };

/**
 * Registers `who` over HTTP (201 expected) and follows the confirmation email's manage link, as a person would:
 * the registration's id and manage token, and the answer itself.
 */
export async function registerWithManageLink(
  stack: Pick<LocalStack, 'apiUrl' | 'sesUrl' | 'emailsSettled'>,
  eventId: string,
  who: Person,
  choices: Record<string, string>,
  waitFor?: Record<string, string>,
): Promise<Person & { id: string; token: string; response: ApiResponse }> {
  const response = await api(stack, 'POST', `/events/${eventId}/registrations`, { ...who, choices, waitFor });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  const [confirmation] = await emailsTo(stack, who.email);
  if (!confirmation) throw new Error(`no confirmation email to ${who.email}`);
  return {
    ...who,
    id: response.body.registration.id as string,
    token: manageLink(confirmation).token,
    response,
  };
}
