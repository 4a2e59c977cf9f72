/**
 * TE character sets of +CSCS (3GPP TS 27.007 §5.5): how string parameters (service-centre
 * address, USSD text, numbers) travel between the client and the modem. The line carries
 * byte strings, so every conversion ends in characters 0..255.
 */
import { defineError } from "../../hal/errors.js";
import { gsm7Length, septetsToText, textToSeptets } from "../pdu/gsm7.js";

export type Charset = "IRA" | "GSM" | "UCS2" | "HEX" | "8859-1";

export const CHARSETS: Charset[] = ["IRA", "GSM", "UCS2", "HEX", "8859-1"];

/** A string parameter that is not valid in the selected character set (e.g. odd hex in UCS2). */
export const CharsetError = defineError<{ charset: Charset }>("CharsetError");

function hex2(n: number): string {
  return (n < 16 ? "0" : "") + n.toString(16).toUpperCase();
}

function gsmSeptetsOf(text: string): number[] {
  let safe = "";
  for (let i = 0; i < text.length; i++) safe += gsm7Length(text[i]) > 0 ? text[i] : "?";
  return textToSeptets(safe);
}

/** Text as the client sees it in charset `cs`; a character the set lacks becomes `?`. */
export function toTe(text: string, cs: Charset): string {
  let out = "";
  if (cs === "UCS2") {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      out += hex2(c >> 8) + hex2(c & 0xff);
    }
    return out;
  }
  if (cs === "HEX") {
    // "No conversion to the original ME character set": the ME's own GSM septets, as hex.
    for (const s of gsmSeptetsOf(text)) out += hex2(s);
    return out;
  }
  if (cs === "GSM") return String.fromCharCode.apply(null, gsmSeptetsOf(text));
  const max = cs === "IRA" ? 0x7f : 0xff;
  for (let i = 0; i < text.length; i++) out += text.charCodeAt(i) <= max ? text[i] : "?";
  return out;
}

function fromHexUnits(s: string, width: number, cs: Charset): number[] {
  if (s.length % width !== 0 || !/^[0-9A-Fa-f]*$/.test(s)) {
    throw CharsetError("'" + s + "' is not " + (width === 4 ? "UCS2" : "HEX") + " text", { charset: cs });
  }
  const out: number[] = [];
  for (let i = 0; i < s.length; i += width) out.push(parseInt(s.slice(i, i + width), 16));
  return out;
}

/** A string parameter from the client, in charset `cs`, back to text; throws `CharsetError`. */
export function fromTe(s: string, cs: Charset): string {
  if (cs === "UCS2") return String.fromCharCode.apply(null, fromHexUnits(s, 4, cs));
  if (cs === "HEX") return septetsToText(fromHexUnits(s, 2, cs));
  if (cs === "GSM") {
    const septets: number[] = [];
    for (let i = 0; i < s.length; i++) septets.push(s.charCodeAt(i) & 0x7f);
    return septetsToText(septets);
  }
  return s;
}
