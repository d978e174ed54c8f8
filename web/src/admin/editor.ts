import { h } from '../dom.js';
import { AdminApiError, adminJson, eventPath, type Json } from './client.js';
import type { EventContext, View } from './context.js';
import { type AdminTexts, tx } from './texts.js';
import { announce, errorText } from './ui.js';

/**
 * The event editor: a list of fields over the stored definition, each reading and writing its own part, so a
 * setting added later (reminders, say) is one more entry in `settingFields`. Saving PUTs the whole definition;
 * the API's refusals are shown in words next to the field they concern.
 */
export type EditorField = {
  id: string;
  label: (t: AdminTexts) => string;
  hint?: (t: AdminTexts) => string;
  type: 'number' | 'text';
  /** The API's validation path (`details[].path`) of this field, to place its message here. */
  path: string;
  read(definition: Json): string;
  write(definition: Json, value: string): void;
};

const optionalText = (value: string) => (value.trim() === '' ? undefined : value.trim());
const optionalNumber = (value: string) => (value.trim() === '' ? undefined : Number(value));

function setIn(definition: Json, key: 'registration' | 'privacy', field: string, value: unknown): void {
  definition[key] = { ...(definition[key] ?? {}) };
  if (value === undefined) delete definition[key][field];
  else definition[key][field] = value;
}

/** The window and privacy settings; more settings go here. */
export const settingFields: { heading: (t: AdminTexts) => string; fields: EditorField[] }[] = [
  {
    heading: (t) => t.windowHeading,
    fields: (['opensAt', 'closesAt'] as const).map((name) => ({
      id: `field-${name}`,
      label: (t: AdminTexts) => t[name],
      hint: (t: AdminTexts) => t.dateTimeHint,
      type: 'text' as const,
      path: `registration.${name}`,
      read: (definition: Json) => definition.registration?.[name] ?? '',
      write: (definition: Json, value: string) =>
        setIn(definition, 'registration', name, optionalText(value)),
    })),
  },
  {
    heading: (t) => t.privacyHeading,
    fields: [
      {
        id: 'field-retentionDays',
        label: (t) => t.retentionDays,
        type: 'number',
        path: 'privacy.retentionDays',
        read: (definition) => String(definition.privacy?.retentionDays ?? ''),
        write: (definition, value) => setIn(definition, 'privacy', 'retentionDays', optionalNumber(value)),
      },
      ...(
        [
          ['version', (t: AdminTexts) => t.privacyVersion],
          ['statementUrl', (t: AdminTexts) => t.statementUrl],
          ['controller', (t: AdminTexts) => t.controller],
        ] as const
      ).map(([name, label]) => ({
        id: `field-privacy-${name}`,
        label,
        type: 'text' as const,
        path: `privacy.${name}`,
        read: (definition: Json) => definition.privacy?.[name] ?? '',
        write: (definition: Json, value: string) => setIn(definition, 'privacy', name, optionalText(value)),
      })),
    ],
  },
];

function capacityFields(definition: Json): EditorField[] {
  return (definition.rounds as Json[]).flatMap((round, r) =>
    (round.workshops as Json[]).map((workshop, w) => ({
      id: `capacity-${workshop.id}`,
      label: () => `${round.title}: ${workshop.title}`,
      type: 'number' as const,
      path: `rounds.${r}.workshops.${w}.capacity`,
      read: (d: Json) => String(d.rounds[r].workshops[w].capacity),
      write: (d: Json, value: string) => {
        d.rounds[r].workshops[w].capacity = Number(value);
      },
    })),
  );
}

function fieldElement(field: EditorField, definition: Json, t: AdminTexts): HTMLElement {
  const hintId = `${field.id}-hint`;
  const errorId = `${field.id}-error`;
  const input = h('input', {
    id: field.id,
    name: field.id,
    type: field.type,
    ...(field.type === 'number' ? { min: '0', step: '1', inputmode: 'numeric' } : {}),
    'aria-describedby': `${field.hint ? `${hintId} ` : ''}${errorId}`,
  });
  input.value = field.read(definition);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: field.id }, field.label(t)),
    field.hint ? h('p', { class: 'hint', id: hintId }, field.hint(t)) : undefined,
    h('p', { class: 'field-error', id: errorId }),
    input,
  );
}

function showFieldError(id: string, message: string): void {
  const input = document.getElementById(id) as HTMLInputElement | null;
  const error = document.getElementById(`${id}-error`);
  if (!input || !error) return;
  input.setAttribute('aria-invalid', 'true');
  error.textContent = message;
}

export const editorView: View = {
  async render(container: HTMLElement, context: EventContext) {
    const t = tx();
    const stored: Json = await adminJson('GET', eventPath(context.eventId));
    const capacities = capacityFields(stored);
    const all = [...capacities, ...settingFields.flatMap((group) => group.fields)];
    const alert = h('div', { class: 'message message-error', role: 'alert', id: 'editor-alert' });
    const form = h(
      'form',
      { class: 'editor', novalidate: '' },
      h(
        'fieldset',
        {},
        h('legend', {}, t.capacitiesHeading),
        ...capacities.map((f) => fieldElement(f, stored, t)),
      ),
      ...settingFields.map((group) =>
        h(
          'fieldset',
          {},
          h('legend', {}, group.heading(t)),
          ...group.fields.map((f) => fieldElement(f, stored, t)),
        ),
      ),
      alert,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button-primary' }, t.save)),
    );
    container.append(
      h('h2', { id: 'view-heading', tabindex: '-1' }, t.editorHeading),
      h('p', {}, t.editorIntro),
      form,
    );

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      alert.textContent = '';
      for (const field of all) {
        document.getElementById(field.id)?.removeAttribute('aria-invalid');
        const error = document.getElementById(`${field.id}-error`);
        if (error) error.textContent = '';
      }
      const next = structuredClone(stored);
      for (const field of all)
        field.write(next, (document.getElementById(field.id) as HTMLInputElement).value);
      try {
        await adminJson('PUT', eventPath(context.eventId), next);
        Object.assign(stored, next);
        context.definition = next;
        announce(t.saved);
      } catch (error) {
        const body = error instanceof AdminApiError ? error.error : undefined;
        const workshopIds: string[] =
          (body?.details as { workshopIds?: string[] } | undefined)?.workshopIds ?? [];
        if (body?.code === 'CAPACITY_BELOW_TAKEN' || body?.code === 'WORKSHOP_IN_USE') {
          const message = body.code === 'CAPACITY_BELOW_TAKEN' ? t.capacityBelowTaken : t.workshopInUse;
          for (const id of workshopIds) showFieldError(`capacity-${id}`, message);
        } else if (body?.code === 'VALIDATION_FAILED' && Array.isArray(body.details)) {
          for (const detail of body.details as { path: string; message: string }[]) {
            const field = all.find((f) => f.path === detail.path);
            if (field) showFieldError(field.id, detail.message);
          }
        }
        alert.textContent =
          body && ['CAPACITY_BELOW_TAKEN', 'WORKSHOP_IN_USE', 'VALIDATION_FAILED'].includes(body.code)
            ? `${t.fixFields} ${body.message}`
            : `${t.errorPrefix}${errorText(error)}`;
        (form.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus();
      }
    });
    return undefined;
  },
};
