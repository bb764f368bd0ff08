// What every page the browser tests open must pass, shared by the staff
// scripts: the expected language, a first Tab that shows the skip link
// with a focus ring, and no axe violation at the WCAG 2.0/2.1 A and AA
// tags. Also a screenshot into the run's folder.
import AxeBuilder from "@axe-core/playwright";

/** Collects failures and prints each as a JSON line. */
export function failures() {
  const list = [];
  return {
    list,
    fail(what) {
      list.push(what);
      console.log(JSON.stringify({ failure: what }));
    },
  };
}

/** Checks the open page; `where` names it in failures. */
export async function checkPage(page, { where, lang, shots, name, fail }) {
  const htmlLang = await page.getAttribute("html", "lang");
  if (lang && htmlLang !== lang) fail(`${where}: <html lang="${htmlLang}">`);
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
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
  if (shots && name) {
    await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
  }
  console.log(JSON.stringify({ where, violations: axe.violations.length, passes: axe.passes.length }));
  return axe.violations.length;
}

/** Logs in through the login form in `page`. */
export async function logIn(page, base, username, password) {
  await page.goto(`${base}/login`);
  await page.fill("#login-username", username);
  await page.fill("#login-password", password);
  await Promise.all([page.waitForNavigation(), page.click("form.stack button[type=submit]")]);
}
