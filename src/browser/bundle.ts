import { build, type Plugin } from 'esbuild';

/**
 * Node's built-in modules, as the page sees them: the checker's own code that the page host
 * imports names them (loadAdapter, the worker's connection) without calling them there; an
 * adapter that calls one fails with this error, which names the module.
 */
const nodeStub: Plugin = {
  name: 'optimspec-node-stub',
  setup(setup) {
    setup.onResolve({ filter: /^(node:|tsx($|\/))/ }, (args) => ({ path: args.path, namespace: 'optimspec-stub' }));
    setup.onLoad({ filter: /.*/, namespace: 'optimspec-stub' }, (args) => ({
      contents: `const missing = () => { throw new Error(${JSON.stringify(`${args.path} is not available in the browser`)}); };
module.exports = new Proxy({}, { get: (_, key) => (key === '__esModule' ? false : missing) });`,
      loader: 'js',
    }));
  },
};

/**
 * The page's script: the page host (src/browser/page-host.ts, next to this file, `.ts` or
 * `.js`) and the adapter module at `file` with everything it imports, in one script, so that
 * the page loads nothing else. Rejects with esbuild's message when the module cannot be bundled.
 */
export async function bundlePage(file: string, modulePath: string): Promise<string> {
  const here = import.meta.url;
  const pageHost = new URL(`./page-host.${here.endsWith('.ts') ? 'ts' : 'js'}`, here).pathname;
  const entry = `import { servePage } from ${JSON.stringify(pageHost)};
servePage(${JSON.stringify(modulePath)}, () => import(${JSON.stringify(file)}));`;
  const result = await build({
    stdin: { contents: entry, resolveDir: '/', loader: 'js', sourcefile: 'optimspec-page.js' },
    bundle: true,
    write: false,
    format: 'esm',
    splitting: false,
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'silent',
    plugins: [nodeStub],
    define: {
      'import.meta.url': '"file:///optimspec-page/src/browser/page.js"',
      'process.env.NODE_ENV': '"production"',
    },
  });
  return result.outputFiles[0]!.text;
}
