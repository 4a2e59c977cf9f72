/**
 * Activation of accessories on the simulated network (SPEC R7–R18): a GSMA TS.43
 * entitlement server for companion devices, its SM-DP+, the smartphone's companion app,
 * and `Activation`, which puts them together for every front-end.
 */
export { Activation, ActivationError, modemLpa } from "./activation.js";
export type { RegistrationView } from "./activation.js";
export { CompanionApp, CompanionAppError, answerChallenge } from "./companion-app.js";
export type { CompanionOutcome, CompanionTerminal, Lpa, SubscribeOptions, Ts43Transport } from "./companion-app.js";
export { EntitlementService, APP_COMPANION, CONTENT_TYPE, OPERATION_RESULT, SUBSCRIPTION_RESULT, SERVICE_STATUS, eapId, phoneImsi } from "./service.js";
export type { EntitlementOptions, Ts43Response } from "./service.js";
export { Smdp, SmdpError, luhnDigit } from "./smdp.js";
export type { EsimProfile, ProfileOrder } from "./smdp.js";
export { readDoc, writeDoc, parmAt, findCharacteristic, characteristic, XmlError } from "./xml.js";
export type { Characteristic } from "./xml.js";
export { EapAkaRelay, EAP_RELAY_PARAM, EAP_RELAY_TYPE } from "./eap-relay.js";
export { AuthCentre, Usim } from "./aka/auc.js";
