import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';

import { MalformedRequestError } from './contract-errors';

/**
 * Runs before validation on every `@Body()` bound to a DTO class:
 * - the body must be a JSON object (not an array, string, number, null, or unparseable text);
 * - property names match the DTO's case-insensitively (`username`, `USERNAME` → `Username`), as the
 *   original ASP.NET binder does, so existing clients keep working;
 * - a property the DTO does not know is dropped, as that binder ignores it: clients send extra fields
 *   (`AutoKey`, `Email` on login) and must not be refused for them. Dropped here, before class-transformer
 *   copies (and recurses into) values nobody reads; the known fields keep every rule of their DTO.
 */
@Injectable()
export class RequestBodyPipe implements PipeTransform {
  private readonly propertyNamesByDto = new WeakMap<object, Map<string, string>>();

  public transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' || !isDtoClass(metadata.metatype)) return value;
    if (value === undefined) return {};
    if (!isPlainObject(value)) throw new MalformedRequestError();

    const canonicalNames = this.canonicalNamesOf(metadata.metatype);
    const canonical: Record<string, unknown> = {};
    for (const [key, fieldValue] of Object.entries(value)) {
      // Only the DTO's own names are ever assigned, so a `__proto__` or `constructor` key cannot reach
      // the prototype here.
      const name = canonicalNames.get(key.toLowerCase());
      if (name !== undefined) canonical[name] = fieldValue;
    }
    return canonical;
  }

  private canonicalNamesOf(dto: new (...args: never[]) => unknown): Map<string, string> {
    let names = this.propertyNamesByDto.get(dto);
    if (!names) {
      const properties = getMetadataStorage()
        .getTargetValidationMetadatas(dto, '', true, false)
        .map((validation) => validation.propertyName);
      names = new Map(properties.map((property) => [property.toLowerCase(), property]));
      this.propertyNamesByDto.set(dto, names);
    }
    return names;
  }
}

function isDtoClass(metatype: unknown): metatype is new (...args: never[]) => unknown {
  return typeof metatype === 'function' && ![String, Number, Boolean, Array, Object].includes(metatype as never);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
