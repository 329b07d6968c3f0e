/**
 * Concurrent scrapes of the same page share it: one collection, one encoding,
 * one compression, read by every scrape that arrives while the page is being
 * made (as client_golang's `CoalesceGather`), within {@link JOIN_MS} of its
 * start. A scrape that arrives after the last byte was made, or later than
 * that, starts a new page: one reader that stops reading keeps a page
 * unfinished, and a scrape joining it much later would get old values.
 * @module
 */

/** How long after it started a page takes more scrapes. */
export const JOIN_MS = 1000;

type Body = ReadableStream<Uint8Array>;

/**
 * One page in the making and the scrapes reading it. The page is made as
 * fast as its fastest reader reads; its bytes are kept until it is complete,
 * so that a scrape joining late still gets it from the start, and are freed
 * once every reader is through.
 */
class SharedPage {
  readonly #chunks: Uint8Array[] = [];
  readonly #ready: Promise<ReadableStreamDefaultReader<Uint8Array>>;
  readonly #settle: () => void;
  #next: Promise<void> | undefined;
  #done = false;
  #failed = false;
  #error: unknown;
  #readers = 0;
  /** When the page started, ms (performance.now()). */
  readonly born: number = performance.now();

  /** Starts making the page; `settle` is called once, when no scrape may join any more. */
  constructor(make: () => Promise<Body>, settle: () => void) {
    let settled = false;
    this.#settle = () => {
      if (!settled) settle();
      settled = true;
    };
    this.#ready = make().then((body) => body.getReader(), (e) => {
      this.#settle();
      throw e;
    });
    this.#ready.catch(() => {}); // each join() sees the failure
  }

  /** A body for one more scrape; rejects as the page's collection does. */
  async join(): Promise<Body> {
    this.#readers++;
    let source: ReadableStreamDefaultReader<Uint8Array>;
    try {
      source = await this.#ready;
    } catch (e) {
      this.#readers--;
      throw e;
    }
    let i = 0;
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      if (--this.#readers === 0 && !this.#done) {
        // every scrape went away: stop making the page
        this.#done = true;
        this.#settle();
        source.cancel().catch(() => {});
      }
    };
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        while (i === this.#chunks.length && !this.#done) await this.#more(source);
        if (i < this.#chunks.length) controller.enqueue(this.#chunks[i++]);
        else {
          leave();
          if (this.#failed) controller.error(this.#error);
          else controller.close();
        }
      },
      cancel: leave,
    });
  }

  /** Reads the next piece of the page (one read at a time, whoever asks). */
  #more(source: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    return this.#next ??= source.read().then((r) => {
      if (r.done) {
        this.#done = true;
        this.#settle();
      } else this.#chunks.push(r.value);
    }, (e) => {
      this.#failed = true;
      this.#error = e;
      this.#done = true;
      this.#settle();
    }).finally(() => {
      this.#next = undefined;
    });
  }
}

const inFlight = new WeakMap<object, Map<string, SharedPage>>();

/**
 * A body for one scrape of `owner`'s page `key`: the page being made for an
 * earlier scrape with the same owner and key if it is not complete yet and
 * started less than {@link JOIN_MS} ago, else a new one from `make` (which
 * takes the place of the old one for later scrapes). Rejects, for every
 * scrape that joined, when `make` does.
 */
export function coalesce(owner: object, key: string, make: () => Promise<Body>): Promise<Body> {
  let pages = inFlight.get(owner);
  if (pages === undefined) inFlight.set(owner, pages = new Map());
  const found = pages.get(key);
  if (found !== undefined && performance.now() - found.born < JOIN_MS) return found.join();
  const page: SharedPage = new SharedPage(make, () => {
    if (pages.get(key) === page) pages.delete(key);
  });
  pages.set(key, page);
  return page.join();
}

const ids = new WeakMap<object, number>();
let lastId = 0;

/**
 * A number naming `o` in a page key (see {@link coalesce}): the same for the
 * same object, never for two (two formats may have one name).
 */
export function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, id = ++lastId);
  return id;
}
