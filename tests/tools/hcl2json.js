// Parses each HCL file named on the command line with HashiCorp's HCL parser
// (@cdktf/hcl2json, a WebAssembly build of hashicorp/hcl) and prints one JSON
// document: {"<file>": <parsed>}. Exit 1 with the parser's message on a syntax error.
// The package is found through NODE_PATH (scripts/test-tools installs it).
const { parse } = require('@cdktf/hcl2json');
const fs = require('fs');

(async () => {
  const out = {};
  for (const file of process.argv.slice(2)) {
    try {
      out[file] = await parse(file, fs.readFileSync(file, 'utf8'));
    } catch (e) {
      process.stderr.write(`${file}: ${e}\n`);
      process.exit(1);
    }
  }
  process.stdout.write(JSON.stringify(out));
})();
