// A real OpenID Connect provider (npm oidc-provider) for the single sign-on tests.
// Configured from the environment: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (JSON) and ACCOUNTS
// (JSON: {"login": {"email": ..., "name": ..., "groups": [...]}}). It signs people in through its
// own login and consent pages, then issues codes, ID tokens and userinfo with a "groups" claim.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const accounts = JSON.parse(process.env.ACCOUNTS || '{}');

const configuration = {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: JSON.parse(process.env.REDIRECT_URIS),
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  scopes: ['openid', 'profile', 'email', 'groups'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          preferred_username: id,
          name: account.name,
          email: account.email,
          email_verified: true,
          groups: account.groups || [],
        };
      },
    };
  },
  cookies: { keys: ['knowhow-test-only-cookie-key'] },
  features: { devInteractions: { enabled: true } },
};

const provider = new Provider(`http://127.0.0.1:${port}`, configuration);
provider.listen(port, '127.0.0.1', () => {
  console.log(`ready on ${port}`);
});
