import { h } from '../dom.js';
import { lang } from '../i18n.js';
import { AdminApiError, adminJson, eventPath, type Json } from './client.js';
import { type EventContext, type View, workshopTitles } from './context.js';
import { type AdminTexts, tx } from './texts.js';
import {
  announce,
  clearFieldErrors,
  confirmAction,
  dateTime,
  errorText,
  refreshWhileVisible,
  showFieldError,
  table,
  timeNow,
} from './ui.js';

/**
 * Messages to registrants (issue 16): compose in Dutch (English optional), choose the audience, see how many it
 * reaches (the API's dry run), send after a confirmation that repeats that number, and the list of messages
 * with their delivery counts, refreshed while the view is open. The text never goes into an address.
 */

const REFRESH_MS = 10_000;

/** The text fields; `path` is the API's `details[].path`. */
const TEXT_FIELDS = [
  { id: 'message-subject-nl', path: 'subject.nl', label: (t: AdminTexts) => t.subjectNl, required: true },
  { id: 'message-body-nl', path: 'body.nl', label: (t: AdminTexts) => t.bodyNl, required: true },
  { id: 'message-subject-en', path: 'subject.en', label: (t: AdminTexts) => t.subjectEn, required: false },
  { id: 'message-body-en', path: 'body.en', label: (t: AdminTexts) => t.bodyEn, required: false },
] as const;
const WORKSHOPS_ERROR = 'audience-workshops';
const STATUSES_ERROR = 'audience-statuses';

function textField(field: (typeof TEXT_FIELDS)[number], t: AdminTexts): HTMLElement {
  const attributes = {
    id: field.id,
    name: field.id,
    'aria-describedby': `${field.id}-error`,
    ...(field.required ? { 'aria-required': 'true' } : {}),
  };
  const input = field.id.includes('subject')
    ? h('input', { ...attributes, type: 'text', maxlength: '200', autocomplete: 'off' })
    : h('textarea', { ...attributes, rows: '8', maxlength: '10000' });
  return h(
    'div',
    { class: 'field' },
    h('label', { for: field.id }, field.label(t)),
    h('p', { class: 'field-error', id: `${field.id}-error` }),
    input,
  );
}

function checkRow(
  id: string,
  label: string,
  checked: boolean,
  data: Record<string, string> = {},
): HTMLElement {
  return h(
    'div',
    { class: 'field check-row' },
    h('input', { id, type: 'checkbox', ...data, ...(checked ? { checked: '' } : {}) }),
    h('label', { for: id }, label),
  );
}

function group(id: string, legend: string, errorId: string, ...rows: HTMLElement[]): HTMLElement {
  return h(
    'fieldset',
    { id, 'aria-describedby': `${errorId}-error` },
    h('legend', {}, legend),
    h('p', { class: 'field-error', id: `${errorId}-error` }),
    ...rows,
  );
}

function composeForm(context: EventContext, t: AdminTexts): HTMLFormElement {
  const [subjectNl, bodyNl, subjectEn, bodyEn] = TEXT_FIELDS.map((field) => textField(field, t));
  return h(
    'form',
    { class: 'editor', id: 'message-form', novalidate: '', 'aria-labelledby': 'compose-heading' },
    h('h3', { id: 'compose-heading' }, t.composeHeading),
    subjectNl,
    bodyNl,
    h('details', { id: 'message-english' }, h('summary', {}, t.englishOptional), subjectEn, bodyEn),
    h(
      'fieldset',
      {},
      h('legend', {}, t.audienceHeading),
      group(
        'audience-workshops-group',
        t.audienceWorkshops,
        WORKSHOPS_ERROR,
        ...[...workshopTitles(context)].map(([id, title], index) =>
          checkRow(`audience-workshop-${index}`, title, false, { 'data-workshop': id }),
        ),
      ),
      group(
        'audience-statuses-group',
        t.audienceStatuses,
        STATUSES_ERROR,
        checkRow('audience-confirmed', t.audienceConfirmed, true, { 'data-status': 'confirmed' }),
        checkRow('audience-waiting', t.audienceWaiting, false, { 'data-status': 'waiting' }),
      ),
    ),
    h('p', { id: 'recipients-count', class: 'status', role: 'status' }),
    h('div', { class: 'field-error', id: 'message-alert', role: 'alert' }),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { type: 'button', class: 'button-secondary', id: 'preview-recipients' },
        t.previewRecipients,
      ),
      h('button', { type: 'submit', class: 'button-primary' }, t.sendMessage),
    ),
  );
}

const fieldValue = (form: HTMLFormElement, id: string) =>
  (form.querySelector(`#${id}`) as HTMLInputElement | HTMLTextAreaElement).value.trim();

/** The POST body from the form, or undefined after marking what is missing. */
function messageBody(form: HTMLFormElement, dryRun: boolean, t: AdminTexts): Json | undefined {
  clearFieldErrors([...TEXT_FIELDS.map((field) => field.id), WORKSHOPS_ERROR, STATUSES_ERROR]);
  form.querySelector('#message-alert')?.replaceChildren();
  const checked = (attribute: string) =>
    [...form.querySelectorAll<HTMLInputElement>(`input[${attribute}]:checked`)].map(
      (input) => input.getAttribute(attribute) as string,
    );
  const statuses = checked('data-status');
  const workshopIds = checked('data-workshop');
  for (const field of TEXT_FIELDS)
    if (field.required && fieldValue(form, field.id) === '') showFieldError(field.id, t.required);
  if (statuses.length === 0) showFieldError(STATUSES_ERROR, t.chooseStatus);
  const invalid = form.querySelector<HTMLElement>('[aria-invalid="true"]');
  if (invalid || statuses.length === 0) {
    (invalid ?? form.querySelector<HTMLElement>('[data-status]'))?.focus();
    return undefined;
  }
  const localised = (nl: string, en: string) => ({
    nl: fieldValue(form, nl),
    ...(fieldValue(form, en) ? { en: fieldValue(form, en) } : {}),
  });
  return {
    subject: localised('message-subject-nl', 'message-subject-en'),
    body: localised('message-body-nl', 'message-body-en'),
    audience: { ...(workshopIds.length > 0 ? { workshopIds } : {}), statuses },
    dryRun,
  };
}

