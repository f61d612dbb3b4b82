// Third-party OAuth 2 authorization server stand-in (the apps' providers): oidc-provider on loopback HTTP with
// refresh tokens that rotate (a refresh token works once; reusing one fails and revokes its grant), RFC 7009
// revocation at /token/revocation and RFC 7662 introspection at /token/introspection (the API stand-ins ask it
// whether a bearer token is live). Clients come from CLIENTS (JSON: [{client_id, client_secret,
// token_endpoint_auth_method}]); scopes it grants from SCOPES (space-separated; others asked for are dropped).
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] || process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.CLIENTS || '[]');
const redirectUris = (process.env.REDIRECT_URIS || '').split(',').filter(Boolean);
const scopes = (process.env.SCOPES || 'openid email profile').split(' ').filter(Boolean);
const tokenExtras = JSON.parse(process.env.TOKEN_EXTRAS || '{}');
const accessTokenTtl = Number(process.env.ACCESS_TOKEN_TTL || 3600);
// "client_id:seconds,…": clients whose first access token (from the authorization code) runs out quickly, so a
// test can wait for it to expire; tokens from a refresh live ACCESS_TOKEN_TTL.
const shortTtl = Object.fromEntries((process.env.SHORT_TTL_CLIENTS || '').split(',').filter(Boolean)
  .map((pair) => [pair.split(':')[0], Number(pair.split(':')[1])]));
// The introspection client (the API stand-ins) may ask about any token.
const introspector = { client_id: 'api-standin', client_secret: process.env.INTROSPECTION_SECRET || 'api-standin-secret',
  redirect_uris: [], grant_types: [], response_types: [], token_endpoint_auth_method: 'client_secret_basic' };

const signingKey = {
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256',
};

const provider = new Provider(issuer, {
  clients: [...clients.map((client) => ({
    client_id: client.client_id,
    client_secret: client.client_secret,
    token_endpoint_auth_method: client.token_endpoint_auth_method || 'client_secret_post',
    redirect_uris: redirectUris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  })), introspector],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  features: {
    devInteractions: { enabled: true },
    revocation: { enabled: true, allowedPolicy: async (ctx, client, token) => token.clientId === client.clientId },
    introspection: { enabled: true, allowedPolicy: async () => true },
    rpInitiatedLogout: { enabled: false },
  },
  responseTypes: ['code'],
  pkce: { required: () => false },  // required of a request only when the app's catalog entry asks for it
  scopes,
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  ttl: { AccessToken: (ctx, token, client) => (token.gty === 'authorization_code' && shortTtl[client.clientId])
    || accessTokenTtl, AuthorizationCode: 60, Grant: 86400, Interaction: 600, Session: 86400,
         RefreshToken: 86400 },
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        const email = id.includes('@') ? id : `${id}@example.com`;
        return { sub: id, email, email_verified: true, name: `Account ${id.split('@')[0]}` };
      },
    };
  },
});

let failNext = false;
let tokenDelayMs = 0;

// The dev consent grants every scope asked for that the provider knows (SCOPES); unknown ones are dropped,
// which is how a test makes the provider grant less than an app needs.
provider.use(async (ctx, next) => {
  if (ctx.path === '/__fail' && ctx.method === 'POST') {  // make the token endpoint answer 500 once
    failNext = true;
    ctx.status = 204;
    return;
  }
  if (ctx.path === '/__delay' && ctx.method === 'POST') {  // the token endpoint answers this much later from now on
    tokenDelayMs = Number(ctx.query.ms || 0);
    ctx.status = 204;
    return;
  }
  if (tokenDelayMs && ctx.path === '/token') {
    await new Promise((resolve) => { setTimeout(resolve, tokenDelayMs); });
  }
  if (failNext && ctx.path === '/token') {
    failNext = false;
    ctx.status = 500;
    ctx.type = 'text/html';
    ctx.body = '<h1>Internal Server Error</h1>';
    return;
  }
  await next();
  // Providers add their own members to the token answer (Slack: the channel chosen on the consent screen).
  const extras = tokenExtras[ctx.oidc?.client?.clientId];
  if (ctx.path === '/token' && ctx.status === 200 && extras && ctx.body && typeof ctx.body === 'object') {
    Object.assign(ctx.body, extras);
  }
});

// Why a grant was refused, for a failing test's output (the answer itself says only invalid_grant).
provider.on('grant.error', (ctx, error) => process.stderr.write(`grant.error ${error.error_detail || error.message}\n`));

const server = provider.listen(port, '127.0.0.1', () => process.stdout.write(`READY ${issuer}\n`));
const shutdown = () => server.close(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
