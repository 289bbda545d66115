// End-to-end: second factor, withdrawals and wallet sign-in in the browser (run last by
// run.mjs, since the admin needs a code from here on).
// - The buyer requests two withdrawals on the portfolio (bad amounts refused next to the
//   field; the available cash falls by exactly the amount); the admin, still without a
//   second factor, cannot approve (AUTH_MFA_REQUIRED next to the code, with a link to Settings).
// - The admin enrolls TOTP on the Settings page (the test reads the secret shown and
//   computes RFC 6238 codes itself, e2e/totp.mjs), saves the recovery codes (download), signs
//   out and in again: the sign-in asks for the one-time code (a wrong one is shown next to
//   the field; the recovery-code alternative is offered).
// - The admin approves one withdrawal with a fresh code (a wrong code refused next to the
//   code field) and rejects the other (the reason is required: server error next to it); the
//   buyer sees both decisions.
// - A new Ethereum wallet (an ethers Wallet in node behind an EIP-1193 provider injected into
//   the page) signs up from the sign-in page, then signs in again with it; the seller links
//   a second wallet on Settings and signs in with it.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Wallet, getBytes } from 'ethers';
import { codes } from './totp.mjs';

const fieldError = (scope, name) => scope.locator(`[data-field-error="${name}"]`);
const minor = (text) => {
  const m = /^(-?)([\d,]+)\.(\d{2})/.exec(text.trim().replace('−', '-'));
  if (!m) throw new Error(`not money: ${text}`);
  return BigInt(m[2].replace(/,/g, '') + m[3]) * (m[1] ? -1n : 1n);
};

/** Installs window.ethereum backed by `wallet` (node side) in `page`. */
async function injectWallet(page, wallet) {
  await page.exposeFunction('__cxWallet', async (method, params) => {
    if (method === 'eth_requestAccounts' || method === 'eth_accounts') return [wallet.address];
    if (method === 'personal_sign') {
      const [hex, addr] = params;
      if (addr.toLowerCase() !== wallet.address.toLowerCase()) throw new Error('unknown account');
      return wallet.signMessage(getBytes(hex));
    }
    throw new Error(`unsupported method ${method}`);
  });
  await page.addInitScript(() => {
    window.ethereum = { isE2E: true, request: ({ method, params }) => window.__cxWallet(method, params ?? []) };
  });
}

