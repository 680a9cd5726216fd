import { createContext, useContext } from 'react';
import type { Api } from './api/client';
import type { PolicyView } from './api/types';
import type { Session } from './auth/session';
import type { ChangeFeed } from './live';

/** What every screen reads: the API as the signed-in person, who they are, the policy in force, live updates. */
export interface ConsoleContextValue {
  api: Api;
  session: Session;
  policy: PolicyView | undefined;
  /** Live updates: the change feed, or polling where there is none. */
  feed: ChangeFeed;
}

export const ConsoleContext = createContext<ConsoleContextValue | null>(null);

export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('useConsole outside a signed-in console');
  return value;
}
