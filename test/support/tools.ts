/**
 * Outside programs some tests need (gammu, mosquitto, chromium, an Espruino interpreter).
 * On a machine without one, its tests are skipped and one skipped placeholder says why;
 * with SHAREDLINE_REQUIRE_TOOLS=1 (set by .ci/run, which installs them) a missing tool
 * is a failing test instead, so CI never passes by skipping.
 */
import test from "ava";
import { spawnSync } from "node:child_process";

export const toolsRequired = process.env.SHAREDLINE_REQUIRE_TOOLS === "1";

/** True when `command probe...` starts; otherwise registers the skip (or, in CI, the failure) and returns false. */
export function haveTool(command: string, why: string, probe: string[] = ["--version"]): boolean {
  const known = probed.get(command);
  if (known !== undefined) return known;
  const r = spawnSync(command, probe, { stdio: "ignore", timeout: 20000 });
  probed.set(command, !r.error);
  if (!r.error) return true;
  // One skip (or failure) per missing tool and test file, however many tests ask: ava
  // refuses two tests of one title in a file.
  const reason = `${command} is not installed (${why}); install it (see .ci/run) to run these tests`;
  if (toolsRequired) test(`${command} is installed`, (t) => t.fail(reason + "; SHAREDLINE_REQUIRE_TOOLS=1 makes its absence a failure"));
  else test.skip(`skipped: ${reason}`, () => {});
  return false;
}

/** What each tool's probe found in this test file (each file runs in its own process). */
const probed = new Map<string, boolean>();
