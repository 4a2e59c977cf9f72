/**
 * The simulated shared-number network (SPEC.md §13). Start with `SharedNetwork`; see
 * network.ts for the model and manage.ts for the management site.
 */
export { SharedNetwork, normalizeNumber } from "./network.js";
export type { SharedNetworkOptions, NumberOptions, ManageSubscriptionRequest } from "./network.js";
export { SharedNumber, MAX_ACCESSORIES } from "./number.js";
export type { NumberSettings, Forwarding, EntitlementAnswer } from "./number.js";
export { AccessoryPort } from "./port.js";
export { Phone } from "./phone.js";
export type { PhoneCall, CallLogEntry, CallOutcome, PhoneSms, StatusReport, PhoneOptions } from "./phone.js";
export { OutsideParty } from "./outside.js";
export type { PartyCall, PartyOptions } from "./outside.js";
export { ManagementSite, ManageError } from "./manage.js";
export type { DeviceListing } from "./manage.js";
export { NetworkLog, formatEntry } from "./log.js";
export type { LogEntry, LogKind, LogQuery } from "./log.js";
export { networkParams, DEFAULT_PARAMS, JAPAN_EMERGENCY_NUMBERS, NetworkParamError } from "./params.js";
export type { NetworkParams } from "./params.js";
export { NetworkError } from "./device.js";
export type { AccessoryInfo, Coverage, Location, SmsCapability } from "./device.js";
export { lineStep, describeLine, LineError } from "./line.js";
export type { LineState, LineEvent } from "./line.js";
export { parseServiceCode, isHomeNetworkUssd } from "./codes.js";
