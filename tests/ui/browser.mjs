// sk ui in a real browser: Debian's Chromium (/usr/bin/chromium, or SK_UI_CHROMIUM)
// driven by playwright-core, no browser download. crates/sk/tests/it/ui_browser.rs starts
// `sk ui` in a temporary home (the fixture sessions, a hostile one, a learned entry) and
// runs:
//
//     node tests/ui/browser.mjs URL OUTDIR
//
// URL is the line `sk ui` printed (it carries the token); OUTDIR receives a full-page
// screenshot of every page visited (01-search.png, …). Each check that fails is reported
// and the walk goes on where it can, so one run shows everything that is wrong; the exit
// code is 1 when any check failed, 2 when the walk could not go on at all.

import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [url, outdir] = process.argv.slice(2);
if (!url || !outdir) {
  console.error("usage: node tests/ui/browser.mjs URL OUTDIR");
  process.exit(2);
}
const executablePath = process.env.SK_UI_CHROMIUM || "/usr/bin/chromium";
const base = new URL(url).origin;
// A word of the fixture transcripts (both run the same notes.md exercise).
const WORD = "fixture";

mkdirSync(outdir, { recursive: true });
const failures = [];
let shot = 0;

function check(ok, what) {
  if (ok) {
    console.log(`ok: ${what}`);
  } else {
    console.log(`FAIL: ${what}`);
    failures.push(what);
  }
  return ok;
}

const profile = mkdtempSync(join(tmpdir(), "sk-ui-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(15000);

// Anything the page reports as broken: a script error, a CSP violation, a failed asset, a
// request to anywhere but the server.
const consoleErrors = [];
page.on("pageerror", (e) => consoleErrors.push(`page error: ${e.message}`));
page.on("console", (m) => {
  // A failed load is reported with its URL by the response handler below, which knows
  // which 404 the walk asked for.
  if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) consoleErrors.push(`console: ${m.text()}`);
});
page.on("requestfailed", (r) => consoleErrors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
page.on("response", (r) => {
  if (r.status() >= 400 && !r.url().includes("/knowledge/")) consoleErrors.push(`HTTP ${r.status()}: ${r.url()}`);
});
// Every form POST with what the server was told, to see why one was refused.
page.on("response", async (r) => {
  const req = r.request();
  if (req.method() !== "POST") return;
  const h = await req.allHeaders();
  console.log(`POST ${new URL(r.url()).pathname} → ${r.status()} (Origin: ${h.origin ?? "none"}, Sec-Fetch-Site: ${h["sec-fetch-site"] ?? "none"})`);
});
const foreign = [];
page.on("request", (r) => {
  const u = r.url();
  if (!u.startsWith(base) && !u.startsWith("data:")) foreign.push(u);
});

// A page wider than the window (a horizontal scroll bar) is reported, not failed: the
// innermost elements that stick out are named.
async function overflow(name) {
  const o = await page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= w) return null;
    const out = (e) => e.getBoundingClientRect().right > w + 1;
    const culprits = [...document.querySelectorAll("body *")].filter((e) => out(e) && ![...e.children].some(out));
    const describe = (e) => {
      const cls = typeof e.className === "string" && e.className ? `.${e.className.trim().split(/\s+/).join(".")}` : "";
      return `${e.tagName.toLowerCase()}${cls} "${(e.textContent || "").trim().slice(0, 50)}"`;
    };
    return { width: document.documentElement.scrollWidth, window: w, culprits: culprits.slice(0, 3).map(describe) };
  });
  if (o) console.log(`layout warning: ${name} is ${o.width}px wide in a ${o.window}px window: ${o.culprits.join(" | ")}`);
}

