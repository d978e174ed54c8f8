import { h } from '../dom.js';
import { AdminApiError, adminJson, eventPath, type Json } from './client.js';
import type { EventContext, View } from './context.js';
import { type AdminTexts, tx } from './texts.js';
import { announce, clearFieldErrors, errorText, showFieldError } from './ui.js';

/**
 * The event editor: a list of fields over the stored definition, each reading and writing its own part, so a
 * setting added later (reminders, say) is one more entry in `settingFields`. Saving PUTs the whole definition;
 * the API's refusals are shown in words next to the field they concern.
 */
export type EditorField = {
  id: string;
  label: (t: AdminTexts) => string;
  hint?: (t: AdminTexts) => string;
  type: 'number' | 'text' | 'textarea';
  maxLength?: number;
  /** The API's validation path (`details[].path`) of this field (or of its items), to place its message here. */
  path: string;
  read(definition: Json): string;
  write(definition: Json, value: string): void;
};

const optionalText = (value: string) => (value.trim() === '' ? undefined : value.trim());
const optionalNumber = (value: string) => (value.trim() === '' ? undefined : Number(value));

/** Sets a field, or removes it for `undefined` (an optional setting left empty). */
function setField(target: Json, field: string, value: unknown): void {
  if (value === undefined) delete target[field];
  else target[field] = value;
}

function setIn(definition: Json, key: 'registration' | 'privacy', field: string, value: unknown): void {
  definition[key] = { ...(definition[key] ?? {}) };
  setField(definition[key], field, value);
}

