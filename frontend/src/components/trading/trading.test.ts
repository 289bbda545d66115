// Trading components with logic, rendered to static markup: the ladder's order, spread and
// accessible price buttons; the controlled field's error wiring; the change in basis points;
// the charts' text alternatives and empty states.
import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { OrderBookLadder } from './OrderBookLadder';
import { CField, formatBp } from './common';
import { DepthChart } from '../analytics/DepthChart';
import { CandleChart } from '../analytics/CandleChart';
import type { Book } from '../../store/marketSlice';

const book: Book = { seq: 9, bids: [['23.90', '150.000'], ['23.50', '300.000']], asks: [['24.80', '170.000'], ['25.20', '300.000']] };
const noop = () => undefined;

describe('OrderBookLadder', () => {
  it('shows asks high to low above the spread and bids high to low below, as labelled buttons', () => {
    const html = renderToStaticMarkup(createElement(OrderBookLadder, { book, currency: 'USD', onPick: noop, status: 'Live.' }));
    const prices = [...html.matchAll(/aria-label="(Ask|Bid) ([\d.]+) USD/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(prices).toEqual(['Ask 25.20', 'Ask 24.80', 'Bid 23.90', 'Bid 23.50']);
    expect(html).toContain('Spread 0.90');
    expect(html).toContain('Ask 24.80 USD, 170.000 t: use this price to buy');
    expect(html).toContain('Bid 23.90 USD, 150.000 t: use this price to sell');
    expect(html).toContain('Live.');
  });
  it('says so when a side is empty', () => {
    const html = renderToStaticMarkup(createElement(OrderBookLadder, { book: { seq: 0, bids: [], asks: [] }, currency: 'USD', onPick: noop, status: '' }));
    expect(html).toContain('No offers.');
    expect(html).toContain('No bids.');
    expect(html).toContain('Spread —');
  });
});

describe('CField and formatBp', () => {
  it('wires the server error to its own field only', () => {
    const err = { message: 'more than 2 decimal places', field: 'price' };
    const a = renderToStaticMarkup(createElement(CField, { label: 'Limit price', name: 'price', value: '1.234', onChange: noop, error: err }));
    expect(a).toContain('aria-invalid="true"');
    expect(a).toContain('data-field-error="price"');
    const b = renderToStaticMarkup(createElement(CField, { label: 'Quantity', name: 'quantity', value: '', onChange: noop, error: err }));
    expect(b).not.toContain('aria-invalid');
  });
  it('formats basis points exactly', () => {
    expect(formatBp(122)).toBe('+1.22 %');
    expect(formatBp(-5)).toBe('−0.05 %');
    expect(formatBp(0)).toBe('0.00 %');
    expect(formatBp(null)).toBe('—');
  });
});

describe('charts', () => {
  it('depth chart has a text alternative with the best prices', () => {
    const html = renderToStaticMarkup(createElement(DepthChart, { book, currency: 'USD' }));
    expect(html).toContain('role="img"');
    expect(html).toContain('2 bid levels down from 23.90, 2 ask levels up from 24.80 USD');
    expect((html.match(/<path /g) ?? []).length).toBe(2);
    expect(renderToStaticMarkup(createElement(DepthChart, { book: undefined, currency: 'USD' }))).toContain('No orders in the book.');
  });
  it('candle chart draws one body per candle and states the last one exactly', () => {
    const c = (t: number, o: string, cl: string) => ({ t, open: o, high: '25.00', low: '24.00', close: cl, volume: '5.000', notional: '1.00', trades: 1 });
    const html = renderToStaticMarkup(createElement(CandleChart, { candles: [c(60e6, '24.50', '24.80'), c(120e6, '24.80', '24.20')], currency: 'USD', interval: '1m' }));
    expect(html).toContain('Candles (1m), 2 shown');
    expect(html).toContain('open 24.80, high 25.00, low 24.00, close 24.20 USD, volume 5.000 t');
    expect((html.match(/<line /g) ?? []).length).toBe(2);
    expect(renderToStaticMarkup(createElement(CandleChart, { candles: [], currency: 'USD', interval: '1m' }))).toContain('No trades yet');
  });
});
