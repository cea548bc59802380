// The router's guarantees on one process with memoryStore: several routers sharing one memoryStore, as
// several instances share Redis (the one-router case is the same code with n = 1).
import { memoryStore } from "../../src/store/memory.js";
import { routerSuite } from "./suite.js";

routerSuite("memoryStore shared by the instances", {
  stores: (n) => {
    const store = memoryStore();
    return Array.from({ length: n }, () => store);
  },
});
