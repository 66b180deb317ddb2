// Mutation testing of @pagi/spec: `pnpm mutation` (see docs/mutation-testing.md).
import { strykerConfig } from '../../tooling/stryker/base.mjs';

export default strykerConfig({ breakAt: 95 });
