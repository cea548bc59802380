// Call control applications, kept in memory. A dial's `connection_id` is an application id: its
// `webhook_event_url` is where that call's webhooks go unless the dial names its own `webhook_url`.
import type {
  CallControlApplication,
  CallControlApplicationCreate,
  CallControlApplicationUpdate,
} from "@telnyx-voice/types";
import { resourceNotFound } from "../errors.js";
import { checkWebhookUrl } from "../schema/prose-checks.js";
import { newApplicationId } from "./ids.js";

export interface ApplicationListQuery {
  page?: { number?: number; size?: number };
  filter?: { application_name?: { contains?: string } };
  sort?: "created_at" | "connection_name" | "active";
}

/** Where the application's webhooks go must be http(s) (the schema's formats also admit `file:` and `javascript:`). */
function checkUrls(body: CallControlApplicationCreate | CallControlApplicationUpdate): void {
  checkWebhookUrl(body.webhook_event_url, "/webhook_event_url");
  checkWebhookUrl(body.webhook_event_failover_url, "/webhook_event_failover_url", true);
}

export class ApplicationStore {
  private readonly apps = new Map<string, CallControlApplication>();

  create(body: CallControlApplicationCreate): CallControlApplication {
    checkUrls(body);
    const now = new Date().toISOString();
    // Spec defaults for what the request left out, so the stored resource reads like Telnyx's.
    const app: CallControlApplication = {
      active: true,
      anchorsite_override: "Latency",
      call_cost_in_webhooks: false,
      dtmf_type: "RFC 2833",
      first_command_timeout: false,
      first_command_timeout_secs: 30,
      redact_dtmf_debug_logging: false,
      webhook_api_version: "1",
      webhook_event_failover_url: null,
      webhook_timeout_secs: null,
      tags: [],
      ...(body as Partial<CallControlApplication>),
      id: newApplicationId(),
      record_type: "call_control_application",
      created_at: now,
      updated_at: now,
    };
    this.apps.set(app.id!, app);
    return app;
  }

  get(id: string): CallControlApplication | undefined {
    return this.apps.get(id);
  }

  retrieve(id: string): CallControlApplication {
    const app = this.apps.get(id);
    if (!app) throw resourceNotFound("Call control application", id);
    return app;
  }

  update(id: string, body: CallControlApplicationUpdate): CallControlApplication {
    const app = this.retrieve(id);
    checkUrls(body);
    const updated: CallControlApplication = {
      ...app,
      ...(body as Partial<CallControlApplication>),
      id: app.id,
      record_type: "call_control_application",
      created_at: app.created_at,
      updated_at: new Date().toISOString(),
    };
    this.apps.set(id, updated);
    return updated;
  }

  delete(id: string): CallControlApplication {
    const app = this.retrieve(id);
    this.apps.delete(id);
    return app;
  }

  list(query: ApplicationListQuery) {
    const contains = query.filter?.application_name?.contains?.toLowerCase();
    let items = [...this.apps.values()].filter(
      (a) => contains === undefined || (a.application_name ?? "").toLowerCase().includes(contains),
    );
    const sort = query.sort ?? "created_at";
    items = items.sort((a, b) =>
      sort === "connection_name"
        ? (a.application_name ?? "").localeCompare(b.application_name ?? "")
        : sort === "active"
          ? Number(b.active) - Number(a.active)
          : (a.created_at ?? "").localeCompare(b.created_at ?? "") || (a.id ?? "").localeCompare(b.id ?? ""),
    );
    const size = query.page?.size ?? 20;
    const number = query.page?.number ?? 1;
    const totalPages = Math.max(1, Math.ceil(items.length / size));
    return {
      data: items.slice((number - 1) * size, number * size),
      meta: { page_number: number, page_size: size, total_pages: totalPages, total_results: items.length },
    };
  }
}
