/** Escaping for text put into HTML / SVG markup and for JSON put inside a <script> element. */

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text content or an attribute value (double- or single-quoted). */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/**
 * JSON that can sit inside `<script type="application/json">`: `<` is written `\u003c` so no
 * `</script>` or `<!--` in the data can end the element; U+2028/2029 for old parsers.
 */
export function scriptJson(data: unknown): string {
  return JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
