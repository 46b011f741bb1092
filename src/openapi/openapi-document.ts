import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** The OpenAPI document of every route `app` serves: what `/docs-json` answers and `openapi.json` holds. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('FunGame authentication API')
      .setDescription(
        'Log in, get a 30-minute JWT bearer token, refresh it, log out. Wire-compatible with the FunGame ' +
          'WebAPI (Project Redbud): paths match case-insensitively, request property names too.',
      )
      .setVersion('1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
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
