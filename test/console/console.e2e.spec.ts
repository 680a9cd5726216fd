import { existsSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { parseVerifierKey, SIGNATURE_TYPE, verifyExport } from '../../src/audit-verifier';
import { EXAMPLE_HARD_LIMITS } from '../../src/device-simulator/simulated-fleet';
import type { Caller } from '../support/test-app';
import { newPublicJwk } from '../support/test-app';
import {
  CHROMIUM,
  ConsoleWorld,
  horizontalOverflow,
  screenshot,
  seriousAxeViolations,
} from './support/console-harness';

/** The people of the story, as the identity provider knows them: sub → party and roles. */
const ACCOUNTS = {
  pat: { party: 'platform', roles: ['platform-admin'] },
  olga: { party: 'oem', roles: ['provisioner'] },
  alice: { party: 'lessor-a', roles: ['owner-admin'] },
  anna: { party: 'lessor-a', roles: ['owner-admin'] },
  fred: { party: 'lessor-a', roles: ['fleet-finance'] },
  bob: { party: 'lessor-b', roles: ['owner-admin'] },
  carl: { party: 'cells', roles: ['cell-engineer'] },
  audrey: { party: 'platform', roles: ['auditor'] },
};

// CI installs Debian's chromium (.ci/run); elsewhere without it these specs say why they skip.
const browserPresent = existsSync(CHROMIUM) || process.env.CI === 'true';
const describeWithBrowser = browserPresent ? describe : describe.skip;
if (!browserPresent)
  console.warn(`test/console skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

jest.setTimeout(120_000);

describeWithBrowser('the back-office console, signed in through OpenID Connect', () => {
  let world: ConsoleWorld;
  const as: Record<string, Caller> = {};

  /** Parties, two batteries of lessor A (one with a cell specialist and a revoked key still on its device). */
  beforeAll(async () => {
    world = await ConsoleWorld.start(ACCOUNTS);
    for (const [sub, account] of Object.entries(ACCOUNTS))
      as[sub] = await world.caller(sub, account.party);
    for (const [partyId, kind] of [
      ['oem', 'manufacturer'],
      ['lessor-a', 'lessor'],
      ['lessor-b', 'lessor'],
      ['cells', 'cell-specialist'],
      ['workshop', 'service-provider'],
    ])
      await world.api('POST', '/v1/parties', as.pat, { partyId, name: partyId, kind });
    for (const serial of ['TT2-0001', 'TT2-0002'])
      await world.api('POST', '/v1/batteries', as.olga, {
        serial,
        model: 'T2-48V',
        chemistry: 'NMC',
        manufacturerId: 'oem',
        firstOwnerId: 'lessor-a',
        hardLimits: EXAMPLE_HARD_LIMITS,
        deviceKey: (await newPublicJwk()).publicJwk,
      });
    await world.api('POST', '/v1/batteries/TT2-0001/specialists', as.alice, {
      specialistId: 'cells',
      reason: 'cell chemistry support contract',
    });
    await world.api('POST', '/v1/batteries/TT2-0001/keys', as.alice, {
      keyId: 'tom-diag',
      holder: { personId: 'tom', partyId: 'workshop' },
      publicKey: (await newPublicJwk()).publicJwk,
      capabilities: ['diagnostics.read', 'faults.reset'],
      notAfter: new Date(Date.now() + 180 * 86_400_000).toISOString(),
      reason: 'annual service',
    });
    await world.api('POST', '/v1/batteries/TT2-0001/keys', as.alice, {
      keyId: 'old-tablet',
      holder: { personId: 'tom', partyId: 'workshop' },
      publicKey: (await newPublicJwk()).publicJwk,
      capabilities: ['diagnostics.read'],
      notAfter: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    });
    await world.api('POST', '/v1/batteries/TT2-0001/keys/old-tablet/revoke', as.alice, {
      reason: 'tablet lost',
    });
  });

  afterAll(async () => {
    await world?.stop();
  });

  afterEach(() => {
    // No screen may log an error (a failed request, a CSP refusal, an exception).
    const errors = world.consoleErrors.splice(0);
    expect(errors).toEqual([]);
  });

  async function expectAccessible(page: Page): Promise<void> {
    expect(await seriousAxeViolations(page)).toEqual([]);
  }

  /**
   * A battery's history once every entry has its leaf and the log's newest signed checkpoint
   * includes them all (bounded: 20 s).
   */
  async function historyCoveredByCheckpoint(
    serial: string,
    caller: Caller,
  ): Promise<{ leafIndex: number; eventId: string; type: string }[]> {
    for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
      const history = await world.api('GET', `/v1/batteries/${serial}/history?limit=500`, caller);
      const items = (
        history.body as { items: { leafIndex: number | null; eventId: string; type: string }[] }
      ).items;
      const checkpoint = await fetch(`${world.app.baseUrl}/v1/log/checkpoint`);
      const size = checkpoint.ok ? Number((await checkpoint.text()).split('\n')[1]) : 0;
      if (items.every((e) => e.leafIndex !== null && e.leafIndex < size))
        return items as { leafIndex: number; eventId: string; type: string }[];
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`the log's checkpoint did not cover the history of ${serial} within 20 s`);
  }

  it('a cell engineer sees the owner’s state-of-charge proposal arrive without reloading, approves it, and the battery shows the new window and the next bundle version', async () => {
    const before = (await world.api('GET', '/v1/batteries/TT2-0001', as.alice)).body as {
      bundleVersion: number;
    };
    const { context, page } = await world.signIn('carl');
    await page.getByRole('heading', { level: 1, name: 'Waiting on me' }).waitFor();
    await page.getByText('Nothing is waiting for you.').waitFor();
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });

    // The owner proposes and a second owner-admin approves, through the API, while carl watches.
    await world.api('POST', '/v1/batteries/TT2-0001/parameter-proposals', as.alice, {
      proposalId: 'winter-window',
      parameters: { socMinPercent: 15, socMaxPercent: 85 },
      reason: 'protect the cells over the winter',
    });
    await world.api('POST', '/v1/batteries/TT2-0001/proposals/winter-window/approve', as.anna, {
      reason: 'agreed',
    });
    const card = page.getByRole('article', {
      name: 'Change the state-of-charge window on TT2-0001',
    });
    await card.waitFor({ timeout: 15_000 });
    await card.getByText('alice (lessor-a, owner admin)').waitFor();
    await card.getByText('anna (lessor-a, owner admin)').waitFor();
    await card.getByText("the cell specialist's cell engineer").waitFor();
    const lowest = card.getByRole('row', { name: /State of charge, lowest/ });
    await expect(lowest.getByRole('cell').allInnerTexts()).resolves.toEqual([
      expect.stringMatching(/^\d+$/),
      expect.stringContaining('15'),
    ]);
    expect(navigations).toBe(0);
    // It came through the change feed (docs/change-feed.md), not by reloading.
    expect(world.feedConnections).toBeGreaterThan(0);
    await expectAccessible(page);
    await screenshot(page, 'waiting-on-me');

    await card.getByLabel('Reason (required to reject)').fill('cells stay within spec');
    await card.getByRole('button', { name: 'Approve' }).click();
    await card.getByText('Approved: the new parameters are in force.').waitFor();

    await card.getByRole('link', { name: 'TT2-0001' }).click();
    await page.getByRole('heading', { level: 1, name: 'Battery TT2-0001' }).waitFor();
    await expect(page.getByTestId('soc-window').innerText()).resolves.toBe('15 – 85 %');
    await expect(page.getByTestId('bundle-version').innerText()).resolves.toBe(
      String(before.bundleVersion + 1),
    );
    const timeline = page.getByRole('region', { name: 'Timeline' });
    const applied = timeline.getByRole('row', { name: /Parameters changed/ });
    await applied.waitFor();
    await expect(applied.innerText()).resolves.toMatch(/carl\s+cells\s+cell engineer/);
    await expectAccessible(page);
    await screenshot(page, 'battery');
    await context.close();
  });

  it('a lessor transfers a battery and the receiving lessor accepts it from Waiting on me', async () => {
    const alice = await world.signIn('alice', { screen: '#/battery/TT2-0002' });
    const transfer = alice.page.getByRole('listitem').filter({
      has: alice.page.getByRole('heading', { name: 'Transfer ownership' }),
    });
    await transfer.getByLabel('Receiving lessor (party id)').fill('lessor-b');
    await transfer.getByLabel('Reason').fill('Q4 portfolio sale');
    await transfer.getByRole('button', { name: 'Request transfer' }).click();
    await alice.page
      .getByRole('status')
      .filter({ hasText: 'Transfer to lessor-b requested; it waits for the receiving lessor.' })
      .waitFor();
    await alice.page.getByText('to lessor-b, requested').waitFor();
    await alice.context.close();

    const bob = await world.signIn('bob');
    await bob.page.getByRole('link', { name: 'Waiting on me (1)' }).waitFor();
    const card = bob.page.getByRole('article', {
      name: 'Ownership transfer of TT2-0002 to lessor-b',
    });
    await card.getByText('Ownership moves from').waitFor();
    await card.getByText('alice (lessor-a, owner admin)').waitFor();
    await card.getByRole('button', { name: 'Accept transfer' }).click();
    await card.getByText('Accepted: the battery is yours now.').waitFor();
    await bob.page.getByText('Nothing is waiting for you.').waitFor();
    await expectAccessible(bob.page);
    await bob.context.close();

    const battery = await world.api('GET', '/v1/batteries/TT2-0002', as.bob);
    expect(battery.body).toMatchObject({ ownerId: 'lessor-b', openTransfer: null });
  });

  it('an auditor exports a battery’s history', async () => {
    const { context, page } = await world.signIn('audrey', { screen: '#/audit' });
    await page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor();
    await page.getByRole('main').getByLabel('Battery serial').fill('TT2-0001');
    await page.getByRole('button', { name: 'Search' }).click();
    const table = page.getByRole('region', { name: 'Audit entries' });
    await table.getByRole('row', { name: /Battery provisioned/ }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'audit');

    // The export proves what the log's newest signed checkpoint covers: wait until it covers
    // the whole history (checkpoints follow the tree within AUDIT_LOG_CHECKPOINT_INTERVAL_MS).
    const history = await historyCoveredByCheckpoint('TT2-0001', as.audrey);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export with proofs (.jsonl)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^audit-TT2-0001-.*\.jsonl$/);
    const text = readFileSync(await download.path(), 'utf8');
    const [headerLine, ...eventLines] = text.split('\n').filter((line) => line !== '');
    // docs/audit-log.md §5: a header with the signed checkpoint, then one line per event.
    const header = JSON.parse(headerLine) as { checkpoint: unknown };
    expect(header.checkpoint).toEqual(expect.stringMatching(/^[^\n]+\n\d+\n[A-Za-z0-9+/=]+\n/));
    const events = eventLines.map(
      (line) => JSON.parse(line) as { leafIndex: unknown; leaf: unknown; proof: unknown },
    );
    for (const event of events) {
      expect(event).toEqual({
        leafIndex: expect.any(Number),
        leaf: expect.any(String),
        proof: expect.any(Array),
      });
      for (const hash of event.proof as unknown[])
        expect(hash).toEqual(expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/));
    }
    // Every event of the history, in its order, each at its leaf.
    expect(events.map((e) => e.leafIndex)).toEqual(history.map((e) => e.leafIndex));
    expect(events.map((e) => JSON.parse(e.leaf as string) as { eventId: string })).toEqual(
      history.map((e) => expect.objectContaining({ eventId: e.eventId, type: e.type })),
    );
    expect(history.map((e) => e.type)).toEqual(
      expect.arrayContaining(['BatteryProvisioned', 'KeyRevoked']),
    );
    // And it verifies offline, as npm run audit-verify does, with the published log key.
    const logKey = parseVerifierKey(
      await (await fetch(`${world.app.baseUrl}/.well-known/audit-log-key`)).text(),
      SIGNATURE_TYPE.ed25519,
    );
    const verdict = await verifyExport(text.split('\n').filter(Boolean), { logKey });
    expect(verdict).toMatchObject({ ok: true, summary: { entries: history.length } });
    await page
      .getByRole('status')
      .filter({
        hasText: new RegExp(
          `^Exported ${history.length} events with inclusion proofs to audit-TT2-0001-.*\\.jsonl, against checkpoint \\d+ of `,
        ),
      })
      .waitFor();
    // How to check it offline, and where the log key is.
    await page.getByText('npm run audit-verify').first().waitFor();
    const keyLink = page.getByRole('link', { name: /\/\.well-known\/audit-log-key$/ });
    await expect(keyLink.getAttribute('href')).resolves.toBe('/.well-known/audit-log-key');
    await context.close();
  });

  it('a person without the right sees the explain answer instead of a button', async () => {
    const { context, page } = await world.signIn('fred', { screen: '#/battery/TT2-0001' });
    await page.getByRole('heading', { level: 1, name: 'Battery TT2-0001' }).waitFor();
    const transfer = page.getByRole('listitem').filter({
      has: page.getByRole('heading', { name: 'Transfer ownership' }),
    });
    await expect(transfer.getByTestId('explain-ownership.transfer').innerText()).resolves.toMatch(
      /^You may not transfer ownership: that is for the owner's owner admin\./,
    );
    await expect(transfer.getByRole('button').count()).resolves.toBe(0);
    // What fred may do, he may: propose a window, which then waits for both approvals.
    const window = page.getByRole('listitem').filter({
      has: page.getByRole('heading', { name: 'Change the state-of-charge window' }),
    });
    await window
      .getByText(
        "You may change the state-of-charge window; it takes effect once the owner's owner admin, and the cell specialist's cell engineer approve.",
      )
      .waitFor();
    await window.getByRole('button', { name: 'Propose window' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'battery-explain');

    // Live, and only for this battery: an event of another battery of the party (the feed
    // names its serial) does not make this screen read again; one of this battery does.
    const batteryReads = () => {
      let reads = 0;
      const count = (request: { url: () => string }) => {
        if (new URL(request.url()).pathname === '/v1/batteries/TT2-0001') reads++;
      };
      page.on('request', count);
      return { reads: () => reads, stop: () => page.off('request', count) };
    };
    const elsewhere = batteryReads();
    await world.api('POST', '/v1/batteries', as.olga, {
      serial: 'TT2-0003',
      model: 'T2-48V',
      chemistry: 'NMC',
      manufacturerId: 'oem',
      firstOwnerId: 'lessor-a',
      hardLimits: EXAMPLE_HARD_LIMITS,
      deviceKey: (await newPublicJwk()).publicJwk,
    });
    await page.waitForTimeout(1500); // the feed's delivery and the screen's debounce, amply
    elsewhere.stop();
    expect(elsewhere.reads()).toBe(0);
    await world.api('POST', '/v1/batteries/TT2-0001/keys', as.alice, {
      keyId: 'live-key',
      holder: { personId: 'tom', partyId: 'workshop' },
      publicKey: (await newPublicJwk()).publicJwk,
      capabilities: ['diagnostics.read'],
      notAfter: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    });
    await page
      .getByRole('region', { name: 'Keys' })
      .getByRole('rowheader', { name: 'live-key' })
      .waitFor({ timeout: 15_000 });
    await context.close();
  });

  it('the fleet: batteries by owner with search, lagging devices, revoked keys still live', async () => {
    const { context, page } = await world.signIn('alice', { screen: '#/fleet' });
    const batteries = page.getByRole('region', { name: 'Batteries' });
    await batteries.getByRole('link', { name: 'TT2-0001' }).waitFor();
    await page.getByLabel('Search serials').fill('0001');
    await page.getByText(/^1 of \d+ batteries/).waitFor();
    const exposure = page.getByRole('region', { name: 'Revoked keys still live' });
    await exposure.getByRole('row', { name: /TT2-0001.*old-tablet.*never acknowledged/ }).waitFor();
    const lagging = page.getByRole('region', { name: 'Lagging devices' });
    await lagging.getByRole('link', { name: 'TT2-0001' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'fleet');
    await context.close();
  });

  it('is usable at a tablet’s width (800 px): nothing but tables scrolls sideways, still accessible', async () => {
    for (const screen of ['#/waiting', '#/battery/TT2-0001', '#/fleet', '#/audit']) {
      const { context, page } = await world.signIn('alice', { width: 800, screen });
      await page.getByRole('heading', { level: 1 }).waitFor();
      // Loaded: no section says "Loading…" any more (the feed keeps the network busy for good).
      await page.waitForFunction("!document.body.innerText.includes('Loading')");
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await expectAccessible(page);
      if (screen === '#/battery/TT2-0001') await screenshot(page, 'battery-800');
      await context.close();
    }
  });

  it('serves the console with a self-only Content-Security-Policy and cache headers that fit', async () => {
    const index = await fetch(`${world.app.baseUrl}/console/`);
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain(`connect-src 'self' ${world.idp.issuer}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(await index.text())?.[1];
    const asset = await fetch(`${world.app.baseUrl}${script}`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const settings = await fetch(`${world.app.baseUrl}/console/config.json`);
    expect(await settings.json()).toEqual({
      oidc: {
        issuer: world.idp.issuer,
        clientId: 'battery-keys-console',
        scope: 'openid api',
        resource: 'urn:battery-keys:api',
      },
      localSignIn: false,
    });
    // With a real identity provider the development links are off.
    const signIn = await fetch(`${world.app.baseUrl}/console/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'a'.repeat(43) }),
    });
    expect(signIn.status).toBe(404);
  });
});
