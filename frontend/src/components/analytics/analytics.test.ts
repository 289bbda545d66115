// Analytics dashboard logic: fan chart shaping, series picker, risk factor rows, number and
// alert formatting; the chart components rendered to markup with their text alternatives.
import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { Instrument, MlForecast, RiskFactor } from '../../services/api';
import {
  alertKindLabel, alertSubject, factorLabel, factorRows, factorTotal, fanData, formatNum, formatPct, formatPoints,
  modelRows, normaliseSeries, seriesOptions,
} from './analytics';
import { FanChart, ForecastTable } from './FanChart';
import { LineChart } from './LineChart';

// Shaped as GET /api/v1/ml/forecast answers (horizons deliberately out of order).
const forecast: MlForecast = {
  series: { kind: 'reference', name: 'EUA', currency: 'EUR', days: 3356, from: '2008-04-08', to: '2021-04-16', last: 44.33 },
  model: 'ensemble', sigma_daily: 0.0185,
  horizons: [
    { horizon: 20, naive: 44.33, forecast: 45.49, interval: { level: 0.8, lo: 42.31, hi: 50.21 }, by_model: {}, backtest_mase: 0.9987, beats_naive: false },
    { horizon: 1, naive: 44.33, forecast: 44.36, interval: { level: 0.8, lo: 43.43, hi: 45.49 }, by_model: {}, backtest_mase: 0.9997, beats_naive: false },
    { horizon: 5, naive: 44.33, forecast: 44.59, interval: { level: 0.8, lo: 42.89, hi: 47.17 }, by_model: {}, backtest_mase: 0.999, beats_naive: false },
  ],
  verdict: 'nothing beat the naive forecast',
};
const history = [
  { date: '2021-04-14', price: 40.1 },
  { date: '2021-04-15', price: 42.0 },
  { date: '2021-04-16', price: 44.33 },
];

describe('fanData', () => {
  it('puts history at x <= 0 ending on the last close and the horizons at +h, in order', () => {
    const d = fanData(history, forecast)!;
    expect(d.history.map((p) => p.x)).toEqual([-2, -1, 0]);
    expect(d.history[2]).toEqual({ x: 0, y: 44.33, date: '2021-04-16' });
    expect(d.forecast).toEqual([{ x: 0, y: 44.33 }, { x: 1, y: 44.36 }, { x: 5, y: 44.59 }, { x: 20, y: 45.49 }]);
    expect(d.xDomain).toEqual([-2, 20]);
  });
  it('opens the fan from zero width at the last close to each horizon\'s 80 % interval', () => {
    const d = fanData(history, forecast)!;
    expect(d.band).toEqual([
      { x: 0, lo: 44.33, hi: 44.33 }, { x: 1, lo: 43.43, hi: 45.49 }, { x: 5, lo: 42.89, hi: 47.17 }, { x: 20, lo: 42.31, hi: 50.21 },
    ]);
    expect(d.naive).toEqual([{ x: 0, y: 44.33 }, { x: 20, y: 44.33 }]);
  });
  it('pads the value domain around everything drawn', () => {
    const [lo, hi] = fanData(history, forecast)!.yDomain;
    expect(lo).toBeLessThan(40.1);
    expect(hi).toBeGreaterThan(50.21);
    expect(lo).toBeGreaterThan(35);
    expect(hi).toBeLessThan(55);
  });
  it('draws the forecast alone without history, and nothing when there is nothing', () => {
    const d = fanData([], forecast)!;
    expect(d.history).toEqual([]);
    expect(d.xDomain).toEqual([-1, 20]);
    expect(d.last).toBe(44.33);
    expect(fanData([], { ...forecast, series: { ...forecast.series, last: undefined }, horizons: [] })).toBeNull();
  });
  it('takes the origin from the history when the series has no last price', () => {
    const d = fanData(history, { ...forecast, series: { ...forecast.series, last: undefined } })!;
    expect(d.last).toBe(44.33);
    expect(d.band[0]).toEqual({ x: 0, lo: 44.33, hi: 44.33 });
  });
});

describe('series picker', () => {
  const inst = (id: number, symbol: string, kind: 'batch' | 'contract') => ({ id, symbol, kind, currency: 'USD' }) as Instrument;
  it('lists the reference first, then instruments by symbol', () => {
    const o = seriesOptions('EUA futures', [inst(3, 'LATAM-CORSIA', 'contract'), inst(1, 'SERRA-24', 'batch'), inst(2, 'CX-NBR', 'contract')]);
    expect(o.map((x) => x.value)).toEqual(['reference', 'instrument:2', 'instrument:3', 'instrument:1']);
    expect(o[0].label).toBe('Reference index: EUA futures');
    expect(o[3].label).toBe('SERRA-24 (batch, USD)');
    expect(o[1].label).toBe('CX-NBR (standard contract, USD)');
  });
  it('accepts only reference or instrument:<positive id> from the URL', () => {
    expect(normaliseSeries('instrument:12')).toBe('instrument:12');
    expect(normaliseSeries('instrument:0')).toBe('reference');
    expect(normaliseSeries('instrument:x')).toBe('reference');
    expect(normaliseSeries('instrument:1;drop')).toBe('reference');
    expect(normaliseSeries(null)).toBe('reference');
  });
});

