// Starts Swagger UI on /docs (a file, not inline, so the page's CSP needs no 'unsafe-inline' script).
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  validatorUrl: null,
  deepLinking: false
});