export async function securityFlow({ U, OUT, check, shot, axe, noHorizontalScroll, newPage, signIn }) {
  // --- The buyer requests withdrawals.
  const buyer = await signIn('buyer@carbonx.demo', 'demo-buyer-2026', '/portfolio');
  const wf = buyer.getByRole('form', { name: 'Request a withdrawal' });
  await wf.waitFor();
  await wf.getByLabel('Currency').selectOption('USD');
  const avail0 = minor(await buyer.getByTestId('cash-available-USD').textContent());
  await wf.getByLabel('Amount').fill('12.345');
  await wf.getByRole('button', { name: 'Request withdrawal' }).click();
  await fieldError(wf, 'amount').waitFor();
  check(true, 'an amount with 3 decimals is refused next to the amount');
  await wf.getByLabel('Amount').fill('25.50');
  await wf.getByLabel('Reference').fill('E2E payout');
  await wf.getByRole('button', { name: 'Request withdrawal' }).click();
  const okText = await wf.getByText(/^Withdrawal #\d+ of 25\.50 USD requested/).textContent();
  const wid = Number(/#(\d+)/.exec(okText)[1]);
  const mine = buyer.getByTestId('withdrawals');
  await mine.getByRole('row', { name: /E2E payout/ }).getByText('pending').waitFor();
  let avail1 = avail0;
  for (let i = 0; i < 50 && avail1 === avail0; i++) { avail1 = minor(await buyer.getByTestId('cash-available-USD').textContent()); if (avail1 === avail0) await buyer.waitForTimeout(100); }
  check(avail0 - avail1 === 2550n, `available cash falls by exactly 25.50 USD (${avail0} -> ${avail1} minor)`);
  await wf.getByLabel('Amount').fill('1');
  await wf.getByLabel('Reference').fill('E2E to reject');
  await wf.getByRole('button', { name: 'Request withdrawal' }).click();
  const rid = Number(/#(\d+)/.exec(await wf.getByText(/^Withdrawal #\d+ of 1\.00 USD requested/).textContent())[1]);
  check(rid > wid, 'a second withdrawal requested');

  // --- The admin, without a second factor, cannot approve: the error next to the code
  // links to Settings, where the admin turns the second factor on.
  const admin = await signIn('admin@carbonx.demo', 'demo-admin-2026', '/admin');
  const card0 = admin.locator(`li[aria-label="Withdrawal ${wid}"]`);
  await card0.getByLabel(`Your current code to approve withdrawal ${wid}`).fill('123456');
  await card0.getByRole('button', { name: 'Approve' }).click();
  await fieldError(card0, 'otp').getByText(/enroll one first/).waitFor();
  check(true, 'approving without a second factor is refused (AUTH_MFA_REQUIRED) next to the code field');
  await card0.getByRole('link', { name: 'Set up your second factor' }).click();
  await admin.getByRole('heading', { name: 'Settings and security', level: 1 }).waitFor();
  await admin.getByTestId('mfa-status').getByText('off').waitFor();
  await admin.getByRole('button', { name: 'Set up the second factor' }).click();
  const secret = (await admin.getByTestId('mfa-secret').textContent()).trim();
  check(/^[A-Z2-7]{32}$/.test(secret), 'settings shows the base32 secret for manual entry');
  const qr = admin.getByRole('img', { name: /QR code/ });
  await qr.waitFor();
  check(await qr.evaluate((img) => img.complete && img.naturalWidth > 50 && img.src.startsWith('data:image/svg+xml')), 'the QR code renders as an SVG image');
  await shot(admin, '20-settings-enroll');
  const gen = codes(secret);
  const cf = admin.getByRole('form', { name: 'Confirm the second factor' });
  await cf.getByLabel('Code from the app').fill(gen.wrong());
  await cf.getByRole('button', { name: 'Turn on the second factor' }).click();
  await fieldError(cf, 'code').waitFor();
  check((await fieldError(cf, 'code').textContent()).includes('Wrong code'), 'a wrong confirmation code is shown next to the code field');
  await cf.getByLabel('Code from the app').fill(await gen.next());
  await cf.getByRole('button', { name: 'Turn on the second factor' }).click();
  const rc = admin.getByTestId('recovery-codes');
  await rc.waitFor();
  const recovery = (await rc.locator('li').allTextContents()).map((s) => s.trim());
  check(recovery.length === 10 && new Set(recovery).size === 10, 'ten recovery codes shown once');
  const [dl] = await Promise.all([admin.waitForEvent('download'), admin.getByRole('button', { name: 'Download codes' }).click()]);
  const rcPath = join(OUT, 'recovery-codes.txt');
  await dl.saveAs(rcPath);
  check(recovery.every((c) => readFileSync(rcPath, 'utf8').includes(c)), 'recovery codes download as a text file');
  await shot(admin, '20-settings-recovery-codes');
  await axe(admin, 'settings');
  await admin.getByRole('button', { name: 'I have saved them' }).click();
  await admin.getByTestId('mfa-status').getByText('10 recovery codes left').waitFor();
  check(await rc.count() === 0, 'recovery codes are hidden once saved');
  await shot(admin, '20-settings');
  await admin.setViewportSize({ width: 390, height: 844 });
  await noHorizontalScroll(admin, 'settings');
  await admin.setViewportSize({ width: 1280, height: 900 });

  // --- Sign out, sign in again: the code step.
  await admin.getByRole('button', { name: 'Sign out' }).click();
  await admin.getByRole('banner').getByRole('link', { name: 'Sign in', exact: true }).waitFor();
  await admin.goto(`${U}/signin`);
  await admin.getByLabel('Email').fill('admin@carbonx.demo');
  await admin.getByLabel('Password').fill('demo-admin-2026');
  await admin.getByRole('button', { name: 'Sign in' }).click();
  const otp = admin.getByLabel('One-time code');
  await otp.waitFor();
  check(await otp.evaluate((el) => el === document.activeElement), 'the code step focuses the code field');
  await admin.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await admin.getByLabel('Recovery code').waitFor();
  await admin.getByRole('button', { name: 'Use a code from the app instead' }).click();
  await otp.fill(gen.wrong());
  await admin.getByRole('button', { name: 'Verify and sign in' }).click();
  await fieldError(admin, 'otp').waitFor();
  check(await otp.getAttribute('aria-invalid') === 'true', 'a wrong one-time code is shown next to the code field');
  await shot(admin, '21-signin-otp');
  await axe(admin, 'signin-otp');
  await otp.fill(await gen.next());
  await admin.getByRole('button', { name: 'Verify and sign in' }).click();
  await admin.waitForURL('**/admin');
  await admin.getByRole('button', { name: 'Sign out' }).waitFor();
  check(true, 'the admin signs in with password and one-time code');

  // --- The admin decides.
  await admin.reload();
  const card = admin.locator(`li[aria-label="Withdrawal ${wid}"]`);
  await card.waitFor();
  await axe(admin, 'admin-withdrawals');
  await card.getByLabel(`Your current code to approve withdrawal ${wid}`).fill(gen.wrong());
  await card.getByRole('button', { name: 'Approve' }).click();
  await fieldError(card, 'otp').waitFor();
  check(true, 'approving with a wrong code is refused next to the code field');
  await shot(admin, '22-admin-withdrawals');
  await card.getByLabel(`Your current code to approve withdrawal ${wid}`).fill(await gen.next());
  await card.getByRole('button', { name: 'Approve' }).click();
  await card.waitFor({ state: 'detached' });
  await admin.getByTestId('withdrawals-decided').getByRole('row', { name: /E2E payout/ }).getByText('approved').waitFor();
  check(true, 'the admin approves the withdrawal with a fresh code (step-up)');
  const rcard = admin.locator(`li[aria-label="Withdrawal ${rid}"]`);
  await rcard.getByRole('button', { name: 'Reject' }).click();
  await fieldError(rcard, 'reason').waitFor();
  check(true, 'rejecting without a reason shows the server error next to the reason');
  await rcard.getByLabel(`Reason to reject withdrawal ${rid}`).fill('Bank details do not match');
  await rcard.getByRole('button', { name: 'Reject' }).click();
  await rcard.waitFor({ state: 'detached' });
  check(true, 'the admin rejects the other withdrawal with a reason');

  await buyer.reload();
  await mine.getByRole('row', { name: /E2E payout/ }).getByText('approved').waitFor();
  await mine.getByRole('row', { name: /E2E to reject/ }).getByText('Reason: Bank details do not match').waitFor();
  const avail2 = minor(await buyer.getByTestId('cash-available-USD').textContent());
  check(avail0 - avail2 === 2550n, 'the buyer sees both decisions; the rejected amount is available again');
  await shot(buyer, '23-portfolio-withdrawals');

  // --- Wallet sign-up and sign-in.
  const w = Wallet.createRandom();
  const wp = await newPage();
  await injectWallet(wp, w);
  await wp.goto(`${U}/signin`);
  await wp.getByRole('button', { name: 'Sign in with Ethereum wallet' }).click();
  await wp.getByRole('heading', { name: 'New wallet' }).waitFor();
  check(true, 'an unknown wallet is offered an account');
  await shot(wp, '24-signin-new-wallet');
  await axe(wp, 'signin-wallet');
  await wp.getByRole('button', { name: 'Create an account with this wallet' }).click();
  await wp.waitForURL('**/portfolio');
  await wp.getByRole('banner').getByText(`Wallet ${w.address.toLowerCase().slice(0, 10)}`).waitFor();
  check(true, 'the wallet signs up and lands on its portfolio');
  await wp.goto(`${U}/settings`);
  await wp.getByRole('button', { name: 'Link the wallet in this browser' }).waitFor();
  await wp.getByRole('button', { name: 'Sign out' }).click();
  await wp.getByRole('banner').getByRole('link', { name: 'Sign in', exact: true }).waitFor();
  await wp.goto(`${U}/signin`);
  await wp.getByRole('button', { name: 'Sign in with Ethereum wallet' }).click();
  await wp.waitForURL('**/portfolio');
  await wp.getByRole('button', { name: 'Sign out' }).waitFor();
  check(true, 'the same wallet signs in again (fresh nonce, no sign-up step)');

  // --- An existing account links a second wallet in Settings, then signs in with it.
  const w2 = Wallet.createRandom();
  const sp = await newPage();
  await injectWallet(sp, w2);
  await sp.goto(`${U}/signin`);
  await sp.getByLabel('Email').fill('seller@carbonx.demo');
  await sp.getByLabel('Password').fill('demo-seller-2026');
  await sp.getByRole('button', { name: 'Sign in', exact: true }).click();
  await sp.getByRole('button', { name: 'Sign out' }).waitFor();
  await sp.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await sp.getByRole('button', { name: 'Link the wallet in this browser' }).click();
  await sp.getByTestId('wallets').getByText(w2.address.toLowerCase()).waitFor();
  check(true, 'a signed-in user links a wallet and sees it listed');
  await axe(sp, 'settings-wallet');
  await sp.getByRole('button', { name: 'Sign out' }).click();
  await sp.getByRole('banner').getByRole('link', { name: 'Sign in', exact: true }).waitFor();
  await sp.goto(`${U}/signin`);
  await sp.getByRole('button', { name: 'Sign in with Ethereum wallet' }).click();
  await sp.getByRole('banner').getByText('seller@carbonx.demo').waitFor();
  check(true, 'the linked wallet signs in to the existing account');
}
