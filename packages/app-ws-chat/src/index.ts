export { wsChat, type WsChatOptions } from './chat.js';
export { chatPage, type ChatPageOptions } from './page.js';
export type { ClientMessage, ServerMessage } from './protocol.js';
