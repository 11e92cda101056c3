// tests/browser/dashboard.mjs - the dashboard in real headless Chromium
// (Debian's /usr/bin/chromium, driven by playwright-core), run by
// tests/integration/web_browser.sh against a running 'tlswatch web'.
//
// Expected figures come from the environment (computed by the shell with
// sqlite3 from the same database, not by tlswatch). Prints one line per
// check: "pass NAME" or "FAIL NAME: why". Screenshots go to $SHOTS.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = process.env;
const BASE = env.BASE;
const PERIOD = `since=${env.SINCE}&until=${env.UNTIL}`;
const SHOTS = env.SHOTS;
const XSS_ORG = '<script>alert(1)</script>';

const results = [];
function check(name, ok, why) {
  results.push(ok ? `pass ${name}` : `FAIL ${name}: ${why}`);
}
function eq(name, got, want) {
  check(name, got === want, `got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}
const num = (s) => Number(String(s).replace(/[^0-9-]/g, ''));

mkdirSync(SHOTS, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'tlswatch-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  httpCredentials: { username: env.WEB_USER, password: env.WEB_PASS },
  viewport: { width: 1280, height: 900 },
});

// Everything the browser complains about, per page: console errors and
// warnings (CSP violations are reported there), uncaught exceptions,
// failed requests, HTTP errors, and any dialog (alert() from a report).
const problems = [];
const dialogs = [];
function watch(page, label) {
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning' || /Content.Security.Policy/i.test(m.text()))
      problems.push(`${label}: console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${label}: page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`${label}: request failed: ${r.url()}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${label}: HTTP ${r.status()} for ${r.url()}`);
  });
  page.on('dialog', async (d) => {
    dialogs.push(`${label}: ${d.type()}: ${d.message()}`);
    await d.dismiss();
  });
}

