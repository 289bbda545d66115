// The analytics and audit part of the end-to-end test (called by run.mjs with its helpers,
// against the same real carbonx --demo, after the other flows). Flow: the signed-out
// analytics page shows the reference forecast fan chart with the verdict about naive, the
// volatility table, the regime and a project's risk factors, but no alert list and no Audit
// link (screenshot, axe, phone width); picking SERRA-24 shows that it has too little history
// for a forecast, and its liquidity (also reached from its trading page); the project page shows the same risk score; the buyer's
// portfolio VaR/ES is lower at 95 % than at 99 %; after the buyer trades with itself (STP
// off, through the API) the auditor finds the self-trade alert with its evidence and opens
// the audit trail (filters by kind and user, paging; screenshot, axe).

async function apiLogin(U, email, password) {
  const r = await fetch(`${U}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (!r.ok) throw new Error(`login ${email}: ${r.status}`);
  return (await r.json()).access_token;
}

async function apiPost(U, token, path, body) {
  const r = await fetch(`${U}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const text = await r.text();
  if (!r.ok) throw new Error(`POST ${path}: ${r.status} ${text}`);
  return JSON.parse(text);
}

/** "1,367.47 USD" -> 136747n (exact). */
function minor(s) {
  const m = /(-?)([\d,]+)\.(\d{2})/.exec(s);
  if (!m) throw new Error(`not an amount: ${s}`);
  const v = BigInt(m[2].replace(/,/g, '')) * 100n + BigInt(m[3]);
  return m[1] ? -v : v;
}

export async function analyticsFlow({ U, check, shot, axe, noHorizontalScroll, newPage, signIn }) {
  // --- Signed out: the reference series.
  const anon = await newPage();
  await anon.goto(`${U}/`);
  await anon.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Analytics' }).click();
  await anon.getByRole('heading', { name: 'Analytics', level: 1 }).waitFor();
  check(await anon.getByRole('link', { name: 'Audit', exact: true }).count() === 0, 'no Audit link when signed out');
  const verdict = anon.getByTestId('verdict');
  await verdict.waitFor({ timeout: 90000 });  // the model may still be training right after start-up
  check(/naive/i.test(await verdict.textContent()), 'the forecast verdict says how the models compare with naive');
  const fan = anon.getByRole('img', { name: /^Forecast fan chart of EUA/ });
  await fan.waitFor();
  check(/at 20 trading days the forecast is \d+\.\d\d \(80 % interval \d+\.\d\d to \d+\.\d\d\), naive \d+\.\d\d/.test(await fan.getAttribute('aria-label')),
    'the fan chart states the 20-day forecast, its interval and naive');
  const ft = anon.getByRole('table', { name: /Forecast by horizon/ });
  check(await ft.locator('tbody tr').count() === 3, 'forecast table has the 1, 5 and 20-day horizons');
  await anon.getByText('Each model', { exact: true }).click();
  const mt = anon.getByRole('table', { name: /Forecast by model/ });
  const models = await mt.locator('tbody th').allTextContents();
  check(models[0] === 'naive' && models.at(-1) === 'ensemble' && models.length >= 4, `each model beside naive (${models.join(', ')})`);
  check(/\(\d\.\d{3}\)/.test(await mt.getByRole('row', { name: /ensemble/ }).textContent()), 'with its walk-forward MASE');
  const vt = anon.getByRole('table', { name: 'Volatility of daily log returns' });
  await vt.waitFor();
  check(/\d+\.\d\d %/.test(await vt.getByRole('row', { name: /GARCH\(1,1\), next day/ }).textContent()), 'GARCH(1,1) volatility shown');
  check(/\d+\.\d\d %/.test(await vt.getByRole('row', { name: /EWMA/ }).textContent()), 'EWMA volatility shown');
  check(/\d+\.\d\d %/.test(await vt.getByRole('row', { name: /Realized/ }).textContent()), 'realized volatility shown');
  await anon.getByTestId('regime').waitFor();
  check(/trend|Sideways/.test(await anon.getByTestId('regime').textContent()), 'the regime of the reference index is shown');
  const risk = anon.getByRole('table', { name: /^Risk factors of/ });
  await risk.waitFor();
  check(await risk.locator('tbody tr').count() >= 5, 'project risk lists its factors');
  check(await anon.getByRole('heading', { name: 'Market-abuse alerts' }).count() === 0, 'no alert list when signed out');
  check(await anon.getByText('to see the value at risk of your holdings').isVisible(), 'portfolio risk asks to sign in');
  await shot(anon, '15-analytics');
  await axe(anon, 'analytics');

  // --- An instrument with one day of trading: too little for a forecast, but liquidity.
  const picker = anon.getByLabel('Price series', { exact: true });
  const v = await picker.locator('option', { hasText: 'SERRA-24' }).getAttribute('value');
  await picker.selectOption(v);
  await anon.waitForURL(/series=instrument%3A\d+|series=instrument:\d+/);
  await anon.getByTestId('liquidity').waitFor();
  check(/\d+\.\d bp/.test(await anon.getByTestId('liquidity').textContent()), 'SERRA-24 liquidity shows the spread in basis points');
  const gap = anon.getByTestId('ml-gap').first();
  await gap.waitFor();
  check(/needs at least/.test(await gap.textContent()), 'a young market says how much history a forecast needs (not an error)');
  check(await anon.getByRole('alert').count() === 0, 'insufficient history is a note, not an alert');
  await anon.goto(`${U}/markets/${v.split(':')[1]}`);
  await anon.getByRole('link', { name: 'Analytics of SERRA-24' }).click();
  await anon.getByTestId('liquidity').waitFor();
  check(await anon.getByLabel('Price series', { exact: true }).inputValue() === v, 'the trading page links to the analytics of its instrument');
  await anon.setViewportSize({ width: 390, height: 844 });
  await anon.goto(`${U}/analytics`);
  await anon.getByTestId('verdict').waitFor();
  await noHorizontalScroll(anon, 'analytics');
  await shot(anon, '15-analytics-phone');

  // --- The project page shows the same score.
  await anon.goto(`${U}/analytics?project=1`);
  const projectScore = await anon.getByTestId('risk-score').textContent();
  await anon.setViewportSize({ width: 1280, height: 900 });
  await anon.goto(`${U}/projects/1`);
  await anon.getByRole('heading', { name: 'Risk', level: 2 }).waitFor();
  await anon.getByTestId('risk-score').waitFor();
  check(await anon.getByTestId('risk-score').textContent() === projectScore, 'project page shows the risk score of the analytics page');
  await anon.getByRole('link', { name: 'Risk and market analytics' }).click();
  await anon.waitForURL(/\/analytics\?project=1$/);

  // --- The buyer's portfolio risk: exact money, lower at 95 % than at 99 %.
  const buyer = await signIn('buyer@carbonx.demo', 'demo-buyer-2026', '/portfolio');
  await buyer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Analytics' }).click();
  check(await buyer.getByRole('link', { name: 'Audit', exact: true }).count() === 0, 'no Audit link for a trader');
  const pr = buyer.getByTestId('portfolio-risk');
  await pr.waitFor();
  const var99 = minor(await pr.getByRole('row', { name: /Historical/ }).locator('td').first().textContent());
  const es99 = minor(await pr.getByRole('row', { name: /Historical/ }).locator('td').nth(1).textContent());
  check(var99 > 0n && es99 >= var99, 'historical VaR 99 % is positive and ES is at least VaR');
  await buyer.getByLabel('Confidence level').selectOption('0.95');
  await buyer.getByRole('table', { name: /95\.0 % confidence/ }).waitFor();
  const var95 = minor(await buyer.getByTestId('portfolio-risk').getByRole('row', { name: /Historical/ }).locator('td').first().textContent());
  check(var95 > 0n && var95 < var99, `VaR 95 % (${var95}) is below VaR 99 % (${var99})`);
  await buyer.close();

  // --- A self-trade, then the auditor's alert list and audit trail.
  const tok = await apiLogin(U, 'buyer@carbonx.demo', 'demo-buyer-2026');
  await apiPost(U, tok, '/orders', { instrument: 1, side: 'sell', price: '24.00', quantity: '1.000', batch: 1, stp: 'none' });
  const bid = await apiPost(U, tok, '/orders', { instrument: 1, side: 'buy', price: '24.00', quantity: '1.000', stp: 'none' });
  check(bid.fills.length === 1, 'the buyer traded with itself');
  const aud = await signIn('auditor@carbonx.demo', 'demo-auditor-2026', '/portfolio');
  await aud.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Analytics' }).click();
  const alerts = aud.getByRole('table', { name: /^Alerts/ });
  const row = alerts.getByRole('row', { name: new RegExp(`Self-trade.*trade ${bid.fills[0].id}\\b`) });
  await row.waitFor();
  const rowText = await row.textContent();
  check(rowText.includes('buyer@carbonx.demo') && rowText.includes(`trade ${bid.fills[0].id}`) && /same account/.test(rowText),
    'the auditor sees the self-trade alert with the user, the trade and the evidence');
  await aud.getByRole('heading', { name: 'Market-abuse alerts' }).scrollIntoViewIfNeeded();
  await shot(aud, '15-analytics-auditor');
  await aud.getByLabel('Kind').selectOption('spoof');
  await alerts.getByText('No alert of this kind.').waitFor();
  check(true, 'alerts filter by kind');

  await aud.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit', exact: true }).click();
  await aud.getByRole('heading', { name: 'Audit trail', level: 1 }).waitFor();
  const trail = aud.getByRole('table', { name: /Audit trail/ });
  await trail.locator('tbody tr').first().waitFor();
  const kinds = await trail.locator('tbody tr td:nth-child(2)').allTextContents();
  check(kinds.includes('login') && kinds.includes('deposit'), `audit trail lists logins and deposits (${[...new Set(kinds)].join(', ')})`);
  const form = aud.getByRole('search', { name: 'Filter the audit trail' });
  await form.getByLabel('Kind').selectOption('login');
  await form.getByLabel('User').selectOption(await form.getByLabel('User').locator('option', { hasText: 'buyer@carbonx.demo' }).getAttribute('value'));
  await form.getByRole('button', { name: 'Filter' }).click();
  await aud.waitForFunction(() => {
    const rows = [...document.querySelectorAll('table tbody tr')];
    return rows.length > 0 && rows.every((r) => r.children[1]?.textContent === 'login' && r.children[2]?.textContent === 'buyer@carbonx.demo');
  });
  const n = await trail.locator('tbody tr').count();
  check(n >= 2, `filtered by kind and user: the buyer's ${n} logins only`);
  check(/Page 1 of \d+ \(\d+ items?\)/.test(await aud.getByRole('navigation', { name: 'Audit trail pages' }).textContent()), 'audit trail pages');
  await form.getByLabel('Kind').selectOption('');
  await form.getByLabel('User').selectOption('');
  await form.getByRole('button', { name: 'Filter' }).click();
  await trail.getByRole('cell', { name: 'deposit' }).first().waitFor();
  await shot(aud, '16-audit');
  await axe(aud, 'audit');
}
