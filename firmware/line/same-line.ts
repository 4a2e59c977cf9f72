/**
 * Whether two numbers name the same line, for the connected line of an outgoing call
 * (27.007 §7.8 +COLP): a network reports the number that answered in international form
 * while the user dialled the national one. Portable (Espruino); small on purpose: the
 * console's words load it on the watch.
 */

/** The digits of a number, with a national trunk prefix and an international `+cc` both gone where the other form has them. */
function digits(n: string): string {
  let d = "";
  for (let i = 0; i < n.length; i++) if ("0123456789".indexOf(n.charAt(i)) >= 0) d += n.charAt(i);
  return d;
}

/**
 * Whether `connected` names another line than `dialled`: "+81312345678" answering a call
 * to "0312345678" is the same line (E.164 with country code versus the national form
 * with its trunk prefix 0, ITU-T E.164 §6), "+81398765432" is not.
 */
export function anotherLine(dialled: string, connected: string): boolean {
  if (connected === "" || dialled === "" || connected === dialled) return false;
  const a = digits(dialled);
  const b = digits(connected);
  if (a === b) return false;
  const intl = dialled.charAt(0) === "+" ? a : connected.charAt(0) === "+" ? b : "";
  const national = intl === a ? b : a;
  if (intl === "" || national.charAt(0) !== "0") return true;
  const subscriber = national.replace(/^0+/, "");
  // A country code is one to three digits (E.164 §6.2.1).
  const cc = intl.length - subscriber.length;
  return !(cc >= 1 && cc <= 3 && intl.substr(cc) === subscriber);
}
