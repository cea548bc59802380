// The scripts as shipped: src/generated/lua.ts is what build-lua.ts makes of src/lua/*.lua now (edit a script and
// forget the build, and this fails), and the lint that keeps them cluster-safe catches what it should.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GENERATED, generateLua, lintLua } from "../build-lua.js";

describe("the Lua scripts", () => {
  it("are shipped as they are written: src/generated/lua.ts is up to date (run pnpm build)", () => {
    expect(readFileSync(GENERATED, "utf8")).toBe(generateLua());
  });

  it("refuses a script without its KEYS and ARGV at the top, or with a key built in Lua", () => {
    expect(lintLua("x.lua", "return redis.call('GET', KEYS[1])")).toEqual([
      "x.lua: it must start with a --[[ ... ]] header saying what it does, its KEYS and ARGV",
    ]);
    const header = "--[[\n  KEYS[1] a key\n  ARGV[1] a value\n  Returns it.\n]]\n";
    expect(lintLua("ok.lua", `${header}return redis.call('GET', KEYS[1]) .. ARGV[1]`)).toEqual([]);
    expect(lintLua("built.lua", `${header}return redis.call('SMEMBERS', ARGV[1] .. 'calls')`)).toEqual([
      "built.lua: redis.call('SMEMBERS', ARGV[1] .. 'calls'...: its key must be a KEYS[n] (a key built in Lua is in no declared slot)",
    ]);
    expect(lintLua("undocumented.lua", `${header}return redis.call('DEL', KEYS[2])`)).toEqual([
      "undocumented.lua: KEYS[2] is used but not documented in the header",
    ]);
    // A key by a variable index is one of KEYS, when the header says how items lay them out.
    const loop = "for i = 1, #KEYS do local k = i; redis.call('DEL', KEYS[k]) end return 1";
    expect(lintLua("items.lua", `--[[\n  KEYS[i] item i's key\n  ARGV[1] a value\n  Returns 1.\n]]\n${loop}`)).toEqual(
      [],
    );
    expect(lintLua("layout.lua", `${header}${loop}`)).toEqual([
      "layout.lua: KEYS[k] is indexed by a variable, but the header documents no layout of KEYS by item (such as KEYS[2i-1])",
    ]);
    expect(lintLua("expression.lua", `${header}return redis.call('DEL', KEYS[1 + 1])`)).toEqual([
      "expression.lua: redis.call('DEL', KEYS[1 + 1]...: its key must be a KEYS[n] (a key built in Lua is in no declared slot)",
    ]);
  });
});
