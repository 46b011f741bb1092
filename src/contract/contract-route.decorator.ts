import { RouteConfig } from '@nestjs/platform-fastify';

/**
 * How a route's failures look on the wire. The published API pages give each route its own body for
 * "cannot process this request"; this marker tells `ContractExceptionFilter` which one.
 * - `login`: PayloadModel for 401/429, the JSON string 服务器暂时无法处理登录请求。 for 400.
 * - `register`: the JSON string 服务器暂时无法处理注册请求。 for 400, PayloadModel (RequestType 12) for 429;
 *   the rules' refusals are 200 answers of the route itself (register.md).
 * - `findPassword`, `resetPassword`: the same, with their own string and RequestType 14 and 15 (reset also
 *   answers a locked name with the login's 429 body, RequestType 15).
 * - `updatePassword`: PayloadModel (RequestType 20) for every failure but the bearer token's own 401s,
 *   with the login's message for a wrong current password.
 * - `logout`: PayloadModel (RequestType 1, 退出登录失败！) for every failure but the bearer token's own
 *   401s, as logout.md answers both a failed logout and a request the server cannot process.
 * - `bearer` (the default): JSON strings, as `/user/refresh` documents.
 * - `admin`: the operators' routes, which are this service's own and not FunGame's: every failure but the
 *   API token's own 401/403 is `{"statusCode","message"}` (`AdminErrorBody`).
 * - `gameServer` (`/oauth/introspect`, `/sessions/events`): OAuth's error objects (RFC 6749 5.2, RFC 7662):
 *   `{"error":"invalid_request","error_description":"…"}` with 400 (or the framework's 4xx, such as 413),
 *   and 503 `{"error":"temporarily_unavailable"}` for an internal failure (the database is down).
 */
export type ContractRouteKind =
  | 'login'
  | 'register'
  | 'findPassword'
  | 'resetPassword'
  | 'updatePassword'
  | 'logout'
  | 'bearer'
  | 'gameServer'
  | 'admin';

export const CONTRACT_ROUTE_KEY = 'contractRoute';

export const ContractRoute = (kind: ContractRouteKind): MethodDecorator => RouteConfig({ [CONTRACT_ROUTE_KEY]: kind });
