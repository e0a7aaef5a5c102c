// Starts Swagger UI on /api/schema without an inline script (the CSP allows none).
const box = document.getElementById("swagger");
window.SwaggerUIBundle({ url: box.dataset.spec, domNode: box, deepLinking: true });
