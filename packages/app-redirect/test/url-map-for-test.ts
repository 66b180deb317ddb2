import type { App } from '@pagi/spec';
import { compose, mount } from '@pagi/spec/middleware';

/** A two-route map for the socket test, with the kit's mount (this package does not depend on app-url-map). */
export function urlMapForTest(table: Record<string, App>): App {
  return compose(...Object.entries(table).map(([prefix, app]) => mount(prefix, app)))(async () => {});
}
