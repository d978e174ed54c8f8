import { apiRequest, failureMessage } from '../api.js';
import { byId, h } from '../dom.js';
import { t } from '../i18n.js';
import type { Texts } from '../texts.js';
import type { Registration } from '../types.js';
import { wireConfirmDialog } from './confirm-dialog.js';
import { auth, page, pageStatus, registrationPath, render, showFailure, showStatus } from './state.js';

/**
 * "Uw gegevens": download everything stored as JSON (GET .../personal-data) or have it erased (DELETE
 * .../personal-data, after a confirmation dialog), after which the link no longer works.
 */

const dataSection = byId('data-section');
const dataStatus = byId('data-status');
const dataAlert = byId('data-alert');
const downloadButton = byId<HTMLButtonElement>('data-download');
const eraseOpen = byId<HTMLButtonElement>('erase-open');
const eraseDialog = byId<HTMLDialogElement>('erase-dialog');

export function renderPersonalData(texts: Texts): void {
  dataStatus.textContent = page.dataMessage ? page.dataMessage(texts) : '';
  dataAlert.textContent = page.failures.data ? page.failures.data(texts) : '';
  downloadButton.textContent = page.busy === 'downloading' ? texts.downloading : texts.dataDownload;
  eraseOpen.textContent = page.busy === 'erasing' ? texts.erasing : texts.eraseButton;
  byId('erase-dialog-text').textContent = eraseText();
  if (!page.registration || page.erased) return;
  dataSection.hidden = false;
  downloadButton.disabled = page.busy !== undefined;
  eraseOpen.disabled = page.busy !== undefined;
}

function eraseText(): string {
  const texts = t();
  if (page.registration?.status === 'waiting') return texts.eraseConfirmTextWaiting;
  return texts.eraseConfirmText(page.registration?.status !== 'cancelled');
}

/** Fetches everything stored (with the token, so not a plain link) and hands it to the browser as a file. */
async function downloadPersonalData(): Promise<void> {
  const { registration } = page;
  if (page.busy || !registration) return;
  showFailure(undefined, 'data');
  page.dataMessage = undefined;
  page.busy = 'downloading';
  render();
  const outcome = await apiRequest<unknown>('GET', `${registrationPath}/personal-data`, { headers: auth });
  page.busy = undefined;
  if (outcome.kind !== 'ok') {
    showFailure(failureMessage(outcome), 'data');
    return downloadButton.focus();
  }
  const fileName = `registration-${registration.id.replace(/[^A-Za-z0-9_-]/g, '')}.json`;
  const blob = new Blob([`${JSON.stringify(outcome.body, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: fileName, hidden: '' });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by now; revoking later keeps slow browsers from losing the file.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  page.dataMessage = (texts) => texts.downloaded(fileName);
  render();
  downloadButton.focus();
}

async function erasePersonalData(): Promise<void> {
  if (page.busy || !page.registration) return;
  showFailure(undefined, 'data');
  page.dataMessage = undefined;
  page.busy = 'erasing';
  render();
  const outcome = await apiRequest<{ registration: Registration }>(
    'DELETE',
    `${registrationPath}/personal-data`,
    { headers: auth },
  );
  page.busy = undefined;
  if (outcome.kind !== 'ok') {
    // Nothing is erased unless the confirmation email could go out (503 TRY_AGAIN); a retry is always safe.
    const code = outcome.kind === 'error' ? outcome.error.code : undefined;
    const retryAfterSeconds = outcome.kind === 'error' ? outcome.retryAfterSeconds : undefined;
    showFailure(
      code === 'TRY_AGAIN'
        ? (texts) => texts.eraseTryAgain(retryAfterSeconds)
        : code === 'REGISTRATION_NOT_FOUND'
          ? (texts) => texts.eraseNotFound
          : failureMessage(outcome),
      'data',
    );
    return eraseOpen.focus();
  }
  page.registration = outcome.body.registration;
  page.erased = true;
  showStatus((texts) => texts.erased);
  pageStatus.focus();
}

export function wirePersonalData(): void {
  downloadButton.addEventListener('click', () => void downloadPersonalData());
  wireConfirmDialog({
    dialog: eraseDialog,
    opener: eraseOpen,
    keepId: 'erase-keep',
    confirmId: 'erase-confirm',
    question: () => `${t().eraseConfirmTitle}\n\n${eraseText()}`,
    onConfirm: () => void erasePersonalData(),
  });
}
