/** The debug panel's HTML; every value from the request or response is escaped. */
import { escapeHtml, type HeaderList, type HttpScope } from '@pagi/spec';

export interface PanelParts {
  showScope: boolean;
  showHeaders: boolean;
  showTiming: boolean;
  redact: ReadonlySet<string>;
}

function rows(pairs: ReadonlyArray<readonly [string, string]>): string {
  let out = '';
  for (const [name, value] of pairs) {
    out += `<tr><th style="text-align:left;padding-right:1em;vertical-align:top">${escapeHtml(name)}</th><td style="word-break:break-all">${escapeHtml(value)}</td></tr>`;
  }
  return `<table style="border-collapse:collapse;font:12px monospace">${out}</table>`;
}

function shownHeaders(headers: HeaderList, redact: ReadonlySet<string>): Array<[string, string]> {
  return headers.map(([name, value]) => [name, redact.has(name) ? '[redacted]' : value]);
}

export function renderPanel(
  parts: PanelParts,
  scope: HttpScope,
  status: number,
  responseHeaders: HeaderList,
  elapsedMs: number,
): string {
  const query = scope.query_string === '' ? '' : `?${scope.query_string}`;
  let html =
    '\n<div id="pagi-debug" style="position:fixed;bottom:0;left:0;right:0;max-height:40vh;overflow:auto;' +
    'background:#fffbe6;color:#222;border-top:2px solid #c90;padding:8px;z-index:2147483647;font:12px monospace">' +
    `<strong>PAGI debug</strong> ${escapeHtml(scope.method)} ${escapeHtml(scope.path + query)} → ${status}`;
  if (parts.showTiming) html += ` in ${elapsedMs.toFixed(1)} ms`;
  if (parts.showScope) {
    html += `<h4 style="margin:6px 0 2px">Scope</h4>${rows([
      ['http_version', scope.http_version],
      ['scheme', scope.scheme],
      ['root_path', scope.root_path],
      ['raw_path', scope.raw_path ?? ''],
      ['client', scope.client === undefined ? '-' : `${scope.client[0]}:${scope.client[1]}`],
      ['server', scope.server === undefined ? '-' : `${scope.server[0]}:${String(scope.server[1])}`],
    ])}`;
  }
  if (parts.showHeaders) {
    html += `<h4 style="margin:6px 0 2px">Request headers</h4>${rows(shownHeaders(scope.headers, parts.redact))}`;
    html += `<h4 style="margin:6px 0 2px">Response headers</h4>${rows(shownHeaders(responseHeaders, parts.redact))}`;
  }
  return `${html}</div>\n`;
}
