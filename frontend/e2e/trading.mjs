// The trading part of the end-to-end test (called by run.mjs with its helpers, against the
// same real carbonx --demo). Flow: the signed-out markets list (screenshot, axe); the buyer
// opens SERRA-24 from the navigation, sees the live book, clicks the best ask to fill the
// ticket, places a limit buy that trades against the demo asks, and sees the fill appear
// live (announced), the book shrink and the cash balance fall by exactly notional + fee;
// a server error (outside the price band) shows next to the price; a resting order is
// replaced and cancelled; another trader's order appears in the ladder without a reload;
// the trading page passes axe and fits a phone; the standard contract shows its criteria
// and the delivered batch with serials.

/** Decimal string -> integer minor units (2 decimals), exact. */
function minor(s) {
  const m = /^(-?)([\d,]+)\.(\d{2})$/.exec(s.trim());
  if (!m) throw new Error(`not a 2-decimal amount: ${s}`);
  const v = BigInt(m[2].replace(/,/g, '')) * 100n + BigInt(m[3]);
  return m[1] ? -v : v;
}

async function apiLogin(U, email, password) {
  const r = await fetch(`${U}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (!r.ok) throw new Error(`login ${email}: ${r.status}`);
  return (await r.json()).access_token;
}

export async function tradingFlow({ U, check, shot, axe, noHorizontalScroll, newPage, signIn }) {
  // --- Signed-out markets list.
  const anon = await newPage();
  await anon.goto(`${U}/markets`);
  await anon.getByRole('heading', { name: 'Markets', level: 1 }).waitFor();
  const serraRow = anon.getByRole('table', { name: 'Instruments' }).getByRole('row', { name: /SERRA-24/ });
  await serraRow.waitFor();
  await serraRow.getByText('24.80').first().waitFor();
  check((await serraRow.textContent()).includes('130.000 t'), 'markets list shows SERRA-24 with last price and 24 h volume');
  check(await anon.getByRole('table', { name: 'Instruments' }).getByRole('row', { name: /LATAM-CORSIA/ }).isVisible(), 'markets list shows the standard contracts');
  await anon.getByRole('table', { name: /Price indices/ }).getByRole('row', { name: /All credits/ }).getByText(/^\d+\.\d{2}$/).waitFor();
  check(true, 'price indices arrive over the WebSocket');
  await shot(anon, '12-markets');
  await axe(anon, 'markets');
  await anon.setViewportSize({ width: 390, height: 844 });
  await noHorizontalScroll(anon, 'markets');
  await anon.close();

  // --- The buyer trades SERRA-24.
  const buyer = await signIn('buyer@carbonx.demo', 'demo-buyer-2026', '/portfolio');
  const cashBefore = minor(await buyer.getByTestId('cash-available-USD').textContent());
  check(cashBefore > 0n, 'portfolio shows the cash balance');
  await buyer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Markets' }).click();
  await buyer.getByRole('link', { name: 'SERRA-24' }).click();
  await buyer.waitForURL('**/markets/1');
  await buyer.getByRole('heading', { name: /SERRA-24/, level: 1 }).waitFor();
  const ladder = buyer.getByRole('table', { name: /Order book/ });
  const ask = ladder.getByRole('button', { name: /^Ask 24\.80 USD/ });
  await ask.waitFor();
  check((await ask.getAttribute('aria-label')).includes('170.000 t'), 'the ladder shows the demo ask 24.80 x 170 t from the depth snapshot');
  check(await ladder.getByRole('button', { name: /^Bid 23\.90 USD/ }).isVisible(), 'the ladder shows the best bid');
  await buyer.getByText('Live.').waitFor();
  await buyer.getByRole('img', { name: /^Candles \(1m\)/ }).waitFor();
  await buyer.getByRole('img', { name: /^Depth chart/ }).waitFor();
  check(true, 'candle and depth charts are drawn');
  const tape = buyer.getByRole('table', { name: /Recent trades/ });
  check(await tape.locator('tbody tr').count() >= 3, 'the trade tape shows the demo trades');
  const cash = () => buyer.getByTestId('cash-available-USD').textContent().then(minor);
  const cash0 = await cash();
  check(cash0 === cashBefore, 'trading page shows the same cash balance');

  const ticket = buyer.getByRole('form', { name: 'Order ticket' });
  // A server error lands next to the field at fault (a buy above the 10 % band).
  await ticket.getByLabel(/^Limit price/).fill('30.00');
  await ticket.getByLabel('Quantity (tonnes)').fill('1');
  await ticket.getByRole('button', { name: 'Buy SERRA-24' }).click();
  const priceErr = ticket.locator('[data-field-error="price"]');
  await priceErr.waitFor();
  check((await priceErr.textContent()).includes('price band'), 'a buy outside the price band shows the server error next to the price');
  check(await ticket.getByLabel(/^Limit price/).getAttribute('aria-invalid') === 'true', 'the price field is marked invalid');

  // Pick the best ask from the keyboard: the ticket becomes a buy at 24.80 and focus moves
  // to the quantity.
  await ticket.getByRole('radio', { name: 'Sell' }).check();
  await ask.focus();
  await buyer.keyboard.press('Enter');
  // React applies the pick on its next render: poll briefly instead of reading at once.
  const limit = ticket.getByLabel(/^Limit price/);
  for (let i = 0; i < 40 && (await limit.inputValue()) !== '24.80'; i++) await buyer.waitForTimeout(50);
  check(await limit.inputValue() === '24.80', 'picking an ask (keyboard) fills the ticket price');
  check(await ticket.getByRole('radio', { name: 'Buy' }).isChecked(), 'picking an ask makes the ticket a buy');
  check(await buyer.evaluate(() => document.activeElement?.getAttribute('name')) === 'quantity', 'focus moves to the quantity');
  await ticket.getByLabel('Quantity (tonnes)').fill('2');
  await ticket.getByText(/Locks up to 49\.69 USD/).waitFor();
  check(true, 'the ticket shows the exact amount locked (notional + fee)');
  await ticket.getByRole('button', { name: 'Buy SERRA-24' }).click();
  await ticket.getByTestId('order-result').getByText(/filled 2\.000 t at an average 24\.80 USD/).waitFor();
  check(true, 'the limit buy trades against the demo ask');
  await buyer.getByTestId('fill-announcer').getByText('New fill: bought 2.000 t at 24.80 USD.').waitFor();
  check(true, 'the new fill is announced (aria-live)');
  const fills = buyer.getByRole('table', { name: 'My fills' });
  const newFill = fills.locator('tbody tr').first();
  await newFill.getByText('2.000 t').waitFor();
  check((await newFill.textContent()).includes('24.80'), 'the fill appears live in the fills table');
  check(/serials \d+-\d+/.test(await newFill.getByTestId('serials').textContent()), 'the fill names the delivered serials');
  await ladder.getByRole('button', { name: /^Ask 24\.80 USD, 168\.000 t/ }).waitFor();
  check(true, 'the book shrinks live (24.80 now 168 t)');
  await tape.getByRole('row', { name: /2\.000 t/ }).first().waitFor();
  check(true, 'the trade appears on the tape');
  await buyer.locator('.summary').getByText('132.000 t').waitFor();
  check(true, 'the 24 h volume updates live (130 -> 132 t)');
  for (let i = 0; i < 50 && (await cash()) === cash0; i++) await buyer.waitForTimeout(100);
  const cash1 = await cash();
  check(cash0 - cash1 === 4969n, `the cash balance falls by notional 49.60 + fee 0.09 (${cash0} -> ${cash1})`);

  // A resting order: replace, then cancel.
  await ticket.getByLabel(/^Limit price/).fill('24.00');
  await ticket.getByLabel('Quantity (tonnes)').fill('1.5');
  await ticket.getByRole('button', { name: 'Buy SERRA-24' }).click();
  await ticket.locator('[data-field-error="quantity"]').getByText(/lots/).waitFor();
  check(true, 'a quantity off the lot size shows the server error next to the quantity');
  await ticket.getByLabel('Quantity (tonnes)').fill('1');
  await ticket.getByRole('button', { name: 'Buy SERRA-24' }).click();
  const rest = await ticket.getByTestId('order-result').getByText(/open 1\.000 t/).textContent();
  const oid = /#(\d+)/.exec(rest)[1];
  const open = buyer.getByRole('table', { name: /Open orders/ });
  await open.getByRole('button', { name: `Replace order ${oid}` }).click();
  const rf = buyer.getByRole('form', { name: `Replace order ${oid}` });
  await rf.getByLabel('New price').fill('24.10');
  await rf.getByRole('button', { name: 'Save' }).click();
  await open.getByRole('row', { name: new RegExp(`#${oid}`) }).getByText('24.10').waitFor();
  await ladder.getByRole('button', { name: /^Bid 24\.10 USD, 1\.000 t/ }).waitFor();
  check(true, 'replace moves the order to 24.10 (open orders and ladder)');
  await open.getByRole('button', { name: `Cancel order ${oid}` }).click();
  await open.getByRole('row', { name: new RegExp(`#${oid}`) }).waitFor({ state: 'detached' });
  await ladder.getByRole('button', { name: /^Bid 24\.10 USD/ }).waitFor({ state: 'detached' });
  check(true, 'cancel removes the order (open orders and ladder)');

  // Another trader's order shows up without a reload.
  const sellerToken = await apiLogin(U, 'seller@carbonx.demo', 'demo-seller-2026');
  const r = await fetch(`${U}/api/v1/orders`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${sellerToken}` },
    body: JSON.stringify({ instrument: 1, side: 'sell', type: 'limit', price: '24.70', quantity: '3' }),
  });
  check(r.status === 201, 'the seller places an ask over the API');
  await ladder.getByRole('button', { name: /^Ask 24\.70 USD, 3\.000 t/ }).waitFor();
  check(true, "another trader's ask appears in the ladder live");

  await shot(buyer, '13-trade');
  await axe(buyer, 'trade');
  await buyer.setViewportSize({ width: 390, height: 844 });
  await noHorizontalScroll(buyer, 'trading page');
  await shot(buyer, '13-trade-phone');
  await buyer.setViewportSize({ width: 1280, height: 900 });

  // --- A standard contract: criteria, and the delivered batch in the demo fill.
  await buyer.goto(`${U}/markets/3`);
  await buyer.getByRole('heading', { name: /Standard contract LATAM-CORSIA/ }).waitFor();
  check(await buyer.getByText('BR, CO, PE').isVisible(), 'the contract view shows its criteria');
  const cf = buyer.getByRole('table', { name: 'My fills' }).locator('tbody tr').first();
  await cf.getByTestId('serials').getByText(/serials 5131-5150/).waitFor();
  check((await cf.textContent()).includes('#1'), 'a contract fill shows the delivered batch and serial range');
  await buyer.getByRole('radio', { name: 'Sell' }).check();
  await buyer.getByLabel('Batch to deliver').waitFor();
  check((await buyer.getByLabel('Batch to deliver').locator('option').first().textContent()).includes('Serra do Mar'), 'selling into a contract offers the eligible batches held');
  await shot(buyer, '14-contract');
  await axe(buyer, 'contract');
  await buyer.close();
}

/** Admin halts and resumes SERRA-24 on the admin page; a halted market refuses orders. */
export async function haltFlow({ U, check, admin }) {
  const halts = admin.getByRole('table', { name: /Markets: halt and resume/ });
  const row = halts.getByRole('row', { name: /SERRA-24/ });
  await row.getByLabel('Reason for SERRA-24').fill('E2E drill');
  await row.getByRole('button', { name: 'Halt SERRA-24' }).click();
  await row.getByText('SERRA-24 is now halted.').waitFor();
  const token = await apiLogin(U, 'buyer@carbonx.demo', 'demo-buyer-2026');
  const r = await fetch(`${U}/api/v1/orders`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ instrument: 1, side: 'buy', type: 'limit', price: '24.00', quantity: '1' }),
  });
  check(r.status >= 400 && (await r.json()).code === 'MATCHING_MARKET_HALTED', 'a halted market refuses orders');
  await row.getByRole('button', { name: 'Resume SERRA-24' }).click();
  await row.getByText(/SERRA-24 is now (continuous|auction)/).waitFor();
  check(true, 'admin halts and resumes a market');
}

/** The developer auctions part of a new batch (listing it first); a bid makes the auctions
 *  list show an indicative price. */
export async function auctionFlow({ U, check, dev, projectName, tag }) {
  await dev.reload();
  const f = dev.getByRole('form', { name: 'Auction a batch' });
  const batchSel = f.getByLabel('Batch');
  const v = await batchSel.locator('option', { hasText: projectName }).first().getAttribute('value');
  await batchSel.selectOption(v);
  const symbol = `E2E-${tag}`.slice(0, 16).toUpperCase();
  await f.getByLabel('Symbol for the new listing (optional)').fill(symbol);
  await f.getByLabel('Quantity (tonnes)').fill('100.5');
  await f.getByLabel(/^Reserve price/).fill('20.00');
  await f.getByRole('button', { name: 'Start auction' }).click();
  await f.locator('[data-field-error="quantity"]').waitFor();
  check(true, 'an auction quantity off the lot shows the server error next to the quantity');
  await f.getByLabel('Quantity (tonnes)').fill('100');
  await f.getByRole('button', { name: 'Start auction' }).click();
  const link = f.getByRole('link', { name: symbol });
  await link.waitFor();
  const id = Number((await link.getAttribute('href')).split('/').pop());
  check(id > 0, 'the developer lists the batch and starts a primary auction');
  const token = await apiLogin(U, 'buyer@carbonx.demo', 'demo-buyer-2026');
  const r = await fetch(`${U}/api/v1/orders`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ instrument: id, side: 'buy', type: 'limit', price: '21.00', quantity: '10' }),
  });
  check(r.status === 201 && (await r.json()).in_auction === true, 'a bid is collected by the call auction');
  const row = dev.getByRole('table', { name: 'Call auctions running' }).getByRole('row', { name: new RegExp(symbol) });
  await row.getByText(/^2\d\.\d\d USD$/).waitFor({ timeout: 15000 });
  check((await row.textContent()).includes('10.000 t'), 'the auctions list shows the indicative price and matched volume');
}
