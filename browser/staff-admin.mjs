// The administration pages in both languages, as an instance
// administrator who also runs an agency: the admin home, the agency
// profile form (and again with errors shown, which must be tied to their
// fields), the staff page, the federation policy page and the audit log.
//
// Usage: node staff-admin.mjs BASE_URL SCREENSHOT_DIR USERNAME PASSWORD SLUG
import { chromium } from "playwright-core";
import { checkPage, failures, logIn } from "./lib/check.mjs";

const [base, shots, username, password, slug] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const { list, fail } = failures();

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

for (const lang of ["nb", "en"]) {
  const context = await browser.newContext({ locale: lang === "nb" ? "nb-NO" : "en-GB" });
  const page = await context.newPage();
  await logIn(page, base, username, password);
  const check = (where, name) => checkPage(page, { where: `${lang} ${where}`, lang, shots, name: `${lang}-admin-${name}`, fail });

  await page.goto(`${base}/staff/admin`);
  await check("admin home", "home");

  // The profile form, then the same form with errors.
  await page.goto(`${base}/staff/admin/agencies/${slug}`);
  await check("agency profile", "profile");
  await page.fill("#admin-org-number", "123");
  await page.fill("#admin-website", "not a web address");
  await submit(page, "form.stack button[type=submit]");
  const describedBy = await page.getAttribute("#admin-org-number", "aria-describedby");
  const invalid = await page.getAttribute("#admin-website", "aria-invalid");
  if (!describedBy || !describedBy.includes("admin-org-number-error") || invalid !== "true") {
    fail(`${lang} profile errors: describedby=${describedBy} invalid=${invalid}`);
  }
  if ((await page.inputValue("#admin-org-number")) !== "123") fail(`${lang}: the org number typed was not kept`);
  await check("agency profile with errors", "profile-errors");
  // A summary link takes the focus to its field.
  await page.click(".admin-problems a[href='#admin-website']");
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  if (focused !== "admin-website" && !page.url().endsWith("#admin-website")) {
    fail(`${lang}: the summary link did not lead to the field (${focused})`);
  }

  // Staff: add the second account (first run), then look at the page.
  await page.goto(`${base}/staff/admin/agencies/${slug}/staff`);
  if (lang === "nb") {
    await page.fill("#admin-username", "ola");
    await page.selectOption("#admin-new-role", "editor");
    await submit(page, "section[aria-labelledby=admin-add-heading] button[type=submit]");
    if (!(await page.textContent("p.notice"))) fail("no notice after adding a staff member");
  }
  await check("staff page", "staff");

  // Federation policy with a domain block and an actor block listed.
  await page.goto(`${base}/staff/admin/federation`);
  if (lang === "nb") {
    await page.fill("#admin-domain", "spam.example");
    await page.selectOption("#admin-severity", "silence");
    await page.fill("#admin-public-comment", "Spam");
    await submit(page, "form:has(#admin-domain) button[type=submit]");
    await page.fill("#admin-actor", "https://other.example/users/troll");
    await page.fill("#admin-reason", "Trakassering");
    await submit(page, "form:has(#admin-actor) button[type=submit]");
  }
  await check("federation policy", "federation");
  // The CSV import with an error shown.
  await page.fill("#admin-csv", "not a domain,suspend");
  await submit(page, "form:has(#admin-csv) button[type=submit]");
  if ((await page.getAttribute("#admin-csv", "aria-invalid")) !== "true") fail(`${lang}: the CSV error is not on its field`);
  await check("federation policy with a CSV error", "federation-errors");

  await page.goto(`${base}/staff/admin/audit`);
  const rows = await page.$$("table.admin-audit tbody tr");
  if (rows.length < 3) fail(`${lang}: the audit log shows ${rows.length} entries`);
  await check("audit log", "audit");
  await context.close();
}

await browser.close();
console.log(JSON.stringify({ failures: list.length }));
process.exit(list.length ? 1 : 0);
