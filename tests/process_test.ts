// The Deno permission gate of src/platform/process.ts, with a fake Deno namespace: no TTY needed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { denoHasAllPermissions } from "../src/platform/process.ts";

const ALL = ["read", "write", "net", "env", "sys", "run", "ffi", "import"];

/** A Deno namespace whose querySync answers `states` (default "granted") and records the names. */
function fakeDeno(states: Record<string, string> = {}) {
  const asked: string[] = [];
  const prompts = () => {
    throw new Error("a prompting API was called");
  };
  const permissions = {
    querySync(this: unknown, d: { name: string }) {
      assert.equal(this, permissions, "called as a method of Deno.permissions");
      asked.push(d.name);
      return { state: states[d.name] ?? "granted" };
    },
    requestSync: prompts,
    request: prompts,
    query: prompts,
  };
  return { deno: { permissions }, asked };
}

test("denoHasAllPermissions() is true only when every permission is granted", () => {
  const { deno, asked } = fakeDeno();
  assert.equal(denoHasAllPermissions(deno), true);
  assert.deepEqual(asked.sort(), [...ALL].sort());
});

test('denoHasAllPermissions() treats "prompt" as not granted, for each permission', () => {
  for (const name of ALL) {
    assert.equal(denoHasAllPermissions(fakeDeno({ [name]: "prompt" }).deno), false, name);
    assert.equal(denoHasAllPermissions(fakeDeno({ [name]: "denied" }).deno), false, name);
  }
  // --allow-read alone (Deno says "granted" for read, "prompt" for the rest): /proc would still throw.
  const onlyRead = Object.fromEntries(ALL.map((n) => [n, n === "read" ? "granted" : "prompt"]));
  assert.equal(denoHasAllPermissions(fakeDeno(onlyRead).deno), false);
});

test("denoHasAllPermissions() is false, never throwing, when the query is missing or throws", () => {
  assert.equal(denoHasAllPermissions({}), false);
  assert.equal(denoHasAllPermissions({ permissions: {} }), false);
  const throwing = {
    permissions: {
      querySync(): { state: string } {
        throw new TypeError("The provided value 'ffi' is not a valid permission name");
      },
    },
  };
  assert.equal(denoHasAllPermissions(throwing), false);
});
