// List methods return a PagePromise: `await` it for the first page, or `for await` over it for every item
// of every page. Each page knows how to ask for its successor; a walk ends on the last page, and never
// requests the same cursor or page number twice: a server that does not advance gets a PaginationError.
import type { Schemas } from "@telnyx-voice/types";
import { lastPageError, paginationLoopError, paginationStuckError } from "./errors.js";
import type { APIPromise, WithResponse } from "./api-promise.js";
import type { RequestOptions } from "./options.js";

type Query = Record<string, unknown> & { page?: Record<string, unknown> };
/** Fetches one page's body for a query. */
export type PageFetcher<Body> = (query: Query, options?: RequestOptions) => APIPromise<Body>;

interface ListBody<Item, Meta> {
  data?: Item[];
  meta?: Meta | undefined;
}

/** How a page was reached: its list, and what this walk has requested so far (cursors or page numbers). */
interface Walk<Body> {
  readonly where: string;
  readonly fetcher: PageFetcher<Body>;
  readonly options: RequestOptions | undefined;
  /** `after:<cursor>` / `number:<n>` for every page requested on the way to this one, this one included. */
  readonly requested: ReadonlySet<string>;
}

/** What every page offers. */
export abstract class Page<Item, Meta> implements AsyncIterable<Item> {
  /** The items of this page (empty when the API sent none). */
  readonly data: Item[];
  /** The page metadata as the API sent it. */
  readonly meta: Meta | undefined;
  protected readonly query: Query;
  protected readonly walk: Walk<ListBody<Item, Meta>>;

  constructor(body: ListBody<Item, Meta>, query: Query, walk: Walk<ListBody<Item, Meta>>) {
    this.data = Array.isArray(body.data) ? body.data : [];
    this.meta = body.meta;
    this.query = query;
    this.walk = walk;
  }

  /** The query of the next page, or undefined on the last page. */
  protected abstract nextQuery(): Query | undefined;
  /** What identifies a page's query in a walk: `after:<cursor>` or `number:<n>`. */
  protected abstract keyOf(query: Query): [param: string, value: string];
  protected abstract create(body: ListBody<Item, Meta>, query: Query, walk: Walk<ListBody<Item, Meta>>): this;

  hasNextPage(): boolean {
    return this.nextQuery() !== undefined;
  }

  /**
   * Fetches the next page. Throws `RangeError` on the last page (check `hasNextPage()` first), and
   * PaginationError, before sending, when the server points back to a page this walk already requested.
   */
  async getNextPage(): Promise<this> {
    const query = this.nextQuery();
    if (!query) throw lastPageError();
    const [param, value] = this.keyOf(query);
    const key = `${param}:${value}`;
    if (this.walk.requested.has(key))
      throw paginationLoopError(this.walk.where, param, value, this.walk.requested.size);
    const requested = new Set(this.walk.requested).add(key);
    const body = await this.walk.fetcher(query, this.walk.options);
    return this.create(body, query, { ...this.walk, requested });
  }

  /** This page and every page after it, each fetched once. */
  async *iterPages(): AsyncGenerator<this, void, undefined> {
    let page: this | undefined = this;
    while (page) {
      yield page;
      page = page.hasNextPage() ? await page.getNextPage() : undefined;
    }
  }

