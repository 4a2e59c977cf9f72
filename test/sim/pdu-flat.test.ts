/**
 * The simulator's decoders give flat strings. The simulated smartphone and parties keep
 * the texts and originators they received (bounded.ts: up to 2000 per list) for the whole
 * of a days-long soak; a text built with `+=` per character is held by V8 as a rope of one
 * 32-byte node per character, about 2 KB per message instead of its length, and that was a
 * large part of the soak's heap per device. The heap snapshot's node types say which it is.
 */
import test from "ava";
import { heapKinds } from "../support/heap-kinds.js";
import { decodeDeliver, decodeSubmit, encodeDeliver, encodeSubmit } from "../../sim/pdu/tpdu.js";
import { septetsToText, textToSeptets } from "../../sim/pdu/gsm7.js";

const SCTS = { time: Date.UTC(2026, 11, 1, 9, 30, 0), tzQuarters: 36 };
const GSM = "[s12] The quick brown fox jumps over the lazy dog; The quick brown fox jumps over the lazy dog; {curly} €uro ~tilde";
const UCS2 = "[s13] 明日の会議は十時からです。The quick brown fox; よろしく";

test("decoded SMS-DELIVER texts and originators are flat strings (GSM 7-bit with extension characters, UCS2)", async (t) => {
  const gsm = decodeDeliver(encodeDeliver({ from: "+813120000001", text: GSM, scts: SCTS }));
  const ucs = decodeDeliver(encodeDeliver({ from: "+813120000002", text: UCS2, scts: SCTS }));
  const alpha = decodeDeliver(encodeDeliver({ from: "docomoInfo", text: "hi", scts: SCTS }));
  t.is(gsm.userData.text, GSM);
  t.is(ucs.userData.text, UCS2);
  t.is(gsm.from.number, "+813120000001");
  t.is(alpha.from.number, "docomoInfo");
  t.deepEqual(await heapKinds([gsm.userData.text, ucs.userData.text, gsm.from.number, ucs.from.number, alpha.from.number]), ["string", "string", "string", "string", "string"]);
});

test("decoded SMS-SUBMIT texts and destinations, and septets to text, are flat strings", async (t) => {
  const sub = decodeSubmit(encodeSubmit({ to: "+819010000001", text: GSM, messageRef: 7 }));
  t.is(sub.userData.text, GSM);
  const direct = septetsToText(textToSeptets(GSM));
  t.deepEqual(await heapKinds([sub.userData.text, sub.to.number, direct]), ["string", "string", "string"]);
});
