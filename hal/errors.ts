/**
 * Typed errors that work on Espruino as well as Node.
 *
 * Espruino cannot subclass Error (`super(m)` throws and `instanceof` fails, see
 * espruino-facts.md), so each error type is a factory that makes a real `Error`, moves
 * it onto its own prototype and adds fields. `instanceof Error` and `instanceof` the
 * type both hold on both engines; `name` is set explicitly because Espruino leaves it
 * undefined.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFields = { [field: string]: any };

export interface ErrorType<F extends AnyFields> {
  (message: string, fields: F): Error & F & { name: string };
  prototype: Error;
  /** True when `e` was made by this type. */
  is(e: unknown): e is Error & F & { name: string };
}

/** Defines an error type named `name` whose instances carry the fields `F`. */
export function defineError<F extends AnyFields>(name: string): ErrorType<F> {
  const proto = Object.create(Error.prototype) as Error;
  proto.name = name;
  const make = function (message: string, fields: F) {
    const e = new Error(message) as Error & F & { name: string };
    Object.setPrototypeOf(e, proto);
    e.name = name;
    const keys = Object.keys(fields);
    for (let i = 0; i < keys.length; i++) {
      (e as AnyFields)[keys[i]] = fields[keys[i]];
    }
    return e;
  } as ErrorType<F>;
  make.prototype = proto;
  proto.constructor = make as unknown as ErrorConstructor;
  make.is = function (e: unknown): e is Error & F & { name: string } {
    return e instanceof make;
  };
  return make;
}

/** A stored record failed its checksum or could not be parsed. */
export const StorageCorruptError = defineError<{ key: string; detail: string }>("StorageCorruptError");
/** The storage refused or could not complete an operation (bad key, full, I/O). */
export const StorageError = defineError<{ key: string; detail: string }>("StorageError");
