// Type-level maps derived from the generated `paths` and `webhooks`: every list of actions and events
// comes from here, so an operation or webhook added to the spec shows up after `pnpm generate`.
import type { components, paths, webhooks } from "./generated/voice.js";

export type HttpMethod = "get" | "put" | "post" | "delete" | "patch";

/** Flattens intersections so editors show one object. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** `send_sip_info` -> `sendSipInfo`. */
export type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

type Defined<T> = Exclude<T, undefined>;
type IsNever<T> = [T] extends [never] ? true : false;

/** The HTTP methods a path of the slice has. */
export type MethodsOf<P extends keyof paths> = {
  [M in HttpMethod]-?: IsNever<Defined<paths[P][M]>> extends true ? never : M;
}[HttpMethod];

/** The operation object (parameters, requestBody, responses) of a path and method. */
export type OperationOf<P extends keyof paths, M extends MethodsOf<P>> = Defined<paths[P][M]>;

type JsonContent<T> = T extends { content: { "application/json": infer C } } ? C : never;

/** The JSON request body of an operation (`never` when it takes none). */
export type RequestBodyOf<P extends keyof paths, M extends MethodsOf<P>> =
  OperationOf<P, M> extends { requestBody?: infer B } ? JsonContent<Defined<B>> : never;

/** 2xx bodies always carry `data`; the spec leaves it optional, which would force `res.data!` everywhere. */
export type WithData<T> = T extends { data?: infer D } ? Simplify<Omit<T, "data"> & { data: Defined<D> }> : T;

/** The JSON body of an operation's 2xx response, as the API sends it. */
export type ResponseBodyOf<P extends keyof paths, M extends MethodsOf<P>> = OperationOf<P, M> extends {
  responses: infer R;
}
  ? WithData<JsonContent<R[Extract<keyof R, 200 | 201 | 202 | 204 | "200" | "201" | "202" | "204">]>>
  : never;

/** The query parameters of an operation. */
export type QueryOf<P extends keyof paths, M extends MethodsOf<P>> = OperationOf<P, M> extends {
  parameters: { query?: infer Q };
}
  ? Defined<Q>
  : never;

// ---- Call commands: /calls/{call_control_id}/actions/* ----

export type ActionPrefix = "/calls/{call_control_id}/actions/";
/** Every action path of the slice. */
export type ActionPath = Extract<keyof paths, `${ActionPrefix}${string}`>;
/** The last path segment of an action path: `send_sip_info`. */
export type ActionSegment<P extends ActionPath = ActionPath> = P extends `${ActionPrefix}${infer S}` ? S : never;
/** `telnyx.calls.actions.<ActionName>`: the lowerCamelCase of the last path segment. */
export type ActionName = CamelCase<ActionSegment>;
/** The action path whose name is N. */
export type ActionPathOf<N extends ActionName> = { [P in ActionPath]: CamelCase<ActionSegment<P>> extends N ? P : never }[ActionPath];
/** The HTTP method of action N (POST for all but `clientStateUpdate`, a PUT). */
export type ActionMethod<N extends ActionName> = MethodsOf<ActionPathOf<N>>;

/** Request body of each action, by name. */
export type ActionBodies = { [N in ActionName]: RequestBodyOf<ActionPathOf<N>, ActionMethod<N>> };
/** Response body of each action, by name. */
export type ActionResponses = { [N in ActionName]: ResponseBodyOf<ActionPathOf<N>, ActionMethod<N>> };

// ---- Webhooks ----

export type WebhookName = keyof webhooks;
/** The JSON body of a webhook as the spec declares it. */
export type WebhookBody<W extends WebhookName> = webhooks[W] extends { post?: infer Op }
  ? Defined<Op> extends { requestBody?: infer B }
    ? JsonContent<Defined<B>>
    : never
  : never;

/** Delivery metadata Telnyx adds to every webhook (not in the spec's schemas). */
export interface WebhookMeta {
  /** 1 on first delivery, counting up on each redelivery. */
  attempt: number;
  /** The URL this attempt was delivered to. */
  delivered_to: string;
}

type DataOf<B> = B extends { data?: infer D } ? Defined<D> : never;
type PayloadOf<D> = D extends { payload?: infer P } ? Defined<P> : Record<string, unknown>;
type EventTypeOf<D> = D extends { event_type?: infer T } ? Defined<T> : never;

/** An event as delivered: `data`, its `event_type`, `id`, `occurred_at` and `payload` are always sent. */
export type Delivered<B> = Simplify<{
  data: Simplify<
    Omit<DataOf<B>, "event_type" | "id" | "occurred_at" | "payload" | "record_type"> & {
      record_type: "event";
      event_type: EventTypeOf<DataOf<B>>;
      id: string;
      occurred_at: string;
      payload: PayloadOf<DataOf<B>>;
    }
  >;
  meta: WebhookMeta;
}>;

/** Every webhook of the slice, as delivered, by its name in the spec (`callAnswered`). */
export type CallWebhookEvents = { [W in WebhookName]: Delivered<WebhookBody<W>> };

/** The `data.event_type` of every webhook of the slice: `"call.answered" | "call.hangup" | ...`. */
export type CallEventType = CallWebhookEvents[WebhookName]["data"]["event_type"];

/** The delivered event whose `data.event_type` is T. */
export type CallEventOf<T extends CallEventType> = Extract<CallWebhookEvents[WebhookName], { data: { event_type: T } }>;

/** Every call event of the slice: a union discriminated on `data.event_type`. */
export type TelnyxCallEvent = CallWebhookEvents[WebhookName];

export type Schemas = components["schemas"];
