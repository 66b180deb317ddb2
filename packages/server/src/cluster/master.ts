import { chmodSync, closeSync, openSync } from 'node:fs';
import cluster, { type Worker } from 'node:cluster';
import { resolveListenSpecs } from '../listen/attach.js';
import { formatListenSpec, parseSocketMode } from '../listen/listen-spec.js';
import { removeStaleSocket } from '../listen/unix-socket.js';
import { ACCESS_LOG_FILE_MODE } from '../log/access-log-file.js';
import type { ResolvedServerOptions } from '../options.js';
import { WorkerBootLoopError } from './errors.js';
import { ExitCode, worseExit } from './exit-codes.js';
import { HeartbeatMonitor } from './heartbeat.js';
import { isPagiMessage, type MasterMessage } from './messages.js';
import { removePidFile, writePidFile } from './pid-file.js';
import { ReloadWatcher } from './reload-watcher.js';
import { RespawnPolicy, type RespawnPolicyOptions } from './respawn-policy.js';
import { planPool, scaleDesired } from './pool-plan.js';
import { onSignals } from './signals.js';
import { encodeWorkerOptions, WORKER_NUM_ENV, WORKER_OPTIONS_ENV } from './worker-options.js';

interface WorkerRecord {
  worker: Worker;
  num: number;
  startedAt: number;
  booted: boolean;
  /** Stopping on purpose (replaced, removed, shutdown): its exit is not a crash. */
  retiring: boolean;
  url?: string;
  ready: Promise<boolean>;
  markReady(ok: boolean): void;
  exited: Promise<void>;
  killTimer?: NodeJS.Timeout;
  /** `#reopens` when forked: a SIGUSR1 since then is passed on once it listens. */
  reopens: number;
  /** A replacement on trial: if it dies before listening, the old worker stays and nothing respawns. */
  trial: boolean;
}

export interface MasterConfig {
  options: ResolvedServerOptions;
  log(line: string): void;
  respawn?: RespawnPolicyOptions;
}

/**
 * The cluster master: forks `workers` processes and keeps them alive. Every listener (TCP, Unix
 * socket paths and inherited descriptors alike) is bound once, here in the master, by
 * node:cluster and shared with the workers, so a port 0 stays the same port for replacements and
 * a restarted worker never re-binds.
 *
 * Signals: TERM/INT graceful stop (second one forces), HUP rolling restart one worker at a time
 * (the new one listening before the old one drains), TTIN/TTOU add/remove one worker (never below 1).
 *
 * @example
 * const code = await new Master({ options, log: console.error }).run();
 */
export class Master {
  readonly #options: ResolvedServerOptions;
  readonly #log: (line: string) => void;
  readonly #policy: RespawnPolicy;
  readonly #records = new Map<number, WorkerRecord>();
  readonly #monitor: HeartbeatMonitor;
  /** Workers wanted: `--workers`, then ±1 per SIGTTIN/SIGTTOU (src/cluster/pool-plan.ts). */
  #desired: number;
  /** Crash respawns waiting out their backoff; they count as booting. */
  #pendingRespawns = 0;
  /** Replacements (recycle or rolling-restart step) in progress; count changes wait for them. */
  #replacing = 0;
  #stopping = false;
  #exitCode: number = ExitCode.OK;
  #restarting = false;
  #recycleQueue: Promise<unknown> = Promise.resolve();
  #done!: (code: number) => void;
  #unixMode: number | undefined;
  /** What every worker gets in its environment: the resolved options. */
  #workerEnv: Record<string, string> = {};
  #announced = false;
  /** SIGUSR1s received (access log reopens). */
  #reopens = 0;
  /** --reload: files changed since the last rolling restart began. */
  #reloadAgain = false;
  #reloadLooping = false;

  constructor(config: MasterConfig) {
    this.#options = config.options;
    this.#log = config.log;
    this.#policy = new RespawnPolicy(config.respawn);
    this.#desired = config.options.workers;
    this.#monitor = new HeartbeatMonitor(config.options.heartbeatTimeout, (id) => this.#onStale(id));
  }

