import { createServer } from '@pagi/server';
const app = async (scope, receive, send) => {
  await receive();
  await send({ type: 'websocket.accept' });
  for (;;) {
    const event = await receive();
    if (event.type !== 'websocket.receive') return;
    await send(event.text !== undefined ? { type: 'websocket.send', text: event.text } : { type: 'websocket.send', bytes: event.bytes });
  }
};
const server = createServer(app, { host: '127.0.0.1', port: 0, lifespan: 'off', logLevel: 'warn', maxConnections: 0 });
await server.listen();
console.log(server.port);
const c0 = process.cpuUsage();
setTimeout(() => { const c = process.cpuUsage(c0); console.log("cpu ms", (c.user + c.system) / 1000); process.exit(0); }, 6000);
