import ipaddr from 'ipaddr.js';
import { z } from 'zod';

const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

/**
 * The JWS algorithms a person's token may be signed with: asymmetric ones only. `none` signs
 * nothing, and an HMAC (HS256…) would verify with a shared secret — or with our public key taken
 * for one — so both are refused at start, whatever AUTH_ALGORITHMS says.
 */
export const ASYMMETRIC_TOKEN_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
];

const tokenAlgorithms = list.superRefine((names, context) => {
  const refused = names.filter((name) => !ASYMMETRIC_TOKEN_ALGORITHMS.includes(name));
  if (refused.length > 0) {
    context.addIssue({
      code: 'custom',
      message: `${refused.join(', ')} refused: only asymmetric algorithms (${ASYMMETRIC_TOKEN_ALGORITHMS.join(', ')}) may sign tokens`,
    });
  }
  if (names.length === 0)
    context.addIssue({ code: 'custom', message: 'name at least one algorithm' });
});

/** A yes/no setting: `true`/`false` (also `1`/`0`); anything else is refused rather than read as no. */
const booleanSetting = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

/** proxy-addr's names for well-known ranges, accepted in a TRUST_PROXY list. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** What Fastify's proxy-addr accepts: an address, a CIDR range, or one of its named ranges. */
const isProxyAddress = (item: string) =>
  PROXY_RANGE_NAMES.includes(item) || ipaddr.isValid(item) || ipaddr.isValidCIDR(item);

/**
 * Which proxies' X-Forwarded-For to believe for the client address (Fastify's `trustProxy`):
 * off (the default: the peer is the client), `true` (every hop — only behind a proxy that
 * overwrites the header, else a client picks its own address), a hop count, or the proxies'
 * addresses and CIDR ranges.
 */
const trustProxy = z
  .string()
  .optional()
  .transform((value, context): boolean | number | string[] => {
    const text = (value ?? '').trim();
    if (text === '' || text === 'false') return false;
    if (text === 'true') return true;
    if (/^\d+$/.test(text)) return Number(text);
    const items = text
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    const wrong = items.filter((item) => !isProxyAddress(item));
    if (wrong.length > 0) {
      context.addIssue({
        code: 'custom',
        message: `expected true, false, a hop count or proxy addresses/CIDRs; not ${wrong.join(', ')}`,
      });
      return z.NEVER;
    }
    return items;
  });

/**
 * Every setting the service reads, from the environment, validated once at start. A wrong value
 * stops the start with a message that names it instead of failing later.
 */
