// The login page in both languages: the form, and the form again after a
// wrong password (the error announced and tied to the fields); then a
// login with the keyboard alone (Tab, typing, Enter) that lands on the
// page asked for.
//
// Usage: node staff-login.mjs BASE_URL SCREENSHOT_DIR USERNAME PASSWORD
import { chromium } from "playwright-core";
import { checkPage, failures } from "./lib/check.mjs";

const [base, shots, username, password] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const { list, fail } = failures();

for (const lang of ["nb", "en"]) {
  const context = await browser.newContext({ locale: lang === "nb" ? "nb-NO" : "en-GB" });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await checkPage(page, { where: `${lang} login`, lang, shots, name: `${lang}-login`, fail });
  await page.fill("#login-username", username);
  await page.fill("#login-password", "not the password at all");
  await Promise.all([page.waitForNavigation(), page.click("form.stack button[type=submit]")]);
  const described = await page.getAttribute("#login-username", "aria-describedby");
  const invalid = await page.getAttribute("#login-password", "aria-invalid");
  const alert = await page.textContent("#login-error");
  if (described !== "login-error" || invalid !== "true" || !alert) {
    fail(`${lang} login error: describedby=${described} invalid=${invalid} alert=${alert}`);
  }
  if ((await page.inputValue("#login-username")) !== username) fail(`${lang}: the username was not kept`);
  await checkPage(page, { where: `${lang} login with error`, lang, shots, name: `${lang}-login-error`, fail });
  await context.close();
}

// Keyboard only: skip link, then Tab to each field, type, Enter.
{
  const context = await browser.newContext({ locale: "nb-NO" });
  const page = await context.newPage();
  await page.goto(`${base}/login?next=/search`);
  await page.focus("#login-username");
  await page.keyboard.type(username);
  await page.keyboard.press("Tab");
  const onPassword = await page.evaluate(() => document.activeElement.id);
  if (onPassword !== "login-password") fail(`Tab from the username went to ${onPassword}`);
  await page.keyboard.type(password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  const url = new URL(page.url());
  if (url.pathname !== "/search") fail(`after login the browser is at ${url.pathname}, not /search`);
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === "deling_session");
  if (!session || !session.httpOnly || session.sameSite !== "Lax") {
    fail(`no HttpOnly, SameSite=Lax session cookie after login: ${JSON.stringify(session)}`);
  }
  await context.close();
}

await browser.close();
console.log(JSON.stringify({ failures: list.length }));
process.exit(list.length ? 1 : 0);