  /** Starts the workers and resolves with the exit code once the master stops. */
  async run(): Promise<number> {
    const finished = new Promise<number>((resolve) => {
      this.#done = resolve;
    });
    // systemd descriptors and --listen become explicit specs that workers inherit by value;
    // the variables are consumed here so workers never claim them themselves.
    const specs = resolveListenSpecs(this.#options);
    const options: ResolvedServerOptions = { ...this.#options, listen: specs.map(formatListenSpec) };
    const unixPaths = specs.flatMap((s) => (s.kind === 'unix' ? [s.path] : []));
    if (unixPaths.length > 0) {
      for (const path of unixPaths) await removeStaleSocket(path);
      // node:cluster binds Unix sockets here in the master when the first worker asks (and again
      // if every worker died), so the owner-only umask stays in force from now on
      // (CVE-2023-45145 pattern); the final mode is applied on cluster 'listening'.
      const previous = process.umask(0o177);
      this.#unixMode =
        this.#options.socketMode === null ? 0o666 & ~previous : parseSocketMode(this.#options.socketMode);
    }
    // Listening sockets are created here and shared; each worker accepts on them itself
    // (SCHED_NONE). Node 20's round-robin hand-off was measured to strand a connection now and
    // then while a worker is being replaced (the socket reaches the new worker but never its
    // HTTP server), which breaks zero-downtime restarts. NODE_CLUSTER_SCHED_POLICY=rr restores it.
    if (process.env.NODE_CLUSTER_SCHED_POLICY === undefined) cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.on('listening', (_worker, address) => {
      if (address.addressType === -1 && typeof address.address === 'string' && this.#unixMode !== undefined) {
        try {
          chmodSync(address.address, this.#unixMode);
        } catch {
          // the socket went away already
        }
      }
    });
    // Each worker appends to the access log itself; a path that cannot be opened fails here, once
    // (exit 3), instead of as a boot loop. The file is created with its mode now.
    if (this.#options.accessLogFile !== null)
      closeSync(openSync(this.#options.accessLogFile, 'a', ACCESS_LOG_FILE_MODE));
    this.#workerEnv = { [WORKER_OPTIONS_ENV]: encodeWorkerOptions(options) };
    const off = onSignals({
      SIGTERM: () => this.stop('SIGTERM'),
      SIGINT: () => this.stop('SIGINT'),
      SIGHUP: () => void this.rollingRestart(),
      SIGTTIN: () => this.addWorker(),
      SIGTTOU: () => this.removeWorker(),
      SIGUSR1: () => this.reopenLogs(),
    });
    this.#monitor.start();
    const watcher = this.#options.reload ? this.#watchForReload() : undefined;
    for (let num = 1; num <= this.#desired; num++) this.#fork(num);
    const code = await finished;
    watcher?.close();
    off();
    this.#monitor.stop();
    if (this.#options.pidFile !== null) removePidFile(this.#options.pidFile, process.pid);
    return code;
  }

  #fork(num: number, trial = false): WorkerRecord {
    const worker = cluster.fork({ ...this.#workerEnv, [WORKER_NUM_ENV]: String(num) });
    let markReady!: (ok: boolean) => void;
    const ready = new Promise<boolean>((resolve) => {
      markReady = resolve;
    });
    let exitedResolve!: () => void;
    const exited = new Promise<void>((resolve) => {
      exitedResolve = resolve;
    });
    const record: WorkerRecord = {
      worker,
      num,
      startedAt: Date.now(),
      booted: false,
      retiring: false,
      ready,
      markReady,
      exited,
      reopens: this.#reopens,
      trial,
    };
    this.#records.set(worker.id, record);
    // Watching starts with the first heartbeat: loading the app may legitimately take longer
    // than the heartbeat timeout, and a worker that dies while booting is caught by 'exit'.
    worker.on('message', (message: unknown) => {
      if (!isPagiMessage(message)) return;
      switch (message.pagi) {
        case 'heartbeat':
          if (!record.retiring) this.#monitor.beat(worker.id);
          break;
        case 'ready':
          record.booted = true;
          record.url = message.url;
          this.#policy.onBooted();
          record.markReady(true);
          this.#log(`worker ${num} (pid ${worker.process.pid}) listening`);
          // It may have opened the access log before a SIGUSR1 it was not told about.
          if (record.reopens !== this.#reopens) {
            record.reopens = this.#reopens;
            worker.process.kill('SIGUSR1');
          }
          this.#announceOnce();
          this.#reconcile();
          break;
        case 'recycle':
          this.#log(`worker ${num} (pid ${worker.process.pid}) served ${message.served} requests: recycling`);
          this.#recycleQueue = this.#recycleQueue.then(() => this.#replace(record));
          break;
        case 'startup-failed':
          this.#log(`worker ${num} (pid ${worker.process.pid}) failed to start: ${message.message}`);
          break;
      }
    });
    worker.on('exit', (code, signal) => {
      exitedResolve();
      this.#onExit(record, code, signal);
    });
    return record;
  }

  /**
   * Once the full set of workers listens for the first time (respawns after a boot crash
   * included): write the PID file and print the banner, so a supervisor reading either can
   * connect.
   */
  #announceOnce(): void {
    if (this.#announced || this.#stopping) return;
    const ready = [...this.#records.values()].filter((r) => r.booted && !r.retiring);
    if (ready.length < this.#desired) return;
    this.#announced = true;
    if (this.#options.pidFile !== null) writePidFile(this.#options.pidFile, process.pid);
    const urls = [...new Set(ready.map((r) => r.url))].join(', ');
    this.#log(`listening on ${urls} (master pid ${process.pid}, ${this.#desired} workers)`);
  }

  #onExit(record: WorkerRecord, code: number | null, signal: string | null): void {
    this.#records.delete(record.worker.id);
    this.#monitor.forget(record.worker.id);
    if (record.killTimer !== undefined) clearTimeout(record.killTimer);
    record.markReady(false);
    const how = signal !== null ? `signal ${signal}` : `code ${code}`;
    if (this.#stopping) {
      this.#log(`worker ${record.num} (pid ${record.worker.process.pid}) stopped (${how})`);
      // A worker that had to cut requests at the shutdown timeout makes the whole stop a cut one.
      if (code === ExitCode.CUT) this.#exitCode = worseExit(this.#exitCode, ExitCode.CUT);
      if (this.#records.size === 0) this.#done(this.#exitCode);
      return;
    }
    if (record.retiring) {
      this.#log(`worker ${record.num} (pid ${record.worker.process.pid}) retired (${how})`);
      this.#reconcile();
      return;
    }
    // New code that does not load (a syntax error under --reload, a bad deploy under SIGHUP) is
    // not a crash of the running service: the old worker keeps serving, no respawn, no boot loop.
    if (record.trial && !record.booted) {
      this.#log(
        `worker ${record.num} (pid ${record.worker.process.pid}) replacement failed to start (${how}); the old worker keeps serving`,
      );
      return;
    }
    const booted = record.booted && code !== ExitCode.STARTUP;
    this.#log(`worker ${record.num} (pid ${record.worker.process.pid}) exited unexpectedly (${how})`);
    const decision = this.#policy.onExit({ booted, lifetime: Date.now() - record.startedAt });
    if (decision.action === 'give-up') {
      this.#log(new WorkerBootLoopError(decision.failures, how).message);
      this.#exitCode = ExitCode.STARTUP;
      this.stop('boot loop');
      return;
    }
    this.#pendingRespawns += 1;
    const timer = setTimeout(() => {
      this.#pendingRespawns -= 1;
      // Forks only if still short of the desired count (a SIGTTOU meanwhile cancels it).
      this.#reconcile(record.num);
    }, decision.delay);
    // Not unref'd: while every worker is down this timer is all that keeps the master alive.
    void timer;
  }

  #onStale(id: number): void {
    const record = this.#records.get(id);
    if (record === undefined || this.#stopping) return;
    this.#log(
      `worker ${record.num} (pid ${record.worker.process.pid}) sent no heartbeat for ${this.#options.heartbeatTimeout} ms (event loop blocked): SIGKILL`,
    );
    record.worker.process.kill('SIGKILL');
  }

  /** Workers listening and not retiring, highest number last. */
  #ready(): WorkerRecord[] {
    return [...this.#records.values()].filter((r) => r.booted && !r.retiring).sort((a, b) => a.num - b.num);
  }

  /**
   * Moves the worker count toward `#desired` as {@link planPool} says. Called after every event
   * that changes the picture, so a count change made while a worker boots or a replacement runs
   * is applied as soon as that is over, and never retires a worker that cannot drain yet.
   */
  #reconcile(preferredNum?: number): void {
    let booting = this.#pendingRespawns;
    for (const r of this.#records.values()) if (!r.booted && !r.retiring) booting += 1;
    const ready = this.#ready();
    const step = planPool({
      desired: this.#desired,
      ready: ready.length,
      booting,
      replacing: this.#restarting || this.#replacing > 0,
      stopping: this.#stopping,
    });
    if (step.action === 'fork') {
      for (let i = 0; i < step.count; i++) {
        const num =
          i === 0 && preferredNum !== undefined && this.#numFree(preferredNum)
            ? preferredNum
            : this.#nextNum();
        this.#fork(num);
      }
    } else if (step.action === 'retire') {
      for (const victim of ready.slice(-step.count)) {
        this.#log(
          `worker ${victim.num} (pid ${victim.worker.process.pid}) retiring (${this.#desired} wanted)`,
        );
        void this.#retire(victim);
      }
    }
  }

  #numFree(num: number): boolean {
    for (const r of this.#records.values()) if (!r.retiring && r.num === num) return false;
    return true;
  }

  #nextNum(): number {
    const used = new Set([...this.#records.values()].filter((r) => !r.retiring).map((r) => r.num));
    let n = 1;
    while (used.has(n)) n += 1;
    return n;
  }

  /** Asks a worker to drain and exit; SIGKILL if it has not exited within the shutdown timeout. */
  #retire(record: WorkerRecord): Promise<void> {
    record.retiring = true;
    this.#monitor.forget(record.worker.id);
    const message: MasterMessage = { pagi: 'retire' };
    if (record.worker.isConnected()) record.worker.send(message);
    else record.worker.process.kill('SIGTERM');
    this.#armKill(record);
    return record.exited;
  }

  #armKill(record: WorkerRecord): void {
    const timeout = this.#options.shutdownTimeout;
    if (timeout <= 0 || record.killTimer !== undefined) return;
    // The worker's own stop cuts connections at shutdownTimeout; allow a little for lifespan
    // shutdown before escalating (server-parity.md §5.5 item 4).
    record.killTimer = setTimeout(() => {
      this.#log(
        `worker ${record.num} (pid ${record.worker.process.pid}) still alive after ${timeout} ms: SIGKILL`,
      );
      if (this.#stopping) this.#exitCode = ExitCode.FORCED;
      record.worker.process.kill('SIGKILL');
    }, timeout + 1000);
    record.killTimer.unref();
  }

  /** Starts a replacement for `old`, waits until it listens, then drains `old`. */
  async #replace(old: WorkerRecord): Promise<boolean> {
    if (this.#stopping || old.retiring || !this.#records.has(old.worker.id)) return true;
    this.#replacing += 1;
    try {
      // A worker still booting cannot drain yet: wait until it listens (if it dies instead, the
      // crash path starts a new one, with the new code).
      if (!(await old.ready) || this.#stopping || old.retiring) return true;
      // More workers than wanted (a SIGTTOU during the roll): retiring this one is the replacement.
      if (this.#ready().length > this.#desired) {
        await this.#retire(old);
        return true;
      }
      const fresh = this.#fork(old.num, true);
      if (!(await fresh.ready)) {
        this.#log(`replacement for worker ${old.num} did not start; keeping the old one`);
        return false;
      }
      await this.#retire(old);
      return true;
    } finally {
      this.#replacing -= 1;
      this.#reconcile();
    }
  }

  /** SIGHUP (or a --reload change): replace every worker, one at a time; each new worker re-imports the app. */
  async rollingRestart(reason = 'SIGHUP'): Promise<void> {
    if (this.#stopping) return;
    if (this.#restarting) {
      this.#log(`${reason} ignored: a rolling restart is already running`);
      return;
    }
    this.#restarting = true;
    const current = [...this.#records.values()].filter((r) => !r.retiring);
    this.#log(`${reason}: rolling restart of ${current.length} workers`);
    for (const record of current) {
      const step = this.#recycleQueue.then(() => this.#replace(record));
      this.#recycleQueue = step;
      const ok = await step;
      if (!ok) break;
    }
    this.#restarting = false;
    if (!this.#stopping) this.#log('rolling restart finished');
    this.#reconcile();
    // Files changed while a SIGHUP restart ran: their reload comes now.
    if (this.#reloadAgain && !this.#reloadLooping) void this.#reloadLoop();
  }

  /** --reload: a rolling restart per burst of file changes; one arriving mid-restart runs after it. */
  #watchForReload(): ReloadWatcher {
    const dirs = this.#options.reloadDir.length > 0 ? this.#options.reloadDir : [process.cwd()];
    const watcher = new ReloadWatcher({
      dirs,
      include: this.#options.reloadInclude,
      exclude: this.#options.reloadExclude,
      log: this.#log,
      onChange: (files) => {
        if (this.#stopping) return;
        const shown =
          files.length > 3
            ? `${files.slice(0, 3).join(', ')} and ${files.length - 3} more`
            : files.join(', ');
        this.#log(`reload: ${shown} changed`);
        this.#reloadAgain = true;
        // Mid-restart (a SIGHUP's or the loop's own), the loop or that restart's end picks it up.
        if (!this.#restarting && !this.#reloadLooping) void this.#reloadLoop();
      },
    });
    watcher.start();
    this.#log(`reload: watching ${dirs.join(', ')} for changes`);
    return watcher;
  }

  async #reloadLoop(): Promise<void> {
    this.#reloadLooping = true;
    try {
      while (this.#reloadAgain && !this.#stopping) {
        this.#reloadAgain = false;
        await this.rollingRestart('reload');
      }
    } finally {
      this.#reloadLooping = false;
    }
  }

  /**
   * SIGUSR1: every listening worker reopens its access log file (log rotation, as nginx). A worker
   * still booting gets it once it listens: before that its handler may not exist yet, and
   * node's default action for SIGUSR1 is to start the inspector.
   */
  reopenLogs(): void {
    this.#reopens += 1;
    let told = 0;
    for (const r of this.#records.values()) {
      if (!r.booted) continue;
      r.reopens = this.#reopens;
      r.worker.process.kill('SIGUSR1');
      told += 1;
    }
    this.#log(`SIGUSR1: reopening the access log in ${told} workers`);
  }

  /**
   * SIGTTIN: one more worker. Forked now unless a rolling restart or replacement is running
   * (then once it is over).
   */
  addWorker(): void {
    if (this.#stopping) return;
    this.#desired = scaleDesired(this.#desired, 1)!;
    this.#log(`SIGTTIN: adding a worker (now ${this.#desired})`);
    this.#reconcile();
  }

  /**
   * SIGTTOU: one worker fewer, never below one. The highest-numbered listening worker drains;
   * while a worker boots or a replacement runs, that waits until it is over (a booting worker
   * cannot drain yet).
   */
  removeWorker(): void {
    if (this.#stopping) return;
    const next = scaleDesired(this.#desired, -1);
    if (next === undefined) {
      this.#log('SIGTTOU ignored: at least one worker must keep running');
      return;
    }
    this.#desired = next;
    const ready = this.#ready();
    const busy =
      this.#restarting ||
      this.#replacing > 0 ||
      [...this.#records.values()].some((r) => !r.booted && !r.retiring);
    this.#log(
      busy
        ? `SIGTTOU: removing a worker once the boot or restart in progress is over (now ${this.#desired})`
        : `SIGTTOU: removing worker ${ready[ready.length - 1]?.num} (now ${this.#desired})`,
    );
    this.#reconcile();
  }

  /** Graceful stop of every worker; a second call forces it (SIGKILL, exit 1). */
  stop(reason: string): void {
    if (this.#stopping) {
      this.#log(`${reason} again: forcing stop`);
      this.#exitCode = ExitCode.FORCED;
      for (const r of this.#records.values()) r.worker.process.kill('SIGKILL');
      if (this.#records.size === 0) this.#done(this.#exitCode);
      return;
    }
    this.#stopping = true;
    this.#monitor.stop();
    this.#log(
      `${reason}: stopping ${this.#records.size} workers (at most ${this.#options.shutdownTimeout} ms)`,
    );
    if (this.#records.size === 0) {
      this.#done(this.#exitCode);
      return;
    }
    for (const record of this.#records.values()) {
      record.retiring = true;
      record.worker.process.kill('SIGTERM');
      this.#armKill(record);
    }
  }
}
