/**
 * What an adapter threw, as text, without ever throwing itself: an Error's
 * message, else `String(value)`, else (a null-prototype object, a throwing
 * `toString`, a revoked Proxy) a description. The checker quotes adapter errors in
 * findings; a value whose conversion throws must not crash the run.
 */
export function errorText(value: unknown): string {
  try {
    if (value instanceof Error) return String(value.message);
  } catch {
    // A throwing getter or a Proxy: described below.
  }
  try {
    return String(value);
  } catch {
    try {
      return `an object that cannot be converted to a string (${Object.prototype.toString.call(value)})`;
    } catch {
      return 'a value that cannot be described';
    }
  }
}
