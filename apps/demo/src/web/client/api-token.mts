/** The API token field, kept in sessionStorage (this tab only), with its Show/Hide toggle. */

import { element } from './dom.mts';
import { showError } from './messages.mts';

const TOKEN_KEY = 'nest-bucket-demo:api-token';

const ui = {
  token: element('token', HTMLInputElement),
  tokenToggle: element('token-toggle', HTMLButtonElement),
};

function storedToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return ''; // storage disabled: the field still works for this page's life
  }
}

function storeToken(token: string): void {
  try {
    if (token === '') sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // storage disabled: keep the token in the field only
  }
}

/** The token typed in the field, trimmed, or `''`. */
export function currentToken(): string {
  return ui.token.value.trim();
}

/** The token, or `undefined` after telling the user to enter it (and focusing the field). */
export function tokenOrAsk(action: string): string | undefined {
  const token = currentToken();
  if (token !== '') return token;
  showError(
    `${action}: enter the API token first (the demo prints it when it starts, or set DEMO_API_TOKEN).`,
  );
  ui.token.focus();
  return undefined;
}

/** Fills the field from this tab's storage, saves what is typed, and wires Show/Hide. */
export function startTokenField(): void {
  ui.token.value = storedToken();
  ui.token.addEventListener('input', () => {
    storeToken(currentToken());
  });
  ui.tokenToggle.addEventListener('click', () => {
    const show = ui.token.type === 'password';
    ui.token.type = show ? 'text' : 'password';
    ui.tokenToggle.textContent = show ? 'Hide' : 'Show';
    ui.tokenToggle.setAttribute('aria-pressed', String(show));
  });
}
