import { useEffect, useMemo, useRef, useState } from 'react';
import { createApi, unwrap } from './api/client';
import type { PolicyView } from './api/types';
import {
  completeOidcSignIn,
  isSignInCallback,
  loadSettings,
  redeemSignInCode,
  takeSignInCode,
  userManagerFor,
  type ConsoleSettings,
  type Session,
} from './auth/session';
import { ConsoleContext, useConsole } from './context';
import { ChangeFeed, useLiveRefresh } from './live';
import { hrefOf, useRoute, type Route } from './router';
import { Audit } from './screens/Audit';
import { Battery } from './screens/Battery';
import { Fleet } from './screens/Fleet';
import { WaitingOnMe } from './screens/WaitingOnMe';
import { SignIn } from './SignIn';
import { plain } from './words';

type Phase =
  | { phase: 'starting' }
  | { phase: 'signed-out'; settings: ConsoleSettings | undefined; message?: string }
  | { phase: 'signed-in'; settings: ConsoleSettings; session: Session };

/**
 * Starts once per page load (a one-time code must be redeemed once, even if React mounts twice):
 * a sign-in link's code, the identity provider's redirect back, or nobody signed in yet.
 */
let starting: Promise<Phase> | undefined;
function start(): Promise<Phase> {
  starting ??= (async (): Promise<Phase> => {
    const code = takeSignInCode();
    let settings: ConsoleSettings | undefined;
    try {
      settings = await loadSettings();
      if (code) return { phase: 'signed-in', settings, session: await redeemSignInCode(code) };
      if (settings.oidc && isSignInCallback())
        return {
          phase: 'signed-in',
          settings,
          session: await completeOidcSignIn(userManagerFor(settings.oidc)),
        };
      return { phase: 'signed-out', settings };
    } catch (error) {
      return { phase: 'signed-out', settings, message: (error as Error).message };
    }
  })();
  return starting;
}

export function App() {
  const [state, setState] = useState<Phase>({ phase: 'starting' });
  useEffect(() => {
    void start().then(setState);
  }, []);
  if (state.phase === 'starting')
    return (
      <main id="main">
        <p role="status">Starting…</p>
      </main>
    );
  if (state.phase === 'signed-out')
    return <SignIn settings={state.settings} message={state.message} />;
  return (
    <SignedIn
      session={state.session}
      onSignOut={(message) => setState({ phase: 'signed-out', settings: state.settings, message })}
    />
  );
}

function SignedIn({
  session,
  onSignOut,
}: {
  session: Session;
  onSignOut: (message?: string) => void;
}) {
  const [policy, setPolicy] = useState<PolicyView>();
  const api = useMemo(
    () =>
      createApi(
        () => session.accessToken,
        () => onSignOut('Your session has ended: sign in again.'),
      ),
    [session, onSignOut],
  );
  useEffect(() => {
    unwrap(api.GET('/v1/policy')).then(setPolicy, () => undefined);
  }, [api]);
  // One change feed for the whole session, closed at sign-out.
  const feed = useMemo(() => new ChangeFeed(() => session.accessToken), [session]);
  useEffect(() => {
    feed.start();
    return () => feed.stop();
  }, [feed]);
  // The token is dropped from memory when it expires; the person signs in again.
  useEffect(() => {
    const timer = window.setTimeout(
      () => onSignOut('Your session has ended: sign in again.'),
      Math.max(0, session.expiresAt - Date.now()),
    );
    return () => window.clearTimeout(timer);
  }, [session, onSignOut]);
  const value = useMemo(() => ({ api, session, policy, feed }), [api, session, policy, feed]);
  return (
    <ConsoleContext.Provider value={value}>
      <Layout onSignOut={() => onSignOut()} />
    </ConsoleContext.Provider>
  );
}

const SCREEN_TITLES: Record<Route['screen'], string> = {
  waiting: 'Waiting on me',
  battery: 'Battery',
  fleet: 'Fleet',
  audit: 'Audit',
};

function Layout({ onSignOut }: { onSignOut: () => void }) {
  const { session } = useConsole();
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const [serial, setSerial] = useState('');
  const waiting = useWaitingCount();

  // A new screen: its name in the title, focus at the start of the content for keyboard users.
  useEffect(() => {
    document.title = `${SCREEN_TITLES[route.screen]}${route.screen === 'battery' ? ` ${route.serial}` : ''} · Battery keys`;
    main.current?.focus();
  }, [route]);

  const link = (target: Route, label: string) => (
    <a href={hrefOf(target)} aria-current={route.screen === target.screen ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <>
      <button type="button" className="skip" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <header className="top">
        <p className="brand">Battery keys</p>
        <p className="who">
          <span>{session.personId}</span> · <span>{session.partyId}</span> ·{' '}
          <span>{session.roles.map(plain).join(', ') || 'no role'}</span>
        </p>
        <button type="button" className="secondary" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <nav aria-label="Screens" className="screens">
        <ul>
          <li>
            {link({ screen: 'waiting' }, waiting ? `Waiting on me (${waiting})` : 'Waiting on me')}
          </li>
          <li>{link({ screen: 'fleet' }, 'Fleet')}</li>
          <li>{link({ screen: 'audit' }, 'Audit')}</li>
        </ul>
        <form
          role="search"
          aria-label="Open a battery"
          onSubmit={(event) => {
            event.preventDefault();
            const wanted = serial.trim().toUpperCase();
            if (wanted) window.location.hash = hrefOf({ screen: 'battery', serial: wanted });
          }}
        >
          <label htmlFor="open-serial">Battery serial</label>
          <input
            id="open-serial"
            value={serial}
            onChange={(event) => setSerial(event.target.value)}
            autoComplete="off"
          />
          <button type="submit">Open</button>
        </form>
      </nav>
      <main id="main" ref={main} tabIndex={-1}>
        {route.screen === 'waiting' ? <WaitingOnMe /> : null}
        {route.screen === 'battery' ? <Battery key={route.serial} serial={route.serial} /> : null}
        {route.screen === 'fleet' ? <Fleet /> : null}
        {route.screen === 'audit' ? <Audit key={route.serial ?? ''} serial={route.serial} /> : null}
      </main>
    </>
  );
}

/** How many items wait on the person, for the navigation; live like the screen itself. */
function useWaitingCount(): number | undefined {
  const { api } = useConsole();
  const [count, setCount] = useState<number>();
  const refresh = async () => {
    const pending = await unwrap(
      api.GET('/v1/proposals/pending', { params: { query: { limit: 100 } } }),
    );
    setCount(pending.items.length);
  };
  useEffect(() => {
    void refresh().catch(() => undefined);
  }, [api]);
  useLiveRefresh(refresh);
  return count;
}
