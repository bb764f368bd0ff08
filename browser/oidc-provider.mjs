// A real OpenID Connect provider on loopback for Deling's single sign-on
// tests: the certified `oidc-provider` package with one confidential
// client (code flow, PKCE required) registered for Deling's callback, and
// a fixed list of accounts. Its login and consent pages are the
// package's development interactions: any password is taken, so only
// ever run it on 127.0.0.1 in a test.
//
// As a program: node oidc-provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI ACCOUNTS_JSON [id-token-claims]
// prints {"issuer": "..."} once it listens, and runs until killed (or its
// standard input closes). ACCOUNTS_JSON maps login names to their claims,
// e.g. {"kari": {"preferred_username": "kari", "email": "kari@kommune.test"}}.
// With "id-token-claims" the claims also go into the ID token; otherwise,
// as the specification has it for the code flow, only the userinfo
// endpoint gives them.
//
// As a module: startProvider({ port, clientId, clientSecret, redirectUri, accounts })
// resolves to { issuer, close }.
import http from "node:http";
import { pathToFileURL } from "node:url";
import Provider from "oidc-provider";

export async function startProvider({ port, clientId, clientSecret, redirectUri, accounts, idTokenClaims = false }) {
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    async findAccount(ctx, id) {
      const claims = accounts[id];
      if (!claims) return undefined;
      return { accountId: id, async claims() { return { sub: id, ...claims }; } };
    },
    claims: {
      openid: ["sub"],
      profile: ["preferred_username", "name"],
      email: ["email", "email_verified"],
    },
    conformIdTokenClaims: !idTokenClaims,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    // Not a secret: the provider lives for one test on loopback.
    cookies: { keys: ["deling-test-provider-cookie-key"] },
  });
  // The package warns about development settings on stderr; the tests
  // read only stdout.
  const server = http.createServer(provider.callback());
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    issuer,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [port, clientId, clientSecret, redirectUri, accountsJson, mode] = process.argv.slice(2);
  const { issuer, close } = await startProvider({
    port: Number(port),
    clientId,
    clientSecret,
    redirectUri,
    accounts: JSON.parse(accountsJson),
    idTokenClaims: mode === "id-token-claims",
  });
  // The package prints notes of its own later; a reader that has gone
  // must not bring the provider down.
  process.stdout.on("error", () => {});
  console.log(JSON.stringify({ issuer }));
  // Ends with the test that started it, even if the test dies.
  process.stdin.on("end", () => close().then(() => process.exit(0)));
  process.stdin.resume();
  process.on("SIGTERM", () => close().then(() => process.exit(0)));
}
