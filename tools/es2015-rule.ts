/**
 * One ESLint rule run over a script's text, parsed as ES2015 (what Espruino reads): the
 * bundle tools use it for espree's tokens, scope analysis and AST walks without a parser
 * of their own. Throws, saying `what` did not parse and where, when the text is no
 * ES2015 script.
 */
import { Linter, type Rule } from "eslint";

export function runRuleOnScript(text: string, rule: Rule.RuleModule, what: string): void {
  const linter = new Linter({ configType: "flat" });
  const messages = linter.verify(
    text,
    [
      {
        files: ["**/*.js"],
        languageOptions: { ecmaVersion: 2015, sourceType: "script" },
        plugins: { sl: { rules: { rule } } },
        rules: { "sl/rule": "error" },
      },
    ],
    { filename: "bundle.js" },
  );
  const fatal = messages.find((m) => m.fatal);
  if (fatal) throw new Error(`${what} does not parse as ES2015 (${fatal.line}:${fatal.column}): ${fatal.message}`);
}
