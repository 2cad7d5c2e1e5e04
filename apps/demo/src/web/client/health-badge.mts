/** The storage health badge in the top bar (`#health`): `GET /health` every 5 s. */

import { isRecord } from './api.mts';
import { element } from './dom.mts';

const HEALTH_INTERVAL_MS = 5000;

const ui = {
  health: element('health', HTMLElement),
  healthText: element('health-text', HTMLElement),
};

function setHealth(state: 'up' | 'down', text: string, title: string): void {
  ui.health.dataset.state = state;
  ui.healthText.textContent = text;
  ui.health.title = title;
}

async function checkHealth(): Promise<void> {
  const started = performance.now();
  const at = new Date().toLocaleTimeString();
  try {
    const response = await fetch('/health', {
      cache: 'no-store',
      signal: AbortSignal.timeout(HEALTH_INTERVAL_MS - 500),
    });
    const roundTrip = Math.round(performance.now() - started);
    const body: unknown = await response.json().catch(() => undefined);
    const details = isRecord(body) && isRecord(body.details) ? body.details : {};
    const storage = isRecord(details.storage) ? details.storage : {};
    const latency =
      typeof storage.latencyMs === 'number' ? Math.round(storage.latencyMs) : roundTrip;
    if (response.ok && storage.status === 'up') {
      setHealth(
        'up',
        `Storage up · ${latency} ms`,
        `Checked at ${at}: the storage answered in ${latency} ms (round trip ${roundTrip} ms).`,
      );
    } else {
      const code = typeof storage.code === 'string' ? storage.code : `HTTP ${response.status}`;
      setHealth(
        'down',
        `Storage down · ${code}`,
        `Checked at ${at}: the storage is down (${code}).`,
      );
    }
  } catch {
    setHealth('down', 'Demo unreachable', `Checked at ${at}: the demo server did not answer.`);
  }
}

async function pollHealth(): Promise<void> {
  if (!document.hidden) await checkHealth();
  setTimeout(() => {
    void pollHealth();
  }, HEALTH_INTERVAL_MS);
}

/** Starts polling (skipped while the tab is hidden), and checks at once when it is shown again. */
export function startHealthBadge(): void {
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) void checkHealth();
  });
  void pollHealth();
}
