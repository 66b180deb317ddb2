import { describeConformance } from '../src/describe-conformance.js';
import { inProcess } from '../src/in-process.js';

describeConformance('in-process (@pagi/test)', inProcess, {});
