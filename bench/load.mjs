#!/usr/bin/env node
// Load cases over loopback HTTP, the server on the runtime under test
// (bench/_server.ts, one process per library), the load from this Node process
// with node:http (no wrk; raw bodies, no client-side decompression). Every
// case is bounded in requests and time and stops its servers.
//
//   node bench/load.mjs [--runtimes deno,bun,node] [--cases burst,gzip,soak]
//                       [--soak-seconds 60] [--soak-rate 200] [--serve-metrics]
//                       [--mem-log] [--json out.json]
//
// burst  a fresh server with 20,000 series per run; after two warm-up scrapes
//        and a reset of the kernel's peak-RSS mark, 50 scrapes at once
//        (Accept: text/plain, Accept-Encoding: gzip). Peak RSS = VmHWM of the
//        server process after the burst; wall = first request sent to last
//        body byte read. 3 runs per library, alternating, median.
// gzip   one server per library with 20,000 series; 12 sequential scrapes
//        alternating gzip / identity; median time to the last body byte.
// soak   one server per library, all at once, with 2,000 series; a steady
//        request loop on /work (--soak-rate requests/s per server, at most 8
//        in flight) and a 10/s scraper (gzip) per server; VmRSS sampled every
//        5 s for --soak-seconds. Slope = least-squares fit over the samples
//        after the first quarter (at least 15 s) of warm-up, in MB/min. With
//        --serve-metrics, promedge's scrapes go to serveMetrics() on a port of
//        its own (the library's own node:http / Deno.serve / Bun.serve server).
//        With --mem-log, each server also reports process.memoryUsage() every
//        5 s (BENCH_MEM_LOG_S); the soak adds those samples ("mem": heapTotal,
//        heapUsed, external, rss minus heapTotal and external as "native", and
//        V8's new_space and old_space sizes where the runtime gives them) and
//        their slopes, to tell the JS heap from the rest.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (n) => join(root, "node_modules", ".bin", n);
const server = join(root, "bench", "_server.ts");

