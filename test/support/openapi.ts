// Checks real answers against the OpenAPI document: the status must be one the operation
// declares, the content type the one declared for it, and the body must validate against the
// declared schema (JSON Schema 2020-12, as OpenAPI 3.1 writes it; refs into components resolved).
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import type { Response } from "supertest";
import { buildOpenApi } from "../../src/api/openapi";

type Document = ReturnType<typeof buildOpenApi>;
interface Declared {
  description?: string;
  content?: Record<string, { schema?: object }>;
}

export function createDocumentCheck(doc: Document = buildOpenApi()) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // One schema holding the components, so that "#/components/schemas/X" resolves from any response.
  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (key: string, schema: object): ValidateFunction => {
    let v = validators.get(key);
    if (!v) {
      v = ajv.compile({ ...schema, components: doc.components });
      validators.set(key, v);
    }
    return v;
  };
  /** "METHOD /template" of every answer checked, to tell which operations a test left out. */
  const seen = new Set<string>();

  return {
    seen,
    /** Every operation of the document, as "METHOD /template". */
    operations: (): string[] =>
      Object.entries(doc.paths ?? {}).flatMap(([p, ops]) =>
        Object.keys(ops ?? {}).map((m) => `${m.toUpperCase()} ${p}`),
      ),

    /** Fails unless `res` is an answer the document declares for `method` on `template`. */
    expectDocumented(res: Response, method: string, template: string): void {
      const where = `${method.toUpperCase()} ${template} → ${res.status}`;
      const operation = (doc.paths?.[template] as Record<string, { responses?: Record<string, Declared> }>)?.[
        method.toLowerCase()
      ];
      expect({ where, declared: operation !== undefined }).toEqual({ where, declared: true });
      const declared = operation?.responses?.[String(res.status)];
      expect({ where, body: declared ? "declared" : res.body }).toEqual({ where, body: "declared" });
      seen.add(`${method.toUpperCase()} ${template}`);
      const [type, media] = Object.entries(declared?.content ?? {})[0] ?? [];
      if (!type) {
        expect({ where, body: res.text ?? "" }).toEqual({ where, body: "" });
        return;
      }
      expect({ where, type: String(res.headers["content-type"]).split(";")[0] }).toEqual({ where, type });
      const validate = validatorFor(`${where} ${type}`, media?.schema ?? {});
      const valid = validate(res.body);
      expect({ where, errors: valid ? [] : validate.errors, body: valid ? "ok" : res.body }).toEqual({
        where,
        errors: [],
        body: "ok",
      });
    },
  };
}
