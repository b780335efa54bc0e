/**
 * Characters XML 1.0 cannot carry at all, even escaped: C0 controls other than
 * tab, newline and carriage return, lone surrogates, U+FFFE and U+FFFF.
 */
const notXmlChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function visible(text: string): string {
  return text.replace(notXmlChar, (ch) => `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

/**
 * Escapes text for an XML element body. An adapter's messages are untrusted
 * (the checker never trusts an adapter), so characters XML cannot represent are written
 * as visible `\uXXXX` rather than dropped or left to break the document.
 */
export function escapeXmlText(text: string): string {
  return visible(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes text for a double-quoted XML attribute, keeping tabs and line breaks (which parsers would normalize). */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}
