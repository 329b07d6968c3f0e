// A peer that moved: a node:http server on 127.0.0.1 that redirects requests under /old to the
// same path without it, answers the rest, and records every request it got.
import { createServer, type IncomingHttpHeaders } from "node:http";

/** One request as the server got it. */
export interface Got {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Starts the server: a request to `/old/x` gets `status` (307, 308) with `Location: /x`, any
 * other gets `ok`. `base` is `http://127.0.0.1:<port>/old`; `close()` stops it.
 */
export async function redirecting(
  status: number,
  ok: number,
): Promise<{ base: string; got: Got[]; close(): void }> {
  const got: Got[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      got.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(parts),
      });
      if (req.url!.startsWith("/old/")) {
        res.writeHead(status, { location: req.url!.slice(4) }).end();
      } else res.writeHead(ok).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { base: `http://127.0.0.1:${port}/old`, got, close: () => server.close() };
}
