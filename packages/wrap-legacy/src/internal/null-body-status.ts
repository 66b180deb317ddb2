/**
 * Statuses whose `Response` may not carry a body (Fetch standard "null body status": 101, 103,
 * 204, 205, 304). Comparisons rather than a `Set`: the lightweight Response asks on every
 * construction with a body, and a hash lookup costs more than five compares.
 */
export function isNullBodyStatus(status: number): boolean {
  return status === 204 || status === 304 || status === 205 || status === 101 || status === 103;
}
