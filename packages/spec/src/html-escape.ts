const HTML_UNSAFE = /[&<>"']/g;
const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * `text` safe to place in HTML element content or a quoted attribute: `& < > " '` become entities.
 * For error pages and debug panels that show request data (XSS).
 *
 * @example
 * escapeHtml('<script>"x"</script>') // '&lt;script&gt;&quot;x&quot;&lt;/script&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(HTML_UNSAFE, (c) => HTML_ENTITIES[c]!);
}
