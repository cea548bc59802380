// The standard-WebSocket build (Deno, Workers, browsers) must not pull in `ws` or any node: module, and stays
// small; the codecs alone are smaller still. Only Node resolves to the build with nodeUpgrade() over ws.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, test } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
// A Worker that accepts streams, reads audio resampled and plays it back: 11.1 KB gzip when this was written
// (the frame schemas, the resampler and the errors' advice are most of it).
const ACCEPT_LIMIT = 12 * 1024;
const CODECS_LIMIT = 1024;
const IMPORTS = /from\s*["'](?:ws|node:[a-z_/]+)["']|require\(["']/;

async function bundle(contents: string): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: root, sourcefile: "app.ts", loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]?.text ?? "";
}

describe("bundles", () => {
  test("a Worker that accepts streams has neither ws nor node: modules, and stays under its limit", async () => {
    const code = await bundle(`
      import { MediaStreams } from "./src/index.ts";
      const media = new MediaStreams({ authToken: "token" });
      media.handle(async (stream) => {
        for await (const chunk of stream.audio({ sampleRate: 16000 })) {
          if (chunk.kind === "pcm") stream.play(chunk.samples, { sampleRate: 16000 });
        }
      });
      export default {
        fetch(request) {
          const refused = media.refusal(request.headers);
          if (refused) return refused;
          const [client, server] = Object.values(new WebSocketPair());
          server.accept();
          media.accept(server, { headers: request.headers });
          return new Response(null, { status: 101, webSocket: client });
        },
      };
    `);
    const gzip = gzipSync(code).length;
    console.log(`a Worker accepting media streams (esbuild, minified): ${code.length} B, ${gzip} B gzip`);
    expect(code).not.toMatch(IMPORTS);
    expect(gzip).toBeLessThan(ACCEPT_LIMIT);
  });

  test("the codecs alone are under 1 KB gzip", async () => {
    const code = await bundle(
      `export { decodeUlaw, encodeUlaw, decodeAlaw, encodeAlaw } from "./src/codecs/index.ts";`,
    );
    expect(code).not.toMatch(IMPORTS);
    expect(gzipSync(code).length).toBeLessThan(CODECS_LIMIT);
  });

  test("every non-Node runtime condition comes before node and maps to the standard build", () => {
    const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as {
      exports: Record<string, Record<string, { import: { default: string } }>>;
    };
    const conditions = pkg.exports["."] ?? {};
    const names = Object.keys(conditions);
    for (const name of ["deno", "workerd", "worker", "browser"]) {
      expect(names.indexOf(name), name).toBeLessThan(names.indexOf("node"));
      expect(conditions[name]?.import.default).toBe("./dist/index.js");
    }
    expect(conditions.node?.import.default).toBe("./dist/node.js");
  });
});
