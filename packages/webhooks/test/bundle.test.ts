// A receiver that only verifies must stay small in a browser/edge bundle, and never pull in node:crypto.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
// 10 KB until the router gained its store (exactly once, per call, in order; ~3.5 KB gzip): `router()` is a
// method of Webhooks, so even a receiver that only verifies carries it.
const LIMIT = 14 * 1024;

async function bundle(entry: string): Promise<string> {
  const result = await build({
    stdin: { contents: entry, resolveDir: root, sourcefile: "receiver.ts", loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]?.text ?? "";
}

describe("bundle size", () => {
  it(`keeps a verify-only receiver under ${LIMIT} bytes gzip, without node:crypto`, async () => {
    const code = await bundle(`
      import { Webhooks } from "./src/index.ts";
      const webhooks = new Webhooks({ publicKey: "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=" });
      export default { fetch: async (request) => {
        await webhooks.verify(await request.text(), request.headers);
        return new Response("ok");
      } };
    `);
    const gzip = gzipSync(code).length;
    console.log(`verify-only receiver (esbuild, minified, browser ESM): ${code.length} B, ${gzip} B gzip`);
    expect(code).not.toMatch(/node:crypto|require\(/);
    expect(code).toContain("Ed25519");
    expect(gzip).toBeLessThan(LIMIT);
  });

  it("bundles ./testing for a browser without node:crypto", async () => {
    const code = await bundle(`
      import { createSigner } from "./src/testing.ts";
      export const sign = (key, body) => createSigner(key).sign(body);
    `);
    expect(code).not.toMatch(/node:crypto|require\(/);
    expect(code).toContain("Ed25519");
  });

  it.each([
    [".", "index", "node", "index"],
    ["./testing", "testing", "testing-node", "testing"],
  ])(
    "maps every non-Node runtime condition of %s to the Web Crypto build, and only Node to node:crypto",
    (path, web, node, types) => {
      type Leaf = { types: string; default: string };
      const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as {
        exports: Record<string, Record<string, { import: Leaf; require: Leaf } | Leaf>>;
      };
      const conditions = pkg.exports[path] ?? {};
      const names = Object.keys(conditions);
      expect(names).toContain("node");
      expect(names.indexOf("node")).toBeGreaterThan(
        Math.max(names.indexOf("deno"), names.indexOf("bun"), names.indexOf("browser"), names.indexOf("worker")),
      );
      for (const [name, target] of Object.entries(conditions)) {
        if ("default" in target) {
          // The bare import / require fallbacks, for resolvers that match no runtime condition.
          expect(target.default, name).toBe(name === "import" ? `./dist/${web}.js` : `./dist/${web}.cjs`);
          continue;
        }
        const expected = name === "node" ? node : web;
        expect(target.import.default, name).toBe(`./dist/${expected}.js`);
        expect(target.require.default, name).toBe(`./dist/${expected}.cjs`);
        expect(target.import.types, name).toBe(`./dist/${types}.d.ts`);
        expect(target.require.types, name).toBe(`./dist/${types}.d.cts`);
      }
    },
  );
});
