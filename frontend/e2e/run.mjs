// End-to-end test in Debian's chromium (playwright-core, no downloaded browser) against a
// real carbonx on a throwaway data directory (--demo) serving the built app (dist/).
// Flow: sign-up errors and sign-up; a developer registers a project and submits it; a
// verifier validates it; the developer requests an issuance; two verifiers approve it
// (CX-NBS needs 2); the developer transfers credits to the buyer; the buyer retires and
// opens the certificate; the public certificate page verifies the Merkle proof in the
// browser; then the trading flow (e2e/trading.mjs: markets list, the buyer trades SERRA-24
// live, a standard contract's delivery) and the admin halts and resumes a market; then
// analytics (e2e/analytics.mjs: forecast fan chart and verdict, volatility, regime, project
// and portfolio risk, the auditor's self-trade alert) and the auditor's audit trail.
// Screenshots of each main page go to test-output/; axe-core runs on each main page and
// fails the test on any serious or critical violation.
// Prints `E2E <passed> <failed>`; exit code 1 on failure.
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCarbonx, checkAxe } from './carbonx.mjs';
import { auctionFlow, haltFlow, tradingFlow } from './trading.mjs';
import { analyticsFlow } from './analytics.mjs';
import { securityFlow } from './security.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const FRONT = join(here, '..');
const OUT = join(FRONT, 'test-output');
const DIST = join(FRONT, 'dist');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const T = 20000;

let passed = 0;
let failed = 0;
const axeReport = {};

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  passed++;
}

if (!existsSync(join(DIST, 'index.html'))) { console.error('build the app first (vite build)'); process.exit(2); }
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const server = await startCarbonx({ demo: true, staticDir: DIST });
const profile = mkdtempSync(join(tmpdir(), 'cx-chromium-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
  acceptDownloads: true,
});
ctx.setDefaultTimeout(T);
const U = server.url;
const consoleErrors = [];

async function newPage() {
  const p = await ctx.newPage();
  p.on('pageerror', (e) => consoleErrors.push(String(e)));
  return p;
}

const axe = (page, name) => checkAxe(page, name, axeReport, check);

async function shot(page, name) {
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
}

async function noHorizontalScroll(page, name) {
  const ok = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  check(ok, `${name} fits a phone-sized screen without horizontal scrolling`);
}

