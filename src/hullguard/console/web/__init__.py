"""Server-rendered pages: Jinja2 with autoescape, no JavaScript, forms protected by CSRF tokens."""
