// Helpers that run the reference tools: promtool and the Python client's parsers.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const PY = "/usr/bin/python3";
const PARSER = fileURLToPath(new URL("./tools/parse_exposition.py", import.meta.url));

/** True when CI asks that every external tool be present (a missing one fails). */
const REQUIRE = (globalThis as { process?: { env: Record<string, string | undefined> } })
  .process?.env.PROMEDGE_REQUIRE_TOOLS === "1";

function have(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return r.status === 0;
}

/** Whether promtool is installed (Debian package `prometheus`). */
export const HAVE_PROMTOOL: boolean = have("promtool", ["--version"]);
/** Whether the reference Python client is installed (`python3-prometheus-client`). */
export const HAVE_PYCLIENT: boolean = existsSync(PY) &&
  have(PY, ["-c", "import prometheus_client"]);

/** Whether the Pushgateway is installed (`prometheus-pushgateway`). */
export const HAVE_PUSHGATEWAY: boolean = have("prometheus-pushgateway", ["--version"]);

const GOPATH = "/usr/share/gocode";

/** Whether Go and Prometheus' expfmt sources are installed (`golang-go`, `golang-github-prometheus-common-dev`). */
export const HAVE_GO: boolean = have("go", ["version"]) &&
  existsSync(join(GOPATH, "src/github.com/prometheus/common/expfmt"));

/** Whether Go and Go's snappy and protowire sources are installed (`golang-go golang-github-golang-snappy-dev`). */
export const HAVE_GO_SNAPPY: boolean = have("go", ["version"]) &&
  existsSync(join(GOPATH, "src/github.com/golang/snappy/decode.go")) &&
  existsSync(join(GOPATH, "src/google.golang.org/protobuf/encoding/protowire"));

/** Whether Prometheus itself is installed (`prometheus`). */
export const HAVE_PROMETHEUS: boolean = have("prometheus", ["--version"]);

/** Whether VictoriaMetrics is installed (`victoria-metrics`). */
export const HAVE_VICTORIA: boolean = have("victoria-metrics", ["-version"]);

/** A tool a test can need. */
export type Tool =
  | "promtool"
  | "python"
  | "pushgateway"
  | "go"
  | "go-snappy"
  | "prometheus"
  | "victoria-metrics";

const HAVE: Record<Tool, boolean> = {
  promtool: HAVE_PROMTOOL,
  python: HAVE_PYCLIENT,
  pushgateway: HAVE_PUSHGATEWAY,
  go: HAVE_GO,
  "go-snappy": HAVE_GO_SNAPPY,
  prometheus: HAVE_PROMETHEUS,
  "victoria-metrics": HAVE_VICTORIA,
};

/**
 * The `skip` option for a test needing a tool: a reason when it is missing,
 * or false. Under PROMEDGE_REQUIRE_TOOLS=1 a missing tool is an error.
 */
export function needs(...tools: Tool[]): string | false {
  const missing = tools.filter((t) => !HAVE[t]);
  if (missing.length === 0) return false;
  if (REQUIRE) throw new Error(`required tool missing: ${missing.join(", ")}`);
  return `needs ${missing.join(", ")} (apt-get install prometheus prometheus-pushgateway ` +
    "python3-prometheus-client victoria-metrics golang-go golang-github-prometheus-common-dev " +
    "golang-github-golang-snappy-dev golang-google-protobuf-dev)";
}

let decoder: string | undefined;
let rwDecoder: string | undefined;

/**
 * The path of `tests/tools/rwdecode.go` built (once per process, offline) into
 * a temp folder: Go's snappy decoder and protobuf wire reader.
 */
