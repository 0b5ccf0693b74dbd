"""HTTP controllers: parse the request, call the domain, return a template or a struct."""
