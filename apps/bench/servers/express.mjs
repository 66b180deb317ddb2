// Express 5 hello world on its own app.listen() (node:http underneath).
import { announce, expressHello } from './legacy-apps.mjs';

const server = expressHello().listen(0, '127.0.0.1', () => announce(server.address().port));
server.keepAliveTimeout = 60_000;
