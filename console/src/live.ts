import { useEffect, useRef } from 'react';

/**
 * Live updates: calls `refresh` whenever something may have changed. Until the service has a
 * change feed, it asks again every few seconds while the page is visible (and at once when it
 * becomes visible again); a screen re-reads what it shows, so nothing is missed, only late.
 */
export const POLL_INTERVAL_MS = 2000;

export function useLiveRefresh(refresh: () => Promise<void> | void, enabled = true): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: number | undefined;
    const tick = async () => {
      if (stopped) return;
      if (document.visibilityState === 'visible') {
        try {
          await latest.current();
        } catch {
          // The screen shows its own error; the next tick tries again.
        }
      }
      if (!stopped) timer = window.setTimeout(() => void tick(), POLL_INTERVAL_MS);
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') void latest.current();
    };
    timer = window.setTimeout(() => void tick(), POLL_INTERVAL_MS);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [enabled]);
}
