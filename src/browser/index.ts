// What src/browser/ offers the rest of src/: an adapter module run in a page of headless Chromium.
export { CHROMIUM_INSTALL, findChromium } from './chromium.js';
export { type BrowserOptions, openInBrowser } from './open-in-browser.js';
