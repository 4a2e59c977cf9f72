// @ts-check
/**
 * ESLint for the whole tree, plus the Espruino subset for the portable code.
 *
 * - Every TypeScript file: eslint's and typescript-eslint's recommended rules (no type
 *   information, so the lint stays fast).
 * - Portable code (firmware/, drivers/, hal/*.ts, hal/espruino/) and the code that runs
 *   inside the Espruino test interpreter (test/espruino/entries/, fixtures/, harness.ts):
 *   everything Espruino was measured to reject or run wrongly (tools/espruino-subset.js,
 *   each message cites /work/shared/espruino-facts.md), no hoisting, no Node built-ins.
 * - Layering: drivers never import firmware; hal never imports drivers or firmware;
 *   portable code never imports host-only code; the simulator never imports drivers or
 *   firmware (it must stay an independent model of the modem).
 *
 * The same subset is checked again on the esbuild output by tools/portable-check.ts.
 */
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";
import { plugin, subsetRules, portableImportRule } from "./tools/espruino-subset.js";

/** Portable sources (the set tsconfig.portable.json checks against ES5). */
const PORTABLE = ["firmware/**/*.ts", "drivers/**/*.ts", "hal/*.ts", "hal/espruino/**/*.ts"];
/** Code bundled and run inside the Espruino interpreter by test/espruino. */
const ESPRUINO_TESTS = ["test/espruino/entries/**/*.ts", "test/espruino/fixtures/**/*.ts", "test/espruino/harness.ts"];
const NOT_PORTABLE = ["**/*.d.ts", "**/*.node.ts", "**/node/**"];

const HOST_ONLY =
  "host-only code (Node): it is not checked against Espruino's subset and would break the Espruino bundle";
const hostOnlyFolders = {
  sim: HOST_ONLY + " (the simulator)",
  cli: HOST_ONLY,
  tools: HOST_ONLY,
  test: HOST_ONLY,
  bench: HOST_ONLY,
  "hal/node": HOST_ONLY,
  "hal/memory": HOST_ONLY + " (hal/memory uses async; portable tests use the Espruino harness)",
};

/**
 * @param {Record<string, string>} extra more forbidden folders
 * @param {string[]} [allow] host-only folders this block may import after all
 */
function layering(extra, allow) {
  /** @type {Record<string, string>} */
  const forbid = Object.assign({}, hostOnlyFolders, extra);
  for (const folder of allow || []) delete forbid[folder];
  return ["error", { forbid }];
}

const FRONT_END = "a front-end goes through the firmware API (fw.api, firmware/api.ts), not the firmware's parts";

// Minimal Node globals for the few plain JavaScript files (bin/, this file).
const nodeGlobals = {
  console: "readonly",
  process: "readonly",
  URL: "readonly",
  setTimeout: "readonly",
  clearTimeout: "readonly",
};