async function screenshot(name) {
  await overflow(name);
  shot += 1;
  const file = join(outdir, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
}

async function pwned() {
  return page.evaluate(() => typeof window.__pwned === "undefined" ? "undefined" : String(window.__pwned));
}

async function visible(locator) {
  return (await locator.count()) > 0 && (await locator.first().isVisible());
}

async function run() {
  // 1. The URL with the token: redirected to / without it, the cookie set.
  const opened = await page.goto(url);
  check(opened && opened.ok(), `the printed URL opens (${opened?.status()})`);
  check(!page.url().includes("token="), `the token left the address bar (${page.url()})`);
  check(await visible(page.locator("form.search input#q")), "the search page has the search box");
  await screenshot("search");

  // 2. A search typed into the box.
  await page.fill("#q", WORD);
  await Promise.all([page.waitForURL(/[?&]q=/), page.press("#q", "Enter")]);
  const hits = page.locator("ol#results > li.hit > a.title");
  const n = await hits.count();
  check(n >= 2, `searching "${WORD}" lists at least two results (${n})`);
  const snippetMarks = await page.locator("ol#results p.snippet mark").count();
  check(snippetMarks > 0, `snippets mark the matches (${snippetMarks} marks)`);
  check(await visible(page.locator("details.facets")), "the facets are there");
  await screenshot("search-results");

  // 3. The same with the keyboard only: "/" to the box, type, Enter, j j k, Enter.
  await page.goto(`${base}/`);
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press("/");
  check(await page.evaluate(() => document.activeElement?.id === "q"), '"/" focuses the search box');
  await page.keyboard.type(WORD);
  await Promise.all([page.waitForURL(/[?&]q=/), page.keyboard.press("Enter")]);
  const titles = await hits.evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  const focusedIndex = () =>
    page.evaluate(() => {
      const links = [...document.querySelectorAll("ol#results > li.hit > a.title")];
      return links.indexOf(document.activeElement);
    });
  const currentIndex = () =>
    page.evaluate(() => [...document.querySelectorAll("ol#results > li.hit")].findIndex((li) => li.classList.contains("current")));
  await page.keyboard.press("j");
  const afterJ = [await focusedIndex(), await currentIndex()];
  check(afterJ[0] === 0 && afterJ[1] === 0, `j focuses the first result and marks it current (focus ${afterJ[0]}, current ${afterJ[1]}; the box holds ${JSON.stringify(await page.inputValue("#q"))})`);
  await page.keyboard.press("j");
  const afterJJ = [await focusedIndex(), await currentIndex()];
  check(afterJJ[0] === 1 && afterJJ[1] === 1, `j again: the second result (focus ${afterJJ[0]}, current ${afterJJ[1]})`);
  await page.keyboard.press("k");
  const afterK = [await focusedIndex(), await currentIndex()];
  check(afterK[0] === 0 && afterK[1] === 0, `k: back to the first (focus ${afterK[0]}, current ${afterK[1]})`);
  await screenshot("search-keyboard");
  if (afterK[0] >= 0) {
    const want = titles[afterK[0]];
    await Promise.all([page.waitForURL((u) => u.pathname !== "/"), page.keyboard.press("Enter")]);
    // A session hit opens its session at the matching step (`?at=RECORD` → `?from=N#eM`).
    const wanted = new URL(want, page.url());
    const opened = new URL(page.url());
    const sameSession = opened.pathname === wanted.pathname;
    const atStep = !wanted.searchParams.has("at") || /^#e\d+$/.test(opened.hash);
    check(sameSession && atStep, `Enter opens the focused result at its step (${want} → ${page.url()})`);
    if (atStep && opened.hash) {
      const target = await page.$eval(opened.hash, (el) => el.classList.contains("target")).catch(() => false);
      check(target, `the step ${opened.hash} is marked as the target`);
    }
    check((await page.locator("h1").count()) > 0, "the opened page has a heading");
    await screenshot("opened-by-keyboard");
  } else {
    check(false, "no result had the focus, so Enter could not open one");
  }
  // ArrowDown from the box enters the results too.
  await page.goto(`${base}/?q=${encodeURIComponent(WORD)}`);
  await page.focus("#q");
  await page.keyboard.press("ArrowDown");
  check((await focusedIndex()) === 0, "ArrowDown from the box focuses the first result");

  // 4. The session list; a session with a failed tool call, its output unfolded.
  await page.goto(`${base}/sessions`);
  const rows = page.locator("table.sessions a[href^='/session/']");
  check((await rows.count()) >= 3, `/sessions lists the three sessions (${await rows.count()} links)`);
  await screenshot("sessions");
  const hrefs = await rows.evaluateAll((as) => [...new Set(as.map((a) => a.getAttribute("href")))]);
  const texts = await rows.evaluateAll((as) => as.map((a) => [a.getAttribute("href"), a.closest("tr")?.textContent ?? ""]));
  const hostile = texts.find(([, t]) => t.includes("window.__pwned=1"))?.[0];
  check(!!hostile, "the hostile session's prompt shows as text in /sessions");
  check((await pwned()) === "undefined", "/sessions ran no script from a session");
  const ordinary = hrefs.find((h) => h !== hostile);
  await page.goto(`${base}${ordinary}`);
  const failed = page.locator("article.tool-call.failed");
  check((await failed.count()) > 0, `${ordinary} shows failed tool calls (${await failed.count()})`);
  if ((await failed.count()) > 0) {
    const first = failed.first();
    check(await visible(first.locator("span.fail")), "a failed call is marked ✗");
    const output = first.locator("details.output");
    check((await output.count()) === 1 && !(await output.evaluate((d) => d.open)), "its output is folded");
    const pre = output.locator("pre");
    check(!(await pre.isVisible()), "folded output is hidden");
    await output.locator("summary").click();
    check(await pre.isVisible(), "a click unfolds it");
    const text = (await pre.innerText()).trim();
    check(text.length > 0, `the error text is visible (${JSON.stringify(text.slice(0, 80))})`);
    await first.scrollIntoViewIfNeeded();
  }
  check((await page.locator("article.tool-call span.ok").count()) > 0, "successful calls are marked ✓");
  await screenshot("session-failed-call");

  // 5. The hostile session: its markup is text, nothing ran.
  if (hostile) {
    await page.goto(`${base}${hostile}`);
    check((await pwned()) === "undefined", `window.__pwned is undefined on the hostile session (${await pwned()})`);
    const body = await page.locator("body").innerText();
    check(body.includes("<script>window.__pwned=1</script>"), "the literal <script> text is visible");
    check(body.includes('<img src=x onerror="window.__pwned=2">'), "the literal <img onerror> text is visible");
    check((await page.locator("img[src='x']").count()) === 0, "no <img src=x> element was made");
    const bad = page.locator("article.tool-call.failed details.output");
    if (check((await bad.count()) === 1, "the hostile session's failed npm test")) {
      await bad.locator("summary").click();
      const out = await bad.locator("pre").innerText();
      check(out.includes('Received: "<b>hi</b>"') && out.includes("&lt;b&gt;"), `its output as text (${JSON.stringify(out.slice(0, 120))})`);
    }
    // A deep link to a step opens it (a fresh load: the output above is already open).
    await page.goto(`${base}${hostile}?from=0#e1`);
    check(await page.locator("#e1 details.output").evaluate((d) => d.open).catch(() => false), "#e1 opens that step's output");
    await screenshot("session-hostile");
  }

  // 6. Knowledge: open an entry, forget it, the notice; its title no longer found.
  await page.goto(`${base}/knowledge`);
  const entries = page.locator("ol.entries > li.entry > a.title");
  check((await entries.count()) > 0, `/knowledge lists entries (${await entries.count()})`);
  await screenshot("knowledge");
  if ((await entries.count()) > 0) {
    // The link's text without its category badge.
    const title = await entries.first().evaluate((a) => {
      const copy = a.cloneNode(true);
      copy.querySelectorAll(".badge").forEach((b) => b.remove());
      return copy.textContent.trim();
    });
    const href = await entries.first().getAttribute("href");
    const found = async () => {
      await page.goto(`${base}/`);
      await page.fill("#q", title);
      await Promise.all([page.waitForURL(/[?&]q=/), page.press("#q", "Enter")]);
      return (await page.locator(`ol#results a[href='${href}']`).count()) > 0;
    };
    check(await found(), `searching "${title}" finds ${href} before it is forgotten`);
    await page.goto(`${base}/knowledge`);
    await Promise.all([page.waitForURL((u) => u.pathname === href), entries.first().click()]);
    check((await page.locator("h1").innerText()).includes(title), `the entry page is "${title}"`);
    await screenshot("knowledge-entry");
    await Promise.all([page.waitForURL(/\/knowledge\?done=forgot/), page.click("#forget")]);
    check(await visible(page.locator("p.notice")), `forgetting shows a notice (${await page.locator("p.notice").innerText().catch(() => "none")})`);
    check((await page.locator(`ol.entries a[href='${href}']`).count()) === 0, "the entry left the list");
    await screenshot("knowledge-forgotten");
    check(!(await found()), `searching "${title}" no longer finds ${href}`);
    await screenshot("search-after-forget");
    const gone = await page.goto(`${base}${href}`);
    check(gone?.status() === 404, `${href} is 404 now (${gone?.status()})`);
  }

  // 7. The other pages.
  await page.goto(`${base}/insights`);
  check((await page.locator("figure.chart svg").count()) > 0, "/insights draws charts");
  check((await page.locator("table").count()) > 0, "/insights has tables");
  await screenshot("insights");
  await page.goto(`${base}/health`);
  check((await page.locator("table.doctor tr").count()) > 1, "/health lists the doctor's checks");
  await screenshot("health");

  check(consoleErrors.length === 0, `no script error, CSP violation or failed request (${consoleErrors.join("; ")})`);
  check(foreign.length === 0, `nothing fetched from anywhere but the server (${foreign.join(", ")})`);
}

let code = 0;
try {
  await run();
  code = failures.length ? 1 : 0;
} catch (e) {
  console.log(`FAIL: the walk stopped at ${page.url()}: ${e.message}`);
  await screenshot("stopped").catch(() => {});
  code = 2;
} finally {
  await context.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}
if (code) {
  console.log(`\n${failures.length} check(s) failed${code === 2 ? " and the walk stopped" : ""}:`);
  for (const f of failures) console.log(`  - ${f}`);
} else {
  console.log(`\nall checks passed; ${shot} screenshots in ${outdir}`);
}
process.exit(code);
