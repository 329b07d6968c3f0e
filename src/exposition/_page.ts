/**
 * Writes gathered families through a format, in pieces, letting the event
 * loop run between them: a large page never holds up the process for the
 * whole scrape.
 * @module
 */

import { type FamilySnapshot, prepareSlice } from "../collector.ts";
import { type FormatWriter, writeFamily } from "./format.ts";

/** Series per slice of a family handed to a writer: a few hundred KB of text at most. */
export const PIECE_SERIES = 2000;

const g = globalThis as { setImmediate?: (cb: () => void) => unknown };

/** Lets timers and I/O run: a macrotask turn (setImmediate where there is one). */
export function breath(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof g.setImmediate === "function") g.setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}

/**
 * The page in pieces: text gathered to about `chunkSize` characters (one
 * family slice at least), bytes as the writer returns them, with a macrotask
 * turn after each piece handed out and after each full slice.
 */
export async function* pagePieces(
  families: readonly FamilySnapshot[],
  writer: FormatWriter,
  chunkSize = 65536,
): AsyncGenerator<string | Uint8Array> {
  let buf = "";
  for (const f of families) {
    const n = f.series.length;
    let from = 0;
    do {
      const to = Math.min(n, from + PIECE_SERIES);
      prepareSlice(f, from, to);
      const out = writeFamily(writer, f, from, to);
      if (typeof out === "string") {
        buf += out;
        if (buf.length >= chunkSize) {
          yield buf;
          buf = "";
          await breath();
        }
      } else if (out.length > 0) {
        if (buf) yield buf;
        buf = "";
        yield out;
        await breath();
      } else if (to - from === PIECE_SERIES) {
        await breath();
      }
      from = to;
    } while (from < n);
  }
  const end = writer.end();
  if (typeof end === "string") {
    buf += end;
    if (buf) yield buf;
  } else {
    if (buf) yield buf;
    if (end.length > 0) yield end;
  }
}

const encoder = /* @__PURE__ */ new TextEncoder();

/** The pieces as a byte stream (text as UTF-8); cancelling it stops the writing. */
export function pageStream(
  pieces: AsyncGenerator<string | Uint8Array>,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const r = await pieces.next();
      if (r.done) controller.close();
      else controller.enqueue(typeof r.value === "string" ? encoder.encode(r.value) : r.value);
    },
    async cancel() {
      await pieces.return(undefined);
    },
  });
}
