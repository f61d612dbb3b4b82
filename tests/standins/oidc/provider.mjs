// Cognito stand-in: oidc-provider on loopback HTTP with Cognito's endpoint paths.
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] || process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node provider.mjs <port>  (or PORT=<port>)');
  process.exit(2);
}

const required = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`missing environment variable ${name}`);
    process.exit(2);
  }
  return value;
};
const list = (name) => required(name).split(',').map((s) => s.trim()).filter(Boolean);

const issuer = `http://127.0.0.1:${port}`;

// A fresh signing key per run keeps tests independent of any dev key bundled with the library.
const signingKey = {
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: randomBytes(8).toString('hex'),
  use: 'sig',
  alg: 'RS256',
};

const clientId = required('CLIENT_ID');
// Cognito's app client "sign-out URLs": logout_uri must be one of them exactly.
const logoutUris = list('POST_LOGOUT_REDIRECT_URIS');

const configuration = {
  clients: [{
    client_id: clientId,
    client_secret: required('CLIENT_SECRET'),
    redirect_uris: list('REDIRECT_URIS'),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    // oidc-provider accepts client_secret_basic too for a client registered with client_secret_post.
    token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: { keys: [signingKey] },
  // Cookies get the Secure flag only on HTTPS requests, so plain loopback HTTP needs no proxy setting.
  cookies: { keys: [randomBytes(32).toString('hex')] },
  routes: {
    authorization: '/oauth2/authorize',
    token: '/oauth2/token',
    userinfo: '/oauth2/userInfo',
    jwks: '/.well-known/jwks.json',
  },
  features: {
    devInteractions: { enabled: true },
    // Cognito has no OIDC RP-initiated logout (no end_session_endpoint); its /logout is below.
    rpInitiatedLogout: { enabled: false },
  },
  responseTypes: ['code'],
  pkce: { required: () => true },
  // Cognito puts profile/email claims straight into the ID token, not only behind userinfo.
  conformIdTokenClaims: false,
  scopes: ['openid', 'email', 'profile', 'phone'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['cognito:username', 'name'],
    phone: ['phone_number', 'phone_number_verified'],
  },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: id.includes('@') ? id : `${id}@example.com`,
          email_verified: true,
          'cognito:username': id,
        };
      },
    };
  },
};

const provider = new Provider(issuer, configuration);

// Cognito's hosted-UI logout endpoint (AWS "Logout endpoint"): GET /logout?client_id=…&logout_uri=…, with
// logout_uri exactly one of the client's sign-out URLs. Anything else (OIDC's id_token_hint or
// post_logout_redirect_uri, a missing or unknown parameter) is refused with 400, so a client sending the
// wrong shape is caught. It ends the provider's session and sends the browser to logout_uri.
const COGNITO_LOGOUT_PARAMS = new Set(['client_id', 'logout_uri']);
provider.use(async (ctx, next) => {
  if (ctx.path !== '/logout') {
    await next();
    return;
  }
  const params = ctx.query;
  const unexpected = Object.keys(params).filter((name) => !COGNITO_LOGOUT_PARAMS.has(name));
  const refuse = (message) => {
    ctx.status = 400;
    ctx.type = 'text/plain';
    ctx.body = message;
  };
  if (ctx.method !== 'GET') return refuse('logout takes GET');
  if (unexpected.length) return refuse(`unexpected parameters: ${unexpected.join(', ')}`);
  if (params.client_id !== clientId) return refuse('client_id is missing or unknown');
  if (typeof params.logout_uri !== 'string' || !logoutUris.includes(params.logout_uri)) {
    return refuse('logout_uri is missing or not a registered sign-out URL');
  }
  const session = await provider.Session.get(ctx);
  await session.destroy();
  ctx.cookies.set(provider.cookieName('session'), null);
  ctx.redirect(params.logout_uri);
  return undefined;
});

const server = provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`READY ${issuer}\n`);
});

const shutdown = () => server.close(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