export default defineConfig(
  { ignores: ["node_modules/", "dist/", ".ci/", "**/*.d.ts"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ["**/*.{js,mjs,cjs}"],
    languageOptions: { globals: nodeGlobals },
  },
  {
    files: ["**/*.ts"],
    rules: {
      // tsc (noUnusedLocals/noUnusedParameters) already reports these; `_x` marks a
      // deliberately unused parameter.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },

  // --- Espruino subset ----------------------------------------------------------------
  {
    files: PORTABLE.concat(ESPRUINO_TESTS),
    ignores: NOT_PORTABLE,
    plugins: { espruino: plugin },
    rules: Object.assign(subsetRules(), {
      // Nothing is hoisted on Espruino: calling a function before its statement ran throws
      // ReferenceError (espruino-facts.md: How Espruino runs code, trap 2). Define before use.
      "espruino/no-use-before-define": ["error", { functions: true, classes: true, variables: true, enums: true, typedefs: false, ignoreTypeReferences: true }],
      "no-restricted-imports": portableImportRule(),
      // A plain call gets the global `this` ("use strict" is ignored, trap 6) and a
      // detached method too, so `var self = this` style aliasing is how callbacks keep it.
      "@typescript-eslint/no-this-alias": "off",
    }),
  },
  {
    // hal/espruino talks to Espruino itself: its own `require("Storage")` and
    // `process.memory()` are real there.
    files: ["hal/espruino/**/*.ts"],
    ignores: NOT_PORTABLE,
    rules: {
      "no-restricted-globals": subsetRules({ allowGlobals: ["require", "process"] })["no-restricted-globals"],
      "@typescript-eslint/no-require-imports": "off",
    },
  },

  // --- layering -----------------------------------------------------------------------
  {
    files: ["drivers/**/*.ts"],
    ignores: NOT_PORTABLE,
    plugins: { espruino: plugin },
    rules: { "espruino/layering": layering({ firmware: "drivers sit below the firmware; pass what they need in (callbacks, events)" }) },
  },
  {
    files: ["hal/*.ts", "hal/espruino/**/*.ts"],
    ignores: NOT_PORTABLE.concat(["hal/espruino/boot.ts"]),
    plugins: { espruino: plugin },
    rules: {
      "espruino/layering": layering({
        drivers: "the HAL is the bottom layer; drivers build on it, not the other way round",
        firmware: "the HAL is the bottom layer; the firmware builds on it, not the other way round",
      }),
    },
  },
  {
    // The Espruino entry point starts the firmware, so it alone may import it.
    files: ["firmware/**/*.ts", "hal/espruino/boot.ts"],
    ignores: NOT_PORTABLE,
    plugins: { espruino: plugin },
    rules: { "espruino/layering": layering({}) },
  },
  {
    files: ESPRUINO_TESTS,
    plugins: { espruino: plugin },
    rules: {
      // Entries import the harness next to them (test/espruino) but no other test code.
      "espruino/layering": layering({ "test/support": HOST_ONLY, "test/at": HOST_ONLY, "test/sms": HOST_ONLY, "test/portable": HOST_ONLY }, ["test"]),
    },
  },
  {
    // Front-ends (the console, the control socket, the scenario agent) drive the firmware
    // through its API (firmware/api.ts, docs/api.md), never through its parts.
    files: ["cli/**/*.ts"],
    plugins: { espruino: plugin },
    rules: {
      "espruino/layering": [
        "error",
        {
          forbid: {
            "firmware/line": FRONT_END,
            "firmware/messaging": FRONT_END,
            "firmware/modem": FRONT_END,
          },
        },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "MemberExpression[object.name='fw'][property.name=/^(line|messaging|modem|channel|data|companion|activation)$/]", message: FRONT_END },
      ],
    },
  },
  {
    // The companion link is a front-end too (MQTT commands from the backend): what it is
    // told goes through the API's commands (managementUnregistered, priorityChangedElsewhere),
    // never into the parts. It rides on the data session (firmware/data), its transport.
    files: ["firmware/companion/**/*.ts"],
    plugins: { espruino: plugin },
    rules: {
      "espruino/layering": [
        "error",
        {
          forbid: Object.assign({}, hostOnlyFolders, {
            "firmware/line": FRONT_END,
            "firmware/messaging": FRONT_END,
            "firmware/modem": FRONT_END,
            "firmware/activation": FRONT_END,
          }),
        },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "MemberExpression[object.name=/^(fw|firmware|parts)$/][property.name=/^(line|messaging|modem|activation|channel)$/]", message: FRONT_END },
        // The data session's own commands (unregistered, stop) are the API's to give.
        { selector: "MemberExpression[property.name='session']", message: FRONT_END },
      ],
    },
  },
  {
    files: ["sim/**/*.ts"],
    plugins: { espruino: plugin },
    rules: {
      "espruino/layering": [
        "error",
        {
          forbid: {
            drivers: "the simulator is an independent model of the modem; sharing the drivers' code would hide their bugs",
            firmware: "the simulator is an independent model of the modem and network; it must not depend on the firmware",
          },
        },
      ],
    },
  },
);
