import { h } from '../dom.js';
import { adminRequest, eventPath, type Json } from './client.js';
import type { View } from './context.js';
import { tx } from './texts.js';
import { act, button } from './ui.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Downloads through fetch (the credential goes in a header, never in an address), saved from a blob URL.
 * The file name carries the event and workshop ids, never a person.
 */
async function save(path: string, accept: string, filename: string): Promise<void> {
  const response = await adminRequest('GET', path, { accept });
  const url = URL.createObjectURL(await response.blob());
  const link = h('a', { href: url, download: filename, hidden: '' });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const downloadsView: View = {
  async render(container, context) {
    const t = tx();
    const id = context.eventId;
    const item = (label: string, path: string, accept: string, filename: string) =>
      h(
        'li',
        {},
        button(
          label,
          () => void act(() => save(eventPath(id, path), accept, filename), t.downloaded(filename)),
        ),
      );
    container.append(
      h('h2', { id: 'view-heading', tabindex: '-1' }, t.downloadsHeading),
      h('p', {}, t.downloadsIntro),
      h(
        'ul',
        { class: 'downloads' },
        item(t.downloadXlsx, '/registrations.xlsx', XLSX_TYPE, `${id}-registrations.xlsx`),
        item(t.downloadCsv, '/registrations.csv', 'text/csv', `${id}-registrations.csv`),
        ...(context.definition.rounds as Json[]).flatMap((round) =>
          (round.workshops as Json[]).map((w) =>
            item(
              t.attendanceXlsx(w.title),
              `/registrations.xlsx?workshopId=${encodeURIComponent(w.id)}`,
              XLSX_TYPE,
              `${id}-${w.id}-attendance.xlsx`,
            ),
          ),
        ),
      ),
    );
    return undefined;
  },
};
