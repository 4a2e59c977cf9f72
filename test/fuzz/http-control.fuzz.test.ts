/**
 * Fuzzing the simulator's HTTP control interface (issue 15): requests to every listed
 * endpoint (and to made-up paths) with random methods, path parameters, query strings and
 * bodies (random JSON of any shape, the endpoint's own fields with values of the wrong
 * type, bytes that are not JSON). Every answer is a 2xx or a client error (400, 403 and 415
 * from the web guard, 404, 405, 409; a JSON error names what was wrong), never a 500, and
 * the server still lists its endpoints afterwards.
 */
import test from "ava";
import fc from "fast-check";
import { MSISDN, served } from "../serve/helpers.js";

const FIELDS = ["to", "text", "number", "device", "ms", "coverage", "location", "on", "cause", "tones", "id", "withhold", "settings", "imei", "answer"];

test("fuzz: random requests to the control interface answer 2xx or a client error (400/403/404/405/409/415) with its reason, never 500", async (t) => {
  const s = await served(t);
  const index = await s.api("GET", "/");
  const endpoints: string[] = index.body.endpoints.map((l: string) => l.split(":")[0]);
  const pathFor = (template: string, param: string) =>
    template
      .split(" ")[1]
      .split("/")
      .map((seg) => (seg.startsWith(":") ? encodeURIComponent(param) : seg))
      .join("/");
  const requestArb = fc.record({
    endpoint: fc.constantFrom(...endpoints, "GET /nothing/here", "POST /phone/../../etc", "DELETE /"),
    // Mostly the endpoint's own method, sometimes another.
    method: fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: fc.constantFrom("GET", "POST", "DELETE", "PUT", "PATCH"), weight: 1 }),
    param: fc.oneof(fc.constantFrom(MSISDN, "P", "A1", "A2", "A9", "+818011112222", "110", "%", ""), fc.string({ maxLength: 10 })),
    query: fc.option(fc.dictionary(fc.constantFrom("limit", "since", "offset", "x", "device"), fc.oneof(fc.string({ maxLength: 6 }), fc.integer().map(String))), { nil: undefined }),
    body: fc.oneof(
      fc.constant(undefined),
      fc.jsonValue({ maxDepth: 2 }),
      fc.dictionary(fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 1 })),
      fc.string({ maxLength: 30 }).map((x) => "{" + x),
    ),
  });
  let cases = 0;
  const statuses: { [k: number]: number } = {};
  await fc.assert(
    fc.asyncProperty(requestArb, async (rq) => {
      cases++;
      const method: string = rq.method || rq.endpoint.split(" ")[0];
      let path = pathFor(rq.endpoint, rq.param);
      if (rq.query) path += "?" + new URLSearchParams(rq.query).toString();
      const body = method === "GET" || method === "DELETE" ? undefined : typeof rq.body === "string" ? rq.body : rq.body === undefined ? undefined : JSON.stringify(rq.body);
      const res = await fetch(s.control.url + path, body === undefined ? { method } : { method, body });
      const text = await res.text();
      statuses[res.status] = (statuses[res.status] || 0) + 1;
      // 403/415: the web pages' same-origin guard and media-type check, in front of the API.
      if ([400, 403, 404, 405, 409, 415].indexOf(res.status) < 0 && !(res.status >= 200 && res.status < 300)) throw new Error(method + " " + path + " " + String(body) + " -> " + res.status + " " + text.slice(0, 200));
      if (res.status >= 400 && (res.headers.get("content-type") || "").indexOf("json") >= 0 && typeof JSON.parse(text).error !== "string") throw new Error(method + " " + path + ": an error without a message: " + text);
    }),
    { numRuns: 300, seed: 1505 },
  );
  t.log("sent " + cases + " random requests over " + endpoints.length + " endpoints (random methods, path parameters, queries, JSON and non-JSON bodies); statuses " + JSON.stringify(statuses) + "; fast-check seed 1505");
  t.is((await s.api("GET", "/")).status, 200);
  t.true(Object.keys(statuses).length >= 3);
});
