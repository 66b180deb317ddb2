export { urlMap, type UrlMapOptions, type UrlMapTable } from './url-map.js';
