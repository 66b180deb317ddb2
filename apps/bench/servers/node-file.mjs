// Bare node:http baseline for file.mjs: fs.createReadStream(path).pipe(res), Content-Length set.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { serving } from './_cpu.mjs';

const root = process.env.BENCH_FILE_ROOT;
const server = createServer((req, res) => {
  const path = join(root, req.url.slice(1));
  const { size } = statSync(path);
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
  createReadStream(path).pipe(res);
});
server.listen(0, '127.0.0.1', () => serving(server.address().port));