const page = context.pages()[0] ?? await context.newPage();
watch(page, 'dashboard');
const shot = (name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

try {
  // --- overview: totals, chart
  await page.goto(`${BASE}/?${PERIOD}`);
  eq('overview: title', await page.title(), 'tlswatch: Overview');
  eq('overview: reports total', num(await page.textContent('#total-reports .value')), Number(env.EXP_REPORTS));
  eq('overview: successful sessions', num(await page.textContent('#total-successful .value')), Number(env.EXP_SUCCESSFUL));
  eq('overview: failed sessions', num(await page.textContent('#total-failed .value')), Number(env.EXP_FAILED));
  const bars = await page.$$eval('#chart-sessions svg rect.bar-ok', (rs) =>
    rs.map((r) => Number(r.getAttribute('height'))));
  eq('chart: one bar per day', bars.length, Number(env.EXP_DAYS));
  check('chart: bars drawn', bars.filter((h) => h > 10).length === bars.length, `heights ${bars}`);
  const box = await page.locator('#chart-sessions svg').boundingBox();
  check('chart: visible', box !== null && box.width > 300 && box.height > 80, JSON.stringify(box));
  const tallest = await page.$$eval('#chart-failed svg g', (gs) => {
    let best = null, h = -1;
    for (const g of gs) {
      const r = g.querySelector('rect.bar-fail');
      if (r && Number(r.getAttribute('height')) > h) { h = Number(r.getAttribute('height')); best = g; }
    }
    return best ? best.querySelector('title').textContent : '';
  });
  check('chart: the spike day is the tallest failed bar', tallest.startsWith(env.SPIKE_DAY), tallest);
  await shot('overview');

  // --- a filter narrows the numbers (through the form, as a user would)
  await page.fill('input[name="domain"]', 'example.net');
  await Promise.all([page.waitForURL(/domain=example\.net/), page.click('form.filters button[type="submit"]')]);
  const narrowed = num(await page.textContent('#total-reports .value'));
  eq('filter: reports for example.net', narrowed, Number(env.EXP_NET_REPORTS));
  check('filter: fewer than all', narrowed < Number(env.EXP_REPORTS), `${narrowed}`);
  check('filter: the link keeps the period', page.url().includes(PERIOD), page.url());
  const domains = await page.$$eval('#domains tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
  eq('filter: only that domain listed', domains.join(','), 'example.net');

  // --- a click from a number to the reports behind it, then to one report
  await page.goto(`${BASE}/?${PERIOD}`);
  const topLink = page.locator('#top-failures tbody tr:first-child td.num a').first();
  const topCount = num(await topLink.textContent());
  await Promise.all([page.waitForURL(/\/reports\?/), topLink.click()]);
  check('click: top failure leads to its reports', page.url().includes('result_type=certificate-expired')
    && page.url().includes('mx=mx1.example.com'), page.url());
  const listed = await page.locator('#reports tbody tr').count();
  check('click: reports listed', listed > 0, `${listed} rows for ${topCount} failed sessions`);
  await shot('reports-filtered');
  await Promise.all([page.waitForURL(/\/reports\/\d+$/), page.locator('a.report-link').first().click()]);
  check('click: report detail', /^Report #\d+$/.test((await page.textContent('h1')).trim()), await page.textContent('h1'));
  const raw = await page.textContent('#raw-json');
  check('report: raw JSON shown', raw.includes('"organization-name"') && raw.includes('"failure-details"'), raw.slice(0, 80));
  check('report: failure details table', (await page.locator('table.failure-details tbody tr').count()) > 0, 'none');
  await shot('report');

  // --- pages and their screenshots
  await page.goto(`${BASE}/reports?${PERIOD}`);
  eq('reports: rows on the first page', await page.locator('#reports tbody tr').count(), Math.min(50, Number(env.EXP_REPORTS)));
  await shot('reports');
  await page.goto(`${BASE}/failures?${PERIOD}&group_by=mx`);
  eq('failures: spike MX first', (await page.textContent('#failure-groups tbody tr:first-child td:first-child')).trim(), 'mx1.example.com');
  await shot('failures-mx');
  await page.goto(`${BASE}/failures?${PERIOD}&group_by=sending_ip`);
  await Promise.all([page.waitForURL(/ip=/), page.locator('#failure-groups tbody tr:first-child td.num a').click()]);
  check('failures: an IP leads to its failure details', (await page.locator('#ip-details tbody tr').count()) > 0, page.url());
  await shot('failures-ip');
  await page.goto(`${BASE}/quarantine`);
  check('quarantine: the refused input listed', (await page.textContent('#quarantine')).includes(env.QUARANTINE_REASON), 'reason missing');
  await shot('quarantine');

  // --- a hostile organisation name is text, never markup
  await page.goto(`${BASE}/reports/${env.XSS_ID}`);
  await page.waitForLoadState('load');
  eq('xss: organisation shown as text', (await page.textContent('#report-meta dd')).trim(), XSS_ORG);
  eq('xss: no script element on the page', await page.evaluate(() => document.scripts.length), 0);
  eq('xss: no injected image', await page.locator('img').count(), 0);
  await shot('report-hostile');
  await page.goto(`${BASE}/failures?${PERIOD}&group_by=organization`);
  const orgs = await page.$$eval('#failure-groups tbody td:first-child', (tds) => tds.map((t) => t.textContent));
  check('xss: listed as text among organisations', orgs.includes(XSS_ORG), orgs.slice(0, 5).join(' | '));
  await page.goto(`${BASE}/reports?${PERIOD}&org=${encodeURIComponent(XSS_ORG)}`);
  eq('xss: as a filter value, shown in the form as text', await page.inputValue('input[name="org"]'), XSS_ORG);
  eq('xss: filtered list', await page.locator('#reports tbody tr').count(), 1);
  eq('xss: no dialog fired', dialogs.join('; '), '');

  // --- phone width: nothing wider than the screen
  await page.setViewportSize({ width: 360, height: 780 });
  for (const [name, path] of [['overview', `/?${PERIOD}`], ['report', `/reports/${env.XSS_ID}`], ['failures', `/failures?${PERIOD}`],
    ['reports', `/reports?${PERIOD}`], ['quarantine', '/quarantine'], ['quarantine-entry', `/quarantine/${env.QUARANTINE_ID}`]]) {
    await page.goto(`${BASE}${path}`);
    const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(`phone: ${name} fits 360 px`, over <= 0, `${over} px too wide`);
    await shot(`phone-${name}`);
  }
  // a quarantined input's preview keeps its line ends (it was CRLF)
  await page.goto(`${BASE}/quarantine/${env.QUARANTINE_ID}`);
  const preview = await page.textContent('#preview');
  check('phone: quarantine preview has real line breaks', preview.includes('\n') && !preview.includes('\\x0d'), JSON.stringify(preview));
  // a long policy domain is shown whole, wrapped, in the reports list
  await page.goto(`${BASE}/reports?all=1&domain=${env.LONG_DOMAIN}`);
  const cell = page.locator('#reports tbody tr:first-child td[data-label="Policy domains"]');
  eq('phone: a long domain shown whole', (await cell.textContent()).trim(), env.LONG_DOMAIN);
  const cellBox = await cell.boundingBox();
  check('phone: ... within the screen', cellBox !== null && cellBox.x + cellBox.width <= 360, JSON.stringify(cellBox));
  await shot('phone-reports-long');
  eq('console: no errors, warnings or CSP violations', problems.join('\n'), '');

  // --- control: the CSP is enforced, and the listener above would see it
  const probe = await context.newPage();
  const probeLog = [];
  probe.on('console', (m) => probeLog.push(m.text()));
  await probe.goto(`${BASE}/reports/${env.XSS_ID}`);
  const ran = await probe.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.injected = 1';
    document.body.appendChild(s);
    await new Promise((r) => setTimeout(r, 50));
    return window.injected === 1;
  });
  eq('csp: an injected inline script does not run', ran, false);
  check('csp: the violation is reported on the console', probeLog.some((t) => /Content Security Policy/i.test(t)), probeLog.join(' | '));
  await probe.close();
} catch (e) {
  check('browser run', false, e.stack || String(e));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(results.join('\n'));
