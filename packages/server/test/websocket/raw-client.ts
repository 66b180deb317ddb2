import { connect } from 'node:net';

/** Sends raw bytes and collects everything until the server closes: head and body split. */
export function rawRequest(
  port: number,
  request: string,
): Promise<{ head: string; body: string; raw: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let raw = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      raw += chunk;
      // A 101 leaves the socket open: the head alone is the answer.
      if (raw.startsWith('HTTP/1.1 101') && raw.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const split = raw.indexOf('\r\n\r\n');
      resolve({ head: raw.slice(0, split), body: raw.slice(split + 4), raw });
    });
    socket.write(request);
  });
}
