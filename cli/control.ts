/**
 * The control socket of `sharedline run --control <path>`: how a head-unit UI or a
 * script drives a car unit. A Unix stream socket; each client writes console command
 * lines (the same as on standard input, firmware/commands.ts) and reads JSON lines:
 * every event of the firmware API, and the reply to each of its own commands
 * (`{"command": ..., "reply": {...}}`, docs/api.md). Several clients at once; each
 * client's commands run in its order (console.ts CommandLines: looks and an emergency
 * dial waiting for a silent modem hold nothing up), and a slow `wait` of one blocks no other.
 *
 * A client that stops reading is dropped once a megabyte waits for it, and one that
 * sends 64 KB without a line end is dropped too: no client grows the firmware's memory
 * without bound.
 */
import fs from "node:fs";
import net from "node:net";
import { createInterface } from "node:readline";
import { CommandLines, type ConsoleLine, type FirmwareConsole } from "./console.js";

const MAX_BACKLOG = 1 << 20;
/** A command line is short; a client that sends this much without a line end is dropped. */
const MAX_LINE = 64 * 1024;

export interface ControlServer {
  path: string;
  clients(): number;
  close(): Promise<void>;
}

/** Whether something listens on `path` (a socket left by a dead process does not). */
function listening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}

/** Serves `con` on the Unix socket `path`; a stale socket file there is replaced. */
export async function serveControl(path: string, con: FirmwareConsole): Promise<ControlServer> {
  if (fs.existsSync(path)) {
    if (await listening(path)) throw new Error(`another process serves the control socket ${path}`);
    fs.unlinkSync(path);
  }
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    const send = (l: ConsoleLine) => {
      if (sock.destroyed) return;
      if (sock.writableLength > MAX_BACKLOG) {
        sock.destroy();
        return;
      }
      sock.write(JSON.stringify(l) + "\n");
    };
    // Events go to every client; a reply only to the client whose command it answers.
    const untap = con.tap((l, origin) => {
      if ("event" in l || origin === sock) send(l);
    });
    const lines = new CommandLines(con, sock);
    let unterminated = 0;
    sock.on("data", (chunk: Buffer) => {
      const nl = chunk.lastIndexOf(10);
      unterminated = nl < 0 ? unterminated + chunk.length : chunk.length - nl - 1;
      if (unterminated > MAX_LINE) sock.destroy();
    });
    const rl = createInterface({ input: sock, terminal: false });
    rl.on("line", (raw) => {
      const text = raw.trim();
      if (!text || text.startsWith("#")) return;
      if (text === "quit" || text === "exit") {
        void lines.idle().then(() => sock.end());
        return;
      }
      void lines.push(text);
    });
    const gone = () => {
      untap();
      sockets.delete(sock);
    };
    sock.on("close", gone);
    sock.on("error", gone);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // Owner and group may drive the unit (a head-unit UI runs as a group member).
  fs.chmodSync(path, 0o660);
  return {
    path,
    clients: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.end();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
