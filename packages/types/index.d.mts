export type * from "./dist/index.js";
