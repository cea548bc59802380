// Telnyx error codes and titles live in one table (src/errors.ts): no other source file spells a code, and every
// entry of the table is one a response can carry.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TELNYX_ERRORS } from "../src/errors.js";

const srcDir = fileURLToPath(new URL("../src", import.meta.url));
const sources = (readdirSync(srcDir, { recursive: true }) as string[])
  .filter((f) => f.endsWith(".ts"))
  .map((f) => ({ file: f, text: readFileSync(join(srcDir, f), "utf8") }));

describe("the Telnyx error table", () => {
  it("is the only place a code or title is written", () => {
    const spelled = sources
      .filter(({ file }) => file !== "errors.ts")
      .flatMap(({ file, text }) => {
        const hits = [...text.matchAll(/"(?:10|90)\d{3}"/g)].map((m) => m[0]);
        for (const { title } of Object.values(TELNYX_ERRORS)) if (text.includes(`"${title}"`)) hits.push(title);
        return hits.map((hit) => `${file}: ${hit}`);
      });
    expect(spelled).toEqual([]);
  });

  it("every helper it exports is used elsewhere", () => {
    const table = sources.find((s) => s.file === "errors.ts")?.text ?? "";
    const exported = [...table.matchAll(/export (?:const|function|class) (\w+)/g)]
      .map((m) => m[1]!)
      .filter((name) => name !== "TELNYX_ERRORS");
    expect(exported.length).toBeGreaterThan(5);
    const others = sources.filter((s) => s.file !== "errors.ts").map((s) => s.text);
    const unused = exported.filter((name) => !others.some((text) => new RegExp(`\\b${name}\\b`).test(text)));
    expect(unused).toEqual([]);
  });
});
