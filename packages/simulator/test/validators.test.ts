// The validator set-up: the slice is valid JSON Schema (checked here, since the simulator skips ajv's
// meta-validation at run time), and validators compiled on the background thread give the same verdicts and
// the same errors as ones compiled in-process. This file's process starts with no validator compiled.
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { anchorRefs, createAjv } from "../src/schema/ajv.js";
import { toTelnyxErrors } from "../src/schema/ajv-errors.js";
import { warmUpValidators } from "../src/schema/precompile.js";
import { type OperationObject, sliceDocument } from "../src/schema/slice.js";
import { requestJobs, validateRequest } from "../src/schema/validators.js";

const dial = sliceDocument.paths["/calls"]?.post;
const speakTemplate = "/calls/{call_control_id}/actions/speak";
const speak = sliceDocument.paths[speakTemplate]?.post;
const createApp = sliceDocument.paths["/call_control_applications"]?.post;

describe("the slice as JSON Schema", () => {
  it("every component schema and every request body schema passes the 2020-12 meta-schema", () => {
    const meta = new Ajv2020({ strict: false });
    const schemas: Array<[string, object]> = Object.entries(sliceDocument.components.schemas);
    for (const [template, item] of Object.entries(sliceDocument.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const body = op.requestBody?.content?.["application/json"]?.schema;
        if (body) schemas.push([`${method} ${template}`, body]);
      }
    }
    expect(schemas.length).toBeGreaterThan(200);
    const invalid = schemas.filter(([, schema]) => !meta.validateSchema(schema)).map(([name]) => name);
    expect(invalid).toEqual([]);
  });
});

describe("validators from the background thread", () => {
  it("compiles every request validator there, none failing", async () => {
    const result = await warmUpValidators();
    expect(result.failed).toEqual([]);
    // 48 operations: 43 JSON bodies, plus path and query parameter validators.
    expect(result.adopted).toBeGreaterThan(80);
    // A second start in the same process finds the work done.
    expect(await warmUpValidators()).toBe(result);
  });

  it("gives the same verdicts and errors as a validator compiled in-process, formats included", async () => {
    await warmUpValidators();
    if (!dial || !speak || !createApp) throw new Error("the slice lacks dial, speak or application create");
    const inProcess = createAjv(false);
    const cases: Array<[string, OperationObject, unknown[]]> = [
      [
        "/calls",
        dial,
        [
          { connection_id: "c", from: "+13125550100", to: "+13125550111" },
          { connection_id: "c", to: 5 },
          { connection_id: "c", from: "+13125550100", to: "+13125550111", answering_machine_detection: "sometimes" },
          // ajv-formats' uuid and uri formats.
          { connection_id: "c", from: "+13125550100", to: "+13125550111", billing_group_id: "not-a-uuid" },
          { connection_id: "c", from: "+13125550100", to: "+13125550111", webhook_urls: { a: "not a uri" } },
        ],
      ],
      // The simulator's own "url" format.
      ["/call_control_applications", createApp, [{ application_name: "a", webhook_event_url: "not a url" }]],
    ];
    let rejected = 0;
    const noParameters = { path: {}, query: {} };
    for (const [template, operation, bodies] of cases) {
      const route = { method: "POST", template, operation };
      const job = requestJobs(route).find((j) => j.key.startsWith("body:"));
      if (!job) throw new Error(`${template} has no body schema`);
      const reference = inProcess.compile(anchorRefs(job.schema) as object);
      for (const body of bodies) {
        const expected = reference(body) ? [] : toTelnyxErrors(reference.errors ?? [], "body");
        if (expected.length > 0) rejected++;
        expect(await validateRequest(route, { ...noParameters, body })).toEqual(expected);
      }
    }
    expect(rejected).toBe(5);
    const createRoute = { method: "POST", template: "/call_control_applications", operation: createApp };
    expect(await validateRequest(createRoute, { ...noParameters, body: cases[1]?.[2][0] })).toEqual([
      expect.objectContaining({ source: { pointer: "/webhook_event_url" } }),
    ]);
    // Path parameters come from the thread too.
    const speakRoute = { method: "POST", template: speakTemplate, operation: speak };
    expect(requestJobs(speakRoute).map((j) => j.key.split(":")[0])).toContain("path");
    expect(
      await validateRequest(speakRoute, {
        path: { call_control_id: "v3:x" },
        query: {},
        body: { payload: "hi", voice: "female" },
      }),
    ).toEqual([]);
  });
});
