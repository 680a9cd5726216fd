import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TestApp, type Caller, type TestResponse } from '../../support/test-app';

const ROOT = join(__dirname, '..', '..', '..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
export const SCREENSHOT_DIR = join(ROOT, 'docs', 'console');
export const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';
const AUDIENCE = 'urn:battery-keys:api';

export interface Account {
  party: string;
  roles: string[];
}

/** Builds the console bundle when it is missing or older than its sources (as npm start does). */
export function ensureConsoleBuilt(): void {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'ensure-console.js')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`console build failed: ${result.stdout}${result.stderr}`);
  if (!existsSync(join(ROOT, 'console', 'dist', 'index.html')))
    throw new Error('console/dist/index.html missing after the build');
}

/**
 * The identity provider in a child process (test/console/support/oidc-provider.mjs): a real
 * oidc-provider issuing JWT access tokens for the service's audience through Authorization Code
 * with PKCE; and, for set-up through the API, tokens with the same key and claims.
 */
export class IdentityProvider {
  private pending = new Map<number, (token: string) => void>();
  private nextId = 0;

  private constructor(
    private readonly child: ChildProcess,
    readonly issuer: string,
  ) {
    child.on('message', (message: { minted?: { id: number; token: string } }) => {
      if (message.minted) this.pending.get(message.minted.id)?.(message.minted.token);
    });
  }

  static async start(accounts: Record<string, Account>): Promise<IdentityProvider> {
    const child = fork(join(__dirname, 'oidc-provider.mjs'), [], {
      env: {
        ...process.env,
        OIDC_ACCOUNTS: JSON.stringify(accounts),
        OIDC_AUDIENCE: AUDIENCE,
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const issuer = await once<{ issuer?: string }, string>(child, (m) => m.issuer);
    return new IdentityProvider(child, issuer);
  }

  async configure(redirectUri: string): Promise<void> {
    const ready = once<{ ready?: boolean; failed?: string }, boolean>(this.child, (m) => {
      if (m.failed) throw new Error(m.failed);
      return m.ready;
    });
    this.child.send({ configure: { redirectUri } });
    await ready;
  }

  /** The service's settings that make it trust this provider, and the console sign in there. */
  get serviceEnv(): Record<string, string> {
    return {
      AUTH_ISSUER: this.issuer,
      AUTH_JWKS_URL: `${this.issuer}/jwks`,
      AUTH_AUDIENCE: AUDIENCE,
      OIDC_ISSUER_URL: this.issuer,
      OIDC_SCOPE: 'openid api',
      OIDC_RESOURCE: AUDIENCE,
    };
  }

  async token(sub: string): Promise<string> {
    const id = this.nextId++;
    const token = new Promise<string>((resolve, reject) => {
      this.pending.set(id, resolve);
      setTimeout(() => reject(new Error(`no token for ${sub} within 10 s`)), 10_000).unref();
    });
    this.child.send({ mint: { id, sub } });
    return token;
  }

  stop(): void {
    this.child.kill();
  }
}

/** The first message `pick` turns into a value (it may throw to fail), within 20 s. */
function once<M, T>(child: ChildProcess, pick: (message: M) => T | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error('identity provider did not answer in 20 s'));
    }, 20_000);
    const onMessage = (message: M) => {
      try {
        const value = pick(message);
        if (value === undefined) return;
        done();
        resolve(value);
      } catch (error) {
        done();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`identity provider exited (${code})`));
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/**
 * The world of one spec: the identity provider, the real service trusting it on loopback, and
 * Chromium. Every page is watched for console errors (on the service's origin) and CSP refusals.
 */
export class ConsoleWorld {
  readonly consoleErrors: string[] = [];
  /** Connections the console opened to the change feed (GET /v1/changes). */
  feedConnections = 0;

  private constructor(
    readonly idp: IdentityProvider,
    readonly app: TestApp,
    readonly browser: Browser,
  ) {}

  static async start(accounts: Record<string, Account>): Promise<ConsoleWorld> {
    ensureConsoleBuilt();
    const idp = await IdentityProvider.start(accounts);
    let app: TestApp | undefined;
    try {
      app = await TestApp.start(idp.serviceEnv);
      await idp.configure(`${app.baseUrl}/console/`);
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      return new ConsoleWorld(idp, app, browser);
    } catch (error) {
      await app?.stop();
      idp.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.app.stop();
    this.idp.stop();
  }

  /** A caller for set-up through the API, with a token of the provider's key. */
  async caller(sub: string, party: string): Promise<Caller> {
    return { token: await this.idp.token(sub), personId: sub, partyId: party };
  }

  async api(method: string, path: string, as: Caller, body?: unknown): Promise<TestResponse> {
    const response = await this.app.request(method, path, { as, body });
    if (response.status >= 300)
      throw new Error(`${method} ${path} as ${as.personId}: ${response.status} ${response.text}`);
    return response;
  }

  /**
   * A fresh browser (no cookies) signed in as `sub` the real way: the console's Sign in button,
   * the provider's own login form, the redirect back with a code, the PKCE token exchange.
   */
  async signIn(
    sub: string,
    options: { width?: number; screen?: string } = {},
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await this.browser.newContext({
      viewport: { width: options.width ?? 1280, height: 900 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    this.watch(page);
    await page.goto(`${this.app.baseUrl}/console/${options.screen ?? '#/waiting'}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.origin === new URL(this.idp.issuer).origin);
    await page.locator('input[name="login"]').fill(sub);
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    // The provider's consent step: the person allows the console to call the API for them.
    const consent = page.getByRole('button', { name: 'Continue' });
    await consent.waitFor({ timeout: 15_000 });
    await consent.click();
    await page
      .waitForURL((url) => url.href.startsWith(`${this.app.baseUrl}/console/#/`), {
        timeout: 15_000,
      })
      .catch(async (error: Error) => {
        // Where the flow stopped says more than a timeout: the address and what the page shows.
        const shown = await page
          .locator('body')
          .innerText()
          .catch(() => '');
        throw new Error(`sign-in of ${sub} stopped at ${page.url()}: ${shown.slice(0, 500)}`, {
          cause: error,
        });
      });
    await page.getByText(`${sub}`, { exact: true }).first().waitFor();
    return { context, page };
  }

  private watch(page: Page): void {
    const origin = this.app.baseUrl;
    page.on('request', (request) => {
      if (request.url().startsWith(`${origin}/v1/changes`)) this.feedConnections++;
    });
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const url = message.location().url || page.url();
      if (url.startsWith(origin)) this.consoleErrors.push(`${message.text()} (${url})`);
    });
    page.on('pageerror', (error) => this.consoleErrors.push(`page error: ${error.message}`));
  }
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core on the page as it is now; the serious and critical violations. axe is evaluated
 * through the DevTools protocol rather than added as a <script>: the console's CSP refuses inline
 * and foreign scripts, and loosening it for the test (bypassCSP) would hide a CSP regression.
 */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  // A string, evaluated in the page: the service's tsconfig has no DOM types for a function body.
  const violations = await page.evaluate<AxeViolation[]>(`(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} },
    });
    return JSON.parse(JSON.stringify(result.violations));
  })()`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The page fits its width: nothing but scrolling tables is wider than the viewport. */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  );
}

/** Saves docs/console/<name>.png when UPDATE_SCREENSHOTS=1 (the committed ones stay otherwise). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!UPDATE_SCREENSHOTS) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
