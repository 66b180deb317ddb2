/**
 * The chat page served at `GET /`: one HTML document with inline CSS and JavaScript, so there is
 * no build step. Everything the server sends is inserted with `textContent`, never as HTML, so
 * a chat message cannot inject markup.
 */

/** The `/` page. Static text: built once when the module loads. */
export const chatPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PAGI chat demo</title>
<style>
  body { font: 16px/1.4 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  header { display: flex; justify-content: space-between; align-items: baseline; }
  #clock { font-variant-numeric: tabular-nums; color: #555; }
  #status { font-size: .9rem; color: #a00; }
  #status.open { color: #070; }
  #log { list-style: none; padding: .5rem; border: 1px solid #ccc; border-radius: 4px; height: 18rem; overflow-y: auto; }
  #log li { margin: .2rem 0; }
  #log li.notice { color: #777; font-style: italic; }
  #log b { margin-right: .4rem; }
  form { display: flex; gap: .5rem; }
  #message { flex: 1; padding: .4rem; }
</style>
</head>
<body>
<header>
  <h1>PAGI chat</h1>
  <span>server time: <time id="clock" data-ticks="0">waiting…</time></span>
</header>
<p>You are <b id="me">…</b> · <span id="status">connecting…</span> · <span id="online">0</span> online</p>
<ul id="log" aria-live="polite"></ul>
<form id="chat-form" autocomplete="off">
  <input id="message" maxlength="500" placeholder="Say something" aria-label="Message">
  <button type="submit">Send</button>
</form>
<script type="module">
  const $ = (id) => document.getElementById(id);
  const log = $('log');

  function addLine(className, from, text) {
    const li = document.createElement('li');
    li.className = className;
    if (from) {
      const who = document.createElement('b');
      who.textContent = from;
      li.append(who);
    }
    li.append(document.createTextNode(text));
    log.append(li);
    log.scrollTop = log.scrollHeight;
  }

  // Server clock and presence over Server-Sent Events; EventSource reconnects by itself.
  const events = new EventSource('/events');
  events.addEventListener('tick', (e) => {
    const clock = $('clock');
    clock.textContent = new Date(e.data).toLocaleTimeString();
    clock.dateTime = e.data;
    clock.dataset.ticks = String(Number(clock.dataset.ticks) + 1);
  });
  for (const type of ['join', 'leave']) {
    events.addEventListener(type, (e) => {
      const { name, online } = JSON.parse(e.data);
      $('online').textContent = String(online);
      addLine('notice', '', type === 'join' ? name + ' joined' : name + ' left');
    });
  }

  // Chat over a WebSocket. ?name=Ada in the page URL picks the display name.
  const name = new URLSearchParams(location.search).get('name') ?? '';
  const wsUrl = new URL('/ws/chat', location.href);
  wsUrl.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (name) wsUrl.searchParams.set('name', name);
  const ws = new WebSocket(wsUrl);
  ws.addEventListener('message', (e) => {
    const msg = JSON.parse(e.data);
    if (msg.type === 'welcome') {
      $('me').textContent = msg.name;
      $('online').textContent = String(msg.online);
      for (const old of msg.history) addLine('message', old.from, old.text);
      const status = $('status');
      status.textContent = 'connected';
      status.className = 'open';
    } else if (msg.type === 'message') {
      addLine('message', msg.from, msg.text);
    }
  });
  ws.addEventListener('close', (e) => {
    const status = $('status');
    status.textContent = 'disconnected (' + e.code + ')';
    status.className = '';
  });

  $('chat-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('message');
    if (input.value.trim() && ws.readyState === WebSocket.OPEN) ws.send(input.value);
    input.value = '';
  });
</script>
</body>
</html>
`;
