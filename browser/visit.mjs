// Visits Deling's public pages in headless Chromium, as a person would,
// and checks each one: it loads with the expected status, it is in the
// language asked for, the first Tab lands on a visible skip link, and axe
// finds no WCAG 2.0/2.1 A or AA violation. It also follows the item
// page's tag link and opens the Atom feed.
//
// Usage: node visit.mjs BASE_URL SCREENSHOT_DIR '[["/path", 200], ...]'
// Prints one JSON line per page and a closing summary line; exits 1 when
// any check failed. Chromium comes from $CHROMIUM, else /usr/bin/chromium.
import { chromium } from "playwright-core";
import { checkPage, failures as collect } from "./lib/check.mjs";

const [base, shots, pagesJson] = process.argv.slice(2);
const pages = JSON.parse(pagesJson);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
const { list: failures, fail } = collect();

for (const lang of ["nb", "en"]) {
  const context = await browser.newContext({ locale: lang === "nb" ? "nb-NO" : "en-GB" });
  const page = await context.newPage();
  for (const [path, status] of pages) {
    const resp = await page.goto(base + path);
    const where = `${lang} ${path}`;
    if (resp.status() !== status) fail(`${where}: status ${resp.status()}, expected ${status}`);
    const name = `${lang}${path.replace(/[^a-z0-9]+/gi, "_")}`;
    await checkPage(page, { where, lang, shots, name, fail });
  }
  await context.close();
}

// A visitor's way through: front page, an item, its tag, the feed.
{
  const context = await browser.newContext({ locale: "nb-NO" });
  const page = await context.newPage();
  await page.goto(base + "/");
  await page.locator("ol.cards h3 a").first().click();
  await page.locator("a[rel=tag]").first().click();
  if (!/\/tags\//.test(page.url())) fail(`the tag link led to ${page.url()}`);
  const feed = await page.locator("link[type='application/atom+xml']").getAttribute("href");
  const resp = await page.request.get(feed);
  const body = await resp.text();
  if (!resp.ok() || !body.includes("<feed")) fail(`the tag page's feed ${feed}: ${resp.status()}`);
  console.log(JSON.stringify({ walk: page.url(), feed, feedStatus: resp.status() }));
  await context.close();
}

await browser.close();
console.log(JSON.stringify({ pages: pages.length * 2, failures: failures.length }));
process.exit(failures.length === 0 ? 0 : 1);
