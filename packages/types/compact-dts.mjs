// After tsup: the bundled declaration file with tabs instead of the printer's four spaces. A quarter of the
// leading whitespace, about 130 KB off the file that every install of the client or the webhooks package
// carries; editors and tsc read it the same.
import { readFileSync, writeFileSync } from "node:fs";

const file = new URL("./dist/index.d.ts", import.meta.url);
const text = readFileSync(file, "utf8");
writeFileSync(file, text.replace(/^(?: {4})+/gm, (indent) => "\t".repeat(indent.length / 4)));
