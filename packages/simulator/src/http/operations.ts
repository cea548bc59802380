// Handlers for the slice's operations, by operationId. Call commands share one handler (runAction);
// the table is built from the slice, so every action path of the spec is served.
import type { CallControlApplicationCreate, DialRequest } from "@telnyx-voice/types";
import type { ApplicationListQuery, ApplicationStore } from "../calls/applications.js";
import { runAction } from "../calls/commands.js";
import { readMachineDetection, readRecordFromAnswer, readStream } from "../calls/media-settings.js";
import { uuid } from "../calls/ids.js";
import type { CallEngine } from "../calls/state-machine.js";
import type { CallRecord } from "../calls/types.js";
import { readWebhookSettings } from "../calls/webhook-settings.js";
import { activeCall, callStatus, dialResponse } from "../calls/wire.js";
import { invalidParameter, quote, resourceNotFound } from "../errors.js";
import { checkBase64, checkNumber } from "../schema/prose-checks.js";
import { HTTP_METHODS, sliceDocument } from "../schema/slice.js";
import type { DialRateLimit } from "./dial-rate.js";

export interface OperationContext {
  engine: CallEngine;
  applications: ApplicationStore;
  /** The simulator's `webhookUrl` option: where calls without a dial `webhook_url` or application URL report. */
  defaultWebhookUrl: string | undefined;
  /** Dials by `command_id`, so a retried dial does not place a second call. */
  dialCommands: DialCommands;
  /** The `dialsPerSecond` option's limit, when set. */
  dialRate: DialRateLimit | undefined;
}

/**
 * `${connection_id} ${command_id}` -> the dial's response, kept as long as the call it placed: forgotten with it
 * (`endedCallRetentionMs` after it ended), so the map does not grow for ever.
 */
export class DialCommands {
  private readonly responses = new Map<string, unknown>();
  private readonly keyOfCall = new Map<string, string>();

  get(key: string): unknown {
    return this.responses.get(key);
  }

  remember(key: string, callControlId: string, response: unknown): void {
    this.responses.set(key, response);
    this.keyOfCall.set(callControlId, key);
  }

  forget(callControlId: string): void {
    const key = this.keyOfCall.get(callControlId);
    if (key === undefined) return;
    this.keyOfCall.delete(callControlId);
    this.responses.delete(key);
  }

  get size(): number {
    return this.responses.size;
  }
}

export interface OperationRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  template: string;
}

export interface OperationReply {
  status: number;
  body: unknown;
}

type OperationHandler = (ctx: OperationContext, req: OperationRequest) => OperationReply;

const ok = (body: unknown, status = 200): OperationReply => ({ status, body });

/** Where a call's webhooks go: dial/answer `webhook_url`, else its application's URL, else the simulator default. */
export function webhookUrlFor(ctx: OperationContext, connectionId: string, explicit: string | undefined) {
  return explicit ?? ctx.applications.get(connectionId)?.webhook_event_url ?? ctx.defaultWebhookUrl;
}

const dial: OperationHandler = (ctx, { body }) => {
  const request = body as unknown as DialRequest;
  const destinations = Array.isArray(request.to) ? request.to : [request.to];
  if (destinations.length === 0) throw invalidParameter("'to' must name at least one destination.", { pointer: "/to" });
  destinations.forEach((to, i) => {
    checkNumber(to, Array.isArray(request.to) ? `/to/${i}` : "/to");
  });
  checkNumber(request.from, "/from");
  checkBase64(request.client_state, "/client_state");
  const webhooks = readWebhookSettings(body);
  const dedupeKey = request.command_id ? `${request.connection_id} ${request.command_id}` : undefined;
  const repeated = dedupeKey ? ctx.dialCommands.get(dedupeKey) : undefined;
  if (repeated) return ok(repeated);
  const webhookUrl = webhookUrlFor(ctx, request.connection_id, webhooks.webhookUrl);
  if (!webhookUrl) {
    throw invalidParameter(
      `Invalid value for connection_id (Call Control App ID): no application ${quote(request.connection_id)} and no webhook_url given.`,
      { pointer: "/connection_id" },
    );
  }
  // What starts once the far end answers, checked before the call exists: a bad value is a 422 with no call placed.
  const recording = readRecordFromAnswer(body);
  const machineDetection = readMachineDetection(body);
  const stream = readStream(body);
  // A repeated command_id (answered above) places no call, so it does not count against the limit.
  ctx.dialRate?.admit();
  const recordingId = recording ? uuid() : undefined;
  // `stream_establish_before_call_originate`: the socket opens as the call is placed, not once it is answered.
  const streamFirst = stream !== undefined && request.stream_establish_before_call_originate === true;
  const call = ctx.engine.create({
    direction: "outgoing",
    from: request.from,
    to: destinations[0]!,
    connectionId: request.connection_id,
    webhookUrl,
    eventUrls: webhooks.eventUrls,
    retryPolicies: webhooks.retryPolicies,
    clientState: request.client_state,
    onAnswer: {
      recording: recording && recordingId ? { id: recordingId, settings: recording } : undefined,
      machineDetection,
      stream: streamFirst ? undefined : stream,
    },
    timeLimitSecs: request.time_limit_secs,
  });
  if (streamFirst) ctx.engine.streams.start(call, stream);
  const response = dialResponse(call, recordingId);
  if (dedupeKey) ctx.dialCommands.remember(dedupeKey, call.callControlId, response);
  return ok(response);
};

