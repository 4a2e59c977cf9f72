/**
 * Reading untrusted JSON objects (HTTP bodies, scenario files) field by field, so that
 * every mistake is reported with where it is and what was wanted:
 * `body.number: expected a string (the number to dial), got 42`, and a field nobody
 * reads is an error too (`body.nubmer: unknown field (known: number, withhold)`), so a
 * typo never silently does nothing.
 */
import { defineError } from "../../hal/errors.js";

/** Bad input: `path` says where (`body.to`, `steps[2].when[0].do`). */
export const InputError = defineError<{ path: string }>("InputError");

/** A request that cannot be served as asked, with the HTTP status that says why (404, 409, 413). */
export const ControlError = defineError<{ status: number }>("ControlError");

/** A short rendering of a value for error messages. */
export function show(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + "..." : s;
}

export function isObject(v: unknown): v is { [k: string]: unknown } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export interface StrOpts {
  /** What the field is, for the message. */
  what?: string;
  allowed?: readonly string[];
  pattern?: RegExp;
  /** Described form for `pattern` failures ("digits, + * #"). */
  form?: string;
}

export interface NumOpts {
  what?: string;
  min?: number;
  max?: number;
  integer?: boolean;
}

export class Fields {
  private read: string[] = [];

  private constructor(
    readonly obj: { [k: string]: unknown },
    readonly path: string,
  ) {}

  /** `v` as an object to read, or an InputError at `path`. */
  static of(v: unknown, path: string): Fields {
    if (!isObject(v)) throw InputError(path + ": expected a JSON object, got " + show(v), { path });
    return new Fields(v, path);
  }

  at(name: string): string {
    return this.path + "." + name;
  }

  fail(name: string, message: string): Error {
    return InputError(this.at(name) + ": " + message, { path: this.at(name) });
  }

  has(name: string): boolean {
    return this.obj[name] !== undefined;
  }

  /** The raw value (marks the field as read). */
  raw(name: string): unknown {
    this.read.push(name);
    return this.obj[name];
  }

  str(name: string, o: StrOpts = {}): string {
    const v = this.optStr(name, o);
    if (v === undefined) throw this.fail(name, "required" + (o.what ? " (" + o.what + ")" : ""));
    return v;
  }

  optStr(name: string, o: StrOpts = {}): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const what = o.what ? " (" + o.what + ")" : "";
    if (typeof v !== "string") throw this.fail(name, "expected a string" + what + ", got " + show(v));
    if (o.allowed && o.allowed.indexOf(v) < 0) throw this.fail(name, "expected one of " + o.allowed.join(", ") + ", got " + show(v));
    if (o.pattern && !o.pattern.test(v)) throw this.fail(name, "expected " + (o.form || "a string matching " + o.pattern) + what + ", got " + show(v));
    return v;
  }

  num(name: string, o: NumOpts = {}): number {
    const v = this.optNum(name, o);
    if (v === undefined) throw this.fail(name, "required" + (o.what ? " (" + o.what + ")" : ""));
    return v;
  }

  optNum(name: string, o: NumOpts = {}): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const what = o.what ? " (" + o.what + ")" : "";
    const range = o.min !== undefined && o.max !== undefined ? " in " + o.min + ".." + o.max : o.min !== undefined ? " >= " + o.min : "";
    const kind = o.integer ? "a whole number" : "a number";
    const bad = typeof v !== "number" || !isFinite(v) || (o.integer && Math.floor(v) !== v) || (o.min !== undefined && v < o.min) || (o.max !== undefined && v > o.max);
    if (bad) throw this.fail(name, "expected " + kind + range + what + ", got " + show(v));
    return v as number;
  }

  bool(name: string, what?: string): boolean {
    const v = this.optBool(name, what);
    if (v === undefined) throw this.fail(name, "required" + (what ? " (" + what + ")" : ""));
    return v;
  }

  optBool(name: string, what?: string): boolean | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v !== "boolean") throw this.fail(name, "expected true or false" + (what ? " (" + what + ")" : "") + ", got " + show(v));
    return v;
  }

  optObj(name: string): Fields | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    return Fields.of(v, this.at(name));
  }

  optList(name: string): unknown[] | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) throw this.fail(name, "expected a list, got " + show(v));
    return v;
  }

  /** Rejects any field that was not read. */
  done(): void {
    for (const k of Object.keys(this.obj)) {
      if (this.read.indexOf(k) < 0) {
        const known = this.read.filter((r, i) => this.read.indexOf(r) === i);
        throw this.fail(k, "unknown field" + (known.length > 0 ? " (known: " + known.join(", ") + ")" : " (none expected)"));
      }
    }
  }
}
