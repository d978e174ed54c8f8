import { byId } from '../dom.js';

/**
 * A confirmation dialog (cancelling, erasing): `opener` shows it, its "keep" button closes it and gives focus
 * back, its "confirm" button closes it and acts. A browser without `<dialog>` asks with `window.confirm`.
 */
export function wireConfirmDialog(options: {
  dialog: HTMLDialogElement;
  opener: HTMLButtonElement;
  keepId: string;
  confirmId: string;
  /** The question for `window.confirm`, in the page's language at the moment of asking. */
  question: () => string;
  onConfirm: () => void;
}): void {
  const { dialog, opener, onConfirm } = options;
  opener.addEventListener('click', () => {
    if (typeof dialog.showModal !== 'function') {
      if (window.confirm(options.question())) onConfirm();
      return;
    }
    dialog.showModal();
  });
  byId(options.keepId).addEventListener('click', () => {
    dialog.close();
    opener.focus();
  });
  byId(options.confirmId).addEventListener('click', () => {
    dialog.close();
    onConfirm();
  });
}
