'use strict'
// index.d.ts is emitted by tsc from the JSDoc types of index.js (tsconfig.json: checked, then
// declarations only). `node scripts/types.js` fails when index.d.ts differs from what tsc emits
// now (or when index.js does not type-check); `node scripts/types.js --write` updates it.
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const PACKAGE = path.join(__dirname, '..')
const TARGET = path.join(PACKAGE, 'index.d.ts')
const HEADER = `// Emitted by tsc from the JSDoc types of index.js: do not edit by hand. Edit index.js and run
// \`node scripts/types.js --write\` (\`node scripts/types.js\`, run by the tests, fails when this
// file is stale). The script adds this comment and the \`export *\` of the generated error
// classes, which index.js copies onto module.exports where tsc does not see them.
`

/** The declarations tsc emits for index.js, as index.d.ts holds them. */
function emit() {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [PACKAGE] })
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocus-types-'))
  try {
    const result = spawnSync(process.execPath, [tsc, '-p', path.join(PACKAGE, 'tsconfig.json'), '--outDir', outDir], {
      cwd: PACKAGE,
      encoding: 'utf8',
    })
    if (result.status !== 0) {
      process.stderr.write(result.stdout + result.stderr)
      throw new Error(`tsc failed (exit ${result.status ?? result.signal}): index.js does not type-check against its JSDoc`)
    }
    const emitted = fs.readFileSync(path.join(outDir, 'index.d.ts'), 'utf8')
    // Triple-slash directives must come before any statement.
    const lines = emitted.split('\n')
    const directives = lines.findIndex((line) => !line.startsWith('///'))
    return [HEADER + lines.slice(0, directives).join('\n'), 'export * from "./errors";', lines.slice(directives).join('\n')].join('\n')
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true })
  }
}

function main() {
  let expected
  try {
    expected = emit()
  } catch (error) {
    console.error(error.message)
    return 1
  }
  if (process.argv.includes('--write')) {
    fs.writeFileSync(TARGET, expected)
    console.log('wrote index.d.ts')
    return 0
  }
  const actual = fs.existsSync(TARGET) ? fs.readFileSync(TARGET, 'utf8') : ''
  if (actual === expected) return 0
  const a = actual.split('\n')
  const e = expected.split('\n')
  let line = 0
  while (line < a.length && a[line] === e[line]) line++
  console.error('index.d.ts is stale: run node scripts/types.js --write')
  console.error(`  first difference at line ${line + 1}:\n  committed: ${a[line] ?? '(end of file)'}\n  emitted:   ${e[line] ?? '(end of file)'}`)
  return 1
}

process.exitCode = main()
