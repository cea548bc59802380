import { afterEach, describe, expect, test } from "vitest";
import { CursorPage, NumberPage, PaginationError } from "../src/index.js";
import { clientFor, type Recorded, type TestServer, startServer } from "./server.js";

let server: TestServer;
afterEach(() => server?.close());

const calls = (...ids: string[]) =>
  ids.map((id) => ({ call_control_id: id, call_leg_id: `leg-${id}`, call_session_id: "s", record_type: "call" }));

/** Active calls in pages of two behind opaque cursors, as Telnyx pages them. */
function activeCalls(request: Recorded) {
  const pages: Record<string, { data: unknown[]; after?: string }> = {
    "": { data: calls("a", "b"), after: "cur-1" },
    "cur-1": { data: calls("c", "d"), after: "cur-2" },
    "cur-2": { data: calls("e") },
  };
  const page = pages[request.query.get("page[after]") ?? ""] ?? { data: [] };
  // Only cursors, no page numbers: the meta the official SDK never stops on.
  return {
    body: {
      data: page.data,
      meta: { cursors: page.after ? { after: page.after } : { before: "back" }, total_items: 5 },
    },
  };
}

describe("cursor pagination (active calls)", () => {
  test("for await walks every item of every page, each page fetched once, ending on the last", async () => {
    server = await startServer(activeCalls);
    const telnyx = clientFor(server);
    const ids: string[] = [];
    for await (const call of telnyx.connections.listActiveCalls("conn-1", { page: { limit: 2 } }))
      ids.push(call.call_control_id);
    expect(ids).toEqual(["a", "b", "c", "d", "e"]);
    expect(server.requests.map((r) => r.url)).toEqual([
      "/v2/connections/conn-1/active_calls?page[limit]=2",
      "/v2/connections/conn-1/active_calls?page[limit]=2&page[after]=cur-1",
      "/v2/connections/conn-1/active_calls?page[limit]=2&page[after]=cur-2",
    ]);
  });

  test("await gives the first page; getNextPage follows the cursor; the last page says so", async () => {
    server = await startServer(activeCalls);
    const first = await clientFor(server).connections.listActiveCalls("conn-1");
    expect(first).toBeInstanceOf(CursorPage);
    expect(first.data.map((c) => c.call_control_id)).toEqual(["a", "b"]);
    expect(first.meta?.cursors?.after).toBe("cur-1");
    expect(first.hasNextPage()).toBe(true);
    const second = await first.getNextPage();
    const third = await second.getNextPage();
    expect(third.data.map((c) => c.call_control_id)).toEqual(["e"]);
    expect(third.hasNextPage()).toBe(false);
    await expect(third.getNextPage()).rejects.toBeInstanceOf(RangeError);
    expect(server.requests).toHaveLength(3);
  });

  test("awaiting, then iterating, the same promise does not fetch the first page twice", async () => {
    server = await startServer(activeCalls);
    const list = clientFor(server).connections.listActiveCalls("conn-1");
    await list;
    const ids: string[] = [];
    for await (const call of list) ids.push(call.call_control_id);
    expect(ids).toHaveLength(5);
    expect(server.requests).toHaveLength(3);
  });

  test("an empty page ends the walk, whatever cursor it carries", async () => {
    server = await startServer((_req, i) => ({
      body: { data: i < 2 ? calls(`x${i}`) : [], meta: { cursors: { after: `c${i}` } } },
    }));
    const ids: string[] = [];
    for await (const call of clientFor(server).connections.listActiveCalls("conn-1")) ids.push(call.call_control_id);
    expect(ids).toEqual(["x0", "x1"]);
    expect(server.requests).toHaveLength(3);
  });

  test("no meta at all: one page", async () => {
    server = await startServer(() => ({ body: { data: calls("only") } }));
    const page = await clientFor(server).connections.listActiveCalls("conn-1");
    expect(page.hasNextPage()).toBe(false);
    expect(page.meta).toBeUndefined();
  });
});