export const appConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('./data'),
  /**
   * A snapshot of another instance's read model (`npm run read-model-snapshot`) that an instance
   * without a read model of its own starts from, replaying only the events after it.
   */
  READ_MODEL_SEED: z.string().min(1).optional(),
  /**
   * The public key (SPKI PEM, Ed25519) a seed's signature must verify with: whoever can write where
   * snapshots are kept cannot give an instance a read model of their own making.
   */
  READ_MODEL_SEED_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  EVENT_STORE: z.enum(['embedded', 'eventstoredb']).default('embedded'),
  EVENTSTORE_CONNECTION_STRING: z.string().optional(),
  /** Accepted token issuer; the embedded default mints its own tokens (see `npm run token`). */
  AUTH_ISSUER: z.string().default('urn:battery-keys:local-issuer'),
  AUTH_AUDIENCE: z.string().default('battery-keys'),
  AUTH_ALGORITHMS: tokenAlgorithms.default(['ES256', 'EdDSA']),
  /** Remote JWKS of an external identity provider; without it the local issuer's key is used. */
  AUTH_JWKS_URL: z.url().optional(),
  /** `iss` of every key bundle: the name devices pin together with the service's keys. */
  BUNDLE_ISSUER: z.string().default('urn:battery-keys:bundle-service'),
  BUNDLE_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(24 * 3600),
  /** Where bundle signing keys live: a key file under DATA_DIR, or an HSM through PKCS#11. */
  SIGNER: z.enum(['local', 'pkcs11']).default('local'),
  PKCS11_LIBRARY: z.string().min(1).optional(),
  PKCS11_TOKEN_LABEL: z.string().min(1).optional(),
  PKCS11_PIN: z.string().min(1).optional(),
  PKCS11_KEY_LABEL: z.string().min(1).optional(),
  /** The chain from the devices' pinned root to the online keys; DATA_DIR/bundle-trust.json by default. */
  BUNDLE_TRUST_FILE: z.string().min(1).optional(),
  /** How old a device's proof may be; also how long its `jti` is remembered against replay. */
  DEVICE_PROOF_MAX_AGE_SECONDS: z.coerce.number().int().min(5).max(600).default(60),
  /** Proofs remembered at once; beyond it new proofs wait (503) rather than risk an accepted replay. */
  DEVICE_REPLAY_CACHE_ENTRIES: z.coerce.number().int().min(1000).max(10_000_000).default(200_000),
  /** Longest `Prefer: wait=N` a device pull may hold open. */
  DEVICE_LONG_POLL_MAX_SECONDS: z.coerce.number().int().min(0).max(300).default(60),
  /** How long a command waits for the local read model to show its own write. */
  READ_YOUR_WRITES_TIMEOUT_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(10 * 1024 * 1024)
    .default(64 * 1024),
  /**
   * Requests per minute per verified caller (`person:<sub>`, `device:<serial>`); unauthenticated
   * and refused requests count on the client address. 0 turns the limit off.
   */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(6000),
  TRUST_PROXY: trustProxy,
  /**
   * /health/ready answers 503 while the read model is further behind the store than this many
   * events (a cold instance catching up is not ready). Counted by reading at most this many + 1
   * events, hence the ceiling.
   */
  READINESS_MAX_LAG_EVENTS: z.coerce.number().int().min(0).max(100_000).default(1000),
  /** ... or while the oldest event it has not applied was recorded longer ago than this. */
  READINESS_MAX_LAG_SECONDS: z.coerce.number().int().min(1).max(86_400).default(10),
  /**
   * The console's sign-in (OpenID Connect, Authorization Code with PKCE): the identity provider's
   * issuer URL, where the browser discovers its endpoints. Its access tokens must be those the
   * service accepts (AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URL). Unset: the console offers only the
   * local issuer's one-time links (`npm run token -- … --console`).
   */
  OIDC_ISSUER_URL: z.url().optional(),
  /** The console's client id at that provider: a public client (no secret), redirect to /console/. */
  OIDC_CLIENT_ID: z.string().min(1).max(200).default('battery-keys-console'),
  /** Scopes the console asks for. */
  OIDC_SCOPE: z.string().min(1).max(500).default('openid'),
  /** RFC 8707 resource indicator the console sends, for providers that issue a token per API. */
  OIDC_RESOURCE: z.string().min(1).max(500).optional(),
  /**
   * Whether the audit log runs (docs/audit-log.md): the Merkle tree kept with the read model, signed
   * checkpoints, proofs, the export and the tamper check. Off, none of it exists (its routes answer
   * 404, entries name no leaf, bundles carry no `log` claim); the benchmark's baseline for its cost.
   */
  AUDIT_LOG_ENABLED: booleanSetting.default(true),
  /** The audit log's name: the first line of every checkpoint and its key's name (docs/audit-log.md). */
  AUDIT_LOG_ORIGIN: z
    .string()
    .regex(
      /^[^\s+]+$/,
      'must be one word without whitespace or +, e.g. battery-keys.example.com/audit-log',
    )
    .max(256)
    .default('battery-keys.localhost/audit-log'),
  /** Shortest time between two signed checkpoints while the tree grows. */
  AUDIT_LOG_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(2000),
  /** Witnesses whose cosignatures are accepted: comma-separated `<name>+<key ID>+<base64(0x04 ‖ key)>`. */
  AUDIT_LOG_WITNESS_KEYS: list
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+={0,2}$/,
            'must be a witness verifier key <name>+<8 hex key ID>+<base64 key>',
          ),
      ),
    )
    .default([]),
  /** Pause between the end of one re-read of the store against the log (tamper detection) and the next; one runs at start. */
  AUDIT_LOG_VERIFY_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(300),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Hosts webhooks may reach (docs/change-feed.md): names, `*.suffix`es, IPs and CIDRs, comma-separated.
   * Empty by default: a webhook URL is a request made from inside the operator's network on a
   * tenant's say-so, so nothing is reachable until an operator lists it (loopback included).
   */
  WEBHOOK_ALLOWED_HOSTS: list.default([]),
  /** The key webhook endpoint secrets derive from; DATA_DIR/webhook-secret.key by default (made at first start). */
  WEBHOOK_SECRET_KEY_FILE: z.string().min(1).optional(),
  /** Whether this instance sends webhook deliveries (one instance of many is enough: receivers see one id per delivery). */
  WEBHOOK_DISPATCH: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** Delay before a failed delivery's first retry; each later one is four times the one before. */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(5000),
  /** Attempts before a delivery is marked failed. */
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(8),
  /** How long one delivery attempt may take. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** How often revoked keys still live on devices are looked for (`revoked-key.still-live`). */
  WEBHOOK_EXPOSURE_SCAN_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /**
   * Port of a separate listener that serves only `GET /metrics` (Prometheus text); unset, there is
   * none. Separate so the API port never exposes operational figures to tenants, and so a scrape
   * needs no token. 0 takes any free port (tests).
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Interface of the metrics listener: loopback unless an operator opens it (`0.0.0.0` in a pod). */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * Also serve `GET /metrics` on the API port, to Bearer tokens of the platform party's
   * platform-admins and auditors only (for platforms that cannot reach a second port).
   */
  METRICS_ON_API_PORT: booleanSetting.default(false),
  /** Traces go to this OTLP collector (e.g. `http://127.0.0.1:4318`); unset, tracing is off and costs nothing. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /** OTLP encoding the SDK exports with; `http/protobuf` by default. */
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json', 'grpc']).optional(),
  /** `service.name` of every span. */
  OTEL_SERVICE_NAME: z.string().min(1).default('battery-keys'),
  /** Which traces are kept (the SDK reads these two itself; validated here so a typo stops the start). */
  OTEL_TRACES_SAMPLER: z
    .enum([
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
    ])
    .optional(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
});

