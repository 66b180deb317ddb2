// Mutation testing of @pagi/test: `pnpm mutation` (see docs/mutation-testing.md). No break
// threshold yet: the score is measured and reported, not enforced.
import { strykerConfig } from '../../tooling/stryker/base.mjs';

export default strykerConfig({ breakAt: null });