describe("number pagination (call control applications)", () => {
  const apps = (request: Recorded) => {
    const n = Number(request.query.get("page[number]") ?? 1);
    const data = n <= 3 ? [{ id: `app-${n}a` }, { id: `app-${n}b` }] : [];
    return { body: { data, meta: { page_number: n, page_size: 2, total_pages: 3, total_results: 6 } } };
  };

  test("for await walks 3 pages and stops at total_pages; query serialised as the API expects", async () => {
    server = await startServer(apps);
    const ids: string[] = [];
    const list = clientFor(server).callControlApplications.list({
      page: { size: 2 },
      filter: { application_name: { contains: "sales team" }, "outbound.outbound_voice_profile_id": "42" },
      sort: "connection_name",
    });
    for await (const app of list) ids.push(app.id ?? "");
    expect(ids).toEqual(["app-1a", "app-1b", "app-2a", "app-2b", "app-3a", "app-3b"]);
    expect(server.requests).toHaveLength(3);
    expect(server.requests[0]?.url).toBe(
      "/v2/call_control_applications?page[size]=2&filter[application_name][contains]=sales%20team&filter[outbound.outbound_voice_profile_id]=42&sort=connection_name",
    );
    expect(server.requests[2]?.query.get("page[number]")).toBe("3");
    expect(server.requests[2]?.query.get("page[size]")).toBe("2");
  });

  test("the first page and its successor", async () => {
    server = await startServer(apps);
    const first = await clientFor(server).callControlApplications.list();
    expect(first).toBeInstanceOf(NumberPage);
    expect(first.meta?.total_pages).toBe(3);
    expect(first.hasNextPage()).toBe(true);
    const second = await first.getNextPage();
    expect(second.data.map((a) => a.id)).toEqual(["app-2a", "app-2b"]);
    expect(server.requests[1]?.url).toBe("/v2/call_control_applications?page[number]=2");
    const pages: number[] = [];
    for await (const page of first.iterPages()) pages.push(page.meta?.page_number ?? 0);
    expect(pages).toEqual([1, 2, 3]);
  });

  test("starting from a later page number continues from there", async () => {
    server = await startServer(apps);
    const ids: string[] = [];
    for await (const app of clientFor(server).callControlApplications.list({ page: { number: 2, size: 2 } }))
      ids.push(app.id ?? "");
    expect(ids).toEqual(["app-2a", "app-2b", "app-3a", "app-3b"]);
  });

  test("an error on a later page is thrown from the loop", async () => {
    server = await startServer((req) =>
      req.query.get("page[number]") === "2"
        ? { status: 404, body: { errors: [{ code: "1", title: "Gone" }] } }
        : apps(req),
    );
    const ids: string[] = [];
    const walk = async () => {
      for await (const app of clientFor(server).callControlApplications.list()) ids.push(app.id ?? "");
    };
    await expect(walk()).rejects.toMatchObject({ status: 404, message: "404 Not Found: Gone (code 1)" });
    expect(ids).toEqual(["app-1a", "app-1b"]);
  });
});

describe("a server that does not advance", () => {
  test("cursors alternating A -> B -> A: each requested once, then a PaginationError", async () => {
    server = await startServer((req) => {
      const after = req.query.get("page[after]");
      const next = after === "A" ? "B" : "A";
      return { body: { data: calls(`at-${after ?? "start"}`), meta: { cursors: { after: next } } } };
    });
    const ids: string[] = [];
    const walk = async () => {
      for await (const call of clientFor(server).connections.listActiveCalls("conn-1")) ids.push(call.call_control_id);
    };
    const error = await walk().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaginationError);
    expect((error as Error).message).toBe(
      "GET /connections/{connection_id}/active_calls: after 3 pages the server pointed to page[after]=A again, a page already requested in this walk; the walk stops here rather than loop. The server is not advancing.",
    );
    expect(ids).toEqual(["at-start", "at-A", "at-B"]);
    expect(server.requests.map((r) => r.query.get("page[after]"))).toEqual([null, "A", "B"]);
  });

  test("a cursor pointing at the page it came from is a PaginationError, before sending", async () => {
    server = await startServer(() => ({ body: { data: calls("x"), meta: { cursors: { after: "same" } } } }));
    const page = await clientFor(server).connections.listActiveCalls("conn-1", { page: { after: "same" } });
    expect(page.hasNextPage()).toBe(true);
    await expect(page.getNextPage()).rejects.toBeInstanceOf(PaginationError);
    expect(server.requests).toHaveLength(1);
  });

  test("getNextPage chains by hand are protected the same way", async () => {
    server = await startServer((req) => ({
      body: { data: calls("x"), meta: { cursors: { after: req.query.get("page[after]") === "B" ? "A" : "B" } } },
    }));
    let page = await clientFor(server).connections.listActiveCalls("conn-1", { page: { after: "A" } });
    const walk = async () => {
      while (page.hasNextPage()) page = await page.getNextPage();
    };
    await expect(walk()).rejects.toBeInstanceOf(PaginationError);
    expect(server.requests.map((r) => r.query.get("page[after]"))).toEqual(["A", "B"]);
  });

  test("page_number: 1 with total_pages: 1e6 on every page stops after page 2, with a clear error", async () => {
    server = await startServer(() => ({
      body: { data: [{ id: "same" }], meta: { page_number: 1, page_size: 1, total_pages: 1e6, total_results: 1e6 } },
    }));
    const ids: string[] = [];
    const walk = async () => {
      for await (const app of clientFor(server).callControlApplications.list()) ids.push(app.id ?? "");
    };
    const error = await walk().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaginationError);
    expect((error as Error).message).toBe(
      "GET /call_control_applications: asked for page[number]=2 and got page_number 1 (a number); the walk stops here rather than fetch the same pages again. The server is not advancing.",
    );
    expect(ids).toEqual(["same"]);
    expect(server.requests).toHaveLength(2);
  });

  test("page numbers only go forward: the next page is the one asked for plus one", async () => {
    server = await startServer((req) => {
      const n = Number(req.query.get("page[number]") ?? 1);
      return { body: { data: [{ id: `p${n}` }], meta: { page_number: n, total_pages: 3 } } };
    });
    const ids: string[] = [];
    for await (const app of clientFor(server).callControlApplications.list()) ids.push(app.id ?? "");
    expect(ids).toEqual(["p1", "p2", "p3"]);
    expect(server.requests.map((r) => r.query.get("page[number]"))).toEqual([null, "2", "3"]);
  });
});