describe('risk factors', () => {
  // As GET /api/v1/ml/risk/projects/1 answers for the demo forest project.
  const factors: RiskFactor[] = [
    { name: 'removal_vs_reduction', points: 2, max_points: 10, detail: 'removal: measured stock change' },
    { name: 'permanence', points: 10, max_points: 10, detail: 'nature-based: reversal risk' },
    { name: 'methodology', points: 0, max_points: 20, detail: 'no flagged methodology' },
    { name: 'vintage_age', points: 3, max_points: 15, detail: '2 years old' },
    { name: 'country', points: 5, max_points: 10, detail: 'governance unknown (medium)' },
    { name: 'verification_history', points: 3, max_points: 15, detail: '0 adverse of 1' },
    { name: 'concentration', points: 2.09, max_points: 5, detail: 'largest holder 70.9 %' },
    { name: 'new_factor_x', points: 0, max_points: 0, detail: 'n/a' },
  ];
  it('orders by points, ties in the server\'s order, with labels, shares and a sentence', () => {
    const rows = factorRows(factors);
    expect(rows.map((r) => r.name)).toEqual(['permanence', 'country', 'vintage_age', 'verification_history', 'concentration',
      'removal_vs_reduction', 'methodology', 'new_factor_x']);
    expect(rows[0]).toMatchObject({ label: 'Permanence (nature vs technical)', points: '10', max: '10', share: 1 });
    expect(rows[4]).toMatchObject({ points: '2.09', max: '5', share: 0.418 });
    expect(rows[4].text).toBe('Holder concentration: 2.09 of 5 points (largest holder 70.9 %)');
    expect(rows[7]).toMatchObject({ label: 'New factor x', share: 0 });
  });
  it('adds up to the score', () => {
    expect(factorTotal(factors)).toBe(25.09);
  });
  it('labels unknown names readably', () => {
    expect(factorLabel('vintage_age')).toBe('Vintage age');
    expect(factorLabel('some_new_thing')).toBe('Some new thing');
    expect(formatPoints(2.0899999)).toBe('2.09');
    expect(formatPoints(10)).toBe('10');
  });
});

describe('formatting', () => {
  it('formats estimates and shares, with dashes for missing values', () => {
    expect(formatNum(44.360839)).toBe('44.36');
    expect(formatNum(-0.0001, 2)).toBe('0.00');
    expect(formatNum(null)).toBe('—');
    expect(formatNum(Number.NaN)).toBe('—');
    expect(formatPct(0.048486)).toBe('4.85 %');
    expect(formatPct(0.048486, 1, true)).toBe('+4.8 %');
    expect(formatPct(-0.914853, 1, true)).toBe('-91.5 %');
    expect(formatPct(0.00001, 2, true)).toBe('0.00 %');
    expect(formatPct(undefined)).toBe('—');
  });
  it('names alert kinds and what they point at', () => {
    expect(alertKindLabel('selftrade')).toBe('Self-trade');
    expect(alertKindLabel('future_kind')).toBe('future kind');
    expect(alertSubject({ trade: 5 })).toBe('trade 5');
    expect(alertSubject({ order: 12, batches: [3, 7] })).toBe('order 12, batches 3, 7');
    expect(alertSubject({ batches: [3] })).toBe('batch 3');
    expect(alertSubject({})).toBe('—');
  });
});

describe('chart components', () => {
  it('renders the fan chart with its summary and the exact table', () => {
    const html = renderToStaticMarkup(createElement(FanChart, { forecast, history }));
    expect(html).toContain('role="img"');
    expect(html).toContain('at 20 trading days the forecast is 45.49 (80 % interval 42.31 to 50.21), naive 44.33');
    expect((html.match(/<circle/g) ?? []).length).toBe(3);
    const table = renderToStaticMarkup(createElement(ForecastTable, { forecast }));
    expect(table).toContain('<caption>Forecast by horizon (EUR)</caption>');
    expect(table).toContain('42.89 – 47.17');
    expect(table.indexOf('1 day')).toBeLessThan(table.indexOf('20 days'));
  });
  it('breaks a line at missing values and draws nothing for fewer than two dates', () => {
    const html = renderToStaticMarkup(createElement(LineChart, {
      dates: ['2021-01-01', '2021-01-02', '2021-01-03', '2021-01-04'], label: 'vol',
      series: [{ name: 'a', color: '#000', values: [1, null, 2, 3] }],
    }));
    const d = /<path d="([^"]+)"/.exec(html)![1];
    expect((d.match(/M/g) ?? []).length).toBe(2);
    expect(renderToStaticMarkup(createElement(LineChart, { dates: ['2021-01-01'], label: 'x', series: [{ name: 'a', color: '#000', values: [1] }] }))).toBe('');
  });
});

describe('modelRows', () => {
  it('lists naive first, the others by name, the ensemble last, per sorted horizon with MASE when known', () => {
    const f: MlForecast = {
      ...forecast,
      horizons: forecast.horizons.map((h) => ({ ...h, by_model: { naive: h.naive, holt: h.forecast + 0.1, ar: h.forecast - 0.1 } })),
    };
    const rows = modelRows(f, { 1: { ar: 1.0072, holt: 0.9997, naive: 1, ensemble: 0.9997 }, 5: { ar: 1.0038 } });
    expect(rows.map((r) => r.model)).toEqual(['naive', 'ar', 'holt', 'ensemble']);
    expect(rows[0].cells.map((c) => c.horizon)).toEqual([1, 5, 20]);
    expect(rows[1].cells[0]).toEqual({ horizon: 1, forecast: 44.36 - 0.1, mase: 1.0072 });
    expect(rows[1].cells[2].mase).toBeNull();
    expect(rows[3].cells[2]).toEqual({ horizon: 20, forecast: 45.49, mase: 0.9987 });
    expect(modelRows(f)[2].cells[0].mase).toBeNull();
  });
});
