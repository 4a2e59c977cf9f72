/** The `data` block of boards.json: APN, MQTT keepalive and the companion-link adapter per board. */
import test from "ava";
import { BoardError, defaultDataProfile, loadBoards } from "../../firmware/board.js";
import boardsJson from "../../boards.json" with { type: "json" };

const base = {
  description: "x",
  runtime: "node",
  modem: "quectel-eg91",
  serial: { port: "/dev/ttyUSB2", baud: 115200, flow: "none" },
  pins: {},
  capabilities: { voice: true, sms: "none", callWaiting: true, data: true, settingsMenu: true },
  budgets: { bundleBytes: 1, ramBytes: 1 },
};

test("every shipped board names its APN, keepalive and link adapter", (t) => {
  const boards = loadBoards(boardsJson);
  t.is(boards["car-linux-eg91"].data.link, "modem-socket");
  t.is(boards["watch-bangle2-bg95"].data.link, "modem-mqtt");
  for (const name of Object.keys(boards)) t.is(boards[name].data.keepaliveS, 240, name);
});

test("a board without a data block gets the defaults; a bad one is refused with every problem named", (t) => {
  t.deepEqual(loadBoards({ boards: { b: base } }).b.data, defaultDataProfile);
  const e = t.throws(() => loadBoards({ boards: { b: Object.assign({}, base, { data: { apn: "bad apn", keepaliveS: 5, link: "ppp" } }) } }));
  t.true(BoardError.is(e));
  const problems = BoardError.is(e) ? e.problems : [];
  t.is(problems.filter((p) => p.indexOf("boards.b.data.") === 0).length, 3, problems.join("\n"));
});
