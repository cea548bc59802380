// List methods return a PagePromise: `await` it for the first page, or `for await` over it for every
// item of every page. Each page knows how to ask for its successor; the walk stops on the last page.
import type { Schemas } from "@telnyx-voice/types";
import type { RequestOptions } from "./options.js";

type Query = Record<string, unknown> & { page?: Record<string, unknown> };
/** Fetches one page's body for a query. */
export type PageFetcher<Body> = (query: Query, options?: RequestOptions) => Promise<Body>;

interface ListBody<Item, Meta> {
  data?: Item[];
  meta?: Meta;
}

/** What every page offers. */
export abstract class Page<Item, Meta> implements AsyncIterable<Item> {
  /** The items of this page (empty when the API sent none). */
  readonly data: Item[];
  /** The page metadata as the API sent it. */
  readonly meta: Meta | undefined;
  protected readonly query: Query;
  protected readonly fetcher: PageFetcher<ListBody<Item, Meta>>;
  protected readonly options: RequestOptions | undefined;

  constructor(
    body: ListBody<Item, Meta>,
    query: Query,
    fetcher: PageFetcher<ListBody<Item, Meta>>,
    options?: RequestOptions,
  ) {
    this.data = Array.isArray(body.data) ? body.data : [];
    this.meta = body.meta;
    this.query = query;
    this.fetcher = fetcher;
    this.options = options;
  }

  /** The query of the next page, or undefined on the last page. */
  protected abstract nextQuery(): Query | undefined;
  protected abstract create(body: ListBody<Item, Meta>, query: Query): this;

  hasNextPage(): boolean {
    return this.nextQuery() !== undefined;
  }

  /** Fetches the next page. Throws `RangeError` on the last page: check `hasNextPage()` first. */
  async getNextPage(): Promise<this> {
    const query = this.nextQuery();
    if (!query) throw new RangeError("This is the last page: check hasNextPage() before getNextPage().");
    return this.create(await this.fetcher(query, this.options), query);
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
    // An empty page or a cursor that does not move would otherwise loop forever.
    if (!after || this.data.length === 0 || after === this.query.page?.after) return undefined;
    const { before: _before, ...page } = this.query.page ?? {};
    return { ...this.query, page: { ...page, after } };
  }
  protected create(body: ListBody<Item, CursorMeta>, query: Query): this {
    return new CursorPage(body, query, this.fetcher, this.options) as this;
  }
}

/** A page of a numbered list (`page[number]`, `page[size]`, ending at `meta.total_pages`). */
export class NumberPage<Item> extends Page<Item, NumberMeta> {
  protected nextQuery(): Query | undefined {
    // Number(): a page_number sent as a string would otherwise be concatenated ("1" + 1 = "11").
    const current = Number(this.meta?.page_number ?? this.query.page?.number ?? 1);
    const total = this.meta?.total_pages;
    if (total === undefined || this.data.length === 0 || !(current < total)) return undefined;
    return { ...this.query, page: { ...this.query.page, number: current + 1 } };
  }
  protected create(body: ListBody<Item, NumberMeta>, query: Query): this {
    return new NumberPage(body, query, this.fetcher, this.options) as this;
  }
}

/**
 * The first page, fetched on the first `await` or iteration (and only once): `await` gives the page,
 * `for await` gives every item of every page.
 */
export class PagePromise<P extends Page<Item, unknown>, Item> implements PromiseLike<P>, AsyncIterable<Item> {
  private first: Promise<P> | undefined;
  private readonly load: () => Promise<P>;

  constructor(load: () => Promise<P>) {
    this.load = load;
  }

  private page(): Promise<P> {
    this.first ??= this.load();
    return this.first;
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

export function cursorList<Item>(
  fetcher: PageFetcher<ListBody<Item, CursorMeta>>,
  query: Query,
  options?: RequestOptions,
): PagePromise<CursorPage<Item>, Item> {
  return new PagePromise(async () => new CursorPage(await fetcher(query, options), query, fetcher, options));
}

export function numberList<Item>(
  fetcher: PageFetcher<ListBody<Item, NumberMeta>>,
  query: Query,
  options?: RequestOptions,
): PagePromise<NumberPage<Item>, Item> {
  return new PagePromise(async () => new NumberPage(await fetcher(query, options), query, fetcher, options));
}
