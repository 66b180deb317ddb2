export { authBearer, type AuthBearerOptions, type BearerClaims, type BearerValidate } from './auth-bearer.js';
export type { JwsAlgorithm } from './jwt.js';
export type { BearerErrorCode } from './challenge.js';
