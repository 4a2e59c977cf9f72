/**
 * A raw HTTP request with exactly the headers given (fetch would add some and forbid
 * others, such as Origin and Sec-Fetch-Site, which the site's same-origin guard reads).
 */
import http from "node:http";

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function rawRequest(url: string, method: string, headers: { [k: string]: string }, body?: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    // agent: false: one connection per request, so a fuzzer's odd request never poisons a kept-alive socket.
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode || 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}
