export { xsendfile, type XSendfileOptions, type XSendfileType } from './xsendfile.js';
