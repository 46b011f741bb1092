import { DataRequestType } from './data-request-type';

/**
 * FunGame's response envelope. Key order and casing are part of the wire contract: `RequestType`,
 * `StatusCode`, `Message`, `Data`.
 */
export interface PayloadModel<TData extends object = Record<string, never>> {
  RequestType: DataRequestType;
  StatusCode: number;
  Message: string;
  Data: TData;
}

export function payloadModel<TData extends object>(
  requestType: DataRequestType,
  statusCode: number,
  message: string,
  data: TData,
): PayloadModel<TData> {
  return { RequestType: requestType, StatusCode: statusCode, Message: message, Data: data };
}
