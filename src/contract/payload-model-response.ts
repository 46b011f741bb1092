import { Type } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';

import { DataRequestType } from './data-request-type';

/** An example, or the OpenAPI property outright where it needs more (a description). */
type Example<T> = T | ApiPropertyOptions;

export interface PayloadModelResponseOptions {
  /** The route's RequestType (an enum of one), or the property itself where several routes share the class. */
  requestType: Example<DataRequestType>;
  statusCode: Example<number>;
  message: Example<string>;
  /** The class of `Data`; an empty object (`{}`) without. */
  data?: Type<unknown>;
}

/**
 * The OpenAPI class of one PayloadModel answer (`payload-model.ts`), named `name` in the document's
 * schemas. Its properties come in the wire's order: `RequestType`, `StatusCode`, `Message`, `Data`.
 */
export function payloadModelResponse(name: string, options: PayloadModelResponseOptions): Type<unknown> {
  // A named class: Swagger names the schema after it.
  const response = { [name]: class {} }[name];
  const property = (key: string, property: ApiPropertyOptions): void => ApiProperty(property)(response.prototype, key);

  const { requestType, statusCode, message, data } = options;
  property(
    'RequestType',
    typeof requestType === 'number'
      ? { type: Number, enum: [requestType], example: requestType }
      : { type: Number, ...requestType },
  );
  property(
    'StatusCode',
    typeof statusCode === 'number' ? { type: Number, example: statusCode } : { type: Number, ...statusCode },
  );
  property('Message', typeof message === 'string' ? { type: String, example: message } : { type: String, ...message });
  property('Data', data === undefined ? { type: 'object', additionalProperties: false, example: {} } : { type: data });
  return response;
}
