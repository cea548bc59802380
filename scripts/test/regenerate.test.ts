// Regeneration end to end, in a scratch copy of the project: older spec, then back to the pin.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { currentSpec, loadDoc, olderSpec, root, sharedSpecs } from "./helpers.ts";

const generated = join("packages", "types", "src", "generated");
const simulatorGenerated = join("packages", "simulator", "src", "generated");
const clientGenerated = join("packages", "client", "src", "generated");
const typeTestsGenerated = join("packages", "types", "test", "generated");
const flowsGenerated = join("packages", "flows", "src", "generated");
const allGenerated = [generated, simulatorGenerated, clientGenerated, typeTestsGenerated, flowsGenerated];

function generate(projectRoot: string, ...args: string[]) {
  const run = spawnSync(process.execPath, ["--import", "tsx", join(root, "scripts", "generate.ts"), "--root", projectRoot, ...args], {
    encoding: "utf8",
    cwd: root,
  });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

describe("pnpm generate", () => {
  let scratch: string;
  beforeAll(() => {
    const base = mkdtempSync(join(tmpdir(), "telnyx-voice-regen-"));
    scratch = join(base, "main");
    mkdirSync(join(scratch, ".changeset"), { recursive: true });
    cpSync(join(root, "spec"), join(scratch, "spec"), { recursive: true });
    cpSync(join(root, generated), join(scratch, generated), { recursive: true });
    for (const dir of allGenerated.slice(1)) cpSync(join(root, dir), join(scratch, dir), { recursive: true });
    symlinkSync(join(sharedSpecs, ".."), join(base, "shared"));
  });

  test("--check passes on the committed output", () => {
    const { code, out } = generate(root, "--check");
    expect(out).toContain("up to date");
    expect(code).toBe(0);
  });

  test("an older spec prints the API diff and writes a changeset; --check then fails", () => {
    const { code, out } = generate(scratch, "--spec", olderSpec);
    expect(code).toBe(0);
    expect(out).toMatch(/parsing YAML[\s\S]*slicing[\s\S]*printing types/);
    expect(out).toContain("Operations removed (2):");
    expect(out).toContain("POST /calls/{call_control_id}/actions/conversation_relay_start");
    expect(out).toContain("Webhooks removed (4):");
    expect(out).toContain("callHold");
    expect(out).toMatch(/Schemas changed[^\n]*\n(\s+- .+\n)+/);

    const [changeset] = readdirSync(join(scratch, ".changeset"));
    expect(changeset).toMatch(/^regenerate-[0-9a-f]{8}\.md$/);
    const text = readFileSync(join(scratch, ".changeset", changeset as string), "utf8");
    expect(text).toMatch(/^---\n"@telnyx-voice\/types": minor\n/);
    expect(text).toContain('"@telnyx-voice/client": minor');
    expect(text).toContain('"@telnyx-voice/webhooks": minor');
    expect(text).toContain("Operations removed (2):");
    expect(readFileSync(join(scratch, generated, "voice.ts"), "utf8")).not.toContain("conversation_relay_start");

    const check = generate(scratch, "--check");
    expect(check.code).toBe(1);
    expect(check.out).toContain("generated output is stale");
  });

  test("back to the pinned spec restores the committed output byte for byte", () => {
    const { code, out } = generate(scratch);
    expect(code).toBe(0);
    expect(out).toContain("Operations added (2):");
    expect(out).toContain("Webhooks added (4):");
    for (const dir of allGenerated) {
      for (const file of readdirSync(join(root, dir))) {
        expect(readFileSync(join(scratch, dir, file), "utf8"), file).toBe(readFileSync(join(root, dir, file), "utf8"));
      }
    }
  });

  test("a spec that adds an action and a webhook: both appear with no hand edit", () => {
    const doc = loadDoc(currentSpec);
    const paths = doc.paths as Record<string, unknown>;
    const copy = (item: unknown, operationId: string) => {
      const clone = structuredClone(item) as { post: { operationId: string } };
      clone.post.operationId = operationId;
      return clone;
    };
    paths["/calls/{call_control_id}/actions/sing_along"] = copy(paths["/calls/{call_control_id}/actions/speak"], "SingAlong");
    const hooks = doc.webhooks as Record<string, unknown>;
    hooks.callSingAlongEnded = copy(hooks.callSpeakEnded, "CallSingAlongEnded");
    const file = join(scratch, "..", "spec3.synthetic.json");
    writeFileSync(file, JSON.stringify(doc));
    for (const f of readdirSync(join(scratch, ".changeset"))) rmSync(join(scratch, ".changeset", f));

    const { code, out } = generate(scratch, "--spec", file);
    expect(code, out).toBe(0);
    expect(out).toContain("Operations added (1):\n  - POST /calls/{call_control_id}/actions/sing_along");
    expect(out).toContain("Webhooks added (1):\n  - callSingAlongEnded");
    expect(readFileSync(join(scratch, clientGenerated, "actions.ts"), "utf8")).toContain(
      'singAlong: ["POST", "/calls/{call_control_id}/actions/sing_along"],',
    );
    const aliases = readFileSync(join(scratch, generated, "aliases.ts"), "utf8");
    expect(aliases).toContain('export type SingAlongActionBody = ActionBodies["singAlong"];');
    expect(aliases).toContain('export type CallSingAlongEndedEvent = CallWebhookEvents["callSingAlongEnded"];');
    const [changeset] = readdirSync(join(scratch, ".changeset"));
    const text = readFileSync(join(scratch, ".changeset", changeset as string), "utf8");
    expect(text).toContain('"@telnyx-voice/client": minor');
    expect(text).toContain('"@telnyx-voice/webhooks": minor');
    expect(generate(scratch).code).toBe(0);
  });

  test("a change to an action's Expected Webhooks shows in the API diff and bumps flows", () => {
    const doc = loadDoc(currentSpec);
    const speak = (doc.paths as Record<string, { post: { description: string } }>)["/calls/{call_control_id}/actions/speak"];
    if (!speak) throw new Error("no speak in the spec");
    speak.post.description = speak.post.description.replace(
      "- `call.speak.ended`",
      "- `call.speak.ended`\n- `call.dtmf.received` if `stop` is set",
    );
    const file = join(scratch, "..", "spec3.expected-webhooks.json");
    writeFileSync(file, JSON.stringify(doc));
    for (const f of readdirSync(join(scratch, ".changeset"))) rmSync(join(scratch, ".changeset", f));

    const { code, out } = generate(scratch, "--spec", file);
    expect(code, out).toBe(0);
    expect(out).toContain("Expected webhooks of actions changed (what @telnyx-voice/flows awaits) (1):");
    expect(out).toContain("  - speak: +call.dtmf.received (conditional)");
    const [changeset] = readdirSync(join(scratch, ".changeset"));
    expect(readFileSync(join(scratch, ".changeset", changeset as string), "utf8")).toContain('"@telnyx-voice/flows": minor');
    // A conditional event is progress, not completion: speak still completes on call.speak.ended.
    expect(readFileSync(join(scratch, flowsGenerated, "completions.ts"), "utf8")).toContain(
      'speak: { completes: ["call.speak.ended"], stoppedBy: "playbackStop" },',
    );
    expect(generate(scratch).code).toBe(0);
  });

  test("an action whose Expected Webhooks leave two candidates fails until spec/completions.yaml chooses", () => {
    const doc = loadDoc(currentSpec);
    const paths = doc.paths as Record<string, { post: { operationId: string; description: string } }>;
    const action = structuredClone(paths["/calls/{call_control_id}/actions/speak"]);
    if (!action) throw new Error("no speak in the spec");
    action.post.operationId = "SingAlong";
    action.post.description = "Sings along.\n\n**Expected Webhooks:**\n\n- `call.speak.ended`\n- `call.playback.ended`\n";
    paths["/calls/{call_control_id}/actions/sing_along"] = action;
    const file = join(scratch, "..", "spec3.ambiguous.json");
    writeFileSync(file, JSON.stringify(doc));

    const refused = generate(scratch, "--spec", file);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(
      "error: No completion event for sing_along (expected webhooks: call.speak.ended, call.playback.ended). " +
        'The spec\'s "Expected Webhooks" leave more than one candidate: choose in spec/completions.yaml',
    );
    const config = join(scratch, "spec", "completions.yaml");
    const original = readFileSync(config, "utf8");
    writeFileSync(config, `${original}  sing_along:\n    completes: [call.speak.ended]\n    why: a test\n`);
    try {
      const chosen = generate(scratch, "--spec", file);
      expect(chosen.code, chosen.out).toBe(0);
      expect(readFileSync(join(scratch, flowsGenerated, "completions.ts"), "utf8")).toContain(
        'singAlong: { completes: ["call.speak.ended"], stoppedBy: "playbackStop" },',
      );
    } finally {
      writeFileSync(config, original);
      for (const f of readdirSync(join(scratch, ".changeset"))) rmSync(join(scratch, ".changeset", f));
      expect(generate(scratch).code).toBe(0);
    }
  });

  test("--pin records another spec as the pin, which generate and --check then follow", () => {
    expect(generate(scratch, "--spec", olderSpec, "--pin").out).toContain("--pin needs --spec <file> and --url");
    const url = "https://raw.githubusercontent.com/team-telnyx/openapi/6eeac220364bde5527e7c68dca3cfd65447d7cb9/openapi/spec3.yml";
    const pinned = generate(scratch, "--spec", olderSpec, "--pin", "--url", url, "--date", "2026-04-07");
    expect(pinned.code, pinned.out).toBe(0);
    expect(JSON.parse(readFileSync(join(scratch, "spec", "pin.json"), "utf8"))).toMatchObject({
      file: "spec3.2026-04-07.yml",
      url,
      commit: "6eeac220364bde5527e7c68dca3cfd65447d7cb9",
      date: "2026-04-07",
      sha256: "561667b84bfe04979108c85b21708442cd6edcd6a8d96cd7d05a150b8c5f1baf",
    });
    const check = generate(scratch, "--check");
    expect(check.code, check.out).toBe(0);
  });

  test("a missing or tampered spec is a clear error", () => {
    const missing = generate(scratch, "--spec", join(scratch, "nope.yml"));
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/spec file not found: .*nope\.yml \(from --spec\)/);
    const pin = JSON.parse(readFileSync(join(scratch, "spec", "pin.json"), "utf8"));
    const wrong = "0".repeat(64);
    execFileSync("node", ["-e", `const f=${JSON.stringify(join(scratch, "spec", "pin.json"))};const p=require(f);p.sha256="${wrong}";require("fs").writeFileSync(f,JSON.stringify(p))`]);
    const tampered = generate(scratch);
    expect(tampered.code).toBe(1);
    expect(tampered.out).toContain(`expects ${wrong}, the file has ${pin.sha256}`);
  });
});
