import { pagiTsup } from '@pagi/tsconfig/tsup';
import { defineConfig } from 'tsup';

export default defineConfig(
  pagiTsup({
    entry: {
      index: 'src/index.ts',
      'middleware/index': 'src/middleware/index.ts',
      'middleware/node': 'src/middleware/node.ts',
    },
  }),
);
