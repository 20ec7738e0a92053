// List projects page after page (key from OCUS_API_KEY or OCUS_API_KEY_FILE).
'use strict'
const { Client } = require('ocus')

async function main() {
  const client = new Client()
  const first = await client.projects.listPage({ pageSize: 5 })
  console.log(`first page: ${first.data.length} of ${first.meta.total} projects`)
  for (const project of first) console.log(`  ${project.id}  ${String(project.status).padEnd(20)}  ${project.attributes.name}`)
  const statuses = new Map()
  for await (const project of client.projects.list({ pageSize: 50 })) {
    statuses.set(project.status, (statuses.get(project.status) || 0) + 1)
  }
  console.log(`all pages: ${[...statuses.values()].reduce((a, b) => a + b, 0)} projects`)
  for (const [status, count] of statuses) console.log(`  ${String(status).padEnd(20)} ${count}`)
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
