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
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
