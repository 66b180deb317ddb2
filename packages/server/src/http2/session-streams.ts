import type { IncomingHttpHeaders, ServerHttp2Session, ServerHttp2Stream } from 'node:http2';

/** A session's 'stream' listener (node's arguments). */
export type SessionStreamListener = (
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  flags: number,
  rawHeaders: string[],
) => void;

/**
 * Takes each new stream from its session rather than from the server. node emits 'stream' on the
 * session, whose one listener (lib/internal/http2/core.js `sessionOnStream`) emits it again on the
 * server: a second `emit` with rest arguments per stream, and a lookup from the stream back to
 * its connection. The session's listener here already knows the connection. Returns false, and
 * changes nothing, when the session's 'stream' listeners are not node's one forwarder (the
 * caller's server-level listener then takes the streams as before).
 */
export function takeStreams(session: ServerHttp2Session, listener: SessionStreamListener): boolean {
  const current = session.listeners('stream');
  if (current.length !== 1 || current[0]!.name !== 'sessionOnStream') return false;
  session.removeListener('stream', current[0] as SessionStreamListener);
  session.on('stream', listener);
  return true;
}
