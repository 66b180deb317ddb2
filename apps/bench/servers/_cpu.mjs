// Shared tail of every benchmark server: report the port, stop on SIGTERM, answer CPU-time queries
// (the benchmark computes CPU per request, which machine load skews less than req/s).
export function serving(port) {
  process.send?.({ port });
  process.on('SIGTERM', () => process.exit(0));
  process.on('message', (m) => {
    if (m === 'cpu') process.send({ cpu: process.cpuUsage() });
  });
}