/** The API's refusal next to the field it concerns (a message over the limit, an unknown workshop). */
function showRefusal(form: HTMLFormElement, error: unknown, t: AdminTexts): void {
  const body = error instanceof AdminApiError ? error.error : undefined;
  if (body?.code === 'VALIDATION_FAILED' && Array.isArray(body.details)) {
    for (const detail of body.details as { path: string; message: string }[]) {
      const field = TEXT_FIELDS.find((candidate) => candidate.path === detail.path);
      if (field) showFieldError(field.id, detail.message);
      else if (detail.path.startsWith('audience.workshopIds'))
        showFieldError(WORKSHOPS_ERROR, detail.message);
      else if (detail.path.startsWith('audience.statuses')) showFieldError(STATUSES_ERROR, detail.message);
    }
    if (form.querySelector('#message-subject-en[aria-invalid], #message-body-en[aria-invalid]'))
      (form.querySelector('#message-english') as HTMLDetailsElement).open = true;
  }
  form.querySelector('#message-alert')?.replaceChildren(`${t.errorPrefix}${errorText(error)}`);
  form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}

function messageList(items: Json[], context: EventContext, t: AdminTexts): HTMLElement {
  if (items.length === 0) return h('p', {}, t.messagesNone);
  const count = (id: string, name: string, value: number) =>
    h('span', { 'data-message': id, 'data-count': name }, String(value));
  return table(
    t.messagesSent,
    [
      t.messageWhen,
      t.messageSubject,
      t.messageRecipients,
      t.messageDelivered,
      t.messagePending,
      t.messageFailed,
      t.messageState,
    ],
    items.map((message) => [
      dateTime(message.createdAt, context.definition.timezone),
      (lang() === 'en' && message.subject.en) || message.subject.nl,
      count(message.id, 'recipients', message.recipients),
      count(message.id, 'sent', message.counts.sent),
      count(message.id, 'pending', message.counts.pending),
      count(message.id, 'failed', message.counts.failed),
      t.messageStates[message.state] ?? message.state,
    ]),
  );
}

export const messagesView: View = {
  async render(container, context) {
    const t = tx();
    const form = composeForm(context, t);
    const count = form.querySelector('#recipients-count') as HTMLElement;
    const list = h('div', { id: 'message-list' });
    const updated = h('p', { class: 'status', id: 'messages-updated' });
    container.append(
      h('h2', { id: 'view-heading', tabindex: '-1' }, t.messagesHeading),
      h('p', {}, t.messagesIntro),
      form,
      h(
        'section',
        { 'aria-labelledby': 'messages-sent-heading' },
        h('h3', { id: 'messages-sent-heading' }, t.messagesSent),
        updated,
        list,
      ),
    );

    const refresh = async () => {
      try {
        const answer: Json = await adminJson('GET', eventPath(context.eventId, '/messages'));
        list.replaceChildren(messageList(answer.items, context, t));
        updated.textContent = t.messagesUpdated(timeNow());
      } catch (error) {
        updated.textContent = `${t.errorPrefix}${errorText(error)}`;
      }
    };

    /** The API's dry run: how many the message would reach now; shown beside the buttons. */
    const countRecipients = async (): Promise<{ payload: Json; recipients: number } | undefined> => {
      const payload = messageBody(form, true, t);
      if (!payload) return undefined;
      try {
        const answer: Json = await adminJson('POST', eventPath(context.eventId, '/messages'), payload);
        const recipients: number = answer.message.recipients;
        count.textContent = t.recipientsCount(recipients);
        count.setAttribute('data-recipients', String(recipients));
        return { payload, recipients };
      } catch (error) {
        count.textContent = '';
        count.removeAttribute('data-recipients');
        showRefusal(form, error, t);
        return undefined;
      }
    };

    (form.querySelector('#preview-recipients') as HTMLButtonElement).addEventListener(
      'click',
      () => void countRecipients(),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const counted = await countRecipients();
      if (!counted) return;
      if (counted.recipients === 0) return announce(t.sendNobody);
      if (!(await confirmAction(t.sendConfirm, t.sendText(counted.recipients)))) return;
      let sentTo: number;
      try {
        const answer: Json = await adminJson('POST', eventPath(context.eventId, '/messages'), {
          ...counted.payload,
          dryRun: false,
        });
        sentTo = answer.message.recipients;
      } catch (error) {
        showRefusal(form, error, t);
        return;
      }
      announce(t.sendDone(sentTo));
      form.reset();
      count.textContent = t.sendDone(sentTo);
      count.removeAttribute('data-recipients');
      await refresh();
    });

    await refresh();
    // Refreshes by itself, so the delivery counts move as the copies go out.
    return refreshWhileVisible(refresh, REFRESH_MS);
  },
};
