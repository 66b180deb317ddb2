import fc from 'fast-check';
import { expect, it } from 'vitest';
import { escapeHtml } from './html-escape.js';

it('escapes the five HTML-significant characters', () => {
  expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
    '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
  );
});

it('leaves no raw < > " \' in any output (property)', () => {
  fc.assert(
    fc.property(fc.string(), (s) => {
      expect(escapeHtml(s)).not.toMatch(/[<>"']/);
    }),
  );
});
