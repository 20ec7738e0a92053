// What an unknown, revoked or expired key looks like, handled with the error classes.
'use strict'
const { Client, AuthenticationError, PermissionDeniedError, RateLimitError, APIConnectionError, ConfigurationError } = require('ocus')

async function describe(apiKey) {
  try {
    const page = await new Client({ apiKey, maxRetries: 1 }).projects.listPage({ pageSize: 1 })
    return `ok: ${page.meta.total} projects`
  } catch (error) {
    if (error instanceof AuthenticationError) return `401 ${error.kind}: ${error.message} (request ${error.requestId})`
    if (error instanceof PermissionDeniedError) return `403 ${error.kind}: ${error.message} (request ${error.requestId})`
    if (error instanceof RateLimitError) return `429: retry after ${error.retryAfter} s`
    if (error instanceof APIConnectionError) return `cannot reach OCUS: ${error.message}`
    throw error
  }
}

async function main() {
  const keys = process.argv.slice(2)
  for (const key of keys.length ? keys : [process.env.OCUS_API_KEY]) console.log(await describe(key))
  try {
    new Client({ apiKey: 'two words' })
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error
    console.log(`rejected before sending: ${error.message}`)
  }
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
