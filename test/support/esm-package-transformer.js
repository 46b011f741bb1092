/**
 * NestJS 12 (and some of its dependencies) publish ES modules only, and Jest on Node 20 runs tests as CommonJS and cannot require()
 * an ES module. This Jest transformer compiles those packages' files to CommonJS with the TypeScript
 * compiler, standing in for `import.meta` with its CommonJS equivalents. (On Node 24.9+ Jest loads them
 * natively and this transformer can go.)
 */
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const ts = require('typescript');

const ES_MODULE_SYNTAX = /^\s*(import|export)\b[\s{*'"]/m;
const IMPORT_META_URL = /\bimport\.meta\.url\b/g;
// `const require = createRequire(import.meta.url);` recreates what CommonJS already has.
const REQUIRE_RECREATED = /^(const|let|var) require = [^;\n]+;?$/gm;

module.exports = {
  getCacheKey(sourceText, sourcePath) {
    return createHash('sha256')
      .update(readFileSync(__filename))
      .update(ts.version)
      .update(sourcePath)
      .update(sourceText)
      .digest('hex');
  },
  process(sourceText, sourcePath) {
    if (!ES_MODULE_SYNTAX.test(sourceText)) return { code: sourceText };
    const source = sourceText
      .replace(REQUIRE_RECREATED, '')
      .replace(/\bimport\.meta\.resolve\(/g, 'require.resolve(')
      .replace(/\bimport\.meta\.dirname\b/g, '__dirname')
      .replace(/\bimport\.meta\.filename\b/g, '__filename')
      .replace(IMPORT_META_URL, "require('node:url').pathToFileURL(__filename).href");
    const { outputText } = ts.transpileModule(source, {
      fileName: sourcePath,
      compilerOptions: {
        allowJs: true,
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2023,
        esModuleInterop: true,
      },
    });
    return { code: outputText };
  },
};
