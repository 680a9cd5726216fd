import { useContext, useEffect, useRef } from 'react';
import { parseChangeEvent, type ChangeEvent } from './api/change-event';
import { ConsoleContext } from './context';

/**
 * Live updates from the service's change feed (`GET /v1/changes`, Server-Sent Events, see
 * docs/change-feed.md): one stream per signed-in person, read with fetch() because EventSource
 * cannot send the Bearer token (and a token in the URL would end up in logs). Every event the
 * person may see tells the screens to read again what they show: the REST answers stay the one
 * source of what a screen says, the feed only says when (and, by each event's `serial`, for which
 * battery: a battery's screen skips events of other batteries). Reconnects resume with Last-Event-ID,
 * so nothing is missed. A service without the feed (404), or one that keeps refusing it, gets
 * asked again every few seconds instead.
 */
export const POLL_INTERVAL_MS = 2000;
const RECONNECT_MS = 3000;
/** Events arriving together make one refresh. */
const DEBOUNCE_MS = 150;

/**
 * What happened since the last notice: the feed's events, or `everything` when it cannot say
 * (the feed (re)connected, polling, or a message the console could not read).
 */
export interface Changes {
  everything: boolean;
  events: ChangeEvent[];
}
type Listener = (changes: Changes) => void;

export class ChangeFeed {
  private readonly listeners = new Set<Listener>();
  private abort = new AbortController();
  private lastEventId: string | undefined;
  private pending: number | undefined;
  private batch: Changes = { everything: false, events: [] };
  private pollTimer: number | undefined;
  mode: 'connecting' | 'feed' | 'polling' | 'stopped' = 'connecting';

  constructor(private readonly token: () => string) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    // A fresh start after a stop (React may mount, unmount and mount again).
    this.abort = new AbortController();
    this.mode = 'connecting';
    void this.run();
  }

  private get stopped(): boolean {
    return this.mode === 'stopped';
  }

  stop(): void {
    this.mode = 'stopped';
    this.abort.abort();
    window.clearTimeout(this.pending);
    window.clearInterval(this.pollTimer);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped && this.mode !== 'polling') {
      try {
        const response = await fetch(this.lastEventId ? '/v1/changes' : '/v1/changes?after=now', {
          headers: {
            authorization: `Bearer ${this.token()}`,
            accept: 'text/event-stream',
            ...(this.lastEventId ? { 'last-event-id': this.lastEventId } : {}),
          },
          cache: 'no-store',
          credentials: 'omit',
          signal: this.abort.signal,
        });
        if (response.status === 404 || response.status === 401) return this.poll();
        if (!response.ok || !response.body) throw new Error(`feed answered ${response.status}`);
        this.mode = 'feed';
        failures = 0;
        // Connected: whatever happened before the feed started is in the screens' next read.
        this.changed();
        await this.read(response.body);
      } catch {
        if (this.abort.signal.aborted) return;
        if (++failures >= 5) return this.poll();
      }
      if (this.stopped) return;
      this.mode = 'connecting';
      await new Promise((resolve) => window.setTimeout(resolve, RECONNECT_MS));
    }
  }

  /** Plain SSE: blocks split by a blank line; `id:` lines move the resume point; comments skipped. */
  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let id: string | undefined;
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('id:')) id = line.slice(3).trim();
          if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (id) this.lastEventId = id;
        // A block without data is a comment (heartbeat, the feed's start): nothing happened.
        if (data.length > 0) this.changed(parseChangeEvent(data.join('\n')));
      }
    }
  }

  private poll(): void {
    this.mode = 'polling';
    this.pollTimer = window.setInterval(() => {
      if (document.visibilityState === 'visible') this.changed();
    }, POLL_INTERVAL_MS);
  }

  /** One event (undefined: something the feed cannot name happened); notices are debounced. */
  private changed(event?: ChangeEvent): void {
    if (event) this.batch.events.push(event);
    else this.batch.everything = true;
    window.clearTimeout(this.pending);
    this.pending = window.setTimeout(() => {
      const changes = this.batch;
      this.batch = { everything: false, events: [] };
      for (const listener of this.listeners) listener(changes);
    }, DEBOUNCE_MS);
  }
}

/**
 * Calls `refresh` whenever the feed says something the person may see has happened; with
 * `concerns`, only when one of the events is of interest (or the feed cannot say which).
 */
export function useLiveRefresh(
  refresh: () => Promise<void> | void,
  concerns?: (event: ChangeEvent) => boolean,
): void {
  const feed = useContext(ConsoleContext)?.feed;
  const latest = useRef({ refresh, concerns });
  latest.current = { refresh, concerns };
  useEffect(() => {
    if (!feed) return;
    return feed.subscribe((changes) => {
      const { refresh: read, concerns: wanted } = latest.current;
      if (!changes.everything && wanted && !changes.events.some(wanted)) return;
      void Promise.resolve(read()).catch(() => undefined);
    });
  }, [feed]);
}
