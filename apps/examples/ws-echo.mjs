// A WebSocket echo server: `ws://127.0.0.1:8000/` sends every message back, up to 64 KiB.
import { wsEcho } from '@pagi/app-ws-echo';

export default wsEcho({ maxMessageBytes: 64 * 1024 });
