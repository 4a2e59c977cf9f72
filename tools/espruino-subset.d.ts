/** Types of tools/espruino-subset.js (plain JavaScript so that eslint.config.js can load it). */
import type { ESLint, Linter } from "eslint";

export const restrictedSyntax: { selector: string; message: string }[];
export const restrictedGlobals: { name: string; message: string }[];
export const restrictedProperties: { object: string; property: string; message: string }[];
export const nodeBuiltins: string[];
/** The local ESLint plugin, registered as `espruino`. */
export const plugin: ESLint.Plugin;
/** Subset rules for portable source and bundles; `allowGlobals` lifts some restricted globals. */
export function subsetRules(opts?: { allowGlobals?: string[] }): Linter.RulesRecord;
export const importMessages: { node: string; bare: string };
/** `no-restricted-imports` options for portable code. */
export function portableImportRule(): Linter.RuleEntry;
