import { apiRequest, failureMessage } from '../api.js';
import { byId } from '../dom.js';
import { t } from '../i18n.js';
import type { Texts } from '../texts.js';
import type { Registration } from '../types.js';
import { wireConfirmDialog } from './confirm-dialog.js';
import {
  auth,
  isWaitingPlace,
  page,
  pageStatus,
  registrationPath,
  render,
  showFailure,
  showStatus,
} from './state.js';

/**
 * Cancelling (DELETE, after a confirmation dialog). A registration waiting for a place leaves the waiting list
 * where a confirmed one cancels: the same request, other words.
 */

const cancelSection = byId('cancel-section');
const cancelAlert = byId('cancel-alert');
const cancelOpen = byId<HTMLButtonElement>('cancel-open');
const dialog = byId<HTMLDialogElement>('cancel-dialog');

export function renderCancel(texts: Texts): void {
  cancelAlert.textContent = page.failures.cancel ? page.failures.cancel(texts) : '';
  const leaving = isWaitingPlace();
  byId('cancel-heading').textContent = leaving ? texts.leaveHeading : texts.cancelHeading;
  byId('cancel-intro').textContent = leaving ? texts.leaveIntro : texts.cancelIntro;
  byId('cancel-dialog-title').textContent = leaving ? texts.leaveConfirmTitle : texts.cancelConfirmTitle;
  byId('cancel-dialog-text').textContent = leaving ? texts.leaveConfirmText : texts.cancelConfirmText;
  byId('cancel-confirm').textContent = leaving ? texts.leaveConfirmYes : texts.cancelConfirmYes;
  cancelOpen.textContent =
    page.busy === 'cancelling'
      ? leaving
        ? texts.leaving
        : texts.cancelling
      : leaving
        ? texts.leaveButton
        : texts.cancelButton;
  if (!page.registration || page.erased) return;
  cancelSection.hidden = page.registration.status === 'cancelled';
  cancelOpen.disabled = page.busy !== undefined;
}

async function cancelRegistration(): Promise<void> {
  if (page.busy || !page.registration) return;
  const leaving = isWaitingPlace();
  showFailure(undefined, 'cancel');
  showStatus(undefined);
  page.busy = 'cancelling';
  render();
  const outcome = await apiRequest<{ registration: Registration }>('DELETE', registrationPath, {
    headers: auth,
  });
  page.busy = undefined;
  if (outcome.kind !== 'ok') {
    // Cancelling twice changes nothing, so a retry after an uncertain outcome is always safe.
    showFailure(failureMessage(outcome), 'cancel');
    return cancelOpen.focus();
  }
  page.registration = outcome.body.registration;
  showStatus(leaving ? (texts) => texts.left : (texts) => texts.cancelled);
  pageStatus.focus();
}

export function wireCancel(): void {
  wireConfirmDialog({
    dialog,
    opener: cancelOpen,
    keepId: 'cancel-keep',
    confirmId: 'cancel-confirm',
    question: () => (isWaitingPlace() ? t().leaveConfirmTitle : t().cancelConfirmTitle),
    onConfirm: () => void cancelRegistration(),
  });
}

/**
 * The reminder's "Ik kan niet komen" link opens the page at the cancel step (`&step=cancel`): once the
 * registration is shown, the confirmation dialog opens by itself, so one more click cancels. Only once, and
 * not for a registration already cancelled.
 */
let cancelStepOffered = false;
export function openCancelStepIfAsked(): void {
  if (cancelStepOffered) return;
  cancelStepOffered = true;
  if (new URLSearchParams(window.location.search).get('step') !== 'cancel') return;
  if (!page.registration || page.registration.status === 'cancelled' || cancelOpen.disabled) return;
  cancelSection.scrollIntoView({ block: 'center' });
  cancelOpen.click();
}
