import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

import { API_BEARER_SCHEME } from '../api-tokens/decorators/api-token-scope.decorator';

/** The OpenAPI document of every route `app` serves: what `/docs-json` answers and `openapi.json` holds. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('FunGame authentication API')
      .setDescription(
        'Log in, get a 30-minute JWT bearer token, refresh it, log out; register and reset a password by a ' +
          'mailed code with an API token. Wire-compatible with the FunGame WebAPI (Project Redbud): paths ' +
          'match case-insensitively, request property names too.',
      )
      .setVersion('1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      // register.md's APIBearer: a second Authorize entry, for the operator-issued API token.
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          // A hint only (OpenAPI): without it the builder would call this one a JWT too.
          bearerFormat: '<id>.<secret>',
          description:
            'An API token issued by the operator (`npm run api-tokens:create`), as `<id>.<secret>`; never a ' +
            "player's JWT.",
        },
        API_BEARER_SCHEME,
      )
      .build(),
  );
}

/**
 * The committed file's text: two-space JSON and a final newline, keys in the document's own order (that
 * of the modules, controllers and decorators), so the same code always gives the same bytes.
 */
export function openApiFileText(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
