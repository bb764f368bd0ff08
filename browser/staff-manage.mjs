// The dashboard, the following page (also with a form error shown), the
// moderation page and an item's comment thread, in both languages, each
// checked with axe; then a reply to a comment through the browser, seen
// on the public item page.
//
// Usage: node staff-manage.mjs BASE_URL SCREENSHOT_DIR USERNAME PASSWORD ITEM_ID
import { chromium } from "playwright-core";
import { checkPage, failures } from "./lib/check.mjs";

const [base, shots, username, password, item] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const { list, fail } = failures();

async function logIn(page) {
  await page.goto(`${base}/login`);
  await page.fill("#login-username", username);
  await page.fill("#login-password", password);
  await Promise.all([page.waitForNavigation(), page.click("form.stack button[type=submit]")]);
  if (new URL(page.url()).pathname !== "/staff") fail(`login landed on ${page.url()}`);
}

for (const lang of ["nb", "en"]) {
  const context = await browser.newContext({ locale: lang === "nb" ? "nb-NO" : "en-GB" });
  const page = await context.newPage();
  await logIn(page);
  const check = (name) => checkPage(page, { where: `${lang} ${name}`, lang, shots, name: `${lang}-manage-${name}`, fail });

  await page.goto(`${base}/staff?lang=${lang}`);
  await check("dashboard");

  await page.goto(`${base}/staff/agencies/oslo/following`);
  await check("following");
  await page.fill("#follow-target", "not a handle <b>x</b>");
  await Promise.all([page.waitForNavigation(), page.click("form[action$='/following'] button[type=submit]")]);
  const invalid = await page.getAttribute("#follow-target", "aria-invalid");
  const described = await page.getAttribute("#follow-target", "aria-describedby");
  if (invalid !== "true" || !described?.includes("follow-target-error")) {
    fail(`${lang} following error: invalid=${invalid} describedby=${described}`);
  }
  if ((await page.inputValue("#follow-target")) !== "not a handle <b>x</b>") fail(`${lang}: the typed target was not kept`);
  await check("following-error");

  await page.goto(`${base}/staff/moderation`);
  await check("moderation");
  await page.goto(`${base}/staff/moderation/items/${item}`);
  await check("thread");
  await context.close();
}

// A reply to Eve's comment, through the thread's reply form.
{
  const context = await browser.newContext({ locale: "nb-NO" });
  const page = await context.newPage();
  await logIn(page);
  await page.goto(`${base}/staff/moderation/items/${item}`);
  const comment = page.locator("li.mod-comment").first();
  await comment.locator("details summary").first().click();
  const text = "Takk, Eve! Vi ser på det.";
  await comment.locator("textarea[name=body]").fill(text);
  await Promise.all([page.waitForNavigation(), comment.locator("form[action$='/reply'] button[type=submit]").click()]);
  const notice = await page.textContent("p.notice");
  if (!notice) fail("no notice after the reply");
  // The answer goes to the new comment's anchor; checked from the top.
  const at = new URL(page.url());
  at.hash = "";
  await page.goto(at.toString());
  await checkPage(page, { where: "after the reply", lang: "nb", shots, name: "nb-manage-replied", fail });
  await page.goto(`${base}/items/${item}`);
  const thread = await page.textContent("section.comments");
  if (!thread.includes(text)) fail("the reply is not on the public item page");
  await context.close();
}

await browser.close();
console.log(JSON.stringify({ failures: list.length }));
process.exit(list.length ? 1 : 0);
