// Which held batches a seller may deliver into a standard contract. Mirrors the exchange's
// criteria (README "The exchange"): standards (credit class code or registry of origin),
// methodology prefixes, countries, vintage range, removal/reduction, nature/technical,
// CORSIA eligibility and corresponding adjustment. The server decides; this only lets the
// form offer the batches that can pass and say why the others cannot. Pure.
import type { Criteria } from '../services/api';

export interface BatchFacts {
  vintage: number; country: string; methodology: string; corsia: string; corresponding_adjustment: string; origin_registry: string;
  classCode: string | null; mitigation: string; nature: string;
}

const yes = (v: string) => /^(yes|true|eligible|authorized|applied)$/i.test(v.trim());

/** Reasons the batch cannot be delivered; empty when it is eligible. */
export function ineligibility(c: Criteria, b: BatchFacts): string[] {
  const r: string[] = [];
  if (c.standards.length) {
    const ok = c.standards.some((s) => s === b.classCode || (b.origin_registry && s.toLowerCase() === b.origin_registry.toLowerCase()));
    if (!ok) r.push(`standard not in ${c.standards.join(', ')}`);
  }
  if (c.methodologies.length && !c.methodologies.some((m) => b.methodology.toUpperCase().startsWith(m.toUpperCase()))) r.push(`methodology ${b.methodology || '—'} not in ${c.methodologies.join(', ')}`);
  if (c.countries.length && !c.countries.some((x) => x.toUpperCase() === b.country.toUpperCase())) r.push(`country ${b.country || '—'} not in ${c.countries.join(', ')}`);
  if (c.vintage_from && b.vintage < c.vintage_from) r.push(`vintage ${b.vintage} before ${c.vintage_from}`);
  if (c.vintage_to && b.vintage > c.vintage_to) r.push(`vintage ${b.vintage} after ${c.vintage_to}`);
  if (c.mitigation !== 'any' && b.mitigation !== c.mitigation) r.push(`not a ${c.mitigation}`);
  if (c.nature !== 'any') {
    const n = b.nature.startsWith('nature') ? 'nature' : b.nature;
    if (n !== c.nature) r.push(c.nature === 'nature' ? 'not nature-based' : 'not technology-based');
  }
  if (c.corsia === 'yes' && !yes(b.corsia)) r.push('not CORSIA-eligible');
  if (c.corresponding_adjustment === 'yes' && !yes(b.corresponding_adjustment)) r.push('no corresponding adjustment');
  return r;
}

/** The criteria in words, one line each (for the standard-contract view). */
export function describeCriteria(c: Criteria): Array<[string, string]> {
  const any = 'any';
  const vint = c.vintage_from && c.vintage_to ? `${c.vintage_from}–${c.vintage_to}` : c.vintage_from ? `${c.vintage_from} or later` : c.vintage_to ? `${c.vintage_to} or earlier` : any;
  return [
    ['Standards', c.standards.length ? c.standards.join(', ') : any],
    ['Methodologies', c.methodologies.length ? c.methodologies.join(', ') : any],
    ['Countries', c.countries.length ? c.countries.join(', ') : any],
    ['Vintage', vint],
    ['Removal or reduction', c.mitigation === 'any' ? any : c.mitigation],
    ['Nature or technical', c.nature === 'any' ? any : c.nature === 'nature' ? 'nature-based' : 'technology-based'],
    ['CORSIA eligible', c.corsia === 'yes' ? 'required' : any],
    ['Corresponding adjustment', c.corresponding_adjustment === 'yes' ? 'required' : any],
  ];
}
