"""Thin views, one module per subject: parse the request, call an access helper and a service, render."""
