/**
 * Process exit codes a supervisor (systemd, Docker, Kubernetes) can act on. Documented in
 * docs/deployment.md; never renumber them.
 */
export const ExitCode = {
  /** Clean, graceful stop. */
  OK: 0,
  /** Forced stop (second signal, shutdown timeout) or an unexpected crash. */
  FORCED: 1,
  /** Bad command line or the app module could not be loaded. */
  USAGE: 2,
  /** Startup failed: lifespan startup failed, a listener could not be bound, or workers kept dying at boot. */
  STARTUP: 3,
  /**
   * Stopped, but the graceful stop had to cut in-flight requests at `shutdownTimeout` (their
   * clients saw a reset). With workers: any worker that had to cut makes the master exit 4
   * (a SIGKILLed worker still makes it 1).
   */
  CUT: 4,
} as const;

/** The master's exit code from its workers': forced (1) beats cut (4) beats clean (0). */
export function worseExit(a: number, b: number): number {
  const rank = (c: number) => (c === ExitCode.OK ? 0 : c === ExitCode.CUT ? 1 : 2);
  return rank(b) > rank(a) ? b : a;
}

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** One line per exit code, for `pagi-server --help` (the README and docs carry the same table). */
export const EXIT_CODE_HELP: readonly string[] = [
  '  0  stopped gracefully (or --help / --version)',
  '  1  forced stop (second signal, a worker SIGKILLed at the shutdown timeout) or a crash',
  '  2  usage error, or the app module could not be loaded',
  '  3  startup failed (lifespan startup, a listener, TLS files, workers dying at boot)',
  '  4  stopped, but in-flight requests were cut at --shutdown-timeout',
];
