// The snappy compressor, judged by Go's snappy decoder (github.com/golang/snappy).
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { snappyCompress } from "../src/remote/_snappy.ts";
import { needs, rwdecode } from "./_tools.ts";

const dir = mkdtempSync(join(tmpdir(), "promedge-snappy-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A deterministic pseudo-random generator (xorshift32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

function randomBytes(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (r() * 256) | 0;
  return b;
}

/** Text shaped like a remote-write body: label names and values repeating with small changes. */
function realistic(series: number): Uint8Array {
  let s = "";
  for (let i = 0; i < series; i++) {
    s +=
      `\n\x0a__name__\x12http_request_duration_seconds_bucket\x0a\x06method\x12${
        ["GET", "POST", "PUT"][i % 3]
      }\x0a\x04path\x12/api/v1/items/${i % 97}\x0a\x02le\x12${
        [0.005, 0.01, 0.1, 1, "+Inf"][i % 5]
      }` +
      `\x0a\x08instance\x12edge-${i % 7}.example.net:443\x11${
        i * 7.25
      }\x10\x8c\xb5\xe0\xa2\xa7\x31`;
  }
  return new TextEncoder().encode(s);
}

/** Compresses every input, decodes all with Go in one run, and compares the bytes. */
function roundTrip(inputs: Uint8Array[]): Uint8Array[] {
  const files = inputs.map((input, i) => {
    const f = join(dir, `in-${i}-${Math.random().toString(36).slice(2)}.sz`);
    writeFileSync(f, snappyCompress(input));
    return f;
  });
  rwdecode("snappy", files);
  files.forEach((f, i) => {
    const back = new Uint8Array(readFileSync(f + ".dec"));
    assert.equal(back.length, inputs[i].length, `input ${i}: length`);
    assert.ok(Buffer.from(back).equals(Buffer.from(inputs[i])), `input ${i}: bytes differ`);
  });
  return files.map((f) => new Uint8Array(readFileSync(f)));
}

const skip = needs("go-snappy");

test("snappyCompress() output decodes with Go's snappy to the same bytes (edge sizes)", {
  skip,
}, () => {
  const inputs = [
    new Uint8Array(0),
    new Uint8Array([7]),
    new Uint8Array(16).fill(1),
    new Uint8Array(17).fill(1),
    new Uint8Array(65536).fill(0x61),
    new Uint8Array(65537).fill(0x61),
    new Uint8Array(300_000).fill(0),
    randomBytes(65536 + 100, 1),
    randomBytes(1 << 20, 2), // incompressible, several literal length forms
  ];
  const out = roundTrip(inputs);
  // A run of one byte is a literal then copies of 64 bytes (3 bytes each).
  assert.ok(out[6].length < 300_000 / 20, `zeros compressed to ${out[6].length}`);
  // Random data must not grow more than the format's bound.
  assert.ok(out[8].length <= 32 + (1 << 20) + (1 << 20) / 6);
});

test(
  "snappyCompress() round-trips random inputs with repeats through Go's decoder",
  { skip },
  () => {
    const inputs: Uint8Array[] = [];
    for (let seed = 1; seed <= 200; seed++) {
      const r = rng(seed * 7919);
      const n = Math.floor(r() ** 3 * 200_000);
      const b = new Uint8Array(n);
      let i = 0;
      while (i < n) {
        // A mix of short random runs and copies from earlier (near and far).
        if (i > 8 && r() < 0.6) {
          const back = 1 + Math.floor(r() ** 2 * Math.min(i, 150_000));
          const len = Math.min(n - i, 1 + Math.floor(r() * 200));
          for (let k = 0; k < len; k++, i++) b[i] = b[i - back];
        } else {
          const len = Math.min(n - i, 1 + Math.floor(r() * 40));
          const alphabet = 1 + Math.floor(r() * 255);
          for (let k = 0; k < len; k++) b[i++] = Math.floor(r() * alphabet);
        }
      }
      inputs.push(b);
    }
    roundTrip(inputs);
  },
);

test("snappyCompress() finds repeats further back than 64 KiB (4-byte offsets)", { skip }, () => {
  const chunk = randomBytes(4096, 3);
  const input = new Uint8Array(4096 + 200_000 + 4096);
  input.set(chunk, 0);
  input.set(randomBytes(200_000, 4), 4096);
  input.set(chunk, 204_096);
  const [out] = roundTrip([input]);
  // The second copy of the chunk costs copies (5 bytes per 64), not 4 KiB of literal.
  const [plain] = roundTrip([input.subarray(0, 204_096)]);
  assert.ok(out.length - plain.length < 1024, `the repeat cost ${out.length - plain.length} bytes`);
});

test("snappyCompress() shrinks a remote-write-like body at least 4x", { skip }, () => {
  const input = realistic(10_000);
  const [out] = roundTrip([input]);
  assert.ok(out.length * 4 < input.length, `${input.length} -> ${out.length}`);
});
