/** Signals the runner handles; listeners are removed again when the process stops. */
export type HandledSignal = 'SIGTERM' | 'SIGINT' | 'SIGHUP' | 'SIGTTIN' | 'SIGTTOU' | 'SIGUSR1';

/**
 * Installs `handlers` with `process.on` and returns a function that removes exactly them.
 *
 * @example
 * const off = onSignals({ SIGTERM: stop, SIGINT: stop });
 */
export function onSignals(handlers: Partial<Record<HandledSignal, () => void>>): () => void {
  const installed: [HandledSignal, () => void][] = [];
  for (const [signal, handler] of Object.entries(handlers) as [HandledSignal, () => void][]) {
    process.on(signal, handler);
    installed.push([signal, handler]);
  }
  return () => {
    for (const [signal, handler] of installed) process.off(signal, handler);
  };
}
