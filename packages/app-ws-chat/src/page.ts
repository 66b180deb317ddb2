/**
 * `chatPage()`: a small HTML client for {@link wsChat}, served as its own app (mount the socket
 * next to it). Everything a peer sends is rendered with `textContent`, never as markup, and a
 * Content-Security-Policy allows only this page's own inline script and style (by hash).
 */
import { createHash } from 'node:crypto';
import { escapeHtml, PagiValidationError, type Receive, type Scope, type Send } from '@pagi/spec';
import { respond } from '@pagi/spec/middleware';

export interface ChatPageOptions {
  /** Where the chat socket is, resolved against the page's URL (`'ws'` next to `/` is `/ws`). Default `'ws'`. */
  socket?: string;
  /** The page title. Default `'PAGI chat'`. */
  title?: string;
}

const STYLE = `body{font:15px system-ui,sans-serif;margin:0 auto;max-width:44rem;padding:1rem}
header{display:flex;gap:1rem;align-items:baseline;flex-wrap:wrap}
#log{list-style:none;padding:.5rem;border:1px solid #ccc;height:22rem;overflow-y:auto;margin:.5rem 0}
#log li.event{color:#666;font-style:italic}#log li.error{color:#b00}
#log b{margin-right:.5rem}#users{color:#444}form{display:flex;gap:.5rem;margin:.25rem 0}
form input{flex:1}`;

const SCRIPT = `(() => {
  const $ = (id) => document.getElementById(id);
  const log = $('log');
  let room = '';
  let me = '';
  const url = new URL(document.body.dataset.socket, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(url);
  const send = (message) => ws.send(JSON.stringify(message));
  const line = (kind, name, text) => {
    const li = document.createElement('li');
    li.className = kind;
    if (name !== undefined) {
      const b = document.createElement('b');
      b.textContent = name;
      li.append(b);
    }
    li.append(document.createTextNode(text));
    log.append(li);
    log.scrollTop = log.scrollHeight;
  };
  const setRoom = (name) => {
    room = name;
    $('room-name').textContent = name;
    send({ type: 'list', room });
  };
  ws.onopen = () => { $('status').textContent = 'connected'; };
  ws.onclose = () => { $('status').textContent = 'disconnected'; };
  ws.onmessage = (event) => {
    const m = JSON.parse(event.data);
    switch (m.type) {
      case 'welcome': me = m.username; $('me').textContent = me; setRoom(m.room); break;
      case 'message': if (m.room === room) line('message', m.username, m.message); break;
      case 'user_joined': if (m.room === room) { line('event', undefined, m.username + ' joined'); send({ type: 'list', room }); } break;
      case 'user_left': if (m.room === room) { line('event', undefined, m.username + ' left'); send({ type: 'list', room }); } break;
      case 'joined': setRoom(m.room); line('event', undefined, 'you joined ' + m.room); break;
      case 'left': line('event', undefined, 'you left ' + m.room); break;
      case 'nick':
        if (m.user_id === undefined) { me = m.username; $('me').textContent = me; line('event', undefined, 'you are now ' + me); }
        else if (m.room === room) { line('event', undefined, m.previous + ' is now ' + m.username); send({ type: 'list', room }); }
        break;
      case 'users': if (m.room === room) $('users').textContent = m.users.join(', '); break;
      case 'error': line('error', undefined, m.message); break;
    }
  };
  $('send').onsubmit = (event) => {
    event.preventDefault();
    const text = $('message').value;
    if (text === '') return;
    send({ type: 'message', message: text, room });
    line('message', me, text);
    $('message').value = '';
  };
  $('nick').onsubmit = (event) => { event.preventDefault(); send({ type: 'nick', username: $('nickname').value }); };
  $('join').onsubmit = (event) => { event.preventDefault(); send({ type: 'join', room: $('room').value }); };
})();`;

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
// Only this script and this style may run; sockets and fetches only to this origin ('self' covers ws(s): in CSP 3).
const CSP = `default-src 'none'; script-src ${hash(SCRIPT)}; style-src ${hash(STYLE)}; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/**
 * Creates the page app: `GET`/`HEAD` get the page, other methods 405, WebSocket and SSE 404.
 *
 * @throws PagiValidationError for an unknown option or a bad value.
 * @example
 * import { createChannelLayer } from '@pagi/channels';
 * const layer = createChannelLayer();
 * export default compose(mount('/ws', wsChat({ layer })))(chatPage());
 */
export function chatPage(options: ChatPageOptions = {}) {
  for (const key of Object.keys(options)) {
    if (key !== 'socket' && key !== 'title')
      throw new PagiValidationError(`chatPage(): unknown option '${key}'`);
  }
  const socket = options.socket ?? 'ws';
  const title = options.title ?? 'PAGI chat';
  if (typeof socket !== 'string' || typeof title !== 'string') {
    throw new PagiValidationError('chatPage(): expected socket and title to be strings');
  }
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body data-socket="${escapeHtml(socket)}">
<header><h1>${escapeHtml(title)}</h1><span id="status">connecting</span><span>you: <b id="me"></b></span><span>room: <b id="room-name"></b></span></header>
<form id="nick"><input id="nickname" placeholder="nickname (letters, digits, _ -)" maxlength="20" autocomplete="off"><button>Set nickname</button></form>
<form id="join"><input id="room" placeholder="room" maxlength="64" autocomplete="off"><button>Join</button></form>
<div>online: <span id="users"></span></div>
<ul id="log" aria-live="polite"></ul>
<form id="send"><input id="message" placeholder="message" autocomplete="off"><button type="submit">Send</button></form>
<script>${SCRIPT}</script>
</body></html>
`;
  const body = Buffer.from(html);
  const headers = {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  };

  return async function chatPageApp(scope: Scope, _receive: Receive, send: Send): Promise<void> {
    if (scope.type === 'lifespan') return;
    if (scope.type !== 'http') return respond(scope, send, 404);
    if (scope.method !== 'GET' && scope.method !== 'HEAD') {
      return respond(scope, send, 405, { headers: { allow: 'GET, HEAD' } });
    }
    await send({
      type: 'http.response.start',
      status: 200,
      headers: [...Object.entries(headers), ['content-length', String(body.byteLength)]],
    });
    await send({ type: 'http.response.body', body: scope.method === 'HEAD' ? new Uint8Array(0) : body });
  };
}
