import { RouteConfig } from '@nestjs/platform-fastify';

/**
 * How a route's failures look on the wire. The published API pages give each route its own body for
 * "cannot process this request"; this marker tells `ContractExceptionFilter` which one.
 * - `login`: PayloadModel for 401/429, the JSON string 服务器暂时无法处理登录请求。 for 400.
 * - `register`: PayloadModel (RequestType 12) for every failure.
 * - `updatePassword`: PayloadModel (RequestType 20) for every failure but the bearer token's own 401s,
 *   with the login's message for a wrong current password.
 * - `logout`: PayloadModel (RequestType 1, 退出登录失败！) for every failure but the bearer token's own
 *   401s, as logout.md answers both a failed logout and a request the server cannot process.
 * - `bearer` (the default): JSON strings, as `/user/refresh` documents.
 */
export type ContractRouteKind = 'login' | 'register' | 'updatePassword' | 'logout' | 'bearer';

export const CONTRACT_ROUTE_KEY = 'contractRoute';

export const ContractRoute = (kind: ContractRouteKind): MethodDecorator => RouteConfig({ [CONTRACT_ROUTE_KEY]: kind });
