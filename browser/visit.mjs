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
import AxeBuilder from "@axe-core/playwright";

const [base, shots, pagesJson] = process.argv.slice(2);
const pages = JSON.parse(pagesJson);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
const failures = [];
const fail = (what) => {
  failures.push(what);
  console.log(JSON.stringify({ failure: what }));
};

for (const lang of ["nb", "en"]) {
  const context = await browser.newContext({ locale: lang === "nb" ? "nb-NO" : "en-GB" });
  const page = await context.newPage();
  for (const [path, status] of pages) {
    const resp = await page.goto(base + path);
    const where = `${lang} ${path}`;
    if (resp.status() !== status) fail(`${where}: status ${resp.status()}, expected ${status}`);
    const htmlLang = await page.getAttribute("html", "lang");
    if (htmlLang !== lang) fail(`${where}: <html lang="${htmlLang}">`);
    await page.keyboard.press("Tab");
    const focus = await page.evaluate(() => {
      const el = document.activeElement;
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return {
        skip: el.classList.contains("skip"),
        visible: box.top >= 0 && box.height > 0,
        ring: style.outlineStyle !== "none" || style.boxShadow !== "none",
      };
    });
    if (!focus.skip || !focus.visible || !focus.ring) {
      fail(`${where}: the first Tab does not show the skip link with a focus ring: ${JSON.stringify(focus)}`);
    }
    const axe = await new AxeBuilder({ page })
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
      .analyze();
    for (const v of axe.violations) {
      fail(`${where}: axe ${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    }
    const file = `${shots}/${lang}${path.replace(/[^a-z0-9]+/gi, "_")}.png`;
    await page.screenshot({ path: file, fullPage: true });
    console.log(JSON.stringify({ lang, path, status: resp.status(), violations: axe.violations.length, passes: axe.passes.length, screenshot: file }));
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