/** How to start bench/_server.ts on each runtime. */
export const RUNTIMES = {
  deno: [bin("deno"), ["run", "-A", server]],
  bun: [bin("bun"), ["run", server]],
  node: [process.execPath, ["--import", "tsx", server]],
};

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts a server; resolves once it prints its port. */
export function startServer(
  rt,
  lib,
  { series, maxS = 900, serveMetrics = false, memLogS = 0 },
) {
  const [cmd, args] = RUNTIMES[rt];
  const child = spawn(cmd, [...args, lib, String(series)], {
    cwd: root,
    stdio: ["ignore", "pipe", memLogS > 0 ? "pipe" : "inherit"],
    env: {
      ...process.env,
      BENCH_SERVER_MAX_S: String(maxS),
      BENCH_SERVE_METRICS: serveMetrics ? "1" : "0",
      BENCH_MEM_LOG_S: String(memLogS),
    },
  });
  // memory lines ({"mem": …}) as they arrive, with the time they arrived
  const mem = [];
  if (memLogS > 0) {
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
      let i;
      while ((i = err.indexOf("\n")) >= 0) {
        const line = err.slice(0, i);
        err = err.slice(i + 1);
        if (line.startsWith('{"mem":')) {
          mem.push({ at: performance.now(), ...JSON.parse(line).mem });
        } else process.stderr.write(line + "\n");
      }
    });
  }
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${rt} ${lib} server did not start in 60 s`));
    }, 60_000);
    child.on("exit", (code) => reject(new Error(`${rt} ${lib} server exited (${code})`)));
    child.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (!line) return;
      clearTimeout(timer);
      const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
      const ports = JSON.parse(line);
      resolve({
        port: ports.port,
        metricsPort: ports.metricsPort ?? ports.port,
        pid: child.pid,
        agent,
        mem,
        stop: () =>
          new Promise((ok) => {
            agent.destroy();
            child.removeAllListeners("exit");
            child.once("exit", ok);
            child.kill("SIGTERM");
          }),
      });
    });
  });
}

/** VmRSS and VmHWM of a process, in bytes. */
export function rssOf(pid) {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(s)?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

/** Resets the peak-RSS mark (VmHWM) of a process we started. */
function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** GET over loopback; resolves with status, raw body bytes and ms to the last byte. */
export function get(srv, path, headers = {}) {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: "127.0.0.1",
        port: path === "/metrics" ? srv.metricsPort : srv.port,
        path,
        headers,
        agent: srv.agent,
      },
      (res) => {
        let bytes = 0;
        res.on("data", (c) => (bytes += c.length));
        res.on("end", () => resolve({ status: res.statusCode, bytes, ms: performance.now() - t }));
        res.on("error", reject);
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on("error", reject);
  });
}

const SCRAPE = { accept: "text/plain", "accept-encoding": "gzip" };
const PLAIN = { accept: "text/plain", "accept-encoding": "identity" };

async function burstOnce(rt, lib) {
  const srv = await startServer(rt, lib, { series: 20_000 });
  try {
    for (let i = 0; i < 2; i++) await get(srv, "/metrics", SCRAPE);
    await sleep(300);
    const before = rssOf(srv.pid).rss;
    const reset = resetPeak(srv.pid);
    let sampled = before;
    const sampler = setInterval(() => (sampled = Math.max(sampled, rssOf(srv.pid).rss)), 5);
    const t = performance.now();
    const rs = await Promise.all(Array.from({ length: 50 }, () => get(srv, "/metrics", SCRAPE)));
    const wall = performance.now() - t;
    clearInterval(sampler);
    const bad = rs.filter((r) => r.status !== 200).length;
    if (bad) throw new Error(`${rt} ${lib}: ${bad} of 50 scrapes failed`);
    const peak = reset ? rssOf(srv.pid).hwm : sampled;
    return { before, peak, wall, peakBy: reset ? "VmHWM" : "VmRSS sampled every 5 ms" };
  } finally {
    await srv.stop();
  }
}

/** 50 concurrent scrapes of a 20,000-series page. */
export async function burst(rt, libs, runs = 3) {
  const xs = Object.fromEntries(libs.map((l) => [l, []]));
  for (let r = 0; r < runs; r++) {
    for (const lib of r & 1 ? [...libs].reverse() : libs) xs[lib].push(await burstOnce(rt, lib));
  }
  return Object.fromEntries(libs.map((l) => [l, {
    before: median(xs[l].map((x) => x.before)),
    peak: median(xs[l].map((x) => x.peak)),
    wall: median(xs[l].map((x) => x.wall)),
    peakBy: xs[l][0].peakBy,
  }]));
}

/** Time of a gzip scrape and an uncompressed one of the same 20,000-series page. */
export async function gzipCost(rt, libs, pairs = 6) {
  const out = {};
  for (const lib of libs) {
    const srv = await startServer(rt, lib, { series: 20_000 });
    try {
      for (let i = 0; i < 2; i++) {
        await get(srv, "/metrics", SCRAPE);
        await get(srv, "/metrics", PLAIN);
      }
      const gz = [], plain = [];
      let gzBytes = 0, plainBytes = 0;
      for (let i = 0; i < pairs; i++) {
        const a = await get(srv, "/metrics", i & 1 ? PLAIN : SCRAPE);
        const b = await get(srv, "/metrics", i & 1 ? SCRAPE : PLAIN);
        const [g, p] = i & 1 ? [b, a] : [a, b];
        gz.push(g.ms);
        plain.push(p.ms);
        gzBytes = g.bytes;
        plainBytes = p.bytes;
      }
      out[lib] = { gzip: median(gz), plain: median(plain), gzBytes, plainBytes };
    } finally {
      await srv.stop();
    }
  }
  return out;
}

function slope(samples, fromS, key = "rss") {
  const pts = samples.filter((s) => s.t >= fromS);
  const n = pts.length;
  if (n < 3) return NaN;
  const mt = pts.reduce((a, p) => a + p.t, 0) / n, mr = pts.reduce((a, p) => a + p[key], 0) / n;
  let num = 0, den = 0;
  for (const p of pts) {
    num += (p.t - mt) * (p[key] - mr);
    den += (p.t - mt) ** 2;
  }
  return (num / den) * 60 / 1e6; // bytes per second -> MB per minute
}

/** Servers for every library at once under the same steady load; RSS over time. */
export async function soak(
  rt,
  libs,
  { seconds = 60, rate = 200, sampleS = 5, serveMetrics = false, memLog = false } = {},
) {
  const srvs = [];
  const memLogS = memLog ? sampleS : 0;
  for (const lib of libs) {
    srvs.push({
      lib,
      srv: await startServer(rt, lib, { series: 2000, maxS: seconds + 120, serveMetrics, memLogS }),
    });
  }
  const state = srvs.map(({ lib, srv }) => ({
    lib,
    srv,
    inflight: 0,
    done: 0,
    scrapes: 0,
    errors: 0,
    samples: [],
  }));
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const fire = (s, path, headers) => {
    s.inflight++;
    return get(s.srv, path, headers).then(
      (r) => (r.status === 200 ? (path === "/work" ? s.done++ : s.scrapes++) : s.errors++),
      () => s.errors++,
    ).finally(() => s.inflight--);
  };
  const perTick = rate / 100;
  let owed = 0;
  const work = setInterval(() => {
    owed += perTick;
    const k = Math.floor(owed);
    owed -= k;
    for (const s of state) {
      for (let i = 0; i < k && s.inflight < 8; i++) fire(s, "/work", {});
    }
  }, 10);
  const scraper = setInterval(() => state.forEach((s) => fire(s, "/metrics", SCRAPE)), 100);
  const sample = () =>
    state.forEach((s) =>
      s.samples.push({ t: (performance.now() - t0) / 1000, rss: rssOf(s.srv.pid).rss })
    );
  sample();
  while (end - performance.now() > 500) {
    await sleep(Math.min(sampleS * 1000, end - performance.now()));
    sample();
  }
  clearInterval(work);
  clearInterval(scraper);
  await sleep(500);
  await Promise.all(state.map((s) => s.srv.stop()));
  const warm = Math.max(15, seconds / 4);
  const mb = (b) => +(b / 1e6).toFixed(1);
  const memOf = (s) => {
    const pts = s.srv.mem.map((m) => ({
      t: (m.at - t0) / 1000,
      heapTotal: m.heapTotal,
      heapUsed: m.heapUsed,
      external: m.external,
      native: m.rss - m.heapTotal - m.external,
      newSpace: m.newSpace,
      oldSpace: m.oldSpace,
    })).filter((m) => m.t >= 0 && m.t <= seconds + 1);
    const keys = ["heapTotal", "heapUsed", "external", "native"];
    if (pts.length && pts.every((m) => m.newSpace !== undefined)) keys.push("newSpace", "oldSpace");
    return {
      slopesMBPerMin: Object.fromEntries(keys.map((k) => [k, slope(pts, warm, k)])),
      samples: pts.map((m) => ({
        t: Math.round(m.t),
        ...Object.fromEntries(keys.map((k) => [k, mb(m[k])])),
      })),
    };
  };
  return Object.fromEntries(state.map((s) => [s.lib, {
    seconds,
    rate,
    requests: s.done,
    scrapes: s.scrapes,
    errors: s.errors,
    warmupS: warm,
    slopeMBPerMin: slope(s.samples, warm),
    samples: s.samples.map((x) => ({ t: Math.round(x.t), mb: mb(x.rss) })),
    ...(memLog ? { mem: memOf(s) } : {}),
  }]));
}

/** Which libraries the servers can load on this machine. */
export function libraries() {
  const libs = ["promedge", "prom-client"];
  try {
    if (process.env.PROMETHEUS_IO_CLIENT) libs.push("@prometheus-io/client");
    else {
      import.meta.resolve("@prometheus-io/client");
      libs.push("@prometheus-io/client");
    }
  } catch {
    // absent: not measured (run.mjs says so)
  }
  return libs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (k, d) => {
    const i = process.argv.indexOf(k);
    return i > 0 ? process.argv[i + 1] : d;
  };
  const rts = arg("--runtimes", "deno,bun,node").split(",");
  const cases = arg("--cases", "burst,gzip,soak").split(",");
  const seconds = Number(arg("--soak-seconds", 60));
  const rate = Number(arg("--soak-rate", 200));
  const serveMetrics = process.argv.includes("--serve-metrics");
  const memLog = process.argv.includes("--mem-log");
  const libs = libraries();
  const out = {};
  for (const rt of rts) {
    out[rt] = {};
    if (cases.includes("burst")) out[rt].burst = await burst(rt, libs);
    if (cases.includes("gzip")) out[rt].gzip = await gzipCost(rt, libs);
    if (cases.includes("soak")) {
      out[rt].soak = await soak(rt, libs, { seconds, rate, serveMetrics, memLog });
    }
    console.log(JSON.stringify({ [rt]: out[rt] }, null, 1));
  }
  const json = arg("--json");
  if (json) writeFileSync(json, JSON.stringify(out, null, 2));
}
