/** The page's two live regions: polite for news (`#notice`), assertive for errors (`#alert`). */

import { ApiFailure } from './api.mts';
import { element } from './dom.mts';

const ui = {
  notice: element('notice', HTMLElement),
  alert: element('alert', HTMLElement),
};

/** Shows a success in the polite live region, clearing any error. */
export function showNotice(text: string): void {
  ui.alert.textContent = '';
  ui.notice.textContent = text;
}

/** Shows a failure in the assertive live region, clearing any notice. */
export function showError(text: string): void {
  ui.notice.textContent = '';
  ui.alert.textContent = text;
}

/** `Could not create bucket “x”: <reason>`, shown in the alert region. */
export function reportFailure(action: string, error: unknown): void {
  const reason =
    error instanceof ApiFailure
      ? error.message
      : `an unexpected error happened (${error instanceof Error ? error.message : String(error)}).`;
  showError(`${action}: ${reason}`);
}
