// ES module entry: the same classes as the CommonJS entry (one implementation, one state).
import ocus from './index.js'

export const {
  Client,
  Projects,
  ProjectList,
  Project,
  Page,
  webhooks,
  VERSION,
  OcusError,
  APIError,
  AuthenticationError,
  PermissionDeniedError,
  BadRequestError,
  NotFoundError,
  MethodNotAllowedError,
  ConflictError,
  RateLimitError,
  InternalServerError,
  ServiceUnavailableError,
  APIConnectionError,
  APITimeoutError,
  DecodeError,
  ConfigurationError,
  SignatureVerificationError,
  AbortError,
} = ocus
export default ocus
