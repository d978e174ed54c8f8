import { initLanguage, onLangChange } from './i18n.js';
import { wireCancel } from './manage/cancel.js';
import { wireChange } from './manage/change.js';
import { wirePersonalData } from './manage/personal-data.js';
import { setRenderer } from './manage/state.js';
import { load, render, retryButton } from './manage/view.js';

/**
 * The manage page, opened from the confirmation email: `manage.html?id=<registrationId>#token=<manageToken>`.
 * The token is read from the fragment only, which browsers never send to a server: a `?token=` in the query
 * would land in access logs and Referer headers, so it is not accepted (the link counts as invalid). It shows
 * the registration (manage/view.ts), changes workshops (PATCH, manage/change.ts) and cancels (DELETE, after a
 * confirmation dialog, manage/cancel.ts). Under "Uw gegevens" the person downloads everything stored as JSON or
 * has it erased (manage/personal-data.ts), after which the link no longer works.
 *
 * Waiting lists (docs/waiting-lists.md): a registration waiting for a place shows the accepted workshops with
 * its place in each line and can leave the list (DELETE, after the same dialog); it has no workshops to
 * change. A confirmed registration shows, per round, the list it waits on or the full workshops it could wait
 * for (manage/waiting-lists.ts).
 */

setRenderer(render);
wireChange();
wireCancel();
wirePersonalData();
retryButton.addEventListener('click', () => void load());
onLangChange(render);
initLanguage();
render();
void load();
