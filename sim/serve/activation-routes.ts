/**
 * The control interface's activation endpoints (docs/sim-control.md): the smartphone's
 * companion app registers and unregisters accessories (SPEC R8, R12, R13, R15) and the
 * number's registration list. They go through the TS.43 entitlement server exactly as
 * the app would (sim/entitlement); the server itself is also open to outside TS.43
 * clients at `/ts43` (sim/entitlement/http.ts).
 */
import { ActivationError, CompanionAppError, type CompanionOutcome } from "../entitlement/index.js";
import type { Route, RouteContext, RouteResult } from "./control-routes.js";
import { ControlError, Fields } from "./fields.js";

function at(method: Route["method"], path: string, summary: string, fields: string | undefined, handler: Route["handler"]): Route {
  return { method, path, summary, fields, regex: new RegExp("^" + path.replace(/\//g, "\\/") + "$"), handler };
}

/** The accessory named in the body: device id, IMEI, its last 4 digits, or friendly name. */
function accessory(ctx: RouteContext): string {
  const f = Fields.of(ctx.body === undefined ? {} : ctx.body, "body");
  const which = f.str("accessory", { pattern: /^[\s\S]{1,64}$/, form: "a device id (A1), an IMEI, its last 4 digits or a friendly name" });
  f.done();
  return which;
}

function outcome(run: () => CompanionOutcome): RouteResult {
  let o: CompanionOutcome;
  try {
    o = run();
  } catch (e) {
    if (ActivationError.is(e)) throw ControlError(e.message, { status: e.code === "unknown-accessory" ? 404 : 400 });
    if (CompanionAppError.is(e)) throw ControlError("the companion app could not reach the entitlement server: " + e.message, { status: 502 });
    throw e;
  }
  // Refused (R12: SubscriptionResult=5) or not understood: the request does not fit the number's state.
  return o.ok ? { body: o } : { status: 409, body: { error: o.message || "refused (OperationResult " + o.operationResult + ")", ...o } };
}

export const ACTIVATION_ROUTES: Route[] = [
  at("GET", "/registrations", "every accessory the number knows: friendly name, model, IMEI, registration time, state (R14)", undefined, (ctx) => ({
    body: ctx.server.activation.registrations(ctx.server.num.msisdn),
  })),
  at("POST", "/phone/register", "P's companion app registers a paired accessory through TS.43 (R8, R12, R13)", "{accessory}", (ctx) =>
    outcome(() => ctx.server.activation.register(ctx.server.num.msisdn, accessory(ctx))),
  ),
  at("POST", "/phone/unregister", "P's companion app unsubscribes an accessory: ManageSubscription operation_type=1 (R15)", "{accessory}", (ctx) =>
    outcome(() => ctx.server.activation.unregister(ctx.server.num.msisdn, accessory(ctx))),
  ),
];
