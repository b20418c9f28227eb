/**
 * A tiny SQL builder for generated check queries: values only ever become `?` parameters, identifiers only come from
 * validated config and are checked and quoted here, and fragments carry their parameters in text order so the two
 * can never drift apart.
 */

const IDENTIFIER = /^[a-z][a-z0-9_]*$/;

export class Sql {
  constructor(
    readonly text: string,
    readonly parameters: readonly string[],
  ) {}
}

/** A value bound as a query parameter. */
export class Param {
  constructor(readonly value: string) {}
}

export class UnsafeIdentifierError extends Error {
  constructor(readonly identifier: string) {
    super(`"${identifier}" is not an identifier (expected ^[a-z][a-z0-9_]*$); it cannot be used in generated SQL`, {
      cause: { identifier },
    });
    this.name = 'UnsafeIdentifierError';
  }
}

export const param = (value: string): Param => new Param(value);

/** A quoted identifier, so reserved words such as `timestamp` or `user` work as column names. */
export function ident(name: string): Sql {
  if (!IDENTIFIER.test(name)) throw new UnsafeIdentifierError(name);
  return new Sql(`"${name}"`, []);
}

/** `alias.column` or `database.table`, each part checked and quoted. */
export function qualified(...parts: string[]): Sql {
  return join(parts.map(ident), '.');
}

/** SQL text written in code (keywords, operators, constant strings); never pass config or input here. */
export function raw(text: string): Sql {
  return new Sql(text, []);
}

export function join(parts: readonly Sql[], separator: string): Sql {
  return new Sql(
    parts.map((part) => part.text).join(separator),
    parts.flatMap((part) => part.parameters),
  );
}

/** Template tag: interpolated `Sql` is spliced in, interpolated `Param` becomes `?` and a parameter. */
export function sql(strings: TemplateStringsArray, ...values: readonly (Sql | Param)[]): Sql {
  let text = strings[0] ?? '';
  const parameters: string[] = [];
  values.forEach((value, index) => {
    if (value instanceof Param) {
      text += '?';
      parameters.push(value.value);
    } else {
      text += value.text;
      parameters.push(...value.parameters);
    }
    text += strings[index + 1] ?? '';
  });
  return new Sql(text, parameters);
}
