// The same listing in TypeScript, with the package's types.
import { Client, type Page, type Project, type ResponseInfo } from 'ocus'

async function main(): Promise<void> {
  const client = new Client({ maxRetries: 3, timeoutMs: 30_000 })
  const { data: first, response }: { data: Page; response: ResponseInfo } = await client.projects
    .listPage({ pageSize: 5, status: 'completed' })
    .withResponse()
  console.log(`completed: ${first.meta.total} projects (HTTP ${response.status}, request ${response.requestId})`)
  const all: Project[] = []
  for await (const project of client.projects.list({ pageSize: 100 })) all.push(project)
  const unknown = all.filter((p) => !p.isKnownStatus).map((p) => p.status)
  console.log(`${all.length} projects; undocumented statuses: ${unknown.join(', ') || 'none'}`)
  const raw = await client.request<{ meta: { total: number } }>('GET', '/projects', { query: { 'page[size]': 1 } })
  console.log(`total from a raw request: ${raw.meta.total}`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
