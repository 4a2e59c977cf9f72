/**
 * Errors of the simulator's own SMS codec (sim/pdu). The simulator does not share the
 * firmware's codec (DESIGN.md: a simulator that shares the code it checks shares its
 * bugs), so it has its own error type.
 */
import { defineError } from "../../hal/errors.js";

/**
 * A PDU (or a text to encode) that breaks 3GPP TS 23.040 / 23.038. `field` names the
 * TPDU field or the stage that failed (e.g. `"TP-UDL"`, `"hex"`, `"gsm7"`).
 */
export const PduError = defineError<{ field: string }>("PduError");
