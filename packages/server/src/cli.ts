#!/usr/bin/env node
/**
 * The `pagi-server` command: `pagi-server [options] <module>[:export]`. See `pagi-server --help`.
 */
import { runCli } from './cli/run.js';

void runCli(process.argv.slice(2));
