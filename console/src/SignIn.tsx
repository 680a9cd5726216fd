import { useState } from 'react';
import { userManagerFor, type ConsoleSettings } from './auth/session';

/**
 * Signing in happens at the identity provider (OpenID Connect with PKCE), never in a password form
 * of ours. With the embedded local issuer (development), a one-time link from the command line.
 */
export function SignIn({
  settings,
  message,
}: {
  settings: ConsoleSettings | undefined;
  message?: string;
}) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const oidc = settings?.oidc;
  const signIn = async () => {
    if (!oidc) return;
    setBusy(true);
    try {
      // Back to the screen the person was on (or asked for) after the provider.
      await userManagerFor(oidc).signinRedirect({ state: window.location.hash || '#/waiting' });
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  };
  return (
    <main id="main" className="sign-in">
      <h1>Battery keys console</h1>
      <p className="lead">
        Approvals, batteries, the fleet and the audit trail for lessors, cell specialists and
        auditors.
      </p>
      {message || error ? (
        <p role="alert" className="error">
          {error ?? message}
        </p>
      ) : null}
      {oidc ? (
        <button type="button" onClick={() => void signIn()} disabled={busy}>
          Sign in
        </button>
      ) : null}
      {settings?.localSignIn ? (
        <section aria-labelledby="local-heading">
          <h2 id="local-heading">Development sign-in</h2>
          <p>
            This service uses its embedded local issuer. Make a one-time sign-in link on the command
            line and open it (valid for two minutes, once):
          </p>
          <pre>
            <code>
              npm run token -- --person alice --party lessor-a --role owner-admin --console
            </code>
          </pre>
        </section>
      ) : null}
    </main>
  );
}
