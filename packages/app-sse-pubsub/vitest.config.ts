import { pagiVitest } from '@pagi/tsconfig/vitest';
import { defineConfig } from 'vitest/config';

export default defineConfig(pagiVitest);
