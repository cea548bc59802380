// Vitest global setup: finds the browser once, before any test file runs. @sparticuz/chromium unpacks its
// binary into the OS temp folder on first use, and test files in parallel workers unpacking it at once
// would write over each other; the workers read the path this provides.
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    chromiumPath: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  // CHROMIUM_PATH picks a browser of your choice; otherwise the one shipped inside the npm package.
  const chosen = process.env.CHROMIUM_PATH;
  if (chosen) return project.provide("chromiumPath", chosen);
  const { default: packaged } = await import("@sparticuz/chromium");
  project.provide("chromiumPath", await packaged.executablePath());
}
