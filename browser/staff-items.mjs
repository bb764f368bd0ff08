// The item pages of the staff area, in both languages: a staff member
// logs in, chooses a kind, sends the dataset form with mistakes (errors
// shown next to their fields), previews, publishes a dataset with two
// distributions, finds it on the agency's public page, edits it, pins it
// and withdraws it (the item then answers 410). Every page is checked
// with axe and screenshotted. Then the item form with the keyboard alone:
// Tab to each control (each showing its focus ring), typing, and Enter.
//
// Usage: node staff-items.mjs BASE_URL SCREENSHOT_DIR USERNAME PASSWORD AGENCY_SLUG
import { chromium } from "playwright-core";
import { checkPage, failures, logIn } from "./lib/check.mjs";

const [base, shots, username, password, slug] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const { list, fail } = failures();

/** Submits by clicking `selector` and waits for the next page. */
async function press(page, selector) {
  const [response] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return response;
}

/** Checks that the control `id` is marked invalid and tied to its error. */
async function expectError(page, id, where) {
  const invalid = await page.getAttribute(`#${id}`, "aria-invalid");
  const described = (await page.getAttribute(`#${id}`, "aria-describedby")) || "";
  const error = await page.$(`#${id}-error`);
  if (invalid !== "true" || !described.split(" ").includes(`${id}-error`) || !error) {
    fail(`${where}: ${id} is not shown as wrong (invalid=${invalid} describedby=${described})`);
  }
}

for (const lang of ["nb", "en"]) {
  const context = await browser.newContext({ locale: lang === "nb" ? "nb-NO" : "en-GB" });
  const page = await context.newPage();
  await logIn(page, base, username, password);
  const title = lang === "nb" ? "Bysykkeldata" : "City bike data";
  const check = (where, name) => checkPage(page, { where: `${lang} ${where}`, lang, shots, name: `${lang}-items-${name}`, fail });

  // The agency's list, still empty, then the kinds.
  await page.goto(`${base}/staff/agencies/${slug}/items?lang=${lang}`);
  await check("agency item list (empty)", "list-empty");
  await press(page, `a[href="/staff/agencies/${slug}/items/new"]`);
  await check("kind chooser", "kinds");
  // Every other kind's form passes too (in one language: the same
  // template, and the run must stay well inside its time limit).
  for (const kind of lang === "nb" ? ["guide", "software", "service", "question", "event"] : []) {
    await page.goto(`${base}/staff/agencies/${slug}/items/new?kind=${kind}`);
    await check(`new ${kind} form`, `new-${kind}`);
  }
  await page.goto(`${base}/staff/agencies/${slug}/items/new`);
  await press(page, `a[href$="new?kind=dataset"]`);
  await check("new dataset form", "new");

  // Mistakes: no title, a bad address in distribution 2.
  await page.fill("#f-dist_url-0", "https://data.example.no/turer.csv");
  await page.fill("#f-dist_url-1", "not an address");
  const bad = await press(page, 'button[name="save"]');
  if (bad.status() !== 422) fail(`${lang}: the form with mistakes answered ${bad.status()}`);
  await expectError(page, "f-title", lang);
  await expectError(page, "f-dist_url-1", lang);
  if ((await page.inputValue("#f-dist_url-1")) !== "not an address") fail(`${lang}: the typed address was lost`);
  if (await page.getAttribute("#f-dist_url-0", "aria-invalid")) fail(`${lang}: distribution 1 is marked wrong`);
  await check("form with errors", "errors");

  // Put right, previewed, published.
  await page.fill("#f-title", title);
  await page.fill("#f-summary", lang === "nb" ? "Turer med bysykkel i Oslo" : "Trips by city bike");
  await page.fill("#f-body", "## Data\n\nUpdated *every night*.\n\n- CSV\n- JSON");
  await page.fill("#f-tags", "mobility, bike");
  await page.fill("#f-license", "NLOD-2.0");
  await page.selectOption("#f-meta_access_rights", "public");
  await page.fill("#f-dist_format-0", "CSV");
  await page.fill("#f-dist_url-1", "https://data.example.no/turer.json");
  await page.fill("#f-dist_format-1", "JSON");
  await press(page, 'button[name="preview"]');
  const rendered = await page.innerHTML(".preview-body");
  if (!rendered.includes("<em>every night</em>")) fail(`${lang}: the preview does not render the body: ${rendered}`);
  await check("preview", "preview");
  await press(page, 'button[name="save"]');
  if (!new URL(page.url()).pathname.endsWith(`/staff/agencies/${slug}/items`)) fail(`${lang}: after publishing at ${page.url()}`);
  const row = page.locator("table.item-list tbody tr", { hasText: title });
  if ((await row.count()) !== 1) fail(`${lang}: the new item is not on the list`);
  await check("agency item list", "list");

  // On the agency's public page, and its own page with both distributions.
  await press(page, "main p.actions a:not(.button)");
  if (!(await page.content()).includes(title)) fail(`${lang}: the item is not on the agency page`);
  await press(page, `a:text("${title}")`);
  const itemUrl = page.url();
  const itemHtml = await page.content();
  for (const url of ["https://data.example.no/turer.csv", "https://data.example.no/turer.json"]) {
    if (!itemHtml.includes(url)) fail(`${lang}: the item page lacks the distribution ${url}`);
  }

  // Edit, pin, withdraw.
  await page.goto(`${base}/staff/agencies/${slug}/items`);
  await press(page, `#${await row.getAttribute("id")} a[href$="/edit"]`);
  await check("edit form", "edit");
  await page.fill("#f-title", `${title} 2026`);
  await press(page, 'button[name="save"]');
  const edited = page.locator("table.item-list tbody tr", { hasText: `${title} 2026` });
  if ((await edited.count()) !== 1) fail(`${lang}: the edit is not on the list`);
  await press(page, `#${await edited.getAttribute("id")} form[action$="/pin"] button`);
  if ((await page.locator(`#${await edited.getAttribute("id")} form[action$="/unpin"]`).count()) !== 1) {
    fail(`${lang}: the item is not shown as pinned`);
  }
  await check("list after pinning", "pinned");

  // Another agency's item: shared in one language, taken back in the other.
  const other = page.locator('main form[action$="/share"] button, main form[action$="/unshare"] button').first();
  if ((await other.count()) !== 1) fail(`${lang}: no other agency's item to share`);
  await Promise.all([page.waitForNavigation(), other.click()]);
  const notice = await page.textContent("p.notice");
  if (!notice) fail(`${lang}: no notice after sharing`);
  await check("list after sharing", "shared");
  await press(page, `#${await edited.getAttribute("id")} a[href$="/withdraw"]`);
  await check("withdraw confirmation", "withdraw");
  await press(page, "main form button[type=submit]");
  if (!(await page.textContent("p.notice")))
    fail(`${lang}: no notice after withdrawing`);
  const gone = await page.goto(itemUrl);
  if (gone.status() !== 410) fail(`${lang}: the withdrawn item answers ${gone.status()}`);
  await context.close();
}

