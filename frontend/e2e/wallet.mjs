// Browser test of the chain pages (issue 9) in Debian's chromium (playwright-core) against a
// real carbonx --demo --chain on a real anvil with the contracts deployed by
// blockchain/scripts/deploy.js (verifiers = anvil accounts 4 and 5, k = 2; operator = account 1,
// its key in a keystore made by `carbonx keystore new`). Each browser context gets an injected
// EIP-1193 window.ethereum (page.addInitScript) forwarding to anvil, whose unlocked accounts
// sign eth_sendTransaction, personal_sign and eth_signTypedData_v4: nothing is mocked.
//   1. the developer opens /wallet with a wallet on another chain: switches network
//      (wallet_switchEthereumChain) and links the wallet to the account (SIWE);
//   2. both verifiers link their wallets (Settings) and sign the on-chain approvals on the
//      verifier page (EIP-712 in the wallet), seeing k of n; the batch gets minted to custody;
//   3. the developer withdraws to the wallet, sees the withdrawal confirmed and the on-chain
//      balance grow, deposits part back (setApprovalForAll + deposit) and sees it credited,
//      retires on chain (balance falls, the retirement listed), and sees a notification;
//   4. the on-chain venue: a listing made from the developer's wallet is bought by the buyer
//      from the markets page (payment approve + fillListing);
//   5. axe on the wallet, verifier and markets pages.
// Parts whose server side is missing (404 on its endpoint) are reported as SKIP lines, not
// counted. Prints `E2E <passed> <failed>`; exit code 1 on failure.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Contract, JsonRpcProvider, Wallet } from 'ethers';
import { startCarbonx, checkAxe, BIN } from './carbonx.mjs';
import { ACCOUNTS, browserProviderScript, deploy, startAnvil } from './chainenv.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const DIST = join(here, '..', 'dist');
const OUT = join(here, '..', 'test-output', 'wallet');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const LONG = 180000;

let passed = 0;
let failed = 0;
const axeReport = {};
function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  passed++;
  console.log(`ok ${passed} ${what}`);
}
const skip = (what) => console.log(`SKIP ${what}`);
const axe = (page, name) => checkAxe(page, name, axeReport, check);
const shot = (page, name) => page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (!existsSync(join(DIST, 'index.html'))) { console.error('build the app first (vite build)'); process.exit(2); }
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

const OPERATOR = ACCOUNTS[1];
const [V1, V2] = [ACCOUNTS[4], ACCOUNTS[5]];
const DEV = ACCOUNTS[6];
const BUYER = ACCOUNTS[7];

const t0 = Date.now();
const anvil = await startAnvil({ blockTime: 1 });
let server = null;
let browser = null;
let dep = null;
const tmp = mkdtempSync(join(tmpdir(), 'cx-wallet-e2e-'));
const pageErrors = [];

