// A real redis-server for the tests and the bench: `REDIS_URL` when set, else one started here on a free
// loopback port with nothing persisted (--save "" --appendonly no), stopped by `stop()`. When redis-server is
// not on PATH: as root with apt-get (a fresh Debian/Ubuntu machine or CI), install Debian's package once;
// otherwise fail with the exact ways to get one. No mock: the stores are tested against the real engine.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RedisServer {
  /** `redis://127.0.0.1:PORT` (or `REDIS_URL` as given). */
  url: string;
  /** What provided it: "REDIS_URL" or the redis-server binary's version line. */
  source: string;
  /** The redis-server process when it was started here (not for `REDIS_URL`): to stall it (SIGSTOP) or kill it. */
  readonly process: ChildProcess | undefined;
  stop(): Promise<void>;
  /** With `persist`: stops it, leaves it down `downMs`, starts it again on the same port with the same data. */
  restart: ((downMs: number) => Promise<void>) | undefined;
}

const HOW_TO_GET_ONE =
  "The Redis tests need a real redis-server. Either set REDIS_URL=redis://HOST:PORT to use one that runs " +
  "already (its keys under the test prefixes are written and expire), or put redis-server on PATH: " +
  "`sudo apt-get install redis-server` (Debian, Ubuntu), `brew install redis` (macOS), `sudo dnf install redis` " +
  "(Fedora). Run as root on Debian/Ubuntu, the tests install it themselves with apt-get.";

function hasRedisServer(): string | undefined {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

function hasAptGet(): boolean {
  return spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;
}

/** Whether the process that wrote the lock still runs (an unreadable or empty lock is being written: alive). */
function lockHolderAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(lock, "utf8"));
  } catch {
    return true;
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Installs Debian's redis-server once, even when several test processes ask at the same time. */
async function installWithApt(): Promise<void> {
  const lock = join(tmpdir(), "telnyx-voice-redis-install.lock");
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch {
      // Another process is installing: wait for it, then use what it installed. A lock whose process is gone
      // (killed mid-install) is stale: take it over.
      if (hasRedisServer()) return;
      if (!lockHolderAlive(lock)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`waited 10 minutes for ${lock} (another install?). ${HOW_TO_GET_ONE}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    if (hasRedisServer()) return;
    process.stderr.write("[redis-server] not on PATH: installing Debian's redis-server with apt-get (once)...\n");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    for (const args of [
      ["update", "-qq"],
      ["install", "-y", "-qq", "--no-install-recommends", "redis-server"],
    ]) {
      const run = spawnSync("apt-get", args, { env, encoding: "utf8", timeout: 9 * 60_000 });
      if (run.status !== 0) {
        throw new Error(
          `apt-get ${args.join(" ")} failed (exit ${run.status}): ${(run.stderr || run.stdout).trim().slice(-800)}\n${HOW_TO_GET_ONE}`,
        );
      }
    }
  } finally {
    unlinkSync(lock);
  }
}

/** A free loopback port (free when probed: a server binding it later may still lose a race). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the redis-server `child` logs that it accepts connections; kills it and rejects after `ms`. */
export function waitForReady(child: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      if (!error) return resolve();
      child.kill("SIGKILL");
      reject(error);
    };
    const timer = setTimeout(() => settle(new Error(`redis-server was not ready within ${ms} ms:\n${output}`)), ms);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) settle();
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) =>
      settle(new Error(`redis-server exited (code ${code}) before it was ready:\n${output}`)),
    );
    child.once("error", (error) => settle(error));
  });
}

/** Stops a redis-server process: SIGTERM, then SIGKILL after 5 s (a stalled one is woken first). */
export function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      // A stalled server (SIGSTOP) would not act on SIGTERM.
      child.kill("SIGCONT");
      const force = setTimeout(() => child.kill("SIGKILL"), 5000);
      child.once("exit", () => {
        clearTimeout(force);
        resolve();
      });
      child.kill("SIGTERM");
    });
}

/** The redis-server binary's version line, after installing Debian's package when it is missing and possible. */
export async function ensureRedisServer(): Promise<string> {
  let version = hasRedisServer();
  if (!version) {
    if (!isRoot() || !hasAptGet()) throw new Error(`redis-server is not on PATH. ${HOW_TO_GET_ONE}`);
    await installWithApt();
    version = hasRedisServer();
    if (!version) throw new Error(`redis-server is still not on PATH after apt-get install. ${HOW_TO_GET_ONE}`);
  }
  return version;
}

/**
 * `REDIS_URL`, or a fresh redis-server (installed with apt-get first when possible and needed). `fresh: true`
 * always starts one here, for tests that stall, kill or restart the server; `persist: true` keeps its data on
 * disk (append-only file, written at every command), so that `restart` brings it back as a restarted or
 * failed-over Redis would: same keys, their expiries lapsed meanwhile.
 */
export async function startRedisServer(options: { fresh?: boolean; persist?: boolean } = {}): Promise<RedisServer> {
  const given = process.env.REDIS_URL;
  if (given && !options.fresh) {
    return { url: given, source: "REDIS_URL", process: undefined, stop: async () => {}, restart: undefined };
  }
  const version = await ensureRedisServer();
  const dir = options.persist ? mkdtempSync(join(tmpdir(), "telnyx-voice-redis-")) : undefined;
  const storage = dir
    ? ["--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--save", ""]
    : ["--save", "", "--appendonly", "no"];
  const launch = async (port: number) => {
    const child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", ...storage, "--protected-mode", "yes"],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    await waitForReady(child, 15_000);
    child.stdout?.resume();
    return child;
  };
  // A port taken between the probe and redis-server's bind makes it exit: try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      let child = await launch(port);
      const server: RedisServer = {
        url: `redis://127.0.0.1:${port}`,
        source: version,
        get process() {
          return child;
        },
        stop: async () => {
          await stopper(child)();
          if (dir) rmSync(dir, { recursive: true, force: true });
        },
        restart: dir
          ? async (downMs: number) => {
              await stopper(child)();
              await new Promise((resolve) => setTimeout(resolve, downMs));
              child = await launch(port);
            }
          : undefined,
      };
      return server;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