async function signIn(email, password, landing) {
  const p = await newPage();
  await p.goto(`${U}/signin`);
  await p.getByLabel('Email').fill(email);
  await p.getByLabel('Password').fill(password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('button', { name: 'Sign out' }).waitFor();
  await p.waitForURL(`**${landing}`);
  await p.getByRole('heading', { level: 1 }).waitFor();
  return p;
}

async function selectByText(select, text) {
  const v = await select.locator('option', { hasText: text }).first().getAttribute('value');
  await select.selectOption(v);
}

const fieldError = (scope, name) => scope.locator(`[data-field-error="${name}"]`);
const tag = Date.now().toString(36);
const projectName = `E2E Mangrove ${tag}`;

try {
  // --- Public registry and sign-up.
  const anon = await newPage();
  await anon.goto(`${U}/`);
  await anon.getByRole('heading', { name: 'Registry', level: 1 }).waitFor();
  await anon.keyboard.press('Tab');
  check(await anon.evaluate(() => document.activeElement?.textContent) === 'Skip to content', 'first Tab reaches the skip link');
  await anon.keyboard.press('Enter');
  check(await anon.evaluate(() => document.activeElement?.id) === 'main', 'skip link moves focus to the main content');
  await anon.getByRole('table', { name: 'Projects' }).waitFor();
  check(await anon.getByRole('navigation', { name: 'Projects pages' }).isVisible(), 'registry lists page');
  await anon.getByRole('button', { name: 'Next' }).click();
  await anon.getByText(/^Page 2 of/).waitFor();
  check(true, 'registry paging to page 2');
  await anon.getByLabel('Country').fill('BR');
  await anon.getByRole('button', { name: 'Search' }).click();
  await anon.getByText(/^Page 1 of 1 /).waitFor();
  check(await anon.getByRole('link', { name: 'Serra do Mar Atlantic Forest Restoration' }).isVisible(), 'registry filter by country');
  await shot(anon, '01-registry');
  await axe(anon, 'registry');

  await anon.goto(`${U}/signup`);
  await anon.getByLabel('Email').fill(`new-${tag}@example.org`);
  await anon.getByLabel(/^Password/).fill('short');
  await anon.getByLabel('Repeat password').fill('short');
  await anon.getByRole('button', { name: 'Create account' }).click();
  await fieldError(anon, 'password').waitFor();
  check((await fieldError(anon, 'password').textContent()).includes('8'), 'sign-up shows the server error next to the password field');
  check(await anon.getByLabel(/^Password/).getAttribute('aria-invalid') === 'true', 'invalid field is marked aria-invalid');
  await shot(anon, '02-signup-error');
  await axe(anon, 'signup');
  await anon.getByLabel(/^Password/).fill('long enough password');
  await anon.getByLabel('Repeat password').fill('long enough password');
  await anon.getByRole('button', { name: 'Create account' }).click();
  await anon.waitForURL('**/portfolio');
  await anon.getByText('No credits yet.').waitFor();
  check(true, 'sign-up signs the new trader in');
  await anon.getByRole('button', { name: 'Sign out' }).click();
  await anon.getByRole('banner').getByRole('link', { name: 'Sign in', exact: true }).waitFor();
  check(true, 'sign out');
  await anon.goto(`${U}/signin`);
  await anon.getByLabel('Email').fill('developer@carbonx.demo');
  await anon.getByLabel('Password').fill('wrong password');
  await anon.getByRole('button', { name: 'Sign in' }).click();
  await anon.getByText('Wrong email or password.').waitFor();
  check(true, 'bad credentials shown');
  await shot(anon, '03-signin');
  await axe(anon, 'signin');

  // --- Developer registers and submits a project.
  const dev = await signIn('developer@carbonx.demo', 'demo-developer-2026', '/developer');
  const reg = dev.getByRole('form', { name: 'Register a project' });
  await reg.getByRole('button', { name: 'Register project' }).click();
  await fieldError(reg, 'name').waitFor();
  check(true, 'missing project name shown next to the name field');
  await reg.getByLabel('Project name').fill(projectName);
  await reg.getByLabel('Country (ISO code)').fill('ID');
  await reg.getByLabel('Methodology').fill('VM0033');
  await reg.getByLabel('Mitigation').selectOption('removal');
  await reg.getByLabel('Nature').selectOption('nature_based');
  await selectByText(reg.getByLabel('Credit class'), 'CX-NBS');
  await reg.getByLabel('Description').fill('Blue carbon, end-to-end test');
  await reg.getByRole('button', { name: 'Register project' }).click();
  const link = reg.getByRole('link', { name: projectName });
  await link.waitFor();
  const projectId = Number((await link.getAttribute('href')).split('/').pop());
  check(projectId > 0, 'project registered as draft');
  await dev.getByRole('button', { name: `Submit ${projectName}` }).click();
  await dev.getByRole('row', { name: new RegExp(projectName) }).getByText('submitted').waitFor();
  check(true, 'developer submits the project');
  await shot(dev, '04-developer');
  await axe(dev, 'developer');

  // --- Verifier validates it.
  const ver = await signIn('verifier@carbonx.demo', 'demo-verifier-2026', '/verifier');
  const card = ver.locator(`li[aria-label="Project ${projectName}"]`);
  await card.waitFor();
  await shot(ver, '05-verifier-projects');
  await axe(ver, 'verifier');
  await card.getByRole('button', { name: 'Request changes' }).click();
  await fieldError(card, 'reason').waitFor();
  check(true, 'request-changes without reason shows the error next to the reason');
  await card.getByLabel(`Reason for ${projectName}`).fill('Add the site maps');
  await card.getByRole('button', { name: 'Request changes' }).click();
  await card.waitFor({ state: 'detached' });
  await ver.getByTestId('queue-notice').getByText(`${projectName} is now changes requested.`).waitFor();
  await dev.reload();
  const devRow = dev.getByRole('row', { name: new RegExp(projectName) });
  await devRow.getByText('Reason: Add the site maps').waitFor();
  check(true, 'developer sees the requested changes with the reason');
  await dev.getByRole('button', { name: `Submit ${projectName}` }).click();
  await devRow.getByText('submitted').waitFor();
  check(true, 'developer resubmits');
  await ver.reload();
  await card.getByRole('button', { name: 'Validate' }).click();
  await card.waitFor({ state: 'detached' });
  await ver.getByTestId('queue-notice').getByText(`${projectName} is now validated.`).waitFor();
  check(true, 'verifier validates the project (announced)');

  // --- Developer requests an issuance.
  await dev.reload();
  const iss = dev.getByRole('form', { name: 'Request issuance' });
  await iss.getByLabel('Project').selectOption(String(projectId));
  await iss.getByLabel('Vintage').fill('2025');
  await iss.getByLabel('Monitoring period start').fill('2025-01-01');
  await iss.getByLabel('Monitoring period end').fill('2025-12-31');
  await iss.getByLabel('Quantity (tonnes)').fill('1000.5');
  await iss.getByLabel('Verification body').fill('E2E VVB');
  await iss.getByRole('button', { name: 'Request issuance' }).click();
  await fieldError(iss, 'report').waitFor();
  check(true, 'missing report shown next to its field');
  await iss.getByLabel('Verification report (CID or reference)').fill('bafy-e2e-report');
  await iss.getByRole('button', { name: 'Request issuance' }).click();
  const okText = await iss.getByText(/^Issuance #\d+ requested/).textContent();
  const issuanceId = Number(/#(\d+)/.exec(okText)[1]);
  check(okText.includes('1,000.500 t') && okText.includes('2 verifier'), 'issuance requested (1,000.500 t, 2 approvals)');

  // --- Two verifiers approve.
  await ver.reload();
  const ic = ver.locator(`li[aria-label="Issuance ${issuanceId}"]`);
  await ic.getByRole('button', { name: 'Approve' }).click();
  await ic.getByText('Approved (1 of 2).').waitFor();
  check(true, 'first approval recorded (1 of 2)');
  await shot(ver, '06-verifier-issuance');
  await ic.getByRole('button', { name: 'Approve' }).click();
  await fieldError(ic, 'issuance').or(ic.locator('.form-error')).waitFor();
  check(true, 'the same verifier cannot approve twice (server error shown)');
  const ver2 = await signIn('verifier2@carbonx.demo', 'demo-verifier-2026', '/verifier');
  const ic2 = ver2.locator(`li[aria-label="Issuance ${issuanceId}"]`);
  await ic2.getByRole('button', { name: 'Approve' }).click();
  await ic2.waitFor({ state: 'detached' });
  await ver2.getByTestId('queue-notice').getByText(`Issuance #${issuanceId}: Approved: credits issued.`).waitFor();
  check(true, 'second verifier approves: credits issued');

  // --- A second issuance is rejected with a reason.
  await dev.reload();
  await iss.getByLabel('Project').selectOption(String(projectId));
  await iss.getByLabel('Vintage').fill('2026');
  await iss.getByLabel('Monitoring period start').fill('2026-01-01');
  await iss.getByLabel('Monitoring period end').fill('2026-06-30');
  await iss.getByLabel('Quantity (tonnes)').fill('50');
  await iss.getByLabel('Verification report (CID or reference)').fill('bafy-e2e-report-2');
  await iss.getByRole('button', { name: 'Request issuance' }).click();
  const id2 = Number(/#(\d+)/.exec(await iss.getByText(/^Issuance #\d+ requested/).textContent())[1]);
  await ver.reload();
  const rc = ver.locator(`li[aria-label="Issuance ${id2}"]`);
  await rc.getByRole('button', { name: 'Reject' }).click();
  await fieldError(rc, 'reason').waitFor();
  check(true, 'rejecting an issuance without a reason shows the error next to the reason');
  await rc.getByLabel(`Reason for issuance ${id2} (needed to reject)`).fill('Report incomplete');
  await rc.getByRole('button', { name: 'Reject' }).click();
  await rc.waitFor({ state: 'detached' });
  check(true, 'verifier rejects the issuance with a reason');

  // --- Project page shows the issuance and batch.
  await anon.goto(`${U}/projects/${projectId}`);
  await anon.getByRole('heading', { name: projectName }).waitFor();
  await anon.getByRole('table', { name: `Credit batches of ${projectName}` }).getByText('1,000.500 t').waitFor();
  check(await anon.getByRole('table', { name: `Credit batches of ${projectName}` }).getByText('200.100 t').isVisible(), 'project page shows the batch with its 20 % buffer');
  check(await anon.getByRole('table', { name: `Issuances of ${projectName}` }).getByText('Reason: Report incomplete').isVisible(), 'project page shows the rejected issuance with its reason');
  await shot(anon, '07-project');
  await axe(anon, 'project');

  // --- Buyer's account; developer transfers credits to it.
  const buyer = await signIn('buyer@carbonx.demo', 'demo-buyer-2026', '/portfolio');
  const buyerAccount = (await buyer.getByTestId('account').textContent()).trim();
  check(/^\d+$/.test(buyerAccount), 'buyer sees the account number');
  await dev.reload();
  const tr = dev.getByRole('form', { name: 'Transfer credits' });
  await tr.getByLabel('To account').fill(buyerAccount);
  await selectByText(tr.getByLabel('Batch'), projectName);
  await tr.getByLabel('Quantity (tonnes)').fill('100000');
  await tr.getByRole('button', { name: 'Transfer' }).click();
  await fieldError(tr, 'quantity').waitFor();
  check((await fieldError(tr, 'quantity').textContent()).includes('Not enough credits'), 'over-transfer shows the error next to the quantity');
  await tr.getByLabel('Quantity (tonnes)').fill('10.25');
  await tr.getByRole('button', { name: 'Transfer' }).click();
  await tr.getByText('Transferred 10.250 t.').waitFor();
  check(true, 'developer transfers 10.250 t to the buyer');
  await auctionFlow({ U, check, dev, projectName, tag });

  // --- Buyer retires and opens the certificate.
  await buyer.reload();
  const row = buyer.getByRole('row', { name: new RegExp(projectName) });
  await row.waitFor();
  check((await row.textContent()).includes('10.250 t'), 'buyer holds 10.250 t with serial ranges');
  const rf = buyer.getByRole('form', { name: 'Retire credits' });
  await selectByText(rf.getByLabel('Batch'), projectName);
  await rf.getByLabel('Quantity (tonnes)').fill('10.251');
  await rf.getByLabel('Beneficiary').fill('ACME Corp');
  await rf.getByRole('button', { name: 'Retire' }).click();
  await fieldError(rf, 'quantity').waitFor();
  check(true, 'over-retirement shows the error next to the quantity');
  await rf.getByLabel('Quantity (tonnes)').fill('2.5');
  await rf.getByLabel('Reason').fill('2025 scope 1 emissions');
  await rf.getByLabel('Consumption country (ISO code)').fill('FR');
  await rf.getByLabel('Consumption period start').fill('2025-01-01');
  await rf.getByLabel('Consumption period end').fill('2025-12-31');
  await rf.getByRole('button', { name: 'Retire' }).click();
  const certLink = rf.getByRole('link', { name: /View certificate CX-RET-\d+/ });
  await certLink.waitFor();
  await shot(buyer, '08-portfolio');
  await axe(buyer, 'portfolio');
  await buyer.setViewportSize({ width: 390, height: 844 });
  await noHorizontalScroll(buyer, 'portfolio');
  await shot(buyer, '08-portfolio-phone');
  await dev.setViewportSize({ width: 390, height: 844 });
  await noHorizontalScroll(dev, 'developer area');
  await buyer.setViewportSize({ width: 1280, height: 900 });
  const certPath = await certLink.getAttribute('href');
  await certLink.click();
  await buyer.getByRole('heading', { name: /Retirement certificate CX-RET-/ }).waitFor();
  await buyer.getByTestId('proof-result').getByText(/Verified in your browser/).waitFor({ timeout: 30000 });
  check(true, 'buyer opens the certificate; proof verified');
  const [download] = await Promise.all([buyer.waitForEvent('download'), buyer.getByRole('button', { name: 'Download JSON' }).click()]);
  const dlPath = join(OUT, 'certificate.json');
  await download.saveAs(dlPath);
  const cert = JSON.parse((await import('node:fs')).readFileSync(dlPath, 'utf8'));
  check(cert.retirement.beneficiary === 'ACME Corp' && cert.retirement.quantity === '2.500', 'certificate downloads as JSON');

  await buyer.emulateMedia({ media: 'print' });
  const printView = await buyer.evaluate(() => ({
    header: getComputedStyle(document.querySelector('header.top')).display,
    buttons: getComputedStyle(document.querySelector('.no-print')).display,
    proof: getComputedStyle(document.querySelector('.proof')).display,
  }));
  check(printView.header === 'none' && printView.buttons === 'none' && printView.proof !== 'none', 'print view shows the certificate without navigation and buttons');
  await buyer.pdf?.({ path: join(OUT, 'certificate.pdf') }).catch(() => undefined);
  await buyer.emulateMedia({ media: 'screen' });

  // --- Public certificate page (signed out), phone-sized.
  const pub = await newPage();
  await pub.setViewportSize({ width: 390, height: 844 });
  await pub.goto(`${U}${certPath}`);
  await pub.getByTestId('proof-result').getByText(/Verified in your browser: event \d+ is included in journal block \d+/).waitFor({ timeout: 30000 });
  check(await pub.getByText('2.500 t').first().isVisible(), 'public page shows the retired quantity');
  check(await pub.getByText('ACME Corp').first().isVisible(), 'public page shows the beneficiary');
  await noHorizontalScroll(pub, 'certificate page');
  await shot(pub, '09-certificate-phone');
  await axe(pub, 'certificate');
  // A tampered proof must not verify: alter the response in flight.
  const tampered = await newPage();
  await tampered.route('**/api/v1/retirements/*/certificate', async (route) => {
    const res = await route.fetch();
    const j = await res.json();
    j.proof.event_hash = j.proof.prev_hash;
    await route.fulfill({ response: res, json: j });
  });
  await tampered.goto(`${U}${certPath}`);
  await tampered.getByTestId('proof-result').getByText(/does NOT verify/).waitFor({ timeout: 30000 });
  check(true, 'a tampered certificate is reported as not verifying');
  await tampered.close();
  await pub.goto(`${U}/retirements`);
  await pub.getByLabel('Beneficiary').fill('ACME Corp');
  await pub.getByRole('button', { name: 'Search' }).click();
  await pub.getByText('Page 1 of 1 (1 item)').waitFor();
  await pub.getByRole('link', { name: certPath.replace('/certificates/', 'CX-RET-'), exact: true }).waitFor();
  check(await pub.getByRole('table', { name: 'Retirements' }).locator('tbody tr').count() === 1, 'public retirements list finds the certificate by beneficiary');
  await noHorizontalScroll(pub, 'retirements');
  await axe(pub, 'retirements');
  await pub.goto(`${U}/`);
  await noHorizontalScroll(pub, 'registry');
  await shot(pub, '10-registry-phone');

  // --- Trading (markets, order book, order entry, fills, cash, standard contract).
  await tradingFlow({ U, check, shot, axe, noHorizontalScroll, newPage, signIn });

  // --- Admin.
  const admin = await signIn('admin@carbonx.demo', 'demo-admin-2026', '/admin');
  await admin.getByRole('table', { name: 'Users' }).getByRole('cell', { name: /^buyer@carbonx\.demo/ }).waitFor();
  const cc = admin.getByRole('form', { name: 'Create a credit class' });
  await cc.getByRole('button', { name: 'Create credit class' }).click();
  await fieldError(cc, 'code').waitFor();
  check(true, 'credit class without code shows the error next to the code');
  await cc.getByLabel('Code').fill(`E2E-${tag}`.slice(0, 20));
  await cc.getByLabel('Name').fill('E2E class');
  await cc.getByLabel('Verifier approvals needed').fill('3');
  await cc.getByRole('button', { name: 'Create credit class' }).click();
  await admin.getByRole('table', { name: 'Credit classes' }).getByText('E2E class').waitFor();
  check(true, 'admin creates a credit class');
  const urow = admin.getByRole('row', { name: /seller@carbonx\.demo/ });
  await urow.getByRole('checkbox', { name: 'project developer' }).check();
  await urow.getByRole('button', { name: 'Save roles of seller@carbonx.demo' }).click();
  await urow.getByText('Saved.').waitFor();
  check(true, 'admin sets roles');
  await haltFlow({ U, check, admin });
  await shot(admin, '11-admin');
  await axe(admin, 'admin');

  // --- Analytics (forecast fan, volatility, trend, risk, alerts) and the audit trail.
  await analyticsFlow({ U, check, shot, axe, noHorizontalScroll, newPage, signIn });

  // --- Second factor, withdrawals and wallet sign-in (last: the admin needs a code afterwards).
  await securityFlow({ U, OUT, check, shot, axe, noHorizontalScroll, newPage, signIn });

  check(consoleErrors.length === 0, `no uncaught page errors (${consoleErrors.join('; ')})`);
} catch (e) {
  failed++;
  console.error('E2E FAILED:', e.message);
  for (const [i, p] of ctx.pages().entries()) if (p.url() !== 'about:blank') await p.screenshot({ path: join(OUT, `failure-${i}.png`) }).catch(() => undefined);
  console.error(server.log().split('\n').slice(-20).join('\n'));
} finally {
  writeFileSync(join(OUT, 'axe.json'), JSON.stringify(axeReport, null, 1));
  await ctx.close().catch(() => undefined);
  await server.stop();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`E2E ${passed} ${failed}`);
process.exit(failed ? 1 : 0);
