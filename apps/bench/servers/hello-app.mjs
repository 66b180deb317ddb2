// The hello-world PAGI app as a module for the pagi-server CLI (http-workers.mjs).
const headers = [['content-type', 'text/plain']];
export default async function hello(scope, _receive, send) {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 200, headers });
  await send({ type: 'http.response.body', body: 'Hello, World!' });
}
