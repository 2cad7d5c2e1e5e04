/** The modal dialog that confirms a deletion (`#confirm`). */

import { element } from './dom.mts';

const ui = {
  confirm: element('confirm', HTMLDialogElement),
  confirmTitle: element('confirm-title', HTMLElement),
  confirmText: element('confirm-text', HTMLElement),
  confirmCancel: element('confirm-cancel', HTMLButtonElement),
  confirmOk: element('confirm-ok', HTMLButtonElement),
};

/** Asks for a confirmation in a modal dialog; Cancel, Escape or closing it mean no. */
export function confirmAction(title: string, text: string, action: string): Promise<boolean> {
  ui.confirmTitle.textContent = title;
  ui.confirmText.textContent = text;
  ui.confirmOk.textContent = action;
  ui.confirm.returnValue = '';
  ui.confirm.showModal();
  ui.confirmCancel.focus();
  return new Promise((resolve) => {
    ui.confirm.addEventListener(
      'close',
      () => {
        resolve(ui.confirm.returnValue === 'confirm');
      },
      { once: true },
    );
  });
}

/** Wires the dialog's two buttons: the action confirms, Cancel does not. */
export function startConfirmDialog(): void {
  ui.confirmOk.addEventListener('click', () => {
    ui.confirm.close('confirm');
  });
  ui.confirmCancel.addEventListener('click', () => {
    ui.confirm.close('cancel');
  });
}
