/**
 * The architecture, as rules `npm test` checks (npm run depcruise). Contexts depend one way:
 *
 *   shared  <-  policy  <-  parties  <-  batteries  <-  bundles  <-  devices
 *                 ^                         |             |            |
 *                 |                         v             v            v
 *          command-handling              audit        signing       (simulator, verifier: apart)
 *
 * Infrastructure (event store, read model, signing, config, data dir) knows no context; domain
 * code knows no framework, store or HTTP; the reference device verifier knows nothing of the
 * service, as a firmware team's copy would not.
 */
const CONTEXTS = [
  'policy',
  'parties',
  'batteries',
  'bundles',
  'devices',
  'audit',
  'audit-log',
  'notifications',
];
const ctx = (name) => `^src/${name}/`;
const anyOf = (names) => `^src/(${names.join('|')})/`;

/** Which contexts each context may not import: everything downstream of it. */
const DOWNSTREAM = {
  policy: ['parties', 'batteries', 'bundles', 'devices', 'audit'],
  parties: ['batteries', 'bundles', 'devices', 'audit'],
  batteries: ['bundles', 'devices'],
  bundles: ['devices'],
  audit: ['policy', 'parties', 'batteries', 'bundles', 'devices'],
  // The Merkle log reads the audit view and the batteries' read model to authorize its export; the
  // views that name leaves (audit entries, bundles) reach it only through the shared LeafIndexLookup
  // port, so it is a leaf like notifications (rule audit-log-is-a-leaf).
  'audit-log': ['bundles', 'devices', 'notifications'],
};

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one; break it by moving the shared part down.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'Deciders and their vocabulary import no framework, store, HTTP or clock source.',
      from: { path: '^src/[^/]+/domain/', pathNot: ['\\.spec\\.ts$', '^src/audit-log/domain/'] },
      to: {
        pathNot: ['^src/[^/]+/domain/', '^src/shared/domain/'],
      },
    },
    {
      name: 'audit-log-domain-is-pure',
      severity: 'error',
      comment:
        "The log's domain is hashing, canonical JSON and Ed25519: node:crypto and canonicalize, and nothing of Nest, SQLite, HTTP or the store.",
      from: { path: '^src/audit-log/domain/', pathNot: '\\.spec\\.ts$' },
      to: {
        pathNot: [
          '^src/audit-log/domain/',
          '^src/shared/domain/',
          '^(node:)?crypto$',
          '^node_modules/canonicalize/',
        ],
      },
    },
    {
      name: 'shared-kernel-depends-on-nothing',
      severity: 'error',
      comment: 'The shared kernel is below every context.',
      from: { path: '^src/shared/' },
      to: { path: anyOf([...CONTEXTS, 'command-handling', 'http', 'auth', 'read-model']) },
    },
    ...Object.entries(DOWNSTREAM).map(([context, below]) => ({
      name: `one-way-${context}`,
      severity: 'error',
      comment: `${context} may not depend on ${below.join(', ')}: the arrow points the other way.`,
      from: { path: ctx(context) },
      to: { path: anyOf(below) },
    })),
    {
      name: 'infrastructure-knows-no-context',
      severity: 'error',
      comment: 'Stores, read model, signing and configuration serve every context and know none.',
      from: { path: anyOf(['event-store', 'read-model', 'signing', 'config', 'data-dir']) },
      to: { path: anyOf(CONTEXTS) },
    },
    {
      name: 'command-handling-knows-only-the-policy',
      severity: 'error',
      comment: 'Every decision runs under the policy; no other context is known to the shell.',
      from: { path: '^src/command-handling/' },
      to: { path: anyOf(['parties', 'batteries', 'bundles', 'devices', 'audit']) },
    },
    {
      name: 'audit-log-is-a-leaf',
      severity: 'error',
      comment:
        'Other contexts name leaves through src/shared/infrastructure/leaf-index-lookup.ts; nothing but the app module imports the audit log.',
      from: { path: '^src/', pathNot: ['^src/audit-log/', '^src/app\\.module\\.ts$'] },
      to: { path: '^src/audit-log/' },
    },
    {
      name: 'notifications-is-a-leaf',
      severity: 'error',
      comment:
        'The change feed and webhooks read the other contexts (shared, policy, parties, batteries, devices, audit); nothing but the app module depends on them.',
      from: { path: '^src/', pathNot: ['^src/notifications/', '^src/app\\.module\\.ts$'] },
      to: { path: '^src/notifications/' },
    },
    {
      name: 'notifications-reads-no-signing',
      severity: 'error',
      comment: 'Notifications tell what happened; bundles and their keys are not theirs to touch.',
      from: { path: '^src/notifications/' },
      to: { path: anyOf(['bundles', 'signing']) },
    },
    {
      name: 'device-verifier-stands-alone',
      severity: 'error',
      comment: 'The reference device is written from docs/key-bundle.md alone, like firmware.',
      from: { path: '^src/device-verifier/' },
      to: { path: '^src/', pathNot: '^src/device-verifier/' },
    },
    {
      name: 'audit-verifier-stands-alone',
      severity: 'error',
      comment:
        "The auditor's and the witness's tools are written from docs/audit-log.md alone: they trust nothing of the service they check.",
      from: { path: '^src/audit-verifier/' },
      to: { path: '^src/', pathNot: '^src/audit-verifier/' },
    },
    {
      name: 'audit-log-cli-uses-the-verifier-only',
      severity: 'error',
      comment: 'audit-verify and audit-witness run with no service code, like an outsider would.',
      from: { path: '^src/cli/audit-(verify|witness)\\.ts$' },
      to: { path: '^src/', pathNot: '^src/audit-verifier/' },
    },
    {
      name: 'audit-log-second-implementation-stands-alone',
      severity: 'error',
      comment:
        "The test's own implementation of docs/audit-log.md checks the service and the verifier: it shares no code with either.",
      from: {
        path: '^test/audit-log/(support/independent-log\\.ts|independent-recompute\\.spec\\.ts)$',
      },
      to: { path: '^src/' },
    },
    {
      name: 'simulator-is-a-client',
      severity: 'error',
      comment: 'The device simulator talks HTTP; it uses the verifier, never the service inside.',
      from: { path: '^src/device-simulator/' },
      to: { path: '^src/', pathNot: ['^src/device-simulator/', '^src/device-verifier/'] },
    },
    {
      name: 'metrics-library-stays-in-the-metrics-adapter',
      severity: 'error',
      comment:
        'Contexts report to small observer ports (command-observer, event-store-observer, …); only src/metrics knows prom-client.',
      from: { path: '^src/', pathNot: '^src/metrics/' },
      to: { path: '(^|/)node_modules/prom-client/' },
    },
    {
      name: 'nothing-depends-on-the-metrics-adapter',
      severity: 'error',
      comment:
        'The metrics adapter is wired in by the app; no context or infrastructure imports it.',
      from: {
        path: '^src/',
        pathNot: [
          '^src/metrics/',
          '^src/app\\.module\\.ts$',
          '^src/create-app\\.ts$',
          '^src/main\\.ts$',
        ],
      },
      to: { path: '^src/metrics/' },
    },
    {
      name: 'tracing-sdk-only-at-start',
      severity: 'error',
      comment:
        'The OpenTelemetry SDK and instrumentations are loaded by src/tracing only (and only when configured); the rest uses @opentelemetry/api.',
      from: { path: '^src/', pathNot: '^src/tracing(/|\\.ts$)' },
      to: {
        path: '(^|/)node_modules/(@opentelemetry/(sdk-|instrumentation)|@fastify/otel)',
      },
    },
    {
      name: 'domain-knows-no-telemetry',
      severity: 'error',
      comment: 'Deciders are pure: no spans, no metrics.',
      from: { path: '^src/[^/]+/domain/' },
      to: { path: ['(^|/)node_modules/@opentelemetry/', '^src/tracing', '^src/metrics/'] },
    },
    {
      name: 'no-test-code-in-src',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^data/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
