import { expect } from 'vitest';

/** An element of the document {@link parseXml} reads. */
export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}
const NAME = '[A-Za-z_][\\w.:-]*';
const notXmlChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
function decode(raw: string): string {
  const bad = raw.match(/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/);
  if (bad) throw new Error(`bare & in ${JSON.stringify(raw)}`);
  return raw.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_m, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (named[e]) return named[e];
    return String.fromCodePoint(e.startsWith('#x') ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
}
/**
 * A strict little XML 1.0 reader, enough to prove that the JUnit output is
 * well-formed and that attribute and text values decode back to what the
 * adapter said: one root, balanced tags, quoted attributes, no duplicate
 * attribute, only the five entities and character references, no bare `&` or
 * `<`, no character XML 1.0 cannot carry. Returns the root element.
 */
export function parseXml(xml: string): XmlNode {
  expect(notXmlChar.test(xml), 'a character XML 1.0 cannot carry').toBe(false);
  let rest = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, '');
  const root: XmlNode = { name: '#document', attrs: {}, children: [], text: '' };
  const stack = [root];
  const open = new RegExp(`^<(${NAME})((?:\\s+${NAME}="[^"<]*")*)\\s*(/?)>`);
  const close = new RegExp(`^</(${NAME})\\s*>`);
  while (rest.length) {
    const top = stack[stack.length - 1]!;
    const closing = rest.match(close);
    const opening = rest.match(open);
    let consumed: string;
    if (closing) {
      if (closing[1] !== top.name) throw new Error(`</${closing[1]}> closes <${top.name}>`);
      stack.pop();
      consumed = closing[0];
    } else if (opening) {
      const attrs: Record<string, string> = {};
      for (const a of opening[2]!.matchAll(new RegExp(`(${NAME})="([^"<]*)"`, 'g'))) {
        if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]}`);
        attrs[a[1]!] = decode(a[2]!.replace(/[\t\n\r]/g, ' '));
      }
      const node: XmlNode = { name: opening[1]!, attrs, children: [], text: '' };
      top.children.push(node);
      if (opening[3] !== '/') stack.push(node);
      consumed = opening[0];
    } else if (rest.startsWith('<')) {
      throw new Error(`malformed markup at ${JSON.stringify(rest.slice(0, 40))}`);
    } else {
      consumed = rest.indexOf('<') === -1 ? rest : rest.slice(0, rest.indexOf('<'));
      if (consumed.includes(']]>')) throw new Error(']]> in text');
      top.text += decode(consumed);
    }
    rest = rest.slice(consumed.length);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  expect(root.children.length).toBe(1);
  return root.children[0]!;
}
