import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

// The suite again, with every `Telnyx` the tests make coming from the Node entry (node:http in place of
// fetch): the tests import ../src/index.js, which this points at ../src/node.ts.
export default defineProject({
  resolve: {
    alias: [{ find: /^\.\.\/src\/index\.js$/, replacement: fileURLToPath(new URL("./src/node.ts", import.meta.url)) }],
  },
  test: {
    name: "client (node:http)",
    include: ["test/**/*.test.ts"],
  },
});
