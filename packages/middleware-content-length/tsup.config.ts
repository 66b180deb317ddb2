import { pagiTsup } from '@pagi/tsconfig/tsup';
import { defineConfig } from 'tsup';

export default defineConfig(pagiTsup());
