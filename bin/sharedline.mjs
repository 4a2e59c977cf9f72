#!/usr/bin/env node
// The `sharedline` command. The project is TypeScript run directly through tsx, so the
// command registers tsx's loader and hands over to cli/main.ts.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