export function rwdecodeBinary(): string {
  if (rwDecoder) return rwDecoder;
  const dir = mkdtempSync(join(tmpdir(), "promedge-go-"));
  const out = join(dir, "rwdecode");
  const r = spawnSync("go", ["build", "-o", out, "rwdecode.go"], {
    cwd: fileURLToPath(new URL("./tools/", import.meta.url)),
    env: {
      ...process.env,
      GOPATH,
      GO111MODULE: "off",
      GOFLAGS: "",
      GOCACHE: join(tmpdir(), "promedge-gocache"),
    },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error("go build rwdecode.go failed: " + r.stderr);
  return rwDecoder = out;
}

/** Runs the Go decoder: `mode` snappy (writes FILE.dec), v1 or v2 (prints JSON). */
export function rwdecode(mode: "snappy" | "v1" | "v2", files: string[]): string {
  const r = spawnSync(rwdecodeBinary(), [mode, ...files], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`rwdecode ${mode} failed: ${r.stderr}`);
  return r.stdout;
}

/** Builds tests/tools/decode_protobuf.go once per process, offline, into a temp dir. */
function protobufDecoder(): string {
  if (decoder !== undefined) return decoder;
  const out = join(mkdtempSync(join(tmpdir(), "promedge-go-")), "decode_protobuf");
  const cache = join(tmpdir(), "promedge-gocache");
  mkdirSync(cache, { recursive: true });
  const r = spawnSync("go", [
    "build",
    "-o",
    out,
    fileURLToPath(new URL("./tools/decode_protobuf.go", import.meta.url)),
  ], {
    encoding: "utf8",
    env: { ...process.env, GOPATH, GO111MODULE: "off", GOFLAGS: "", GOCACHE: cache },
  });
  if (r.status !== 0) throw new Error("go build of the protobuf decoder failed: " + r.stderr);
  return decoder = out;
}

/** A MetricFamily as Go's expfmt decoder reads it (jsonpb field names), with created times. */
export interface DecodedFamily {
  family: {
    name: string;
    help?: string;
    type?: string;
    metric: Record<string, unknown>[];
  };
  created: (number | null)[];
}

/** Decodes a delimited protobuf body (gzip or not) with Prometheus' Go decoder; throws on a bad body. */
export function goDecode(body: Uint8Array): DecodedFamily[] {
  const r = spawnSync(protobufDecoder(), [], { input: body, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error("Go decoder rejected the body: " + r.stderr);
  return JSON.parse(r.stdout.toString()) ?? [];
}

/** Runs `promtool check metrics` on a text page; returns its exit code and output. */
export function promtool(text: string): { code: number; output: string } {
  const r = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  return { code: r.status ?? -1, output: (r.stdout ?? "") + (r.stderr ?? "") };
}

/** A family as the Python parser reads it. */
export interface ParsedFamily {
  name: string;
  type: string;
  help: string;
  unit: string;
  samples: {
    name: string;
    labels: Record<string, string>;
    value: number | string;
    exemplar: {
      labels: Record<string, string>;
      value: number | string;
      /** [seconds, nanoseconds], exactly as written; null when absent. */
      timestamp: [number, number] | null;
    } | null;
  }[];
}

/** Parses several pages at once with the reference parser (strict OpenMetrics when `om`). */
export function pyParseMany(
  items: { text: string; om: boolean }[],
): ({ families: ParsedFamily[]; error?: undefined } | { error: string; families?: undefined })[] {
  const r = spawnSync(PY, [PARSER], {
    input: JSON.stringify(items),
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error("parser failed: " + r.stderr);
  return JSON.parse(r.stdout);
}

/** Parses one page; throws with the parser's message when it rejects it. */
export function pyParse(text: string, om = false): ParsedFamily[] {
  const [res] = pyParseMany([{ text, om }]);
  if (res.error !== undefined) throw new Error(`reference parser rejected the page: ${res.error}`);
  return res.families;
}

/** The value of one sample in parsed families, by sample name and labels. */
export function sampleValue(
  fams: ParsedFamily[],
  name: string,
  labels: Record<string, string> = {},
): number | string | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  for (const f of fams) {
    for (const s of f.samples) {
      if (s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want) {
        return s.value;
      }
    }
  }
  return undefined;
}

/**
 * Bundles the ./prom-client entry to CommonJS with esbuild (as code that `require()`s
 * prom-client would use it) at `outfile`; throws with esbuild's message when it fails.
 */
export function bundlePromClientCjs(outfile: string): void {
  const root = fileURLToPath(new URL("../", import.meta.url));
  const r = spawnSync(join(root, "node_modules/.bin/esbuild"), [
    join(root, "src/compat/prom-client.ts"),
    "--bundle",
    "--format=cjs",
    "--platform=node",
    `--outfile=${outfile}`,
  ], { encoding: "utf8" });
  if (r.status !== 0) {
    throw new Error(`esbuild could not bundle the prom-client entry: ${r.stderr}`);
  }
}
