'use strict'
// index.d.ts is emitted by tsc from index.js's JSDoc (types-emitted.test.js keeps it fresh):
// this test fails when it drifts from the runtime exports (like Python's mypy.stubtest), and
// the TypeScript example must compile against it.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const ts = require('typescript')
const { ocus, REPO } = require('./helpers.js')

// index.d.ts is emitted by tsc; errors.d.ts is generated from the core's kind table.
const declaredValues = new Map()
const sources = []
let kindUnion = []
for (const file of ['index.d.ts', 'errors.d.ts']) {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(__dirname, '..', file), 'utf8'), ts.ScriptTarget.ES2022)
  sources.push(source)
  for (const statement of source.statements) {
    const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    if (!exported) continue
    if (ts.isClassDeclaration(statement)) declaredValues.set(statement.name.text, { node: statement, source })
    if (ts.isVariableStatement(statement)) for (const d of statement.declarationList.declarations) declaredValues.set(d.name.text, { node: d, source })
    if (ts.isTypeAliasDeclaration(statement) && statement.name.text === 'ErrorKind') kindUnion = statement.type.types.map((t) => t.literal.text)
  }
}

test('every error kind has its class at runtime, with the kind as a static', () => {
  assert.ok(kindUnion.length >= 16, 'the ErrorKind union was found')
  for (const kind of kindUnion) {
    const classes = Object.values(ocus).filter((value) => typeof value === 'function' && value.kind === kind)
    assert.equal(classes.length, 1, `one class for ${kind}`)
    assert.ok(new classes[0]('x', { kind }) instanceof ocus.OcusError)
  }
  assert.ok(new ocus.ServiceUnavailableError('x') instanceof ocus.InternalServerError)
  assert.ok(new ocus.APITimeoutError('x') instanceof ocus.APIConnectionError)
})

test('every runtime export is declared and every declared value exists', () => {
  const runtime = Object.keys(ocus).sort()
  assert.deepEqual([...declaredValues.keys()].sort(), runtime)
})

test('declared class methods and accessors exist at runtime', () => {
  for (const [name, { node, source }] of declaredValues) {
    if (!ts.isClassDeclaration(node)) continue
    for (const member of node.members) {
      if (!ts.isMethodDeclaration(member) && !ts.isGetAccessorDeclaration(member)) continue
      const memberName = ts.isComputedPropertyName(member.name) ? member.name.expression.getText(source) : member.name.text
      const key = memberName === 'Symbol.iterator' ? Symbol.iterator : memberName === 'Symbol.asyncIterator' ? Symbol.asyncIterator : memberName
      assert.ok(key in ocus[name].prototype, `${name}.${String(memberName)} is declared but missing at runtime`)
    }
  }
})

test('the TypeScript example compiles against index.d.ts', () => {
  const examples = path.join(REPO, 'examples', 'node')
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', examples], { stdio: 'inherit' })
})
