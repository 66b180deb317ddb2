/** A listener address as text, e.g. `http://127.0.0.1:8000` or `unix:/run/app.sock`. */
export type BoundAddressText = string;
