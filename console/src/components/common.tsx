import { useEffect, useState, type ReactNode } from 'react';
import { ApiError } from '../api/client';

/** An error in words, announced to screen readers (role=alert), with the service's code and request id. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const text = error instanceof Error ? error.message : 'Something went wrong';
  const code = error instanceof ApiError ? error.problem.code : undefined;
  const requestId = error instanceof ApiError ? error.problem.requestId : undefined;
  return (
    <p className="error" role="alert">
      {text}
      {code ? (
        <span className="muted">
          {' '}
          ({code}
          {requestId ? `, request ${requestId}` : ''})
        </span>
      ) : null}
    </p>
  );
}

/** A table that may be wider than the screen: scrolls sideways, reachable by keyboard. */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

/** Loads on mount and when `deps` change; `reload` reads again (live updates call it). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: true,
  });
  const reload = async () => {
    try {
      const data = await load();
      setState({ data, loading: false });
    } catch (error) {
      setState((previous) => ({ ...previous, error, loading: false }));
    }
  };
  useEffect(() => {
    setState({ loading: true });
    void reload();
  }, deps);
  return { ...state, reload };
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}
