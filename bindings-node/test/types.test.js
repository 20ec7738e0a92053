'use strict'
// index.d.ts is hand-written: this test fails when it drifts from the runtime (like Python's
// mypy.stubtest), and the TypeScript example must compile against it.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const ts = require('typescript')
const { ocus, REPO } = require('./helpers.js')

const source = ts.createSourceFile('index.d.ts', fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8'), ts.ScriptTarget.ES2022)
const declaredValues = new Map()
for (const statement of source.statements) {
  const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
  if (!exported) continue
  if (ts.isClassDeclaration(statement)) declaredValues.set(statement.name.text, statement)
  if (ts.isVariableStatement(statement)) for (const d of statement.declarationList.declarations) declaredValues.set(d.name.text, d)
}

test('every runtime export is declared and every declared value exists', () => {
  const runtime = Object.keys(ocus).sort()
  assert.deepEqual([...declaredValues.keys()].sort(), runtime)
})

test('declared class methods and accessors exist at runtime', () => {
  for (const [name, node] of declaredValues) {
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