/** What the confirmation email shows (a change emails those confirmed), the window and privacy settings. */
export const settingFields: { heading: (t: AdminTexts) => string; fields: EditorField[] }[] = [
  {
    heading: (t) => t.programmeHeading,
    fields: [
      {
        id: 'field-title',
        label: (t) => t.eventTitle,
        type: 'text',
        path: 'title',
        read: (definition) => definition.title ?? '',
        write: (definition, value) => setField(definition, 'title', value.trim()),
      },
      ...(['startTime', 'endTime'] as const).map((name) => ({
        id: `field-${name}`,
        label: (t: AdminTexts) => t[name],
        hint: (t: AdminTexts) => t.timeHint,
        type: 'text' as const,
        path: name,
        read: (definition: Json) => definition[name] ?? '',
        write: (definition: Json, value: string) => setField(definition, name, optionalText(value)),
      })),
      {
        id: 'field-venue',
        label: (t) => t.venue,
        type: 'text',
        path: 'venue',
        read: (definition) => definition.venue ?? '',
        write: (definition, value) => setField(definition, 'venue', optionalText(value)),
      },
    ],
  },
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

/**
 * A workshop's title, speakers (one a line) and notice: what its holders' confirmation showed, so a change
 * emails only them. Grouped per workshop under its round and stored title.
 */
function workshopTextFields(definition: Json): { legend: string; fields: EditorField[] }[] {
  return (definition.rounds as Json[]).flatMap((round, r) =>
    (round.workshops as Json[]).map((workshop, w) => {
      const at = (d: Json) => d.rounds[r].workshops[w];
      const path = `rounds.${r}.workshops.${w}`;
      const fields: EditorField[] = [
        {
          id: `workshop-title-${workshop.id}`,
          label: (t) => t.workshopTitle,
          type: 'text',
          maxLength: 200,
          path: `${path}.title`,
          read: (d) => at(d).title ?? '',
          write: (d, value) => {
            at(d).title = value.trim();
          },
        },
        {
          id: `workshop-speakers-${workshop.id}`,
          label: (t) => t.workshopSpeakers,
          hint: (t) => t.workshopSpeakersHint,
          type: 'textarea',
          path: `${path}.speakers`,
          read: (d) => (at(d).speakers ?? []).join('\n'),
          write: (d, value) => {
            at(d).speakers = value
              .split('\n')
              .map((line) => line.trim())
              .filter((line) => line !== '');
          },
        },
        {
          id: `workshop-notice-${workshop.id}`,
          label: (t) => t.workshopNotice,
          hint: (t) => t.workshopNoticeHint,
          type: 'textarea',
          maxLength: 1000,
          path: `${path}.notice`,
          read: (d) => at(d).notice ?? '',
          write: (d, value) => setField(at(d), 'notice', optionalText(value)),
        },
      ];
      return { legend: `${round.title} · ${workshop.title}`, fields };
    }),
  );
}

function fieldElement(field: EditorField, definition: Json, t: AdminTexts): HTMLElement {
  const hintId = `${field.id}-hint`;
  const errorId = `${field.id}-error`;
  const attributes = {
    id: field.id,
    name: field.id,
    ...(field.maxLength ? { maxlength: String(field.maxLength) } : {}),
    'aria-describedby': `${field.hint ? `${hintId} ` : ''}${errorId}`,
  };
  const input =
    field.type === 'textarea'
      ? h('textarea', { ...attributes, rows: '3' })
      : h('input', {
          ...attributes,
          type: field.type,
          ...(field.type === 'number' ? { min: '0', step: '1', inputmode: 'numeric' } : {}),
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

/** The API's refusal in words: next to the field it concerns, and summed up above the save button. */
function showRefusal(
  error: unknown,
  all: EditorField[],
  alert: HTMLElement,
  form: HTMLElement,
  t: AdminTexts,
) {
  const body = error instanceof AdminApiError ? error.error : undefined;
  const workshopIds: string[] = (body?.details as { workshopIds?: string[] } | undefined)?.workshopIds ?? [];
  if (body?.code === 'CAPACITY_BELOW_TAKEN' || body?.code === 'WORKSHOP_IN_USE') {
    const message = body.code === 'CAPACITY_BELOW_TAKEN' ? t.capacityBelowTaken : t.workshopInUse;
    for (const id of workshopIds) showFieldError(`capacity-${id}`, message);
  } else if (body?.code === 'VALIDATION_FAILED' && Array.isArray(body.details)) {
    for (const detail of body.details as { path: string; message: string }[]) {
      // A speaker's refusal (`….speakers.2`) belongs to the speakers' field.
      const field = all.find((f) => detail.path === f.path || detail.path.startsWith(`${f.path}.`));
      if (field) showFieldError(field.id, detail.message);
    }
  }
  alert.textContent =
    body && ['CAPACITY_BELOW_TAKEN', 'WORKSHOP_IN_USE', 'VALIDATION_FAILED'].includes(body.code)
      ? `${t.fixFields} ${body.message}`
      : `${t.errorPrefix}${errorText(error)}`;
  (form.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus();
}

/**
 * Before saving, a dry run (`?dryRun=true`) counts whom the change would email an updated programme; when that
 * is anyone, the count is shown with the choice to email nobody (`?notify=false`, a typo fix) and a second,
 * final save.
 */
function notifyStep(t: AdminTexts) {
  const count = h('p', { id: 'notify-count', tabindex: '-1' });
  const nobody = h('input', { id: 'notify-nobody', type: 'checkbox' });
  const confirm = h(
    'button',
    { type: 'button', class: 'button-primary', id: 'notify-confirm' },
    t.notifySave,
  );
  const back = h('button', { type: 'button', class: 'button-secondary' }, t.notifyBack);
  const panel = h(
    'div',
    { class: 'message message-info', id: 'editor-notify', role: 'group', 'aria-labelledby': 'notify-count' },
    count,
    h('div', { class: 'field check-row' }, nobody, h('label', { for: 'notify-nobody' }, t.notifyNobody)),
    h('div', { class: 'actions' }, confirm, back),
  );
  panel.hidden = true;
  return { panel, count, nobody, confirm, back };
}

export const editorView: View = {
  async render(container: HTMLElement, context: EventContext) {
    const t = tx();
    const stored: Json = await adminJson('GET', eventPath(context.eventId));
    const capacities = capacityFields(stored);
    const workshops = workshopTextFields(stored);
    const all = [
      ...capacities,
      ...workshops.flatMap((group) => group.fields),
      ...settingFields.flatMap((group) => group.fields),
    ];
    const alert = h('div', { class: 'message message-error', role: 'alert', id: 'editor-alert' });
    const save = h('button', { type: 'submit', class: 'button-primary', id: 'editor-save' }, t.save);
    const step = notifyStep(t);
    const form = h(
      'form',
      { class: 'editor', novalidate: '' },
      h(
        'fieldset',
        {},
        h('legend', {}, t.capacitiesHeading),
        ...capacities.map((f) => fieldElement(f, stored, t)),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, t.workshopsHeading),
        h('p', { class: 'hint' }, t.workshopsIntro),
        ...workshops.map((group) =>
          h(
            'fieldset',
            { class: 'workshop-texts' },
            h('legend', {}, group.legend),
            ...group.fields.map((f) => fieldElement(f, stored, t)),
          ),
        ),
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
      h('div', { class: 'actions' }, save),
      step.panel,
    );
    container.append(
      h('h2', { id: 'view-heading', tabindex: '-1' }, t.editorHeading),
      h('p', {}, t.editorIntro),
      form,
    );

    /** The definition the dry run counted for, until a field changes. */
    let pending: Json | undefined;
    const closeStep = () => {
      pending = undefined;
      step.panel.hidden = true;
    };
    for (const field of all) document.getElementById(field.id)?.addEventListener('input', closeStep);
    step.back.addEventListener('click', () => {
      closeStep();
      save.focus();
    });

    const write = async (next: Json, notify: boolean) => {
      try {
        const answer: Json = await adminJson(
          'PUT',
          eventPath(context.eventId, notify ? '' : '?notify=false'),
          next,
        );
        Object.assign(stored, next);
        context.definition = next;
        closeStep();
        announce(answer.notified > 0 ? t.savedNotified(answer.notified) : t.saved);
        save.focus();
      } catch (error) {
        closeStep();
        showRefusal(error, all, alert, form, t);
      }
    };
    step.confirm.addEventListener('click', () => {
      if (pending) void write(pending, !step.nobody.checked);
    });

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      alert.textContent = '';
      closeStep();
      clearFieldErrors(all.map((field) => field.id));
      const next = structuredClone(stored);
      for (const field of all)
        field.write(next, (document.getElementById(field.id) as HTMLInputElement).value);
      let notified: number;
      try {
        notified = (await adminJson('PUT', eventPath(context.eventId, '?dryRun=true'), next)).notified;
      } catch (error) {
        showRefusal(error, all, alert, form, t);
        return;
      }
      if (notified === 0) return write(next, true);
      pending = next;
      step.count.textContent = t.notifyCount(notified);
      step.nobody.checked = false;
      step.panel.hidden = false;
      step.count.focus();
    });
    return undefined;
  },
};
