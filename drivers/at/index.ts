/** The AT channel: see channel.ts for the engine, chat.ts for scripts, args.ts for safe arguments. */
export { AtChannel, REBOOTED } from "./channel.js";
export type { AtChannelOptions, AtChannelEvents } from "./channel.js";
export { runChat, startChat, send, expect, stepCommand } from "./chat.js";
export type { ChatScript, ChatStep, ChatResult, ChatRun, SendStep, ExpectStep } from "./chat.js";
export { atDialString, atQuoted, atInt, checkCommandLine, checkHexPayload, checkRawPayload } from "./args.js";
export { AtCommandError, AtTimeoutError, AtAbortedError, AtArgumentError, CME_INCORRECT_PASSWORD, CME_SIM_BUSY, CME_SIM_FAILURE, CME_SIM_NOT_INSERTED, CME_SIM_WRONG, CMS_SIM_BUSY, describeCode, isTransient } from "./errors.js";
export { standardFinals, matchFinal, isCallCommand } from "./finals.js";
export type { AtCommand, AtResponse, AtMode, FinalKind, FinalRule, UrcHandler, UrcOptions } from "./types.js";
export { splitParams, paramsOf } from "./params.js";
