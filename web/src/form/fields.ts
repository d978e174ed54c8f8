import { byId } from '../dom.js';
import type { Msg } from '../texts.js';
import { errors, page, showAlert, waitingMode } from './state.js';

/** The person's fields: checked before sending, and the API's VALIDATION_FAILED details shown beside them. */

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const fields = {
  name: byId<HTMLInputElement>('name'),
  email: byId<HTMLInputElement>('email'),
  organisation: byId<HTMLInputElement>('organisation'),
  jobTitle: byId<HTMLInputElement>('jobTitle'),
  consent: byId<HTMLInputElement>('consent'),
  website: byId<HTMLInputElement>('website'),
};

export function registerFields(): void {
  for (const key of ['name', 'email', 'organisation', 'jobTitle', 'consent'] as const) {
    const input = fields[key];
    errors.register(key, {
      message: byId(`${key}-error`),
      container: byId(`field-${key}`),
      invalid: [input],
      describe: [input],
      focus: () => input,
    });
    input.addEventListener(key === 'consent' ? 'change' : 'input', () => errors.clear(key));
  }
}

export function validate(): Map<string, Msg> {
  const { picker } = page;
  const found = new Map<string, Msg>();
  const choices = picker?.choices() ?? {};
  const waitFor = picker?.waitFor() ?? {};
  const accepts = picker?.accepts() ?? {};
  for (const roundId of picker?.roundIds() ?? []) {
    const title = picker?.roundTitle(roundId) ?? roundId;
    if (waitingMode()) {
      if (!accepts[roundId]?.length) found.set(`choices.${roundId}`, (texts) => texts.errAccept(title));
    } else if (!choices[roundId]) {
      found.set(
        `choices.${roundId}`,
        waitFor[roundId] ? (texts) => texts.errWaitNeedsSeat(title) : (texts) => texts.errChoice(title),
      );
    }
  }
  if (!fields.name.value.trim()) found.set('name', (texts) => texts.errName);
  const email = fields.email.value.trim();
  if (!email) found.set('email', (texts) => texts.errEmailMissing);
  else if (!EMAIL_SHAPE.test(email)) found.set('email', (texts) => texts.errEmail);
  if (!fields.organisation.value.trim()) found.set('organisation', (texts) => texts.errOrganisation);
  if (!fields.consent.checked) found.set('consent', (texts) => texts.errConsent);
  return found;
}

/** The contract's `details[].path` → our field and our own words for it. */
function fieldError(path: string, apiMessage: string): [string, Msg] | undefined {
  switch (path) {
    case 'name':
      return ['name', (texts) => texts.errName];
    case 'email':
      return ['email', (texts) => texts.errEmail];
    case 'organisation':
      return ['organisation', (texts) => texts.errOrganisation];
    case 'jobTitle':
      return ['jobTitle', (texts) => texts.errTooLong(200)];
    case 'consent':
      return ['consent', (texts) => texts.errConsent];
  }
  // `accepts.<roundId>[.<index>]`, `alternatives.<roundId>[.<index>]` and `waitFor.<roundId>` are about the
  // same round as `choices.<roundId>`.
  const roundPath = path.replace(/^(choices|accepts|alternatives|waitFor)\.([^.]+).*$/, 'choices.$2');
  if (roundPath.startsWith('choices.') && errors.has(roundPath)) {
    return [roundPath, (texts) => texts.errChoiceInvalid];
  }
  return apiMessage && errors.has(path) ? [path, () => apiMessage] : undefined;
}

export function showFieldErrors(found: Map<string, Msg>, general: Msg[] = []): void {
  for (const [key, message] of found) errors.set(key, message);
  const count = errors.count;
  showAlert((texts) =>
    [count > 0 ? texts.fixErrors(count) : '', ...general.map((message) => message(texts))]
      .filter(Boolean)
      .join(' '),
  );
  if (count > 0) errors.focusFirst();
}

export function onValidationFailed(details: unknown): void {
  const found = new Map<string, Msg>();
  const general: Msg[] = [];
  for (const issue of Array.isArray(details) ? details : []) {
    const path = typeof issue?.path === 'string' ? issue.path : '';
    const message = typeof issue?.message === 'string' ? issue.message : '';
    const mapped = fieldError(path, message);
    if (mapped) found.set(...mapped);
    else if (path === 'formStartedAt') general.push((texts) => texts.tooFast);
    else if (path === 'website') general.push((texts) => texts.honeypotFilled);
    else general.push(() => [path, message].filter(Boolean).join(': '));
  }
  showFieldErrors(found, general);
}
