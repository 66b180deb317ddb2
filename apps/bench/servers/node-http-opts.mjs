import { createServer } from 'node:http';
const body = 'Hello, World!';
const server = createServer({ keepAliveTimeout: 60_000, maxHeaderSize: 16384, insecureHTTPParser:false, requireHostHeader:true, joinDuplicateHeaders:false, noDelay:true, keepAlive:false, requestTimeout:0, headersTimeout:30000, connectionsCheckingInterval:1000 }, (_req, res) => {
  res.on('finish', ()=>{});
  res.writeHead(200, ['content-type', 'text/plain', 'content-length', '13']);
  res.end(body);
});
server.maxHeadersCount=101;
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('SIGTERM', () => process.exit(0));
