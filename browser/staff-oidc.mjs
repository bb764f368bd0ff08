// Single sign-on in Chromium, in both languages: Deling's login page with
// the "Log in with ..." button, the round trip through a real OpenID
// Connect provider (oidc-provider, started here on loopback) back to the
// page asked for, logged in; and the page that refuses an account the
// provider knows but Deling does not. Deling's pages get checkPage (axe,
// language, focus); the provider's own pages are not Deling's and are not
// checked.
//
// Usage: node staff-oidc.mjs BASE_URL SCREENSHOT_DIR PROVIDER_PORT CLIENT_ID CLIENT_SECRET
import { chromium } from "playwright-core";
import { checkPage, failures } from "./lib/check.mjs";
import { startProvider } from "./oidc-provider.mjs";

const [base, shots, port, clientId, clientSecret] = process.argv.slice(2);
const provider = await startProvider({
  port: Number(port),
  clientId,
  clientSecret,
  redirectUri: `${base}/login/oidc/callback`,
  accounts: {
    kari: { preferred_username: "kari", name: "Kari Nordmann" },
    ola: { preferred_username: "ola.ukjent", name: "Ola Ukjent" },
  },
});
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const { list, fail } = failures();

/** At the provider's development pages: log in as `login`, then consent. */
async function atProvider(page, login) {
  await page.waitForURL((u) => u.href.startsWith(`${provider.issuer}/interaction/`));
  const loginPage = page.url();
  await page.fill("input[name=login]", login);
  await page.fill("input[name=password]", "any password");
  await page.click("button[type=submit]");
  await page.waitForURL((u) => u.href.startsWith(base) || (u.href.startsWith(`${provider.issuer}/interaction/`) && u.href !== loginPage));
  if (page.url().startsWith(provider.issuer)) {
    // The consent page; its button sends the browser back to Deling.
    await page.click("button[type=submit]");
    await page.waitForURL((u) => u.href.startsWith(base));
  }
  await page.waitForLoadState("load");
}

for (const lang of ["nb", "en"]) {
  const label = lang === "nb" ? "Logg inn med Testporten" : "Log in with Testporten";

  // The login page with the button, then the round trip.
  {
    const context = await browser.newContext({ locale: lang === "nb" ? "nb-NO" : "en-GB" });
    const page = await context.newPage();
    await page.goto(`${base}/login?next=/search`);
    await checkPage(page, { where: `${lang} login with single sign-on`, lang, shots, name: `${lang}-oidc-login`, fail });
    const button = page.locator("a.sso-button");
    if ((await button.count()) !== 1) fail(`${lang}: no single sign-on button`);
    const text = (await button.textContent())?.trim();
    if (text !== label) fail(`${lang}: the button says ${JSON.stringify(text)}, not ${JSON.stringify(label)}`);
    await button.click();
    await atProvider(page, "kari");
    const url = new URL(page.url());
    if (url.origin !== new URL(base).origin || url.pathname !== "/search") {
      fail(`${lang}: after single sign-on the browser is at ${page.url()}, not ${base}/search`);
    }
    // Logged in: the login page now goes straight on to `next`.
    await page.goto(`${base}/login?next=/search`);
    if (new URL(page.url()).pathname !== "/search") fail(`${lang}: not logged in after single sign-on (${page.url()})`);
    const cookies = await context.cookies(base);
    const session = cookies.find((c) => c.name === "deling_session");
    if (!session || !session.httpOnly || session.sameSite !== "Lax") {
      fail(`${lang}: the session cookie is ${JSON.stringify(session)}`);
    }
    if (cookies.some((c) => c.name === "deling_oidc")) fail(`${lang}: the single sign-on cookie stayed`);
    await context.close();
  }

  // An account the provider knows and Deling does not: the refusal page.
  {
    const context = await browser.newContext({ locale: lang === "nb" ? "nb-NO" : "en-GB" });
    const page = await context.newPage();
    await page.goto(`${base}/login?next=/search`);
    await page.click("a.sso-button");
    await atProvider(page, "ola");
    const url = new URL(page.url());
    if (url.pathname !== "/login/oidc/callback") fail(`${lang}: the refusal is at ${page.url()}`);
    const problem = await page.textContent("#oidc-problem");
    if (!problem || !problem.includes("ola.ukjent")) fail(`${lang}: the refusal says ${JSON.stringify(problem)}`);
    await checkPage(page, { where: `${lang} single sign-on refused`, lang, shots, name: `${lang}-oidc-refused`, fail });
    if ((await context.cookies(base)).some((c) => c.name === "deling_session")) {
      fail(`${lang}: a refused account got a session`);
    }
    // The way back leads to the login page, still going to /search.
    await Promise.all([page.waitForNavigation(), page.click("ul.oidc-ways a[href^='/login?']")]);
    const back = new URL(page.url());
    if (back.pathname !== "/login" || back.searchParams.get("next") !== "/search") {
      fail(`${lang}: the way back goes to ${page.url()}`);
    }
    await context.close();
  }
}

await browser.close();
await provider.close();
console.log(JSON.stringify({ failures: list.length }));
process.exit(list.length ? 1 : 0);