  /** Every item of this page and of every page after it. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    for await (const page of this.iterPages()) yield* page.data;
  }
}

type CursorMeta = Schemas["CursorPaginationMeta"];
type NumberMeta = Schemas["PaginationMeta"];

/** A page of a cursor-paginated list (`page[after]` from `meta.cursors.after`). */
export class CursorPage<Item> extends Page<Item, CursorMeta> {
  protected nextQuery(): Query | undefined {
    const after = this.meta?.cursors?.after;
    if (!after || this.data.length === 0) return undefined;
    const { before: _before, ...page } = this.query.page ?? {};
    return { ...this.query, page: { ...page, after } };
  }
  protected keyOf(query: Query): [string, string] {
    return ["page[after]", String(query.page?.after ?? "")];
  }
  protected create(body: ListBody<Item, CursorMeta>, query: Query, walk: Walk<ListBody<Item, CursorMeta>>): this {
    return new CursorPage(body, query, walk) as this;
  }
}

/** A page of a numbered list (`page[number]`, `page[size]`, ending at `meta.total_pages`). */
export class NumberPage<Item> extends Page<Item, NumberMeta> {
  /** The page number this page was asked for (1 when the query named none). */
  get #number(): number {
    return Number(this.query.page?.number ?? 1);
  }
  protected nextQuery(): Query | undefined {
    const total = this.meta?.total_pages;
    if (total === undefined || this.data.length === 0 || !(this.#number < total)) return undefined;
    return { ...this.query, page: { ...this.query.page, number: this.#number + 1 } };
  }
  protected keyOf(query: Query): [string, string] {
    return ["page[number]", String(query.page?.number ?? 1)];
  }
  protected create(body: ListBody<Item, NumberMeta>, query: Query, walk: Walk<ListBody<Item, NumberMeta>>): this {
    const page = new NumberPage(body, query, walk);
    // A server that answers every page number with the same page would otherwise be walked to total_pages.
    const answered = page.meta?.page_number;
    if (answered !== undefined && Number(answered) !== page.#number) {
      throw paginationStuckError(walk.where, page.#number, answered);
    }
    return page as this;
  }
}

/**
 * The first page, fetched on the first `await` or iteration (and only once): `await` gives the page,
 * `for await` gives every item of every page.
 */
export class PagePromise<P extends Page<Item, unknown>, Item> implements PromiseLike<P>, AsyncIterable<Item> {
  private first: Promise<{ page: P; response: Response }> | undefined;
  private readonly load: () => Promise<{ page: P; response: Response }>;

  constructor(load: () => Promise<{ page: P; response: Response }>) {
    this.load = load;
  }

  private page(): Promise<P> {
    return this.answer().then((a) => a.page);
  }

  private answer(): Promise<{ page: P; response: Response }> {
    this.first ??= this.load();
    return this.first;
  }

  /** The first page with its HTTP response and Telnyx's request id. */
  withResponse(): Promise<WithResponse<P>> {
    return this.answer().then(({ page, response }) => ({
      data: page,
      response,
      requestId: response.headers.get("x-request-id") ?? undefined,
    }));
  }

  // biome-ignore lint/suspicious/noThenProperty: a PagePromise is awaited like a promise, by design.
  then<R1 = P, R2 = never>(
    onfulfilled?: ((value: P) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.page().then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<P | R> {
    return this.page().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<P> {
    return this.page().finally(onfinally);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    yield* await this.page();
  }
}

function walkOf<Body>(
  where: string,
  fetcher: PageFetcher<Body>,
  options: RequestOptions | undefined,
  key: string,
): Walk<Body> {
  return { where, fetcher, options, requested: new Set([key]) };
}

export function cursorList<Item>(
  where: string,
  fetcher: PageFetcher<ListBody<Item, CursorMeta>>,
  query: Query,
  options?: RequestOptions,
): PagePromise<CursorPage<Item>, Item> {
  const walk = walkOf(where, fetcher, options, `page[after]:${String(query.page?.after ?? "")}`);
  return new PagePromise(async () => {
    const { data, response } = await fetcher(query, options).withResponse();
    return { page: new CursorPage(data, query, walk), response };
  });
}

export function numberList<Item>(
  where: string,
  fetcher: PageFetcher<ListBody<Item, NumberMeta>>,
  query: Query,
  options?: RequestOptions,
): PagePromise<NumberPage<Item>, Item> {
  const walk = walkOf(where, fetcher, options, `page[number]:${String(query.page?.number ?? 1)}`);
  return new PagePromise(async () => {
    const { data, response } = await fetcher(query, options).withResponse();
    return { page: new NumberPage(data, query, walk), response };
  });
}
