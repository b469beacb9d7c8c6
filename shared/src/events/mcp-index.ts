/**
 * The MCP events index (alias / daily prefix) that pairs with an events index: `<x>-events` → `<x>-mcp`
 * (`auditgate-events` → `auditgate-mcp`), else `<events>_mcp` (never inside the events pattern `<events>-*`). The
 * indexer writes there and the query service reads there unless told otherwise, so a deployment (or a test) with its
 * own events prefix gets its own MCP index too.
 */
export function mcpIndexFor(eventsIndex: string): string {
  return eventsIndex.endsWith('-events') ? `${eventsIndex.slice(0, -'-events'.length)}-mcp` : `${eventsIndex}_mcp`;
}
