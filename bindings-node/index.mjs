// ES module entry: the same classes as the CommonJS entry (one implementation, one state).
import ocus from './index.js'

export const {
  Client,
  Projects,
  ProjectList,
  Project,
  Page,
  ResponseInfo,
  APIPromise,
  webhooks,
  VERSION,
} = ocus
export * from './errors.js'
export default ocus