function findCall(ctx: OperationContext, id: string): CallRecord {
  const call = ctx.engine.calls.get(id);
  if (!call) throw resourceNotFound("Call", id);
  return call;
}

/** Opaque page cursors: base64url of the call_control_id an adjacent page starts after / ends before. */
const encodeCursor = (id: string) => `v1:${Buffer.from(id).toString("base64url")}`;
const decodeCursor = (cursor: string, parameter: string) => {
  const id = cursor.startsWith("v1:") ? Buffer.from(cursor.slice(3), "base64url").toString("utf8") : "";
  if (!id) throw invalidParameter(`'${parameter}' is not a cursor this API returned.`, { parameter });
  return id;
};

const listActiveCalls: OperationHandler = (ctx, { params, query }) => {
  const connectionId = params.connection_id!;
  const page = (query.page ?? {}) as {
    after?: string;
    before?: string;
    limit?: number;
    size?: number;
    number?: number;
  };
  const limit = page.limit ?? page.size ?? 20;
  const active = [...ctx.engine.calls.values()].filter((c) => c.connectionId === connectionId && c.state !== "ended");
  let start = 0;
  // Cursors win; page[number] (declared by the spec's consolidated page parameter, and what page-number
  // clients such as the official SDK send) selects a fixed-size window when no cursor is given.
  if (page.number !== undefined && !page.after && !page.before) {
    start = (page.number - 1) * limit;
  } else if (page.after) {
    const id = decodeCursor(page.after, "page[after]");
    start = active.findIndex((c) => c.callControlId === id) + 1;
    // The cursor's call may have ended since; then continue after the calls created before it.
    if (start === 0) start = active.length;
  } else if (page.before) {
    const id = decodeCursor(page.before, "page[before]");
    const end = active.findIndex((c) => c.callControlId === id);
    start = Math.max(0, (end === -1 ? active.length : end) - limit);
  }
  const items = active.slice(start, start + limit);
  const data = items.map(activeCall);
  const cursors: { after?: string; before?: string } = {};
  const base = `/v2/connections/${encodeURIComponent(connectionId)}/active_calls`;
  const meta: Record<string, unknown> = { total_items: active.length, cursors };
  // The spec declares cursor meta for this list, but page-number clients (the official SDK's page class)
  // read meta.page_number and meta.total_pages to know where to stop; without them they ask for page 2 for
  // ever. A page reached without a cursor is a numbered window, so it says which one, as numbered lists do
  // (PaginationMeta); the spec's schema allows these extra fields. A cursor page is no numbered window.
  if (!page.after && !page.before) {
    meta.page_number = page.number ?? 1;
    meta.page_size = limit;
    meta.total_pages = Math.max(1, Math.ceil(active.length / limit));
  }
  const last = items.at(-1);
  const first = items[0];
  if (last && start + items.length < active.length) {
    cursors.after = encodeCursor(last.callControlId);
    meta.next = `${base}?page[after]=${cursors.after}&page[limit]=${limit}`;
  }
  if (first && start > 0) {
    cursors.before = encodeCursor(first.callControlId);
    meta.previous = `${base}?page[before]=${cursors.before}&page[limit]=${limit}`;
  }
  return ok({ data, meta });
};

const base: Record<string, OperationHandler> = {
  DialCall: dial,
  RetrieveCallStatus: (ctx, { params }) => ok({ data: callStatus(findCall(ctx, params.call_control_id!)) }),
  ListConnectionActiveCalls: listActiveCalls,
  ListCallControlApplications: (ctx, { query }) => ok(ctx.applications.list(query as ApplicationListQuery)),
  CreateCallControlApplication: (ctx, { body }) =>
    ok({ data: ctx.applications.create(body as unknown as CallControlApplicationCreate) }, 201),
  RetrieveCallControlApplication: (ctx, { params }) => ok({ data: ctx.applications.retrieve(params.id!) }),
  UpdateCallControlApplication: (ctx, { params, body }) =>
    ok({ data: ctx.applications.update(params.id!, body as unknown as CallControlApplicationCreate) }),
  DeleteCallControlApplication: (ctx, { params }) => ok({ data: ctx.applications.delete(params.id!) }),
};

const ACTION_PREFIX = "/calls/{call_control_id}/actions/";

function buildHandlers(): Record<string, OperationHandler> {
  const handlers: Record<string, OperationHandler> = { ...base };
  for (const [template, item] of Object.entries(sliceDocument.paths)) {
    if (!template.startsWith(ACTION_PREFIX)) continue;
    const segment = template.slice(ACTION_PREFIX.length);
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      handlers[op.operationId] = (ctx, { params, body }) => ok(runAction(ctx, segment, params.call_control_id!, body));
    }
  }
  return handlers;
}

export const operationHandlers = buildHandlers();
