import { useEffect, useState } from 'react';

/**
 * Screens live in the address's fragment (`#/battery/TT2-0001`): the service serves one
 * index.html at /console/ and the provider redirects there, so no server route per screen.
 */
export type Route =
  | { screen: 'waiting' }
  | { screen: 'battery'; serial: string }
  | { screen: 'fleet' }
  | { screen: 'audit'; serial?: string };

export function parseRoute(hash: string): Route {
  const [, screen = '', arg] = hash.replace(/^#/, '').split('/');
  const value = arg ? decodeURIComponent(arg) : undefined;
  if (screen === 'battery' && value) return { screen: 'battery', serial: value };
  if (screen === 'fleet') return { screen: 'fleet' };
  if (screen === 'audit') return value ? { screen: 'audit', serial: value } : { screen: 'audit' };
  return { screen: 'waiting' };
}

export const hrefOf = (route: Route): string => {
  switch (route.screen) {
    case 'battery':
      return `#/battery/${encodeURIComponent(route.serial)}`;
    case 'audit':
      return route.serial ? `#/audit/${encodeURIComponent(route.serial)}` : '#/audit';
    default:
      return `#/${route.screen}`;
  }
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
