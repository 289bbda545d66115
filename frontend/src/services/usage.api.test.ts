import { describe, expect, it } from 'vitest';
import { routeName } from './usage.api';

describe('routeName', () => {
  it('keeps route names and hides identifiers', () => {
    expect(routeName('/')).toBe('/');
    expect(routeName('/markets')).toBe('/markets');
    expect(routeName('/markets/12')).toBe('/markets/:id');
    expect(routeName('/certificates/7/x')).toBe('/certificates/:id/x');
    expect(routeName('/documents/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi')).toBe('/documents/:id');
  });
  it('never carries characters the server refuses', () => {
    expect(routeName('/a b/ü@x')).toMatch(/^\/[A-Za-z0-9/_:.-]*$/);
    expect(routeName('/' + 'a'.repeat(300)).length).toBeLessThanOrEqual(100);
  });
});
