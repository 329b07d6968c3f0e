// Starting and stopping the real parts: runtimes, Prometheus, workerd.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT: string = fileURLToPath(new URL("../..", import.meta.url));
export const BIN = (name: string): string => join(ROOT, "node_modules", ".bin", name);

/** A port nobody listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Proc {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

const running = new Set<Proc>();

/** Starts a process whose output is kept; `stop()` ends it (and its group). */
export function start(cmd: string, args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  child.stdout!.on("data", (d) => out += d);
  child.stderr!.on("data", (d) => out += d);
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const proc: Proc = {
    child,
    output: () => out,
    async stop() {
      running.delete(proc);
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, "SIGTERM");
        } catch {
          // already gone
        }
        const t = setTimeout(() => {
          try {
            process.kill(-child.pid!, "SIGKILL");
          } catch {
            // gone
          }
        }, 3000);
        await exited;
        clearTimeout(t);
      }
    },
  };
  running.add(proc);
  return proc;
}

/** Stops everything `start` started. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

/** Waits until `url` answers 200, or throws with the process output. */
export async function waitFor(url: string, proc?: Proc, ms = 30000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // not yet
    }
    if (proc && proc.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up:\n${proc?.output() ?? ""}`);
}

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), "promedge-"));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Starts Prometheus scraping each `{ job, port }` on 127.0.0.1 every second,
 * its data in `dir`; resolves with its URL once it is ready.
 */
export async function startPrometheus(
  dir: string,
  jobs: readonly { job: string; port: number }[],
  flags: readonly string[] = [],
): Promise<string> {
  const config = join(dir, "prometheus.yml");
  writeFileSync(
    config,
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n` +
      jobs.map(({ job, port }) =>
        `  - job_name: ${job}\n    static_configs:\n      - targets: ["127.0.0.1:${port}"]\n`
      ).join(""),
  );
  const port = await freePort();
  const prom = start("prometheus", [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    ...flags,
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/-/ready`, prom);
  return url;
}
