/**
 * Host-side events: Node's EventEmitter typed with typed-emitter's interface (the
 * portable code keeps its own small Emitter, hal/emitter.ts, since Espruino has no
 * `events`). typed-emitter ships CommonJS types with a default export, which an ES
 * module sees as `.default`; this file says that once.
 */
import { EventEmitter } from "node:events";
import type * as typed from "typed-emitter";

export type EventMap = typed.EventMap;
export type TypedEmitter<E extends EventMap> = typed.default<E>;

/** A Node EventEmitter typed by `E` (event name -> listener signature). */
export function typedEmitter<E extends EventMap>(): TypedEmitter<E> {
  return new EventEmitter() as TypedEmitter<E>;
}
