import { expect, it } from 'vitest';
import * as pkg from '../src/index.js';

// Guards the public surface: adding or removing an export must be a deliberate change here.
it('exports exactly the documented runtime names', () => {
  expect(Object.keys(pkg).sort()).toEqual(['proxy']);
});
