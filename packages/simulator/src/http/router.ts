// Routes come from the slice's `paths`: each template (`/calls/{call_control_id}/actions/speak`) becomes a
// regex, so the simulator answers exactly the operations the spec declares and nothing else.
import { HTTP_METHODS, type OperationObject, sliceDocument } from "../schema/slice.js";
import { safeDecode } from "./request.js";

export interface Route {
  method: string;
  template: string;
  operationId: string;
  operation: OperationObject;
  pattern: RegExp;
  paramNames: string[];
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

function compileTemplate(template: string): { pattern: RegExp; paramNames: string[] } {
  const paramNames: string[] = [];
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (name) {
        paramNames.push(name);
        return "([^/]+)";
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  return { pattern: new RegExp(`^${source}/?$`), paramNames };
}

export function buildRoutes(): Route[] {
  const routes: Route[] = [];
  for (const [template, item] of Object.entries(sliceDocument.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      routes.push({
        method: method.toUpperCase(),
        template,
        operationId: operation.operationId,
        operation,
        ...compileTemplate(template),
      });
    }
  }
  // Literal segments beat parameters: `/calls/{id}` must not swallow a longer literal path.
  return routes.sort((a, b) => b.template.length - a.template.length);
}

export class Router {
  readonly routes = buildRoutes();

  /** Finds the route for a method and a path relative to the API root (`/calls/...`). */
  match(method: string, path: string): RouteMatch | { methodNotAllowed: true } | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.paramNames.forEach((name, i) => {
        params[name] = safeDecode(m[i + 1] ?? "");
      });
      return { route, params };
    }
    return pathMatched ? { methodNotAllowed: true } : undefined;
  }
}
