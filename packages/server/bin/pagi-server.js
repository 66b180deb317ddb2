#!/usr/bin/env node
// The `pagi-server` command. A committed shim, so package managers can link the bin at install
// time, before `dist/` is built in a workspace checkout.
import '../dist/cli.js';
