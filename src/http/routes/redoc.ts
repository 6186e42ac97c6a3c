import type { FastifyPluginAsync } from 'fastify';

/**
 * GET /redoc: the OpenAPI document rendered by ReDoc, beside Swagger UI's /docs, outside production (as the Python
 * service served it). The page loads ReDoc's standalone bundle from the jsDelivr CDN, as FastAPI's page does; the
 * browser fetches it, the service serves only this HTML and /openapi.json.
 */

export interface RedocRoutesOptions {
  readonly title: string;
  /** Where the OpenAPI document is served. */
  readonly specUrl: string;
}

const REDOC_BUNDLE = 'https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function redocPage(title: string, specUrl: string): string {
  return `<!DOCTYPE html>
<html>
<head>
<title>${escapeHtml(title)} - ReDoc</title>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body { margin: 0; padding: 0; }</style>
</head>
<body>
<redoc spec-url="${escapeHtml(specUrl)}"></redoc>
<script src="${REDOC_BUNDLE}"></script>
</body>
</html>
`;
}

export const redocRoutes: FastifyPluginAsync<RedocRoutesOptions> = async (app, options) => {
  const page = redocPage(options.title, options.specUrl);
  app.get('/redoc', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(page),
  );
};
