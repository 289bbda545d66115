// Field renders the server's error for its own name only, wired for screen readers.
import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { Field } from './Field';
import { FormStatus } from './FormStatus';

const err = { message: 'at least 8 characters', code: 'REQUEST_INVALID_FIELD', field: 'password' };

describe('Field', () => {
  it('shows the error under the field it names, with aria-invalid and aria-describedby', () => {
    const html = renderToStaticMarkup(createElement(Field, { label: 'Password', name: 'password', error: err, type: 'password' }));
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain('at least 8 characters');
    const described = /aria-describedby="([^"]+)"/.exec(html)![1];
    expect(html).toContain(`id="${described}"`);
    expect(html).toMatch(/<label for="([^"]+)">Password/);
    expect(/<label for="([^"]+)"/.exec(html)![1]).toBe(/<input[^>]* id="([^"]+)"/.exec(html)![1]);
  });
  it('stays clean for another field', () => {
    const html = renderToStaticMarkup(createElement(Field, { label: 'Email', name: 'email', error: err }));
    expect(html).not.toContain('aria-invalid');
    expect(html).not.toContain('at least 8');
  });
  it('renders selects with options', () => {
    const html = renderToStaticMarkup(createElement(Field, { label: 'Batch', name: 'batch', options: [{ value: '7', label: '#7' }] }));
    expect(html).toContain('<select');
    expect(html).toContain('<option value="7">#7</option>');
  });
});

describe('FormStatus', () => {
  it('shows only errors that no field of the form displays', () => {
    expect(renderToStaticMarkup(createElement(FormStatus, { error: err, fields: ['password'] }))).not.toContain('at least');
    expect(renderToStaticMarkup(createElement(FormStatus, { error: err, fields: ['email'] }))).toContain('at least 8 characters (field: password)');
    expect(renderToStaticMarkup(createElement(FormStatus, { error: null, fields: [], busy: true }))).toContain('Working');
  });
});
