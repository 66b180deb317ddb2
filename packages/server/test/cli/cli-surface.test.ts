/**
 * What the command line accepts: internal options stay off it, and flags that would be silently
 * ignored are refused with a usage error (exit 2) naming them.
 */
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError, usage } from '../../src/cli/parse-args.js';
import { runCli } from '../../src/cli/run.js';

const app = fileURLToPath(new URL('./fixtures/esm-app.mjs', import.meta.url));

/** Runs the CLI in memory up to its exit code (usage errors exit before anything listens). */
async function cli(args: string[]): Promise<{ code: number | undefined; stderr: string }> {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (d: Buffer) => {
    text += d.toString();
  });
  let code: number | undefined;
  await runCli(args, {
    stdout: new PassThrough(),
    stderr,
    cwd: process.cwd(),
    exit: (c) => {
      code = c;
    },
    onSignal: () => {},
  });
  return { code, stderr: text };
}

describe('internal options are not flags', () => {
  it('--help does not list --worker-num', () => {
    expect(usage()).not.toContain('worker-num');
    expect(usage()).toContain('--workers N');
  });

  it.each([[['--worker-num', '2', app]], [['--worker-num=1', app]]])(
    '%j is a usage error (exit 2) that says what to use instead',
    async (args) => {
      expect(() => parseCliArgs(args)).toThrow(UsageError);
      const { code, stderr } = await cli(args);
      expect(code).toBe(2);
      expect(stderr).toMatch(/--worker-num is set by the master for each worker.*--workers N/);
    },
  );
});

describe('--listen with --host/--port', () => {
  it.each([
    [
      ['--listen', 'unix:/tmp/pagi-x.sock', '--host', '0.0.0.0', app],
      '--host cannot be combined with --listen',
    ],
    [['--port', '9000', '--listen', '127.0.0.1:0', app], '--port cannot be combined with --listen'],
    [
      ['--listen', 'fd:3', '--host', '::', '--port', '1', app],
      '--host and --port cannot be combined with --listen',
    ],
  ])('%j is a usage error (exit 2) naming both flags', async (args, message) => {
    expect(() => parseCliArgs(args)).toThrow(message);
    const { code, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('--host/--port alone and --listen alone are fine', () => {
    expect(parseCliArgs(['--host', '0.0.0.0', '--port', '0', app]).options).toMatchObject({
      host: '0.0.0.0',
      port: 0,
    });
    expect(
      parseCliArgs(['--listen', '127.0.0.1:0', '--listen', 'unix:/tmp/a.sock', app]).options.listen,
    ).toEqual(['127.0.0.1:0', 'unix:/tmp/a.sock']);
  });
});
