// A real OpenID Connect provider for the e2e suite: panva's oidc-provider (the certified Node implementation) on a
// free loopback port, with its development login screens (any login name, any password: the name becomes the
// subject) and one client registered for the dashboard. Test-only: it stands in for a plant's identity provider.
import type { Server } from "node:http";
import Provider from "oidc-provider";

export type TestIdp = { issuer: string; stop: () => Promise<void> };

/** The dashboard's client at the test provider (BDI_OIDC_CLIENT_ID / BDI_OIDC_CLIENT_SECRET). */
export const TEST_IDP_CLIENT = { clientId: "bdi-dashboard", clientSecret: "e2e-client-secret-0123456789abcdef" };

/** Starts the provider on `port`; `redirectUri` is the dashboard's `/api/auth/callback/oidc`. */
export async function startTestIdp(opts: { port: number; redirectUri: string }): Promise<TestIdp> {
  const port = opts.port;
  const issuer = `http://127.0.0.1:${port}`;
  const { clientId, clientSecret } = TEST_IDP_CLIENT;
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [opts.redirectUri], grant_types: ["authorization_code"], response_types: ["code"] }],
    claims: { openid: ["sub"], profile: ["name", "preferred_username"], email: ["email"] },
    // next-auth reads the user from the ID token: put the scope's claims there, not only in /userinfo.
    conformIdTokenClaims: false,
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, preferred_username: sub, name: `Operator ${sub}`, email: `${sub}@plant.example` }),
    }),
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ["e2e-idp-cookie-key-0123456789"] },
  });
  const server: Server = provider.listen(port);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  return {
    issuer,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
