/**
 * JSON over the simulated network's control API (`sharedline sim` prints `control on
 * <url>`; docs/sim-control.md), for tests that drive outside parties.
 */

/** POSTs `body` as JSON; rejects on an HTTP status of 300 or more, with the answer. */
export function post(url: string, body: unknown): Promise<unknown> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then(async (r) => {
    const j = (await r.json()) as unknown;
    if (r.status >= 300) throw new Error(`POST ${url}: ${r.status} ${JSON.stringify(j)}`);
    return j;
  });
}

/** GETs a JSON object. */
export function get(url: string): Promise<{ [k: string]: unknown }> {
  return fetch(url).then((r) => r.json() as Promise<{ [k: string]: unknown }>);
}