async function api(method, path, token, body) {
  const r = await fetch(server.url + '/api/v1' + path, {
    method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await r.json().catch(() => null);
  return { status: r.status, json };
}
async function apiLogin(email, password) {
  const r = await api('POST', '/auth/login', null, { email, password });
  if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}
async function until(what, f, ms = LONG) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await f();
    if (last) return last;
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function signedIn(email, password, account, opts = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  ctx.setDefaultTimeout(30000);
  await ctx.addInitScript(browserProviderScript(anvil.url, account.address, opts));
  const p = await ctx.newPage();
  p.on('pageerror', (e) => pageErrors.push(String(e)));
  await p.goto(`${server.url}/signin`);
  await p.getByLabel('Email').fill(email);
  await p.getByLabel('Password').fill(password);
  await p.getByRole('button', { name: 'Sign in', exact: true }).click();
  await p.getByRole('button', { name: 'Sign out' }).waitFor();
  return p;
}

try {
  dep = await deploy(anvil.url, {
    VERIFIER_ADDRESSES: `${V1.address},${V2.address}`, VERIFIER_THRESHOLD: '2', OPERATOR_ADDRESS: OPERATOR.address,
  });
  console.log(`anvil + deploy: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const keystore = join(tmp, 'operator.json');
  const pw = 'e2e-keystore-password';
  execFileSync(BIN, ['keystore', 'new', '--out', keystore, '--private-key', OPERATOR.key], { env: { ...process.env, CX_CHAIN_KEYSTORE_PASSWORD: pw } });
  server = await startCarbonx({
    demo: true, staticDir: DIST,
    args: ['--chain', anvil.url, '--chain-keystore', keystore, '--chain-deployment', dep.file, '--chain-network', 'localhost', '--chain-confirmations', '2'],
    env: { CX_CHAIN_KEYSTORE_PASSWORD: pw },
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const st = await api('GET', '/chain/status');
  check(st.status === 200 && st.json.enabled === true && st.json.chain_id === 31337, 'the chain status says enabled on chain 31337');

  // --- 1. the developer's wallet: wrong network -> switch; link with SIWE.
  const dev = await signedIn('developer@carbonx.demo', 'demo-developer-2026', DEV, { startChainId: 1 });
  await dev.getByRole('link', { name: 'Wallet' }).click();
  await dev.getByRole('heading', { name: 'Wallet', level: 1 }).waitFor();
  await dev.getByRole('button', { name: 'Connect wallet' }).click();
  await dev.getByTestId('wallet-address').getByText('not linked').waitFor();
  check((await dev.getByTestId('wallet-chain').textContent()).includes("not this exchange's chain"), 'a wallet on another chain is flagged');
  await dev.getByRole('button', { name: /^Switch the wallet to/ }).click();
  await dev.getByText('Wallet switched to chain 31337.').waitFor();
  check((await dev.getByTestId('wallet-chain').textContent()).includes('chain id 31337'), 'the wallet is on the exchange chain after wallet_switchEthereumChain');
  await dev.getByRole('button', { name: 'Link this wallet to my account' }).click();
  await dev.getByTestId('wallet-address').getByText('linked to your account').waitFor();
  check(true, 'the developer linked the wallet with SIWE from the wallet page');
  await shot(dev, 'wallet-linked');

  // --- 2. verifiers link wallets and sign the on-chain approvals (k = 2).
  const devTok = (await apiLogin('developer@carbonx.demo', 'demo-developer-2026')).access_token;
  const holdings = (await api('GET', `/accounts/${(await api('GET', '/me', devTok)).json.account}/holdings`, devTok)).json.items;
  const mirrored = await until('the developer\'s batches to be mirrored on chain', async () => {
    const b = (await api('GET', '/chain/batches', devTok)).json?.items ?? [];
    return b.length ? b : null;
  });
  const target = mirrored.map((b) => ({ b, h: holdings.find((h) => h.batch === b.batch) })).find((x) => x.h && x.h.tradable_kg >= 5000);
  check(!!target, `a mirrored batch the developer holds (${mirrored.map((b) => b.batch).join(',')})`);
  const batch = target.b.batch;
  const issuance = target.b.issuance ?? (await api('GET', `/batches/${batch}`, devTok)).json?.issuance;
  check(Number.isInteger(issuance), `the batch #${batch} has its issuance (#${issuance})`);
  for (const [email, acct, n] of [['verifier@carbonx.demo', V1, 1], ['verifier2@carbonx.demo', V2, 2]]) {
    const v = await signedIn(email, 'demo-verifier-2026', acct);
    await v.goto(`${server.url}/settings`);
    await v.getByRole('button', { name: 'Link the wallet in this browser' }).click();
    await v.getByText('Wallet linked.').waitFor();
    await v.goto(`${server.url}/verifier`);
    const card = v.getByTestId(`chain-approval-${issuance}`);
    await card.waitFor({ timeout: LONG });
    await card.getByRole('button', { name: 'Sign the approval with my wallet' }).click();
    await card.getByText(new RegExp(`Signed: ${n} of 2 verifier signatures`)).waitFor({ timeout: 60000 });
    const quorum = await until('the quorum to refresh', async () => (await card.getByTestId('quorum').textContent()).startsWith(`${n} of 2`), 30000).catch(() => false);
    check(quorum, `verifier ${n} signed in the wallet (eth_signTypedData_v4): ${n} of 2`);
    if (n === 2) { await shot(v, 'verifier-signed'); await axe(v, 'verifier'); }
    check((await v.evaluate(() => window.__walletCalls)).includes('eth_signTypedData_v4'), `verifier ${n}'s wallet was asked for eth_signTypedData_v4`);
    await v.context().close();
  }
  await until('the batch to be minted to custody', async () => {
    const b = (await api('GET', '/chain/batches', devTok)).json.items.find((x) => x.batch === batch);
    return b && b.minted_kg > 0 && b.custody_kg > 0;
  });
  check(true, 'k verifier signatures from the browser verified the batch on chain and it was minted');

  // --- 3. withdraw, see it confirmed and the balance grow; deposit back; retire on chain.
  await dev.reload();
  await dev.getByRole('button', { name: 'Connect wallet' }).click();
  await dev.getByTestId('wallet-address').getByText('linked to your account').waitFor();
  // A fresh page load restarts the injected wallet on chain 1: switch again.
  await dev.getByRole('button', { name: /^Switch the wallet to/ }).click();
  await dev.getByText('Wallet switched to chain 31337.').waitFor();
  const balCell = dev.getByTestId(`wallet-balance-${batch}`);
  await until('the on-chain balance cell', async () => (await balCell.textContent()) === '0.000 t');
  check(true, 'the on-chain balance of the batch reads 0.000 t before withdrawing');
  const wform = dev.getByRole('form', { name: 'Withdraw to a wallet' });
  await wform.getByLabel('Batch').selectOption(String(batch));
  await wform.getByLabel('Quantity (t)').fill('3.5');
  await wform.getByRole('button', { name: 'Withdraw' }).click();
  await wform.getByText(/Withdrawal #\d+ requested: 3\.500 t/).waitFor();
  check(true, 'the withdrawal was requested to the linked wallet');
  await dev.getByTestId('chain-withdrawals').locator('tr[data-status="confirmed"]').first().waitFor({ timeout: LONG });
  check(true, 'the withdrawal shows confirmed (live status)');
  await until('the on-chain balance to grow', async () => (await balCell.textContent()) === '3.500 t', 60000);
  check(true, 'the on-chain balance grew to 3.500 t');
  await shot(dev, 'withdrawn');

  const dform = dev.getByRole('form', { name: 'Deposit to the exchange' });
  await dform.getByLabel('Batch').selectOption(String(batch));
  await dform.getByLabel('Quantity to deposit (t)').fill('1.25');
  await dform.getByRole('button', { name: 'Deposit' }).click();
  await dform.getByText(/Deposit sent/).waitFor({ timeout: 60000 });
  check((await dev.evaluate(() => window.__walletCalls.filter((m) => m === 'eth_sendTransaction').length)) === 2, 'the deposit asked the wallet for setApprovalForAll and deposit');
  await until('the on-chain balance to fall', async () => (await balCell.textContent()) === '2.250 t', 60000);
  check(true, 'the on-chain balance fell to 2.250 t after the deposit');
  await dev.getByTestId('chain-deposits').locator('tr[data-status="credited"]').first().waitFor({ timeout: LONG });
  check(true, 'the deposit shows credited after its confirmations');

  const rform = dev.getByRole('form', { name: 'Retire on chain' });
  await rform.getByLabel('Batch').selectOption(String(batch));
  await rform.getByLabel('Quantity to retire (t)').fill('0.75');
  await rform.getByLabel('Beneficiary').fill('Acme GmbH');
  await rform.getByLabel('Reason').fill('FY2025 travel');
  await rform.getByRole('button', { name: 'Retire on chain' }).click();
  await rform.getByText(/Retired on chain/).waitFor({ timeout: 60000 });
  await until('the on-chain balance after retiring', async () => (await balCell.textContent()) === '1.500 t', 60000);
  check(true, 'retired 0.750 t on chain from the wallet: balance 1.500 t');
  if ((await api('GET', '/chain/retirements', devTok)).status === 404) skip('on-chain retirements list: GET /chain/retirements not served');
  else {
    await dev.getByTestId('chain-retirements').getByText('Acme GmbH').waitFor({ timeout: 60000 });
    check(true, 'the on-chain retirement is listed by the exchange');
  }
  // Notifications: the private channel, shown as toasts and in the bell's list. A server
  // without the channel answers the subscription with an error: reported as SKIP.
  const notifCh = `notifications:${(await api('GET', '/me', devTok)).json.id}`;  // the user's own channel
  const channelServed = await new Promise((ok) => {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/api/v1/ws?access_token=${encodeURIComponent(devTok)}`);
    const done = (v) => { clearTimeout(t); try { ws.close(); } catch { /* closed */ } ok(v); };
    const t = setTimeout(() => done(false), 10000);
    ws.onopen = () => ws.send(JSON.stringify({ op: 'subscribe', channel: notifCh }));
    ws.onmessage = (ev) => { const m = JSON.parse(String(ev.data)); if (m.channel === notifCh) done(m.type !== 'error'); };
    ws.onerror = () => done(false);
  });
  const toasts = dev.getByTestId('toasts').locator('li');
  const bell = dev.getByTestId('bell');
  const sawNotification = channelServed && await until('a notification', async () => (await bell.textContent()).includes('unread') || (await toasts.count()) > 0, 60000).catch(() => false);
  if (!channelServed) {
    skip(`notifications: the server refuses the "${notifCh}" channel`);
  } else if (!sawNotification) {
    check(false, 'a notification (withdrawal confirmed / deposit credited / retirement) reached the page');
  } else {
    check(true, 'a notification reached the page as a toast / unread count');
    await bell.click();
    check((await dev.getByTestId('notifications').locator('li').count()) > 0, 'the bell lists the notifications');
    check((await bell.textContent()).includes('unread') === false, 'opening the list marks them read');
  }
  await shot(dev, 'wallet-after');
  await axe(dev, 'wallet');

  // --- 4. on-chain venue: a listing from the developer's wallet, bought by the buyer in the browser.
  if ((await api('GET', '/chain/market/listings?status=open', devTok)).status === 404) {
    skip('on-chain venue: GET /chain/market/listings not served');
  } else {
    const rpcp = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const c = (n, k) => new Contract(dep.record.contracts[n].address, dep.record.contracts[n].abi, new Wallet(k, rpcp));
    const head = await rpcp.getBlock('latest');
    // 1000 kg at 3 minor units (tUSD, 6 decimals) per kg, minimum fill 100 kg.
    await (await c('CarbonMarket', DEV.key).createListing(BigInt(batch), 1000n, 3n, 100n, BigInt(head.timestamp) + 3600n)).wait();
    await (await c('PaymentToken', BUYER.key).mint(BUYER.address, 10_000_000n)).wait();
    const buyer = await signedIn('buyer@carbonx.demo', 'demo-buyer-2026', BUYER);
    await buyer.goto(`${server.url}/markets`);
    const venue = buyer.getByTestId('onchain-venue');
    await venue.getByTestId('chain-listings').waitFor({ timeout: LONG });
    const row = venue.getByTestId('chain-listings').locator('tbody tr').first();
    check((await row.textContent()).includes('0.003000 tUSD/t'), 'the listing shows its price per tonne in the payment token');
    await row.getByLabel(/^Tonnes to buy from listing/).fill('0.4');
    check((await row.textContent()).includes('costs 0.001200 tUSD'), 'the exact cost is shown before buying');
    await row.getByRole('button', { name: 'Buy with my wallet' }).click();
    await row.getByText(/Bought/).waitFor({ timeout: 60000 });
    check(true, 'the buyer filled the listing from the wallet (approve + fillListing)');
    await venue.getByTestId('chain-fills').waitFor({ timeout: LONG });
    check((await venue.getByTestId('chain-fills').textContent()).includes('0.400 t'), 'the fill appears in the on-chain venue');
    await shot(buyer, 'markets-onchain');
    await axe(buyer, 'markets-onchain');
  }
  check(pageErrors.length === 0, `no page errors (${pageErrors.join('; ')})`);
} catch (e) {
  failed++;
  console.error(e);
  if (server) console.error(server.log().split('\n').slice(-30).join('\n'));
} finally {
  writeFileSync(join(OUT, 'axe.json'), JSON.stringify(axeReport, null, 1));
  await browser?.close();
  await server?.stop().catch(() => undefined);
  await anvil.stop();
  dep?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`wallet e2e: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`E2E ${passed} ${failed}`);
process.exit(failed ? 1 : 0);