// Keyboard only: from the top of the new-dataset form, Tab through every
// control (each must show its focus ring), type where there is something
// to fill in, and send it with Enter on the publish button.
{
  const context = await browser.newContext({ locale: "nb-NO" });
  const page = await context.newPage();
  await logIn(page, base, username, password);
  await page.goto(`${base}/staff/agencies/${slug}/items/new?kind=dataset&lang=nb`);
  const typed = {
    "f-title": "Tastaturdata",
    "f-summary": "Skrevet uten mus",
    "f-dist_url-0": "https://data.example.no/tastatur.csv",
    "f-dist_url-1": "https://data.example.no/tastatur.json",
  };
  const reached = [];
  let onSave = false;
  for (let i = 0; i < 200 && !onSave; i++) {
    await page.keyboard.press("Tab");
    const el = await page.evaluate(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      return {
        id: el.id,
        tag: el.tagName.toLowerCase(),
        name: el.getAttribute("name"),
        inForm: !!el.closest("#item-form"),
        ring: style.outlineStyle !== "none" || style.boxShadow !== "none",
      };
    });
    if (!el.ring) fail(`keyboard: no focus ring on ${el.tag}#${el.id || el.name}`);
    if (!el.inForm) continue;
    reached.push(el.id || el.name);
    if (typed[el.id]) await page.keyboard.type(typed[el.id]);
    onSave = el.tag === "button" && el.name === "save";
  }
  for (const id of Object.keys(typed)) {
    if (!reached.includes(id)) fail(`keyboard: Tab never reached ${id}`);
  }
  if (!onSave) fail("keyboard: Tab never reached the publish button");
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  if (!new URL(page.url()).pathname.endsWith(`/staff/agencies/${slug}/items`)) {
    fail(`keyboard: after Enter the browser is at ${page.url()}`);
  }
  if (!(await page.content()).includes("Tastaturdata")) fail("keyboard: the item was not published");
  console.log(JSON.stringify({ keyboard: reached.length }));
  await context.close();
}

await browser.close();
console.log(JSON.stringify({ failures: list.length }));
process.exit(list.length ? 1 : 0);
