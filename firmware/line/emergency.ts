/**
 * Emergency numbers (SPEC §6). In Japan: 110 police, 118 coast guard, 119 fire and
 * ambulance (R44); the SIM's EF_ECC and the network's list (`+CEN2`, R53, R93) add to
 * them. 112 and 911 are not Japanese emergency numbers (R54).
 */

// The lists are written out in the functions below rather than kept in top-level arrays:
// on the watch an array of strings held a few heap blocks per entry for good.

/** Whether `number` is an emergency number on this device's lists: Japan's own (R44) or the network's and SIM's (`extra`). */
export function isEmergencyNumber(number: string, extra: string[]): boolean {
  return number === "110" || number === "118" || number === "119" || extra.indexOf(number) >= 0;
}

/**
 * What to dial for what the user typed: a 184/186 prefix in front of an emergency number
 * is removed (R52: with 184 a call to 110/118 reaches the agency without number and
 * location), so `184110` dials `110`.
 */
export function emergencyDialString(typed: string, extra: string[]): string | undefined {
  if (isEmergencyNumber(typed, extra)) return typed;
  // Caller-id prefixes (184 withhold, 186 present) that the firmware never adds to an emergency call (R52).
  const p = typed.substr(0, 3);
  if ((p === "184" || p === "186") && isEmergencyNumber(typed.substr(3), extra)) return typed.substr(3);
  return undefined;
}

/** R54: the advice for someone who dialled a foreign emergency number, or undefined. */
export function foreignEmergencyAdvice(number: string): string | undefined {
  // Numbers people dial abroad for emergencies; on the Japanese network they fail.
  if (["112", "911", "999", "000", "08"].indexOf(number) < 0) return undefined;
  return number + " is not an emergency number in Japan: dial 110 (police), 118 (coast guard) or 119 (fire, ambulance)";
}