export type AppConfig = z.infer<typeof appConfigSchema>;

export function loadAppConfig(env: Record<string, string | undefined>): AppConfig {
  const parsed = appConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  if (parsed.data.EVENT_STORE === 'eventstoredb' && !parsed.data.EVENTSTORE_CONNECTION_STRING) {
    throw new Error(
      'Invalid configuration: EVENT_STORE=eventstoredb needs EVENTSTORE_CONNECTION_STRING',
    );
  }
  if (parsed.data.READ_MODEL_SEED && !parsed.data.READ_MODEL_SEED_PUBLIC_KEY_FILE) {
    throw new Error(
      'Invalid configuration: READ_MODEL_SEED needs READ_MODEL_SEED_PUBLIC_KEY_FILE (the public key of the key that signs the snapshots)',
    );
  }
  if (parsed.data.SIGNER === 'pkcs11') {
    const missing = (
      ['PKCS11_LIBRARY', 'PKCS11_TOKEN_LABEL', 'PKCS11_PIN', 'PKCS11_KEY_LABEL'] as const
    ).filter((name) => !parsed.data[name]);
    if (missing.length > 0)
      throw new Error(`Invalid configuration: SIGNER=pkcs11 needs ${missing.join(', ')}`);
  }
  return parsed.data;
}

/** DI token for the validated configuration. */
export const APP_CONFIG = Symbol('AppConfig');
