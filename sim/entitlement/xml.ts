/**
 * The entitlement server's answer document (GSMA TS.43 §2.3): a `wap-provisioningdoc`
 * of nested `characteristic` elements (attribute `type`) holding `parm` elements
 * (attributes `name` and `value`). A client reads a value by the path of characteristic
 * types, e.g. `APPLICATION` then `OperationResult`, or `APPLICATION|DownloadInfo` then
 * `ProfileIccid` (the way AOSP's service-entitlement library reads it).
 *
 * `writeDoc` escapes every value; `readDoc` reads such documents back (for the
 * smartphone's companion app and for tests), tolerating a bare `&` as real clients do
 * with servers that send one.
 */
import { defineError } from "../../hal/errors.js";

export interface Characteristic {
  type: string;
  parms: { name: string; value: string }[];
  children: Characteristic[];
}

export function characteristic(type: string, parms: { [name: string]: string | number | undefined }, children: Characteristic[] = []): Characteristic {
  const list: { name: string; value: string }[] = [];
  for (const k of Object.keys(parms)) {
    const v = parms[k];
    if (v !== undefined) list.push({ name: k, value: String(v) });
  }
  return { type, parms: list, children };
}

function escape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

function writeOne(c: Characteristic, indent: string, out: string[]): void {
  out.push(indent + '<characteristic type="' + escape(c.type) + '">');
  for (const p of c.parms) out.push(indent + '  <parm name="' + escape(p.name) + '" value="' + escape(p.value) + '"/>');
  for (const k of c.children) writeOne(k, indent + "  ", out);
  out.push(indent + "</characteristic>");
}

/** The XML text of a provisioning document with these top-level characteristics. */
export function writeDoc(top: Characteristic[]): string {
  const out = ['<?xml version="1.0" encoding="utf-8"?>', '<wap-provisioningdoc version="1.1">'];
  for (const c of top) writeOne(c, "  ", out);
  out.push("</wap-provisioningdoc>", "");
  return out.join("\n");
}

/** Malformed XML, with the offset where reading stopped. */
export const XmlError = defineError<{ offset: number }>("XmlError");

function bad(message: string, offset: number): Error {
  return XmlError(message + " at offset " + offset, { offset });
}

const ENTITIES: { [k: string]: string } = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function unescape(s: string): string {
  // A bare `&` that starts no known entity stays as it is (lenient, like real clients).
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (all, e: string) => {
    if (e[0] === "#") return String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e] !== undefined ? ENTITIES[e] : all;
  });
}

/** Reads a provisioning document into its top-level characteristics. */
export function readDoc(xml: string): Characteristic[] {
  const root: Characteristic = { type: "", parms: [], children: [] };
  const stack: Characteristic[] = [root];
  const tag = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/g;
  let at = 0;
  let sawRoot = false;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    if (xml.slice(at, m.index).trim() !== "") throw bad("text outside a parm", at);
    at = m.index + m[0].length;
    if (m[2] === undefined) continue; // declaration, comment, doctype
    const closing = m[1] === "/";
    const selfClosing = m[4] === "/";
    const name = m[2];
    const attrs: { [k: string]: string } = {};
    const attr = /([\w:.-]+)\s*=\s*("([^"]*)"|'([^']*)')/g;
    for (let a = attr.exec(m[3]); a; a = attr.exec(m[3])) attrs[a[1]] = unescape(a[3] !== undefined ? a[3] : a[4]);
    if (name === "wap-provisioningdoc") {
      sawRoot = true;
      continue;
    }
    const top = stack[stack.length - 1];
    if (name === "parm") {
      if (closing) continue;
      if (attrs.name === undefined) throw bad("parm without a name", m.index);
      top.parms.push({ name: attrs.name, value: attrs.value === undefined ? "" : attrs.value });
    } else if (name === "characteristic") {
      if (closing) {
        if (stack.length === 1) throw bad("</characteristic> without its start", m.index);
        stack.pop();
        continue;
      }
      const c: Characteristic = { type: attrs.type || "", parms: [], children: [] };
      top.children.push(c);
      if (!selfClosing) stack.push(c);
    }
    // Other elements are ignored, as a client ignores what it does not know.
  }
  if (xml.slice(at).trim() !== "") throw bad("text after the document", at);
  if (!sawRoot) throw bad("no wap-provisioningdoc element", 0);
  if (stack.length !== 1) throw bad("characteristic " + stack[stack.length - 1].type + " not closed", xml.length);
  return root.children;
}

/** The characteristic at `path` ("APPLICATION|DownloadInfo"), the first of each type. */
export function findCharacteristic(doc: Characteristic[], path: string): Characteristic | undefined {
  let level = doc;
  let found: Characteristic | undefined;
  for (const type of path.split("|")) {
    found = undefined;
    for (const c of level) {
      if (c.type.toLowerCase() === type.toLowerCase()) {
        found = c;
        break;
      }
    }
    if (!found) return undefined;
    level = found.children;
  }
  return found;
}

/** The value of parm `name` in the characteristic at `path`, if present. */
export function parmAt(doc: Characteristic[], path: string, name: string): string | undefined {
  const c = findCharacteristic(doc, path);
  if (!c) return undefined;
  for (const p of c.parms) if (p.name.toLowerCase() === name.toLowerCase()) return p.value;
  return undefined;
}
