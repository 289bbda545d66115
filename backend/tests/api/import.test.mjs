// `carbonx import` end to end: the committed rows of every registry import with the
// expected counts, a second import of the same export changes nothing, a newer export
// applies only its differences (a retirement at the origin registry), and a serial block
// claimed twice is refused as double counting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, tempDir, cleanup } from './lib.mjs';

const TD = join(ROOT, 'backend/src/importers/testdata');
const counts = (out) => {
  const m = out.match(/(\d+) data rows, (\d+) parsed, (\d+) rejected by the parser; (\d+) applied, (\d+) unchanged, (\d+) refused/);
  assert.ok(m, out);
  return { rows: +m[1], parsed: +m[2], parseRejected: +m[3], applied: +m[4], unchanged: +m[5], refused: +m[6] };
};
// Expected [data rows, parsed, rejected by the parser, applied] for the committed rows
// (testdata/README.md says which rows are broken; ARB also has two real rows without credits).
const EXPECTED = {
  'acr/projects.csv': [6, 5, 1, 5],
  'acr/issuances.csv': [6, 5, 1, 9],
  'acr/cancellations.csv': [5, 4, 1, 7],
  'acr/retirements.csv': [6, 5, 1, 8],
  'arb/nc-arboc_issuance_sheet3.csv': [8, 5, 3, 18],
  'art/projects.csv': [6, 5, 1, 5],
  'art/issuances.csv': [6, 5, 1, 7],
  'art/cancellations.csv': [4, 3, 1, 3],
  'art/retirements.csv': [6, 5, 1, 6],
  'car/projects.csv': [6, 5, 1, 5],
  'car/issuances.csv': [6, 5, 1, 10],
  'car/cancellations.csv': [6, 5, 1, 10],
  'car/retirements.csv': [6, 5, 1, 7],
  'cercarbono/projects.csv': [5, 4, 1, 4],
  'cercarbono/issuances.csv': [6, 5, 1, 6],
  'cercarbono/retirements.csv': [6, 5, 1, 5],
  'gold-standard/projects.csv': [6, 5, 1, 5],
  'gold-standard/issuances.csv': [7, 6, 1, 11],
  'gold-standard/retirements.csv': [7, 6, 1, 11],
  'isometric/projects.csv': [6, 5, 1, 5],
  'isometric/issuances.csv': [6, 5, 1, 10],
  'isometric/retirements.csv': [6, 5, 1, 6],
  'verra/projects.csv': [7, 6, 1, 6],
  'verra/transactions.csv': [9, 8, 1, 20],
};
const order = (f) => (f.includes('project') ? 0 : f.includes('retire') || f.includes('cancel') ? 2 : 1);

test('every registry: committed rows import; the broken row is reported with its line; re-import is a no-op', () => {
  const data = tempDir('cx-import-');
  for (const reg of readdirSync(TD).filter((d) => !d.includes('.'))) {
    const files = readdirSync(join(TD, reg)).filter((f) => f.endsWith('.csv')).sort((a, b) => order(a) - order(b));
    for (const f of files) {
      const path = join(TD, reg, f);
      const r = runCli(['import', '--data', data, '--registry', reg, path]);
      assert.equal(r.status, 0, r.stderr);
      const c = counts(r.stdout);
      // Each committed file ends with one deliberately broken row (testdata/README.md).
      assert.ok(c.parseRejected >= 1, `${reg}/${f}: ${r.stdout}`);
      assert.match(r.stdout, /line \d+: /, `${reg}/${f}: rejected rows name their line`);
      const want = EXPECTED[`${reg}/${f}`];
      assert.ok(want, `${reg}/${f} has no expected counts`);
      assert.deepEqual([c.rows, c.parsed, c.parseRejected, c.applied], want, `${reg}/${f}: ${r.stdout}`);
      assert.equal(c.refused, 0, `${reg}/${f}: ${r.stdout}`);
      const again = counts(runCli(['import', '--data', data, '--registry', reg, path]).stdout);
      assert.equal(again.applied, 0, `${reg}/${f}: second import must change nothing`);
    }
  }
  const v = runCli(['verify', '--data', data]);
  assert.equal(v.status, 0, v.stdout);
  // A snapshot taken now must equal the replay of the journal (verify compares them).
  const s = runCli(['snapshot', '--data', data]);
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stdout, /snapshot written at seq \d+/);
  const v2 = runCli(['verify', '--data', data]);
  assert.equal(v2.status, 0, v2.stdout);
  // Proof of the first event from the CLI.
  const p = runCli(['proof', '--data', data, '1']);
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, /verified yes/);
  cleanup(data);
});

test('a newer Verra export applies its differences; overlapping serials are refused', () => {
  const data = tempDir('cx-import2-');
  const src = join(TD, 'verra/transactions.csv');
  const first = counts(runCli(['import', '--data', data, '--registry', 'verra', src]).stdout);
  assert.ok(first.applied > 0);
  // Newer export: Verra split block 942201922-942211921 (10,000 VCUs) when 5,000 of it were
  // retired at the registry.
  const text = readFileSync(src, 'utf8');
  const line = text.split('\n').find((l) => l.includes('942201922-942211921'));
  assert.ok(line);
  const retired = line.replace('"10,000",19410-942201922-942211921', '"5,000",19410-942201922-942206921').replace(/,,,,,\s*$/, ',,2026-05-01,Acme SA,Voluntary,');
  const kept = line.replace('"10,000",19410-942201922-942211921', '"5,000",19411-942206922-942211921');
  const dir = tempDir('cx-newer-');
  const newer = join(dir, 'transactions.csv');
  writeFileSync(newer, text.replace(line, `${retired}\n${kept}`));
  const r = runCli(['import', '--data', data, '--registry', 'verra', newer]);
  const c = counts(r.stdout);
  assert.equal(c.applied, 1, r.stdout);  // exactly the new retirement
  assert.equal(c.refused, 0, r.stdout);
  // A different export claiming serials inside an existing block from another origin row
  // is double counting: craft a row whose block straddles the end of an existing block.
  const straddle = line.replace('19410-942201922-942211921', '19999-942211000-942220999').replace('"10,000"', '"10,000"');
  const bad = join(dir, 'bad-transactions.csv');
  writeFileSync(bad, text.split('\n')[0] + '\n' + straddle + '\n');
  const rb = runCli(['import', '--data', data, '--registry', 'verra', bad]);
  const cb = counts(rb.stdout);
  assert.equal(cb.refused, 1, rb.stdout);
  assert.match(rb.stdout, /REGISTRY_SERIAL_OVERLAP/);
  const v = runCli(['verify', '--data', data]);
  assert.equal(v.status, 0, v.stdout);
  cleanup(data);
  cleanup(dir);
});

test('the import CLI refuses unknown registries and files clearly', () => {
  const data = tempDir('cx-import3-');
  const r = runCli(['import', '--data', data, '--registry', 'nope', join(TD, 'verra/projects.csv')]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /REQUEST_INVALID_FIELD: unknown registry/);
  const r2 = runCli(['import', '--data', data, '--registry', 'verra', '/nonexistent/projects.csv']);
  assert.notEqual(r2.status, 0);
  cleanup(data);
});
