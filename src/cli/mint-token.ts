import { Command, InvalidArgumentError } from 'commander';
import { loadAppConfig } from '../config/app-config';
import { loadOrCreateLocalIssuerKey, mintToken } from '../auth/local-token-issuer';
import { createSignInCode } from '../console/sign-in-codes';

/**
 * Mints a Bearer token from the embedded default's local issuer, for a person acting for a party
 * in some roles. Reads DATA_DIR, AUTH_ISSUER and AUTH_AUDIENCE like the service does.
 */
const positive = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new InvalidArgumentError('must be a positive whole number of seconds');
  return parsed;
};

interface TokenOptions {
  person: string;
  party: string;
  role: string[];
  ttl: number;
  console?: boolean;
  url?: string;
}

const program = new Command()
  .name('token')
  .description('Mint a Bearer token for the local issuer of the embedded setup')
  .requiredOption('--person <id>', 'the person (token subject)')
  .requiredOption('--party <id>', 'the party the person acts for')
  .option('--role <role...>', 'one or more roles held for that party', [])
  .option('--ttl <seconds>', 'lifetime of the token', positive, 8 * 3600)
  .option(
    '--console',
    'print a one-time sign-in link for the web console instead of a token (valid 2 minutes, once)',
  )
  .option('--url <base>', 'the service URL the link points at (default http://127.0.0.1:$PORT)')
  .action(async (options: TokenOptions) => {
    const config = loadAppConfig(process.env);
    if (config.AUTH_JWKS_URL) {
      throw new Error(
        'AUTH_JWKS_URL is set: tokens come from that identity provider, not from the local issuer',
      );
    }
    if (options.console) {
      // The link carries a code, never the token: see src/console/sign-in-codes.ts for why.
      const code = createSignInCode(config.DATA_DIR, {
        personId: options.person,
        partyId: options.party,
        roles: options.role,
        tokenTtlSeconds: options.ttl,
      });
      const base = (options.url ?? `http://127.0.0.1:${config.PORT}`).replace(/\/+$/, '');
      process.stdout.write(`${base}/console/#signin=${code}\n`);
      return;
    }
    const key = await loadOrCreateLocalIssuerKey(config.DATA_DIR);
    const token = await mintToken(key, config.AUTH_ISSUER, config.AUTH_AUDIENCE, {
      personId: options.person,
      partyId: options.party,
      roles: options.role,
      ttlSeconds: options.ttl,
    });
    process.stdout.write(`${token}\n`);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
